#pragma once
// An immutable value swapped as a whole (the policy, the certificate pair): readers copy the
// shared_ptr and keep the snapshot they started with.
//
// A mutex-guarded shared_ptr rather than std::atomic<std::shared_ptr>: libstdc++ 12 implements
// the latter with a lock bit inside the pointer that ThreadSanitizer does not understand (it
// reported a race between a reload and a review reading the policy), and one uncontended lock
// per load (a few tens of nanoseconds, once per review) is cheap next to a review.

#include <memory>
#include <mutex>
#include <utility>

namespace preflight::util {

template <class T>
class Snapshot {
 public:
  explicit Snapshot(std::shared_ptr<const T> value = nullptr) : value_(std::move(value)) {}

  std::shared_ptr<const T> load() const {
    std::lock_guard lock(mu_);
    return value_;
  }
  // Returns the previous value (destroyed by the caller, outside the lock).
  std::shared_ptr<const T> exchange(std::shared_ptr<const T> value) {
    std::lock_guard lock(mu_);
    value_.swap(value);
    return value;
  }
  void store(std::shared_ptr<const T> value) { exchange(std::move(value)); }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const T> value_;
};

}  // namespace preflight::util
