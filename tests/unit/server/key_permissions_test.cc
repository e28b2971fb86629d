#include "server/key_permissions.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace preflight::server {
namespace {

TEST(KeyPermissions, Table) {
  const auto dir = std::filesystem::temp_directory_path() / ("keyperm-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "tls.key").string();
  std::ofstream(path) << "not a real key\n";
  const gid_t own = 4242, foreign = 4343;
  ASSERT_EQ(chown(path.c_str(), -1, own), 0) << "the unit tests run as root";

  const ProcessIdentity user{false, {65532, own}};
  const ProcessIdentity root{true, {0}};
  struct Case {
    mode_t mode;
    gid_t group;
    ProcessIdentity who;
    bool refused;
    bool warned;
  };
  const Case cases[] = {
      {0600, own, user, false, false},    {0400, own, user, false, false},
      {0440, own, user, false, false},     // kubelet fsGroup: group-readable by our own group
      {0640, foreign, user, true, false},  // readable by a group we are not in
      {0644, own, user, true, false},      // readable by everyone
      {0604, own, user, true, false},     {0644, own, root, false, true},  // root: a warning only
      {0600, own, root, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << std::oct << c.mode << " group " << std::dec << c.group
                                    << (c.who.root ? " root" : " user"));
    ASSERT_EQ(chmod(path.c_str(), c.mode), 0);
    ASSERT_EQ(chown(path.c_str(), -1, c.group), 0);
    auto r = check_private_key_permissions(path, c.who);
    EXPECT_EQ(!r.ok(), c.refused) << (r.ok() ? *r : r.error());
    if (r.ok()) EXPECT_EQ(!r->empty(), c.warned) << *r;
    if (!r.ok()) EXPECT_NE(r.error().find("readable"), std::string::npos) << r.error();
  }
  EXPECT_FALSE(check_private_key_permissions((dir / "missing.key").string(), user).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace preflight::server
