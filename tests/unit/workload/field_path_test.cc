#include "workload/field_path.h"

#include <gtest/gtest.h>

namespace preflight {
namespace {

TEST(FieldPathTest, ScopesGrowAndCutThePath) {
  FieldPath path;
  EXPECT_EQ(path.str(), "");
  EXPECT_EQ(path.child("metadata"), "metadata");  // no dot at the root
  {
    const FieldPath::Scope in_spec = path.enter("spec");
    EXPECT_EQ(path.str(), "spec");
    {
      const FieldPath::Scope in_list = path.enter("containers");
      const FieldPath::Scope at = path.enter(12);
      EXPECT_EQ(path.str(), "spec.containers[12]");
      EXPECT_EQ(path.child("image"), "spec.containers[12].image");
      EXPECT_EQ(path.str(), "spec.containers[12]");  // child() leaves the path alone
    }
    EXPECT_EQ(path.str(), "spec");
    const FieldPath::Scope in_volumes = path.enter("volumes");
    EXPECT_EQ(path.str(), "spec.volumes");
  }
  EXPECT_EQ(path.str(), "");
}

TEST(FieldPathTest, RootAndDottedSegments) {
  FieldPath path("spec");
  const FieldPath::Scope in = path.enter("jobTemplate.spec");
  EXPECT_EQ(path.child("template"), "spec.jobTemplate.spec.template");
}

}  // namespace
}  // namespace preflight
