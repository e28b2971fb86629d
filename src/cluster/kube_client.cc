#include "cluster/kube_client.h"

#include <charconv>

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "build_info.h"
#include "cluster/watch_decoder.h"
#include "log/log.h"
#include "util/text.h"

namespace preflight::cluster {

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr auto kGetReadTimeout = std::chrono::seconds(30);
constexpr auto kWatchSlack = std::chrono::seconds(30);
constexpr auto kWatchIdleTimeout = std::chrono::minutes(65);
constexpr auto kTokenMaxAge = std::chrono::minutes(1);
// A CA directory with no certificates (see make_client).
constexpr const char* kNoCertificates = "/nonexistent/preflight-no-ca-dir";

// Verifies the server chain against `arg` (an X509_STORE holding only the configured CA),
// instead of the SSL_CTX store, to which cpp-httplib adds the system trust store.
int verify_with_store(X509_STORE_CTX* ctx, void* arg) {
  X509_STORE_CTX* own = X509_STORE_CTX_new();
  int ok = 0;
  if (own != nullptr &&
      X509_STORE_CTX_init(own, static_cast<X509_STORE*>(arg), X509_STORE_CTX_get0_cert(ctx),
                          X509_STORE_CTX_get0_untrusted(ctx)) == 1) {
    X509_STORE_CTX_set_default(own, "ssl_server");
    ok = X509_verify_cert(own) == 1 ? 1 : 0;
    X509_STORE_CTX_set_error(ctx, ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(own));
  } else {
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_UNSPECIFIED);
  }
  X509_STORE_CTX_free(own);
  return ok;
}

std::vector<X509*> read_certs(const std::string& pem) {
  std::vector<X509*> certs;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) certs.push_back(cert);
  BIO_free(bio);
  ERR_clear_error();
  return certs;
}

std::string_view path_only(std::string_view path) { return path.substr(0, path.find('?')); }

// The segments after /api/v1 or /apis/GROUP/VERSION, with namespaces/NS/ dropped.
std::vector<std::string_view> resource_segments(std::string_view path) {
  std::vector<std::string_view> seg;
  for (std::string_view rest = path_only(path); !rest.empty();) {
    const std::size_t slash = rest.find('/');
    if (slash != 0) seg.push_back(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  }
  std::size_t skip = !seg.empty() && seg[0] == "api" ? 2 : !seg.empty() && seg[0] == "apis" ? 3 : 0;
  if (skip == 0 || seg.size() <= skip) return {};
  seg.erase(seg.begin(), seg.begin() + static_cast<std::ptrdiff_t>(skip));
  if (seg.size() >= 3 && seg[0] == "namespaces") seg.erase(seg.begin(), seg.begin() + 2);
  return seg;
}

std::string describe(httplib::Error error, const httplib::SSLClient& client) {
  switch (error) {
    case httplib::Error::Connection:
      return "cannot connect";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "connection closed or read timed out";
    case httplib::Error::Write:
      return "cannot send the request";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed (is the client certificate accepted?)";
    case httplib::Error::SSLServerVerification: {
      const long v = client.get_openssl_verify_result();
      if (v != X509_V_OK) {
        return std::string("server certificate not trusted: ") + X509_verify_cert_error_string(v);
      }
      return "server certificate does not match the server's host name or IP";
    }
    default:
      return "request failed: " + httplib::to_string(error);
  }
}

}  // namespace

// ---- BearerToken -------------------------------------------------------------------------

BearerToken::BearerToken(Sensitive token, std::string token_file)
    : static_token_(std::move(token)), file_(std::move(token_file)) {}

Result<bool> BearerToken::reread_locked() {
  struct stat st {};
  if (::stat(file_.c_str(), &st) != 0) return make_error(std::strerror(errno));
  const FileStamp stamp{st.st_dev, st.st_ino, static_cast<unsigned long long>(st.st_size),
                        st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                        st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec};
  const auto now = std::chrono::steady_clock::now();
  if (!file_token_.empty() && stamp == stamp_ && now - read_at_ < kTokenMaxAge) return false;
  std::ifstream in(file_, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in) return make_error(std::strerror(errno));
  const std::string token(trim(text.str()));
  if (token.empty()) return make_error("file is empty");
  const bool changed = token != file_token_.reveal();
  file_token_ = token;
  stamp_ = stamp;
  read_at_ = now;
  warned_ = false;
  return changed;
}

