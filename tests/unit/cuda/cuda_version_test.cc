#include "cuda/cuda_version.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace preflight::cuda {
namespace {

TEST(CudaVersionTest, ParsesAndFormats) {
  struct Case {
    std::string text;
    std::string want;  // to_string of the result; "" = nullopt
  };
  const std::vector<Case> cases = {
      {"12.4", "12.4"},   {"12.4.1", "12.4.1"},
      {"v12.4", "12.4"},  {" 12.4 ", "12.4"},
      {"12", "12.0"},     {"12.8.0.038", "12.8.0"},
      {"13.10", "13.10"}, {"10.2.89", "10.2.89"},
      {"", ""},           {"12.", ""},
      {".4", ""},         {"12.4.", ""},
      {"12.4.1.2.3", ""}, {"0.4", ""},
      {"123.4", ""},      {"12.4-devel", ""},
      {"12,4", ""},       {"cuda12.4", ""},
      {"12.123", ""},     {"12.4.1234", ""},
  };
  for (const Case& c : cases) {
    const auto v = parse_cuda_version(c.text);
    EXPECT_EQ(v ? to_string(*v) : "", c.want) << c.text;
  }
}

TEST(CudaVersionTest, ComparesMajorMinorOnly) {
  EXPECT_EQ((CudaVersion{12, 4, 1}), (CudaVersion{12, 4, -1}));
  EXPECT_FALSE((CudaVersion{12, 4, 1}).same_release(CudaVersion{12, 4, -1}));
  EXPECT_LT((CudaVersion{12, 2, 9}), (CudaVersion{12, 4, 0}));
  EXPECT_LT((CudaVersion{12, 9}), (CudaVersion{13, 0}));
  EXPECT_GT((CudaVersion{12, 10}), (CudaVersion{12, 9}));
  EXPECT_EQ((CudaVersion{12, 4}).key(), 1204);
  EXPECT_EQ(CudaVersion::from_key(1302), (CudaVersion{13, 2}));
  EXPECT_EQ(major_minor(CudaVersion{12, 4, 1}), "12.4");
}

TEST(CudaVersionTest, RequireCuda) {
  struct Case {
    std::string value;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471",
       "12.4"},
      {"cuda>=12.8", "12.8"},
      {"brand=tesla,driver>=535,driver<536 cuda>=12.2", "12.2"},
      {"cuda>=11.0.3", "11.0.3"},
      {"", ""},
      {"cuda>=", ""},
      {"cuda>12.4", ""},
      {"driver>=535", ""},
  };
  for (const Case& c : cases) {
    const auto v = parse_require_cuda(c.value);
    EXPECT_EQ(v ? to_string(*v) : "", c.want) << c.value;
  }
}

TEST(CudaVersionTest, DriverVersions) {
  struct Case {
    std::string text;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"535.104.05", "535.104.05"},
      {"570.26", "570.26"},
      {"550", "550"},
      {"440.33", "440.33"},
      {"580.65.006", "580.65.006"},
      {"", ""},
      {"535.", ""},
      {"535.104.05.1", ""},
      {"a535", ""},
      {"0.1", ""},
      {"535.1040.05", ""},
      {"535-104", ""},
  };
  for (const Case& c : cases) {
    const auto v = parse_driver_version(c.text);
    EXPECT_EQ(v ? to_string(*v) : "", c.want) << c.text;
  }
  const DriverVersion d = *parse_driver_version("535.104.05");
  EXPECT_EQ(d.major, 535);
  EXPECT_EQ(d.minor, 104);
  EXPECT_EQ(d.rev, 5);
  EXPECT_LT(*parse_driver_version("535.54.03"), d);
  EXPECT_LT(d, *parse_driver_version("550.54.14"));
}

TEST(CudaVersionTest, SmallInts) {
  EXPECT_EQ(parse_small_int("535"), 535);
  EXPECT_EQ(parse_small_int("05"), 5);
  EXPECT_EQ(parse_small_int(""), std::nullopt);
  EXPECT_EQ(parse_small_int("-1"), std::nullopt);
  EXPECT_EQ(parse_small_int("12.4"), std::nullopt);
  EXPECT_EQ(parse_small_int("1234567890"), std::nullopt);
}

}  // namespace
}  // namespace preflight::cuda
