#include "server/file_watcher.h"

#include <sys/stat.h>

namespace preflight::server {

FileWatcher::FileWatcher(std::chrono::milliseconds interval) : interval_(interval) {}

FileWatcher::~FileWatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FileWatcher::watch(std::vector<std::string> paths, std::function<void()> on_change) {
  std::string sig = signature_of(paths);
  entries_.push_back(Entry{std::move(paths), std::move(on_change), std::move(sig)});
}

void FileWatcher::start() { thread_ = std::thread([this] { loop(); }); }

std::string FileWatcher::signature_of(const std::vector<std::string>& paths) {
  std::string sig;
  for (const std::string& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      sig.append("missing;");
      continue;
    }
    sig.append(std::to_string(st.st_dev)).push_back(':');
    sig.append(std::to_string(st.st_ino)).push_back(':');
    sig.append(std::to_string(st.st_size)).push_back(':');
    sig.append(std::to_string(st.st_mtim.tv_sec)).push_back('.');
    sig.append(std::to_string(st.st_mtim.tv_nsec)).push_back(';');
  }
  return sig;
}

void FileWatcher::loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    for (Entry& e : entries_) {
      std::string sig = signature_of(e.paths);
      if (sig == e.signature) continue;
      e.signature = std::move(sig);
      lock.unlock();
      e.on_change();
      lock.lock();
    }
  }
}

}  // namespace preflight::server
