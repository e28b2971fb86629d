#pragma once
// A Reflector keeps one resource of a ClusterStore in step with the API server, the way
// client-go's reflector does: list (paged), then watch from the list's resourceVersion with
// bookmarks; after a dropped stream, resume from the last resourceVersion seen (no relist);
// after 410 Gone / an ERROR event "too old resource version", relist; while the API server
// is unreachable, retry with exponential backoff and jitter. Owns its thread.
//
// What it keeps is up to a ReflectorSink: a resource of a ClusterStore (the constructor taking a
// Resource), or anything else, such as a workload resource of a WorkloadStore.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <nlohmann/json_fwd.hpp>

#include "cluster/cluster_store.h"
#include "cluster/kube_client.h"

namespace preflight::cluster {

// Where a Reflector puts what it lists and watches. Called from the reflector's thread only.
class ReflectorSink {
 public:
  virtual ~ReflectorSink() = default;
  // One list: list_add() for every item of every page, then list_commit() swaps the collected
  // state in, marks it synced and returns the object count. A list that fails midway is
  // restarted with list_begin().
  virtual void list_begin() = 0;
  virtual void list_add(const nlohmann::json& item) = 0;
  virtual std::size_t list_commit() = 0;
  // Watch events (the object as the event carries it).
  virtual void upsert(const nlohmann::json& object) = 0;
  virtual void erase(const nlohmann::json& object) = 0;
  virtual bool synced() const = 0;
  virtual void set_unsynced(std::string reason) = 0;
  virtual void set_stale_reason(std::string reason) = 0;
};

struct ReflectorOptions {
  std::size_t page_size = 500;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  // Watches end server-side after a random time in [min, 2*min) (client-go does the same), so
  // connections rebalance across API server replicas.
  std::chrono::seconds min_watch_timeout{300};
  // false: list once (retrying until it succeeds) and stop; for one-shot commands.
  bool watch = true;
};

class Reflector {
 public:
  Reflector(Resource resource, KubeConfig config, ClusterStore& store, ReflectorOptions options = {});
  // `path` is the cluster-wide collection ("/apis/apps/v1/deployments"); `name` the resource
  // plural for logs and the request observer.
  Reflector(std::string path, std::string name, std::unique_ptr<ReflectorSink> sink,
            KubeConfig config, ReflectorOptions options = {});
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  // Called after every API request (verb, resource, HTTP status; 0 = no response).
  void set_request_observer(std::function<void(std::string_view, std::string_view, int)> observer);
  void start();
  void stop();

  // For tests and metrics.
  std::uint64_t lists() const { return lists_.load(); }
  std::uint64_t watches() const { return watches_.load(); }

 private:
  enum class WatchEnd { kResume, kRelist, kFailed };
  void run();
  bool list();
  WatchEnd watch();
  bool handle_event(std::string_view text, WatchEnd& end);
  void backoff_sleep();
  // Remembers a 429/503 Retry-After for the next backoff_sleep().
  void note_retry_after(int status, int seconds);
  bool stopping() const { return stopping_.load(); }

  std::string path_;
  std::string name_;
  std::unique_ptr<ReflectorSink> sink_;
  ReflectorOptions options_;
  std::unique_ptr<KubeClient> client_;
  std::string resource_version_;
  std::chrono::milliseconds backoff_;
  std::chrono::seconds retry_after_{0};
  std::mt19937_64 rng_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> lists_{0};
  std::atomic<std::uint64_t> watches_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace preflight::cluster
