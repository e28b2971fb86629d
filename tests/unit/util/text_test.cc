#include "util/text.h"

#include <gtest/gtest.h>

namespace preflight {
namespace {

TEST(TextTest, SanitizeLine) {
  EXPECT_EQ(sanitize_line("plain"), "plain");
  EXPECT_EQ(sanitize_line("a\nb\tc\x7f"), "a b c ");
  EXPECT_EQ(sanitize_line("bad \xff byte"), "bad ? byte");
  EXPECT_EQ(sanitize_line("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(sanitize_line(std::string(300, 'x'), 256).size(), 256u);
  EXPECT_EQ(sanitize_line(std::string(300, 'x'), 256).substr(250), "xxx...");
  // A multi-byte character is never cut in half.
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "\xc3\xa9";
  std::string cut = sanitize_line(accents, 256);
  EXPECT_LE(cut.size(), 256u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  EXPECT_EQ((cut.size() - 3) % 2, 0u);
}

TEST(TextTest, SplitAndTrim) {
  EXPECT_EQ(split_list(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list("  ").empty());
  EXPECT_EQ(trim("\t x \n"), "x");
}

}  // namespace
}  // namespace preflight
