#include "cluster/reflector.h"

#include <nlohmann/json.hpp>

#include "cluster/watch_decoder.h"
#include "log/log.h"

namespace preflight::cluster {

using nlohmann::json;

namespace {

// One resource of a ClusterStore.
class StoreSink final : public ReflectorSink {
 public:
  StoreSink(Resource resource, ClusterStore& store) : resource_(resource), store_(store) {}
  void list_begin() override { entries_.clear(); }
  void list_add(const json& item) override {
    if (auto e = entry_from_object(resource_, item); e.ok()) entries_.push_back(std::move(e.value()));
  }
  std::size_t list_commit() override {
    const std::size_t count = entries_.size();
    store_.replace(resource_, std::move(entries_));
    entries_ = {};
    return count;
  }
  void upsert(const json& object) override {
    if (auto e = entry_from_object(resource_, object); e.ok()) store_.upsert(resource_, std::move(e.value()));
  }
  void erase(const json& object) override {
    if (auto e = entry_from_object(resource_, object); e.ok()) {
      store_.erase(resource_, e->namespace_name, e->name);
    }
  }
  bool synced() const override { return store_.synced(resource_); }
  void set_unsynced(std::string reason) override { store_.set_unsynced(resource_, std::move(reason)); }
  void set_stale_reason(std::string reason) override {
    store_.set_stale_reason(resource_, std::move(reason));
  }

 private:
  Resource resource_;
  ClusterStore& store_;
  std::vector<ObjectEntry> entries_;
};

}  // namespace

Reflector::Reflector(Resource resource, KubeConfig config, ClusterStore& store, ReflectorOptions options)
    : Reflector("/api/v1/" + std::string(to_string(resource)), std::string(to_string(resource)),
                std::make_unique<StoreSink>(resource, store), std::move(config), options) {}

Reflector::Reflector(std::string path, std::string name, std::unique_ptr<ReflectorSink> sink,
                     KubeConfig config, ReflectorOptions options)
    : path_(std::move(path)),
      name_(std::move(name)),
      sink_(std::move(sink)),
      options_(options),
      client_(std::make_unique<KubeClient>(std::move(config))),
      backoff_(options.initial_backoff),
      rng_(std::random_device{}()) {}

Reflector::~Reflector() { stop(); }

void Reflector::set_request_observer(
    std::function<void(std::string_view, std::string_view, int)> observer) {
  // The client reports paths; the metric wants the resource.
  client_->set_observer([resource = name_, observer = std::move(observer)](
                            std::string_view verb, std::string_view, int status) {
    observer(verb, resource, status);
  });
}

void Reflector::start() { thread_ = std::thread([this] { run(); }); }

void Reflector::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_.store(true);
  }
  cv_.notify_all();
  client_->cancel();
  if (thread_.joinable()) thread_.join();
}

void Reflector::backoff_sleep() {
  // "Equal jitter": half the delay fixed, half random, so replicas do not retry in step.
  auto half = backoff_ / 2;
  std::uniform_int_distribution<long long> jitter(0, std::max<long long>(half.count(), 1));
  auto delay = half + std::chrono::milliseconds(jitter(rng_));
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  // 429/503 with Retry-After: wait at least as long as the API server asked (as client-go).
  delay = std::max<std::chrono::milliseconds>(delay, retry_after_);
  retry_after_ = std::chrono::seconds(0);
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, delay, [this] { return stopping(); });
}

void Reflector::note_retry_after(int status, int seconds) {
  if ((status == 429 || status == 503) && seconds > 0) {
    retry_after_ = std::chrono::seconds(seconds);
    log::info("API server asked to retry later",
              {{"resource", name_}, {"status", status}, {"retry_after_s", seconds}});
  }
}

void Reflector::run() {
  bool need_list = true;
  while (!stopping()) {
    if (need_list) {
      if (!list()) {
        backoff_sleep();
        continue;
      }
      need_list = false;
      if (!options_.watch) return;
    }
    switch (watch()) {
      case WatchEnd::kResume: break;  // reconnect from resource_version_
      case WatchEnd::kRelist: need_list = true; break;
      case WatchEnd::kFailed: backoff_sleep(); break;
    }
  }
}

