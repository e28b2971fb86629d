#include "server/review_waiter.h"

#include <algorithm>

namespace preflight::server {

namespace {
using Clock = std::chrono::steady_clock;
// wait_for_change() wakes on a change; this bounds how late a review added meanwhile (with an
// earlier deadline, or already behind the cluster) is looked at.
constexpr std::chrono::milliseconds kTick{20};
}  // namespace

ReviewWaiter::ReviewWaiter(const cluster::ClusterView* cluster)
    : cluster_(cluster), thread_([this] { run(); }) {}

ReviewWaiter::~ReviewWaiter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ReviewWaiter::add(std::unique_ptr<WaitingReview> review, Done done) {
  {
    std::lock_guard lock(mu_);
    waiting_.push_back({std::move(review), std::move(done)});
  }
  cv_.notify_all();
}

void ReviewWaiter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, nothing left
    std::uint64_t seen = UINT64_MAX;
    Clock::time_point until = Clock::now() + kTick;
    for (const Entry& e : waiting_) {
      seen = std::min(seen, e.review->generation());
      until = std::min(until, e.review->deadline());
    }
    lock.unlock();
    if (cluster_ != nullptr) cluster_->wait_for_change(seen, until);
    std::vector<Entry> batch;
    lock.lock();
    batch.swap(waiting_);
    lock.unlock();
    // Decided and answered without the lock: add() from the loops never waits for a decision.
    std::vector<Entry> still;
    const auto now = Clock::now();
    for (Entry& e : batch) {
      if (auto reply = e.review->retry(now)) {
        e.done(std::move(*reply));
      } else {
        still.push_back(std::move(e));
      }
    }
    lock.lock();
    for (Entry& e : still) waiting_.push_back(std::move(e));
  }
}

}  // namespace preflight::server
