#include "server/worker_pool.h"

#include "log/log.h"

namespace preflight::server {

WorkerPool::WorkerPool(int workers, int max_pending, ConnectionGuard& guard)
    : workers_(workers), max_pending_(max_pending), guard_(guard) {
  threads_.reserve(workers + 1);
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  threads_.emplace_back([this] { overflow(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> fn) {
  int waiting = 0;
  {
    std::lock_guard lock(mu_);
    if (static_cast<int>(jobs_.size()) >= max_pending_) {
      overflow_jobs_.push_back(std::move(fn));
      overflow_cv_.notify_one();
      return;
    }
    jobs_.push_back(std::move(fn));
    waiting = static_cast<int>(jobs_.size()) - (workers_ - busy_);
  }
  cv_.notify_one();
  if (waiting > 0) guard_.evict_idle(waiting);
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // shutting down
      fn = std::move(jobs_.front());
      jobs_.pop_front();
      ++busy_;
    }
    fn();
    std::lock_guard lock(mu_);
    --busy_;
  }
}

void WorkerPool::overflow() {
  guard_.set_refusing_thread(std::this_thread::get_id());
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      overflow_cv_.wait(lock, [this] { return shutdown_ || !overflow_jobs_.empty(); });
      if (overflow_jobs_.empty()) return;
      fn = std::move(overflow_jobs_.front());
      overflow_jobs_.pop_front();
    }
    log::debug("connection refused: too many connections waiting for a worker",
               {{"max_pending", max_pending_}});
    fn();  // the guard shuts the socket down at the handshake; the task closes it
  }
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  overflow_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

}  // namespace preflight::server
