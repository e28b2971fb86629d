#include "checks/edit_distance.h"

#include <algorithm>
#include <array>
#include <vector>

namespace preflight::checks {

namespace {

char fold(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// The DP over three rows (two back, for the adjacent swap) of `rows`, which holds
// 3 * (b.size() + 1) cells. Every cell is clamped to cap = bound + 1; clamping commutes with
// min and +, so each cell ends as min(true distance, cap). Once two consecutive rows are all at
// cap, no later cell can drop below it (every cell is built from the row above or the one
// above that), so the loop stops there.
std::size_t osa_rows(std::string_view a, std::string_view b, std::size_t bound, CaseMode mode,
                     std::size_t* rows) {
  const auto same = [mode](char x, char y) {
    return mode == CaseMode::kSensitive ? x == y : fold(x) == fold(y);
  };
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  const std::size_t cap = bound + 1;
  std::size_t* prev2 = rows;
  std::size_t* prev = rows + (m + 1);
  std::size_t* cur = rows + 2 * (m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = std::min(j, cap);
  std::size_t prev_min = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = std::min(i, cap);
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
      std::size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = std::min(v, cap);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min >= cap && prev_min >= cap) return cap;
    prev_min = row_min;
    std::size_t* done = prev2;
    prev2 = prev;
    prev = cur;
    cur = done;
  }
  return prev[m];
}

// A lower bound of the OSA distance that costs one pass over both strings: the characters of a
// that b lacks, or of b that a lacks, counted with repeats (the "bag distance"). An insertion,
// deletion or substitution changes each of the two counts by at most one and a swap changes
// neither, so no alignment can be cheaper. Most pairs of unrelated names are told apart here
// without the DP. Characters are counted in the 64 buckets of char_set(): merging two
// characters' counts can only lower the sum, so it stays a lower bound, and the table to clear
// is a quarter of the size.
std::size_t bag_distance(std::string_view a, std::string_view b, CaseMode mode) {
  std::array<int, 64> count{};
  const auto key = [mode](char c) {
    return static_cast<unsigned char>(mode == CaseMode::kSensitive ? c : fold(c)) & 63;
  };
  for (char c : a) ++count[key(c)];
  for (char c : b) --count[key(c)];
  std::size_t only_a = 0, only_b = 0;
  for (char c : a) {
    int& n = count[key(c)];
    if (n > 0) only_a += static_cast<std::size_t>(n);
    if (n >= 0) n = 0;  // counted (or balanced): later repeats of c add nothing
  }
  for (char c : b) {
    int& n = count[key(c)];
    if (n < 0) only_b += static_cast<std::size_t>(-n);
    n = 0;
  }
  return std::max(only_a, only_b);
}

}  // namespace

std::size_t osa_distance(std::string_view a, std::string_view b, std::size_t bound, CaseMode mode) {
  if (a.size() < b.size()) std::swap(a, b);  // b is the shorter: rows are sized by it
  // The distance is at most a.size(), so a larger bound changes nothing (and cannot overflow).
  bound = std::min(bound, a.size());
  if (a.size() - b.size() > bound) return bound + 1;
  if (bound < a.size() && bag_distance(a, b, mode) > bound) return bound + 1;
  const std::size_t cells = 3 * (b.size() + 1);
  if (b.size() <= kMaxStackLength) {
    std::array<std::size_t, 3 * (kMaxStackLength + 1)> rows;
    return osa_rows(a, b, bound, mode, rows.data());
  }
  std::vector<std::size_t> rows(cells);
  return osa_rows(a, b, bound, mode, rows.data());
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

std::optional<Nearest> nearest(std::string_view name, std::span<const std::string_view> candidates,
                               std::size_t max_distance, CaseMode mode) {
  std::optional<Nearest> best;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    // Only a strictly closer candidate can replace the best one: search below it.
    const std::size_t bound = best ? best->distance - 1 : max_distance;
    const std::size_t d = osa_distance(name, candidates[i], bound, mode);
    if (d > bound) continue;
    best = Nearest{i, d};
    if (d == 0) break;
  }
  return best;
}

}  // namespace preflight::checks