Result<Sensitive> BearerToken::current() {
  if (file_.empty()) return static_token_;
  std::lock_guard lock(mu_);
  if (auto r = reread_locked(); !r.ok()) {
    if (!warned_) {
      log::warn("cannot read the API token file; keeping the last token",
                {{"path", file_}, {"error", r.error()}});
      warned_ = true;
    }
    if (file_token_.empty() && static_token_.empty()) {
      return make_error("token file " + file_ + ": " + r.error());
    }
  }
  return file_token_.empty() ? static_token_ : file_token_;
}

bool BearerToken::refresh_after_unauthorized(const Sensitive& used) {
  if (file_.empty()) return false;
  std::lock_guard lock(mu_);
  if (!file_token_.empty() && file_token_ != used) return true;  // already rotated
  read_at_ = {};
  stamp_ = {};
  (void)reread_locked();
  const Sensitive& now = file_token_.empty() ? static_token_ : file_token_;
  return now != used;
}

// ---- KubeClient --------------------------------------------------------------------------

struct KubeClient::Tls {
  X509_STORE* ca = nullptr;
  X509* cert = nullptr;
  std::vector<X509*> chain;
  EVP_PKEY* key = nullptr;
  ~Tls() {
    X509_STORE_free(ca);
    X509_free(cert);
    for (X509* c : chain) X509_free(c);
    EVP_PKEY_free(key);
  }
};

int retry_after_seconds(std::string_view value) {
  // Only the delta-seconds form (RFC 9110 10.2.3); the API server sends no HTTP-date.
  int seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || ptr != value.data() + value.size() || seconds < 0) return 0;
  return std::min(seconds, 600);
}

struct KubeClient::Outcome {
  int status = 0;     // 0: no HTTP response
  int retry_after = 0;  // Retry-After in seconds (0: none)
  std::string body;   // body of a non-200 response (capped)
  std::string error;  // transport/TLS failure; empty when a response arrived
};

