#pragma once
// Text for Workloads written by hand in tests. A Workload holds views (workload.h), so a name
// or path a test builds at run time must outlive the Workload: kept() stores it until the
// test binary exits (a few kilobytes per run).

#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace preflight {

inline std::string_view kept(std::string text) {
  static std::mutex mutex;
  static std::deque<std::string> texts;  // a deque never moves its elements
  const std::lock_guard<std::mutex> lock(mutex);
  return texts.emplace_back(std::move(text));
}

}  // namespace preflight
