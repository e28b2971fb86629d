#include "server/key_permissions.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace preflight::server {

ProcessIdentity current_identity() {
  ProcessIdentity who;
  who.root = geteuid() == 0;
  who.groups.push_back(getegid());
  int n = getgroups(0, nullptr);
  if (n > 0) {
    std::vector<gid_t> extra(static_cast<std::size_t>(n));
    n = getgroups(n, extra.data());
    if (n > 0) who.groups.insert(who.groups.end(), extra.begin(), extra.begin() + n);
  }
  return who;
}

Result<std::string> check_private_key_permissions(const std::string& path,
                                                  const ProcessIdentity& who) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    return make_error(path + ": cannot stat: " + std::strerror(errno));
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  std::string problem;
  if (st.st_mode & S_IROTH) {
    problem = "is readable by all users (mode " + std::string(mode) + ")";
  } else if ((st.st_mode & S_IRGRP) &&
             std::find(who.groups.begin(), who.groups.end(), st.st_gid) == who.groups.end()) {
    problem = "is readable by group " + std::to_string(st.st_gid) + " (mode " + mode +
              "), which this process is not in";
  }
  if (problem.empty()) return std::string();
  const std::string text = "TLS private key " + path + " " + problem;
  if (who.root) return text + "; accepted only because preflight runs as root";
  return make_error(text + "; chmod 0600 it, or set the Secret volume's defaultMode: 0400");
}

}  // namespace preflight::server