KubeClient::KubeClient(KubeConfig config)
    : config_(std::move(config)),
      tls_(std::make_unique<Tls>()),
      token_(config_.token, config_.token_file) {
  auto url = parse_server_url(config_.server);
  if (!url.ok()) {
    config_error_ = url.error();
    return;
  }
  host_ = url->host;
  port_ = url->port;
  path_prefix_ = url->path_prefix;
  const std::string bracketed = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  host_header_ = port_ == 443 ? bracketed : bracketed + ":" + std::to_string(port_);
  if (auto ok = check_tls_material(config_); !ok.ok()) {
    config_error_ = config_.source + ": " + ok.error();
    return;
  }
  if (!config_.ca_pem.empty() && !config_.insecure_skip_tls_verify) {
    tls_->ca = X509_STORE_new();
    for (X509* cert : read_certs(config_.ca_pem)) {
      X509_STORE_add_cert(tls_->ca, cert);
      X509_free(cert);
    }
  }
  if (!config_.client_cert_pem.empty()) {
    tls_->chain = read_certs(config_.client_cert_pem);
    tls_->cert = tls_->chain.front();
    tls_->chain.erase(tls_->chain.begin());
    const std::string& key = config_.client_key_pem.reveal();
    BIO* bio = BIO_new_mem_buf(key.data(), static_cast<int>(key.size()));
    tls_->key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
}

KubeClient::~KubeClient() = default;

void KubeClient::set_observer(Observer observer) {
  std::lock_guard lock(mu_);
  observer_ = std::move(observer);
}

void KubeClient::observe(std::string_view verb, std::string_view path, int status) {
  Observer observer;
  {
    std::lock_guard lock(mu_);
    observer = observer_;
  }
  if (observer) observer(verb, path, status);
}

void KubeClient::cancel() {
  cancelled_.store(true);
  std::vector<std::shared_ptr<httplib::SSLClient>> running;
  {
    std::lock_guard lock(mu_);
    running = active_;
  }
  for (auto& client : running) client->stop();
}

bool KubeClient::track(const std::shared_ptr<httplib::SSLClient>& client) {
  std::lock_guard lock(mu_);
  if (cancelled_.load()) return false;
  active_.push_back(client);
  return true;
}

void KubeClient::untrack(const std::shared_ptr<httplib::SSLClient>& client) {
  std::lock_guard lock(mu_);
  active_.erase(std::remove(active_.begin(), active_.end(), client), active_.end());
}

std::shared_ptr<httplib::SSLClient> KubeClient::make_client(std::chrono::seconds read_timeout) {
  auto client = std::make_shared<httplib::SSLClient>(host_, port_, tls_->cert, tls_->key);
  if (!client->is_valid()) return nullptr;
  for (X509* extra : tls_->chain) SSL_CTX_add1_chain_cert(client->ssl_context(), extra);
  client->set_connection_timeout(kConnectTimeout);
  client->set_read_timeout(read_timeout);
  client->set_url_encode(false);
  client->set_keep_alive(false);
  client->set_follow_location(false);
  client->enable_server_certificate_verification(!config_.insecure_skip_tls_verify);
  if (tls_->ca != nullptr) {
    SSL_CTX_set_cert_verify_callback(client->ssl_context(), verify_with_store, tls_->ca);
    // The SSL_CTX's own store is then never consulted. Without a CA path cpp-httplib fills it
    // with the system bundle on connect (SSL_CTX_set_default_verify_paths: ~140 certificates
    // parsed for every request, ~0.8 MiB held by every open watch); a directory lookup that
    // holds nothing costs nothing.
    client->set_ca_cert_path("", kNoCertificates);
  }
  // cancel() may run between track() and the socket's creation, when stop() has nothing to
  // shut down yet; a socket created after cancel() is shut down at once, so the request fails.
  client->set_socket_options([this](socket_t sock) {
    if (cancelled_.load()) ::shutdown(sock, SHUT_RDWR);
  });
  return client;
}

KubeClient::Outcome KubeClient::send_once(std::string_view verb, const std::string& path,
                                          const std::string& accept, const Sensitive& token,
                                          const DataSink& on_data) {
  Outcome out;
  const bool watch = verb == "watch";
  auto client = make_client(watch ? watch_read_timeout(path) : kGetReadTimeout);
  if (client == nullptr) {
    out.error = "cannot set up TLS with the client certificate";
    return out;
  }
  if (!track(client)) {
    out.error = "cancelled";
    return out;
  }
  httplib::Headers headers{{"Accept", accept},
                           {"Host", host_header_},
                           {"User-Agent", std::string("preflight/") + build::kVersion}};
  headers.emplace("Accept-Encoding", watch ? "identity" : "gzip");
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token.reveal());
  auto result = client->Get(
      path_prefix_ + path, headers,
      [&](const httplib::Response& response) {
        out.status = response.status;
        out.retry_after = retry_after_seconds(response.get_header_value("Retry-After"));
        return !cancelled_.load();
      },
      [&](const char* data, std::size_t size) {
        if (cancelled_.load()) return false;
        if (out.status == 200) return on_data(data, size);
        if (out.body.size() < kMaxErrorBodyBytes) {
          out.body.append(data, std::min(size, kMaxErrorBodyBytes - out.body.size()));
        }
        return true;
      });
  untrack(client);
  if (result) {
    out.status = result->status;
  } else if (cancelled_.load()) {
    out.error = "cancelled";
  } else if (result.error() != httplib::Error::Canceled) {
    out.error = describe(result.error(), *client);
  }
  return out;
}

