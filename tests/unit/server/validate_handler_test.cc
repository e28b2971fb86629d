#include "server/validate_handler.h"

#include <gtest/gtest.h>

namespace preflight::server {
namespace {

using std::chrono::milliseconds;

TEST(WaitBudgetTest, CappedBelowTheApiServerTimeout) {
  EXPECT_EQ(wait_budget(milliseconds(2000), milliseconds(10000)), milliseconds(2000));
  EXPECT_EQ(wait_budget(milliseconds(30000), milliseconds(10000)), milliseconds(9000));
  EXPECT_EQ(wait_budget(milliseconds(30000), milliseconds(0)), milliseconds(9000));  // default 10s
  EXPECT_EQ(wait_budget(milliseconds(5000), milliseconds(1000)), milliseconds(800));
  EXPECT_EQ(wait_budget(milliseconds(0), milliseconds(5000)), milliseconds(0));
}

TEST(JsonErrorTest, OneLine) {
  EXPECT_EQ(json_error("bad \"thing\"\nhere"), R"({"error":"bad \"thing\"\nhere"})");
}

}  // namespace
}  // namespace preflight::server
