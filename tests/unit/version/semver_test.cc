#include "version/semver.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace preflight::version {
namespace {

// "none" when it does not parse, else to_string of the result.
std::string shown(const std::optional<Version>& v) { return v ? to_string(*v) : "none"; }

TEST(SemverTest, ParseVersion) {
  struct Case {
    std::string in, want;
  };
  const std::vector<Case> cases = {
      {"2.3.1", "2.3.1"},
      {"v2.3.1", "2.3.1"},
      {"V2.3.1", "2.3.1"},
      {"2", "2"},
      {"2.3", "2.3"},
      {"1.2.3.4", "1.2.3.4"},              // four-part
      {"2.3.1-rc.1", "2.3.1-rc.1"},        // pre-release
      {"2.3.1-rc.1+build.5", "2.3.1-rc.1"},  // build metadata dropped
      {"2.3.1+20240101", "2.3.1"},
      {"999999999.0.0", "999999999.0.0"},  // nine digits: the limit
      {"1234567890.0.0", "none"},          // ten digits
      {"1.2.3.4.5", "none"},               // five parts
      {"latest", "none"},
      {"main", "none"},
      {"", "none"},
      {"v", "none"},
      {"2.x", "none"},
      {"2..3", "none"},
      {"2.3.", "none"},
      {".2.3", "none"},
      {"2.3.1-", "none"},                  // empty pre-release
      {"2.3.1+", "none"},
      {"2.3.1-rc 1", "none"},              // a space
      {" 2.3.1", "none"},
      {"2.3.1_rc1", "none"},
      {"sha256:abcdef", "none"},           // a digest
  };
  for (const Case& c : cases) EXPECT_EQ(shown(parse_version(c.in)), c.want) << c.in;
}

TEST(SemverTest, ParseTagVersion) {
  struct Case {
    std::string in, want;
  };
  const std::vector<Case> cases = {
      {"2.3.1", "2.3.1"},
      {"v2.3.1-cuda12.1", "2.3.1"},                 // the v prefix and a CUDA suffix
      {"2.3.1-cuda12.4", "2.3.1"},
      {"2.4.0-cu121", "2.4.0"},
      {"2.4.0-rc1-cu121", "2.4.0-rc1"},            // pre-release kept, variant dropped
      {"2.3.1-rc.1", "2.3.1-rc.1"},
      {"2.1.0-cuda12.1-cudnn8-runtime", "2.1.0"},  // pytorch/pytorch style
      {"12.4.1-runtime-ubuntu22.04", "12.4.1"},
      {"2.3.1-gpu", "2.3.1"},
      {"2.3.1-rocm6.2", "2.3.1"},
      {"2.3.1_cpu", "2.3.1"},
      {"1.2.3.4-slim", "1.2.3.4"},
      {"v0.6.3-py3-bookworm", "0.6.3"},
      {"2.3.1-myteam", "none"},   // unknown suffix: never guess
      {"0.4.5.post2-cu124", "none"},
      {"latest", "none"},
      {"nightly", "none"},
      {"2.3.1--cuda12.1", "none"},
      {"2.3.1-", "none"},
      {"", "none"},
  };
  for (const Case& c : cases) EXPECT_EQ(shown(parse_tag_version(c.in)), c.want) << c.in;
}

TEST(SemverTest, CompareVersions) {
  struct Case {
    std::string a, b;
    Drift want;
  };
  const std::vector<Case> cases = {
      {"2.3.1", "2.3.1", Drift::kNone},
      {"v2.3.1", "2.3.1", Drift::kNone},
      {"2.3", "2.3.0", Drift::kNone},          // missing parts are zero
      {"2", "2.0.0.0", Drift::kNone},
      {"2.3", "2.3.1", Drift::kPatch},
      {"2.3.1", "2.3.2", Drift::kPatch},
      {"1.2.3.4", "1.2.3.5", Drift::kPatch},   // the fourth part is patch-level
      {"2.3.1", "2.3.1-rc1", Drift::kPatch},   // only the pre-release differs
      {"2.3.1-RC1", "2.3.1-rc1", Drift::kNone},
      {"2.3.1+a", "2.3.1+b", Drift::kNone},    // build metadata ignored
      {"2.3.1", "2.4.0", Drift::kMinor},
      {"2.3.9", "2.4.0", Drift::kMinor},
      {"2.3.1", "3.3.1", Drift::kMajor},
      {"10.0.0", "1.0.0", Drift::kMajor},
  };
  for (const Case& c : cases) {
    auto a = parse_version(c.a), b = parse_version(c.b);
    ASSERT_TRUE(a && b) << c.a << " " << c.b;
    EXPECT_EQ(compare_versions(*a, *b), c.want) << c.a << " vs " << c.b;
    EXPECT_EQ(compare_versions(*b, *a), c.want) << "symmetric: " << c.b << " vs " << c.a;
  }
}

TEST(SemverTest, Sha) {
  const std::string full = "ad4c1b9e0f3a6d2c18b7e94f5a0c3d1e2b4f6a8c";
  struct Case {
    std::string a, b;
    bool match;
  };
  const std::vector<Case> cases = {
      {"ad4c1b9", "ad4c1b9", true},
      {"ad4c1b9", full, true},                  // 7 characters match the 40-character form
      {full, "ad4c1b9", true},
      {"AD4C1B9", full, true},                  // case-insensitive
      {"ad4c1b9e0f", full, true},
      {full, full, true},
      {"ad4c1b8", full, false},                 // one digit off
      {"9e7f02d", "ad4c1b9", false},
      {"ad4c1b9f", full, false},                // longer prefix that diverges
      {"ad4c1b9", "bad4c1b9e0f3", false},       // contained, but not a prefix
  };
  for (const Case& c : cases) {
    auto a = parse_sha(c.a), b = parse_sha(c.b);
    ASSERT_TRUE(a && b) << c.a << " " << c.b;
    EXPECT_EQ(sha_matches(*a, *b), c.match) << c.a << " vs " << c.b;
  }
  for (const std::string& bad : std::vector<std::string>{"ad4c1b", "", "main", "v1.0.0", "ad4c1b9g", "ad4c 1b9",
                          "sha256:ad4c1b9e0f", std::string(65, 'a')}) {
    EXPECT_FALSE(parse_sha(bad)) << bad;
  }
  EXPECT_TRUE(parse_sha(std::string(64, 'a')));  // a sha256 digest's hex
  EXPECT_EQ(*parse_sha("AbCdEf1"), "abcdef1");
  EXPECT_FALSE(sha_matches("ad4c1b", "ad4c1b9"));  // too short to be a SHA prefix
}

}  // namespace
}  // namespace preflight::version
