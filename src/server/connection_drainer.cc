#include "server/connection_drainer.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>

namespace preflight::server {

void ConnectionDrainer::request_started(const std::string& peer_addr, int peer_port) {
  std::lock_guard lock(mu_);
  active_.emplace(peer_addr, peer_port);
}

void ConnectionDrainer::request_finished(const std::string& peer_addr, int peer_port) {
  std::lock_guard lock(mu_);
  if (auto it = active_.find({peer_addr, peer_port}); it != active_.end()) active_.erase(it);
}

namespace {

int port_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  return -1;
}

std::string addr_of(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof(buf));
  } else if (ss.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, buf, sizeof(buf));
  }
  return buf;
}

}  // namespace

int ConnectionDrainer::close_idle() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int closed = 0;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening) {
      continue;
    }
    sockaddr_storage local{}, peer{};
    socklen_t llen = sizeof(local), plen = sizeof(peer);
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &llen) != 0 ||
        port_of(local) != port_) {
      continue;
    }
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &plen) != 0) continue;
    int pending = 0;
    if (ioctl(static_cast<int>(fd), FIONREAD, &pending) != 0 || pending > 0) continue;  // a request is arriving
    {
      std::lock_guard lock(mu_);
      if (active_.contains({addr_of(peer), port_of(peer)})) continue;
    }
    // Read side only: the worker sees end-of-stream and closes; nothing is cut mid-response.
    if (shutdown(static_cast<int>(fd), SHUT_RD) == 0) ++closed;
  }
  closedir(dir);
  return closed;
}

}  // namespace preflight::server