KubeClient::Outcome KubeClient::request(std::string_view verb, const std::string& path,
                                        const std::string& accept, const DataSink& on_data) {
  Outcome out;
  const std::string where =
      "kube API https://" + host_header_ + path_prefix_ + std::string(path_only(path));
  if (!config_error_.empty()) {
    out.error = config_error_;
  } else if (path.empty() || path[0] != '/') {
    out.error = where + ": the path must start with '/'";
  } else if (cancelled_.load()) {
    out.error = where + ": cancelled";
  }
  if (!out.error.empty()) return out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto token = token_.current();
    if (!token.ok()) {
      out.error = where + ": " + token.error();
      return out;
    }
    out = send_once(verb, path, accept, *token, on_data);
    observe(verb, path, out.status);
    if (!out.error.empty()) out.error = where + ": " + out.error;
    if (out.status != 401 || !token_.refresh_after_unauthorized(*token)) break;
  }
  return out;
}

Result<KubeClient::Response> KubeClient::get(const std::string& path_and_query,
                                             const std::string& accept) {
  Response response;
  bool too_large = false;
  auto outcome = request(get_verb(path_and_query), path_and_query, accept,
                         [&](const char* data, std::size_t size) {
                           too_large = response.body.size() + size > kMaxResponseBytes;
                           if (!too_large) response.body.append(data, size);
                           return !too_large;
                         });
  if (too_large) {
    return make_error("kube API " + std::string(path_only(path_and_query)) +
                      ": response larger than " + std::to_string(kMaxResponseBytes >> 20) +
                      " MiB; page the list with limit=");
  }
  if (!outcome.error.empty()) return make_error(outcome.error);
  response.status = outcome.status;
  response.retry_after = outcome.retry_after;
  if (outcome.status != 200) response.body = std::move(outcome.body);
  return response;
}

Result<int> KubeClient::watch(const std::string& path_and_query,
                              const std::function<bool(std::string_view event)>& on_event,
                              const std::string& accept, std::string* status_body,
                              int* retry_after) {
  JsonStreamSplitter splitter;
  std::string stream_error;
  bool stopped = false;
  auto outcome = request("watch", path_and_query, accept, [&](const char* data, std::size_t size) {
    auto fed = splitter.feed({data, size}, [&](std::string_view doc) {
      stopped = !on_event(doc);
      return !stopped;
    });
    if (!fed.ok()) stream_error = fed.error();
    return fed.ok() && *fed;
  });
  const std::string where = "kube API watch " + std::string(path_only(path_and_query));
  if (!stream_error.empty()) return make_error(where + ": " + stream_error);
  if (stopped) return outcome.status;
  if (!outcome.error.empty()) return make_error(outcome.error);
  if (outcome.status != 200) {
    if (status_body != nullptr) *status_body = std::move(outcome.body);
    if (retry_after != nullptr) *retry_after = outcome.retry_after;
    return outcome.status;
  }
  if (!splitter.idle()) return make_error(where + ": the stream ended inside an event");
  return 200;
}

// ---- helpers -----------------------------------------------------------------------------

std::chrono::seconds watch_read_timeout(std::string_view path_and_query) {
  const std::size_t q = path_and_query.find('?');
  std::string_view query = q == std::string_view::npos ? "" : path_and_query.substr(q + 1);
  for (std::string_view param : split_list(query, '&')) {
    constexpr std::string_view kKey = "timeoutSeconds=";
    if (!param.starts_with(kKey)) continue;
    param.remove_prefix(kKey.size());
    if (param.empty() || param.size() > 9 ||
        param.find_first_not_of("0123456789") != std::string_view::npos) {
      continue;
    }
    return std::chrono::seconds(std::stol(std::string(param))) + kWatchSlack;
  }
  return kWatchIdleTimeout;
}

std::string_view get_verb(std::string_view path) {
  return resource_segments(path).size() >= 2 ? "get" : "list";
}

std::string_view resource_of(std::string_view path) {
  auto seg = resource_segments(path);
  return seg.empty() ? std::string_view() : seg[0];
}

std::string query_escape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace preflight::cluster
