#include "cli/args.h"

#include <gtest/gtest.h>

namespace preflight::cli {
namespace {

FlagSpec spec() { return {{"filename", "output"}, {"strict"}, {{"-f", "filename"}, {"-o", "output"}}}; }

TEST(ArgsTest, ParsesLongShortRepeatedAndBool) {
  auto a = parse_args({"-f", "a.yaml", "--filename=b.yaml", "-o", "json", "--strict", "-", "c"}, spec());
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->all("filename"), (std::vector<std::string>{"a.yaml", "b.yaml"}));
  EXPECT_EQ(a->get("output"), "json");
  EXPECT_TRUE(a->has("strict"));
  EXPECT_EQ(a->positional, (std::vector<std::string>{"-", "c"}));
}

TEST(ArgsTest, Errors) {
  EXPECT_EQ(parse_args({"--nope"}, spec()).error(), "unknown flag --nope");
  EXPECT_EQ(parse_args({"-x"}, spec()).error(), "unknown flag -x");
  EXPECT_EQ(parse_args({"-f"}, spec()).error(), "flag -f needs a value");
  EXPECT_EQ(parse_args({"--strict=maybe"}, spec()).error(), "flag --strict takes no value");
}

}  // namespace
}  // namespace preflight::cli
