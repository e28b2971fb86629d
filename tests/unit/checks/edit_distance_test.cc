#include "checks/edit_distance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::checks {
namespace {

// Plain full-matrix optimal string alignment, the textbook recurrence, as the oracle.
std::size_t reference_osa(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// A random string of up to max_len characters of `alphabet` (fixed seeds keep tests deterministic).
std::string random_string(std::mt19937& rng, std::string_view alphabet, int max_len) {
  std::uniform_int_distribution<int> len(0, max_len);
  std::uniform_int_distribution<std::size_t> letter(0, alphabet.size() - 1);
  std::string s(static_cast<std::size_t>(len(rng)), 'a');
  for (char& ch : s) ch = alphabet[letter(rng)];
  return s;
}

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

struct DistanceCase {
  std::string a;
  std::string b;
  std::size_t bound;
  CaseMode mode;
  std::size_t want;
};

TEST(EditDistanceTest, Table) {
  constexpr auto kS = CaseMode::kSensitive;
  constexpr auto kI = CaseMode::kInsensitive;
  const std::vector<DistanceCase> cases = {
      {"", "", kUnbounded, kS, 0},
      {"abc", "", kUnbounded, kS, 3},
      {"", "abc", kUnbounded, kS, 3},
      {"abc", "abc", kUnbounded, kS, 0},
      {"abc", "abd", kUnbounded, kS, 1},
      {"ab", "ba", kUnbounded, kS, 1},   // adjacent swap costs one
      {"ca", "abc", kUnbounded, kS, 3},  // OSA edits no substring twice (true DL says 2)
      {"kitten", "sitting", kUnbounded, kS, 3},
      {"OPEN_API_KEY", "OPENAI_API_KEY", kUnbounded, kS, 2},
      {"HF_TOKNE", "HF_TOKEN", kUnbounded, kS, 1},
      {"HUGGINGFACE_HUB_TOKEN", "HUGGING_FACE_HUB_TOKEN", kUnbounded, kS, 1},
      {"hf_token", "HF_TOKEN", kUnbounded, kS, 7},
      {"hf_token", "HF_TOKEN", kUnbounded, kI, 0},
      {"hf_tokne", "HF_TOKEN", kUnbounded, kI, 1},
      {"_[", "_{", kUnbounded, kI, 1},  // only letters fold
      // Bounded: the exact distance while within the bound, bound + 1 beyond it.
      {"kitten", "sitting", 3, kS, 3},
      {"kitten", "sitting", 2, kS, 3},
      {"kitten", "sitting", 1, kS, 2},
      {"kitten", "sitting", 0, kS, 1},
      {"same", "same", 0, kS, 0},
      {"a", "abcdefgh", 2, kS, 3},  // length gap alone exceeds the bound
      {"abc", "xyz", 100, kS, 3},   // a bound past the length changes nothing
      {"PORT", "HOST", 1, kS, 2},
      {"OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", 2, kS, 3},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(osa_distance(c.a, c.b, c.bound, c.mode), c.want)
        << "\"" << c.a << "\" vs \"" << c.b << "\" bound " << c.bound;
    EXPECT_EQ(osa_distance(c.b, c.a, c.bound, c.mode), c.want)
        << "symmetric: \"" << c.b << "\" vs \"" << c.a << "\"";
  }
}

TEST(EditDistanceTest, LongStringsUseTheHeapPathAndAgree) {
  const std::string a(100, 'A');
  std::string b = a;
  b[50] = 'B';
  EXPECT_EQ(osa_distance(a, a), 0u);
  EXPECT_EQ(osa_distance(a, b), 1u);
  EXPECT_EQ(osa_distance(a, b + "CD"), 3u);
  EXPECT_EQ(osa_distance(a, b + "CD", 2), 3u);
  const std::string c(kMaxStackLength, 'x');  // exactly at the stack limit
  EXPECT_EQ(osa_distance(c, c + "y"), 1u);
}

TEST(EditDistanceTest, AgreesWithTheReferenceOnRandomStrings) {
  std::mt19937 rng(7);
  const auto random_string = [&] { return checks::random_string(rng, "abc", 9); };  // many swaps
  for (int n = 0; n < 3000; ++n) {
    const std::string a = random_string();
    const std::string b = random_string();
    const std::size_t want = reference_osa(a, b);
    ASSERT_EQ(osa_distance(a, b), want) << a << " vs " << b;
    for (std::size_t bound = 0; bound <= 4; ++bound) {
      ASSERT_EQ(osa_distance(a, b, bound), std::min(want, bound + 1))
          << a << " vs " << b << " bound " << bound;
    }
  }
}

// The bounded search first rules pairs out by their letters alone (bag distance); on a wide
// alphabet with mixed case, where that shortcut decides most pairs, the answers must not change.
TEST(EditDistanceTest, LetterCountShortcutAgreesWithTheReference) {
  std::mt19937 rng(11);
  const auto random_string = [&] { return checks::random_string(rng, "AaBbCcDdEe_1", 12); };
  for (int n = 0; n < 3000; ++n) {
    const std::string a = random_string();
    const std::string b = random_string();
    const std::size_t sensitive = reference_osa(a, b);
    const std::size_t insensitive = reference_osa(upper(a), upper(b));
    for (std::size_t bound = 0; bound <= 3; ++bound) {
      ASSERT_EQ(osa_distance(a, b, bound), std::min(sensitive, bound + 1)) << a << " vs " << b;
      ASSERT_EQ(osa_distance(a, b, bound, CaseMode::kInsensitive), std::min(insensitive, bound + 1))
          << a << " vs " << b << " (any case)";
    }
  }
  // Same letters, different order: the letter counts cannot tell, the DP must.
  EXPECT_EQ(osa_distance("HF_TOKEN", "HF_TOKNE", 1), 1u);
  EXPECT_EQ(osa_distance("ABCD", "DCBA", 2), 3u);
  EXPECT_EQ(osa_distance("hf_token", "HF_TOKNE", 1, CaseMode::kInsensitive), 1u);
}

// char_set_lower_bound filters candidates before the DP: it must never exceed the distance,
// also where two characters share a bucket ('a' and '!', '@' and NUL).
TEST(EditDistanceTest, CharSetLowerBoundNeverExceedsTheDistance) {
  std::mt19937 rng(13);
  const std::string alphabet = std::string("AaBb_1!@") + '\0';
  const auto random_string = [&] { return checks::random_string(rng, alphabet, 10); };
  for (int n = 0; n < 3000; ++n) {
    const std::string a = random_string();
    const std::string b = random_string();
    ASSERT_LE(char_set_lower_bound(char_set(a), char_set(b)), reference_osa(a, b))
        << a << " vs " << b;
    const auto ci = CaseMode::kInsensitive;
    ASSERT_LE(char_set_lower_bound(char_set(a, ci), char_set(b, ci)),
              reference_osa(upper(a), upper(b)))
        << a << " vs " << b << " (any case)";
  }
  // P A I Y against H F T.
  EXPECT_EQ(char_set_lower_bound(char_set("OPENAI_API_KEY"), char_set("HF_TOKEN")), 4u);
  EXPECT_EQ(char_set_lower_bound(char_set("hf_token", CaseMode::kInsensitive),
                                 char_set("HF_TOKEN", CaseMode::kInsensitive)),
            0u);
  EXPECT_EQ(char_set_lower_bound(char_set("HF_TOKNE"), char_set("HF_TOKEN")), 0u);
}

// The typo search asks whether the bound exceeds a limit without counting every bit.
TEST(EditDistanceTest, CharSetLowerBoundExceedsAgreesWithTheCount) {
  std::mt19937_64 rng(17);
  for (int n = 0; n < 3000; ++n) {
    // Sparse and dense sets alike: a random mask thins the random bits.
    const std::uint64_t a = rng() & rng();
    const std::uint64_t b = n % 2 == 0 ? rng() & rng() : a ^ (std::uint64_t{1} << (n % 64));
    for (std::size_t bound = 0; bound <= 5; ++bound) {
      ASSERT_EQ(char_set_lower_bound_exceeds(a, b, bound), char_set_lower_bound(a, b) > bound)
          << a << " " << b << " " << bound;
    }
  }
  EXPECT_FALSE(char_set_lower_bound_exceeds(0, 0, 0));
  EXPECT_TRUE(char_set_lower_bound_exceeds(~std::uint64_t{0}, 0, 63));
  EXPECT_FALSE(char_set_lower_bound_exceeds(~std::uint64_t{0}, 0, 64));
}

TEST(EditDistanceTest, EqualsIgnoreCase) {
  EXPECT_TRUE(equals_ignore_case("openai_api_key", "OPENAI_API_KEY"));
  EXPECT_TRUE(equals_ignore_case("", ""));
  EXPECT_FALSE(equals_ignore_case("openai_api_key", "OPENAI_API_KEX"));
  EXPECT_FALSE(equals_ignore_case("HF_TOKEN", "HF_TOKEN_"));
}

struct NearestCase {
  std::string name;
  std::vector<std::string_view> candidates;
  std::size_t max_distance;
  CaseMode mode;
  std::optional<std::size_t> want_index;
  std::size_t want_distance;
};

TEST(EditDistanceTest, Nearest) {
  constexpr auto kS = CaseMode::kSensitive;
  constexpr auto kI = CaseMode::kInsensitive;
  const std::vector<NearestCase> cases = {
      {"OPENAI_API_KEY", {"HF_TOKEN", "OPEN_API_KEY", "OPENAI_API_KY"}, 3, kS, 2, 1},
      {"OPENAI_API_KEY", {"OPEN_API_KEY", "OPENAI_APY_KEX"}, 3, kS, 0, 2},  // tie: first wins
      {"OPENAI_API_KEY", {"OPENAI_APY_KEX", "OPEN_API_KEY"}, 3, kS, 0, 2},
      {"OPENAI_API_KEY", {"HF_TOKEN", "PORT"}, 3, kS, std::nullopt, 0},
      {"OPENAI_API_KEY", {"OPEN_API_KEY"}, 1, kS, std::nullopt, 0},  // outside max_distance
      {"OPENAI_API_KEY", {"OPEN_API_KEY", "openai_api_key"}, 3, kI, 1, 0},
      {"OPENAI_API_KEY", {"OPEN_API_KEY", "openai_api_key"}, 3, kS, 0, 2},
      {"PORT", {"port"}, 0, kI, 0, 0},
      {"PORT", {"PROT"}, 0, kI, std::nullopt, 0},
      {"X", {}, 3, kS, std::nullopt, 0},
  };
  for (const auto& c : cases) {
    const std::optional<Nearest> got = nearest(c.name, c.candidates, c.max_distance, c.mode);
    ASSERT_EQ(got.has_value(), c.want_index.has_value()) << c.name;
    if (!got) continue;
    EXPECT_EQ(got->index, *c.want_index) << c.name;
    EXPECT_EQ(got->distance, c.want_distance) << c.name;
  }
}

}  // namespace
}  // namespace preflight::checks
