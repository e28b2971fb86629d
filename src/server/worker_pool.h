#pragma once
// The task queue of the TLS listener (cpp-httplib's Server::new_task_queue): one task per
// accepted connection, served by a fixed set of workers. Unlike httplib::ThreadPool its queue
// is bounded and it makes room:
//
//  - when a connection has to wait for a worker, it asks the ConnectionGuard to close as many
//    idle keep-alive connections (longest idle first) as there are connections waiting, so
//    idle clients cannot starve a real review;
//  - a connection arriving while max_pending connections already wait is handed to one
//    overflow thread, on which the guard refuses the TLS handshake at once (the client sees
//    the connection closed), instead of waiting without bound.

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "server/connection_guard.h"

namespace preflight::server {

class WorkerPool : public httplib::TaskQueue {
 public:
  WorkerPool(int workers, int max_pending, ConnectionGuard& guard);
  ~WorkerPool() override;

  void enqueue(std::function<void()> fn) override;
  // Runs every queued task, then joins the threads.
  void shutdown() override;

 private:
  void work();
  void overflow();

  const int workers_;
  const int max_pending_;
  ConnectionGuard& guard_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable overflow_cv_;
  std::deque<std::function<void()>> jobs_;
  std::deque<std::function<void()>> overflow_jobs_;
  int busy_ = 0;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace preflight::server
