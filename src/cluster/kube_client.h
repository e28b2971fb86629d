#pragma once
// KubeClient: read-only access to the Kubernetes API server (GET of objects and lists, and
// watches) over HTTPS, for the cluster caches.
//
// Contract:
// - TLS: with ca_pem, the server certificate must chain to that CA only (the system trust store
//   is not consulted) and match the host name or IP of `server`; without ca_pem, the system
//   trust store is used; insecure_skip_tls_verify turns verification off. A client certificate
//   is presented when configured.
// - Auth: `Authorization: Bearer` from BearerToken. After a 401 the token file is re-read at
//   once and, if that gives a different token, the request is retried once.
// - Timeouts: connect 5 s; get() reads with a 30 s timeout; watch() with watch_read_timeout(),
//   longer than the timeoutSeconds the caller put in the query.
// - Paths are sent as given (already percent-encoded; see query_escape), after the server's
//   path prefix. Responses other than 2xx are values (status + Status body), not errors; errors
//   are transport, TLS or stream failures, with messages that never contain a token or a body.
// - Thread-safe: get() and watch() may run concurrently from several threads; each request
//   uses its own connection. cancel() ends running requests promptly and makes later ones fail.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/kubeconfig.h"
#include "util/result.h"

namespace httplib {
class SSLClient;
}

namespace preflight::cluster {

// The bearer token to send: the static token, or the token file's content (whitespace trimmed)
// re-read when the file's inode, size, mtime or ctime changes, at least every minute, and on demand
// after a 401. A failed re-read keeps the last good token (the static token when the file was
// never read). Thread-safe.
class BearerToken {
 public:
  BearerToken(Sensitive token, std::string token_file);

  // The token for the next request (empty: send no Authorization header). An error only when
  // the file has never been read successfully and there is no static token.
  Result<Sensitive> current();
  // After a 401 answered to `used`: re-reads the file now (unless another thread already got a
  // newer token) and returns whether the token to send differs from `used`.
  bool refresh_after_unauthorized(const Sensitive& used);

 private:
  struct FileStamp {
    unsigned long long dev = 0, ino = 0, size = 0;
    long long mtime_ns = 0, ctime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  Result<bool> reread_locked();

  const Sensitive static_token_;
  const std::string file_;
  std::mutex mu_;
  Sensitive file_token_;
  FileStamp stamp_;
  std::chrono::steady_clock::time_point read_at_{};
  bool warned_ = false;
};

class KubeClient {
 public:
  struct Response {
    int status = 0;
    std::string body;
    int retry_after = 0;  // seconds from a Retry-After header (429/503), 0 when absent
  };
  // verb ("get" | "list" | "watch"), the path as passed, HTTP status (0: no response).
  using Observer = std::function<void(std::string_view verb, std::string_view path, int status)>;

  static constexpr std::size_t kMaxResponseBytes = 256u << 20;
  static constexpr std::size_t kMaxErrorBodyBytes = 1u << 20;

  explicit KubeClient(KubeConfig config);
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  // GET path_and_query ("/api/v1/namespaces/prod/secrets?limit=500"). Any HTTP status is a
  // Response; bodies over kMaxResponseBytes are an error (page lists with limit=).
  Result<Response> get(const std::string& path_and_query,
                       const std::string& accept = "application/json");

  // Streams a watch: calls on_event with each complete JSON document of the 200 body, in order,
  // until on_event returns false (returns 200), the server ends the stream (returns 200) or
  // cancel() is called (error "cancelled"). When the server refuses the watch (410, 403, ...)
  // on_event is not called; the status is returned and its body stored in *status_body when
  // given, and its Retry-After seconds in *retry_after. A broken or malformed stream is an
  // error, after the events already delivered.
  Result<int> watch(const std::string& path_and_query,
                    const std::function<bool(std::string_view event)>& on_event,
                    const std::string& accept = "application/json",
                    std::string* status_body = nullptr, int* retry_after = nullptr);

  // Thread-safe, idempotent: interrupts every running request and refuses new ones.
  void cancel();
  bool cancelled() const { return cancelled_.load(); }

  // Called after every HTTP attempt (a retried 401 counts twice). Set it before requests start.
  void set_observer(Observer observer);

  // Where the config came from ("in-cluster", "kubeconfig PATH context NAME").
  const std::string& source() const { return config_.source; }

 private:
  struct Tls;
  struct Outcome;
  using DataSink = std::function<bool(const char* data, std::size_t size)>;

  // One logical request: a GET, plus one retry after a 401 when the token rotated. get() accepts
  // gzip (large lists); a watch asks for identity, so events are not held in a compressor.
  Outcome request(std::string_view verb, const std::string& path, const std::string& accept,
                  const DataSink& on_data);
  Outcome send_once(std::string_view verb, const std::string& path, const std::string& accept,
                    const Sensitive& token, const DataSink& on_data);
  std::shared_ptr<httplib::SSLClient> make_client(std::chrono::seconds read_timeout);
  bool track(const std::shared_ptr<httplib::SSLClient>& client);
  void untrack(const std::shared_ptr<httplib::SSLClient>& client);
  void observe(std::string_view verb, std::string_view path, int status);

  const KubeConfig config_;
  std::string host_;  // no brackets
  int port_ = 443;
  std::string path_prefix_;  // "" or "/prefix"
  std::string host_header_;
  std::string config_error_;  // set when the config cannot be used; every request fails with it
  std::unique_ptr<Tls> tls_;
  BearerToken token_;

  std::atomic<bool> cancelled_{false};
  std::mutex mu_;  // guards active_ and observer_
  std::vector<std::shared_ptr<httplib::SSLClient>> active_;
  Observer observer_;
};

// Read timeout for a watch: timeoutSeconds=N in the query + 30 s, or 65 min without it (the API
// server's own default ends a watch after 30-60 min).
std::chrono::seconds watch_read_timeout(std::string_view path_and_query);

// "get" for a named object (/api/v1/namespaces/NS/secrets/NAME), "list" for a collection.
std::string_view get_verb(std::string_view path);

// The resource plural of an API path ("secrets", "nodes"), "" when it names none (/version).
std::string_view resource_of(std::string_view path);

// Retry-After as delta-seconds, capped at 600; 0 when absent or not a number.
int retry_after_seconds(std::string_view value);

// Percent-encodes a query parameter value (continue tokens, label selectors).
std::string query_escape(std::string_view value);

}  // namespace preflight::cluster
