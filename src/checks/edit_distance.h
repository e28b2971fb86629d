#pragma once
// Edit distance between short names (env vars, template placeholders, keys): the optimal
// string alignment distance (restricted Damerau-Levenshtein), where an insertion, a deletion,
// a substitution and a swap of two adjacent characters each cost 1 and no substring is edited
// twice. "OPEN_API_KEY" -> "OPENAI_API_KEY" is 2, "HF_TOKNE" -> "HF_TOKEN" is 1.
//
// Contract: pure functions, no globals, no exceptions. Callers pass a bound; the computation
// stops as soon as the distance is known to exceed it, and reports bound + 1. No heap
// allocation while the shorter string has at most kMaxStackLength characters.
// Case folding is ASCII only (env names and keys are ASCII; other bytes compare as they are).

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>

namespace preflight::checks {

enum class CaseMode { kSensitive, kInsensitive };

inline constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();
inline constexpr std::size_t kMaxStackLength = 64;

// The optimal string alignment distance of a and b, or bound + 1 when it is larger than bound
// (the result is never more than bound + 1). Symmetric: osa_distance(a, b) == osa_distance(b, a).
std::size_t osa_distance(std::string_view a, std::string_view b, std::size_t bound = kUnbounded,
                         CaseMode mode = CaseMode::kSensitive);

// The characters of s as a set of 64 buckets (ASCII letters folded in kInsensitive mode; upper-
// case letters, digits and '_' each get a bucket of their own). For filtering many candidates
// cheaply before osa_distance: see char_set_lower_bound.
constexpr std::uint64_t char_set(std::string_view s, CaseMode mode = CaseMode::kSensitive) {
  std::uint64_t set = 0;
  for (char c : s) {
    if (mode == CaseMode::kInsensitive && c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
    set |= std::uint64_t{1} << (static_cast<unsigned char>(c) & 63);
  }
  return set;
}

// A lower bound of osa_distance(a, b) (same mode) from their char_set()s: every bucket that one
// string uses and the other does not needs an edit of its own (a substitution serves one such
// bucket on each side, a swap none).
constexpr std::size_t char_set_lower_bound(std::uint64_t a, std::uint64_t b) {
  return static_cast<std::size_t>(std::max(std::popcount(a & ~b), std::popcount(b & ~a)));
}

// Whether char_set_lower_bound(a, b) > bound, answered by clearing at most bound + 1 bits of
// each difference instead of counting them all (std::popcount is a library call on x86-64
// builds without -mpopcnt, and a typo search asks this for every candidate).
constexpr bool char_set_lower_bound_exceeds(std::uint64_t a, std::uint64_t b, std::size_t bound) {
  const auto more_bits_than = [](std::uint64_t x, std::size_t n) {
    for (; n > 0 && x != 0; --n) x &= x - 1;  // clears the lowest set bit
    return x != 0;
  };
  return more_bits_than(a & ~b, bound) || more_bits_than(b & ~a, bound);
}

// True when a and b are equal up to ASCII case.
bool equals_ignore_case(std::string_view a, std::string_view b);

struct Nearest {
  std::size_t index = 0;     // position in the candidate list
  std::size_t distance = 0;  // osa_distance(name, candidates[index])
};

// The candidate closest to `name` with a distance of at most max_distance; on a tie the earlier
// candidate wins, so the answer depends only on the order of `candidates`. An exact match (0)
// is a valid answer. nullopt when none is close enough.
std::optional<Nearest> nearest(std::string_view name, std::span<const std::string_view> candidates,
                               std::size_t max_distance, CaseMode mode = CaseMode::kSensitive);

}  // namespace preflight::checks
