#pragma once
// Polls files for changes and calls back when one changes. Follows symlinks, so the
// atomic `..data` symlink swap of a Kubernetes ConfigMap/Secret volume is seen as a change.
// Owns its thread: joined on destruction.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace preflight::server {

class FileWatcher {
 public:
  explicit FileWatcher(std::chrono::milliseconds interval);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Calls `on_change` (from the watcher thread) when any of `paths` changes.
  // Register everything before start().
  void watch(std::vector<std::string> paths, std::function<void()> on_change);
  void start();

 private:
  struct Entry {
    std::vector<std::string> paths;
    std::function<void()> on_change;
    std::string signature;
  };
  static std::string signature_of(const std::vector<std::string>& paths);
  void loop();

  std::chrono::milliseconds interval_;
  std::vector<Entry> entries_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace preflight::server
