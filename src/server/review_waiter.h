#pragma once
// The one thread on which reviews wait for the cluster (secret_timeout), so that no event loop
// ever blocks: a loop hands over a WaitingReview with a callback, the waiter decides it again
// each time the cluster's generation moves and calls the callback (on the waiter's thread) once
// the answer is final or due. Few reviews ever wait, and each only for its wait budget.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "cluster/cluster_view.h"
#include "server/validate_handler.h"

namespace preflight::server {

class ReviewWaiter {
 public:
  using Done = std::function<void(HttpReply)>;

  explicit ReviewWaiter(const cluster::ClusterView* cluster);
  // Answers every review still waiting (at its deadline at the latest), then joins.
  ~ReviewWaiter();
  ReviewWaiter(const ReviewWaiter&) = delete;
  ReviewWaiter& operator=(const ReviewWaiter&) = delete;

  void add(std::unique_ptr<WaitingReview> review, Done done);

 private:
  struct Entry {
    std::unique_ptr<WaitingReview> review;
    Done done;
  };
  void run();

  const cluster::ClusterView* cluster_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace preflight::server