bool Reflector::list() {
  const std::string& what = name_;
  sink_->list_begin();
  std::string continue_token;
  std::string list_rv;
  do {
    std::string query = path_ + "?limit=" + std::to_string(options_.page_size);
    if (!continue_token.empty()) query += "&continue=" + query_escape(continue_token);
    auto resp = client_->get(query);
    if (stopping()) return false;
    std::string failure;
    if (!resp.ok()) {
      failure = resp.error();
    } else if (resp->status == 410 && !continue_token.empty()) {
      // The continue token expired mid-list: start over.
      sink_->list_begin();
      continue_token.clear();
      continue;
    } else if (resp->status != 200) {
      failure = "HTTP " + std::to_string(resp->status);
      note_retry_after(resp->status, resp->retry_after);
    }
    json doc;
    if (failure.empty()) {
      doc = json::parse(resp->body, nullptr, false);
      resp->body.clear();
      resp->body.shrink_to_fit();
      if (!doc.is_object() || !doc.contains("items") || !doc["items"].is_array()) {
        failure = "list response is not a List";
      }
    }
    if (!failure.empty()) {
      std::string reason = "cannot list " + what + " from the API server: " + failure;
      if (sink_->synced()) {
        sink_->set_stale_reason(reason);
      } else {
        sink_->set_unsynced(reason);
      }
      log::warn("list failed", {{"resource", what}, {"error", failure}});
      return false;
    }
    const json& meta = doc["metadata"];
    if (list_rv.empty()) list_rv = string_member(meta, "resourceVersion");
    continue_token = string_member(meta, "continue");
    for (json& item : doc["items"]) {
      sink_->list_add(item);
      item = nullptr;  // drop values as soon as the keys are taken
    }
  } while (!continue_token.empty() && !stopping());
  if (stopping()) return false;
  const std::size_t count = sink_->list_commit();
  resource_version_ = list_rv;
  backoff_ = options_.initial_backoff;
  lists_.fetch_add(1);
  log::info("cache synced", {{"resource", what}, {"objects", count}, {"resource_version", list_rv}});
  return true;
}

bool Reflector::handle_event(std::string_view text, WatchEnd& end) {
  auto decoded = decode_watch_event(text);
  if (!decoded.ok()) {
    log::warn("undecodable watch event", {{"resource", name_}});
    end = WatchEnd::kFailed;
    return false;
  }
  const std::string& type = decoded->type;
  json& object = decoded->object;
  if (type == "ERROR") {
    const int code = decoded->error_code;
    log::info("watch error event", {{"resource", name_},
                                    {"code", code}, {"message", decoded->error_message}});
    end = code == 410 ? WatchEnd::kRelist : WatchEnd::kFailed;
    return false;
  }
  if (!decoded->resource_version.empty()) resource_version_ = decoded->resource_version;
  if (type == "BOOKMARK") return true;
  if (type == "ADDED" || type == "MODIFIED") {
    sink_->upsert(object);
  } else if (type == "DELETED") {
    sink_->erase(object);
  }
  return true;
}

Reflector::WatchEnd Reflector::watch() {
  std::uniform_int_distribution<long long> extra(0, options_.min_watch_timeout.count());
  long long timeout = options_.min_watch_timeout.count() + extra(rng_);
  std::string query = path_ + "?watch=1&allowWatchBookmarks=true&resourceVersion=" +
                      resource_version_ + "&timeoutSeconds=" + std::to_string(timeout);
  WatchEnd end = WatchEnd::kResume;
  bool got_event = false;
  watches_.fetch_add(1);
  const auto started = std::chrono::steady_clock::now();
  int retry_after = 0;
  auto status = client_->watch(
      query,
      [&](std::string_view text) {
        got_event = true;
        return handle_event(text, end) && !stopping();
      },
      "application/json", nullptr, &retry_after);
  if (stopping()) return WatchEnd::kResume;
  const std::string& what = name_;
  if (!status.ok()) {
    // Connection refused or broken before any event: the API server is away. Keep serving
    // from the last state; say why in case a review needs it.
    // A watch that was established (it delivered events, or lasted a second) and then broke
    // is resumed at once, like client-go: quiet watches cut by a load balancer must not
    // back off further with every cut. One that failed straight away backs off.
    const bool established =
        got_event || std::chrono::steady_clock::now() - started >= std::chrono::seconds(1);
    log::warn("watch failed", {{"resource", what}, {"error", status.error()}});
    if (established) {
      backoff_ = options_.initial_backoff;
      return WatchEnd::kResume;
    }
    sink_->set_stale_reason("watch of " + what + " failed: " + status.error());
    return WatchEnd::kFailed;
  }
  if (*status == 410) return WatchEnd::kRelist;
  if (*status != 200) {
    note_retry_after(*status, retry_after);
    sink_->set_stale_reason("watch of " + what + " answered HTTP " + std::to_string(*status));
    return WatchEnd::kFailed;
  }
  if (end == WatchEnd::kResume) backoff_ = options_.initial_backoff;
  return end;
}

}  // namespace preflight::cluster
