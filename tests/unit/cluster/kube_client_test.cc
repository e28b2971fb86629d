#include "cluster/kube_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

namespace preflight::cluster {
namespace {

using namespace std::chrono_literals;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::trunc) << content;
}

// Replaces `path` the way the kubelet rotates a projected token: write aside, then rename.
void rotate_file(const std::string& path, const std::string& content) {
  write_file(path + ".new", content);
  std::filesystem::rename(path + ".new", path);
}

// Certificates for the whole suite, made fresh per run: CA "a" signs the server certificate
// (SANs localhost, 127.0.0.1) and a client certificate; CA "b" is unrelated.
struct Pki {
  std::string dir;
  std::string a_ca, b_ca, client_crt, client_key;
  std::string server_crt_path, server_key_path, a_ca_path, b_ca_path;
};

Pki* pki = nullptr;

bool make_pki(Pki& p) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "preflight-kc-pki-XXXXXX").string();
  p.dir = mkdtemp(tmpl.data());
  const std::string gen = PREFLIGHT_TEST_DATA_DIR "/../../certs/gen-certs.sh";
  const std::string quiet = " >/dev/null 2>&1";
  if (std::system(("bash " + gen + " " + p.dir + "/a" + quiet).c_str()) != 0) return false;
  if (std::system(("bash " + gen + " " + p.dir + "/b" + quiet).c_str()) != 0) return false;
  const std::string d = p.dir + "/a/";
  const std::string client =
      "cd " + d +
      " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-keyout client.key -out client.csr -subj /CN=preflight-client" +
      quiet +
      " && printf 'extendedKeyUsage=clientAuth\\n' > client.ext"
      " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
      "-extfile client.ext -out client.crt" +
      quiet;
  if (std::system(client.c_str()) != 0) return false;
  p.a_ca_path = d + "ca.crt";
  p.b_ca_path = p.dir + "/b/ca.crt";
  p.server_crt_path = d + "tls.crt";
  p.server_key_path = d + "tls.key";
  p.a_ca = read(p.a_ca_path);
  p.b_ca = read(p.b_ca_path);
  p.client_crt = read(d + "client.crt");
  p.client_key = read(d + "client.key");
  return !p.a_ca.empty() && !p.client_key.empty();
}

struct Seen {
  std::string path, authorization, accept, accept_encoding, host, client_cn;
};

// A tiny HTTPS API server on 127.0.0.1 (or `address`) with a per-test handler.
class FakeApiServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit FakeApiServer(bool require_client_cert = false, const std::string& address = "127.0.0.1")
      : server_(pki->server_crt_path.c_str(), pki->server_key_path.c_str(),
                require_client_cert ? pki->a_ca_path.c_str() : nullptr) {
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Seen seen{req.path,
                req.get_header_value("Authorization"),
                req.get_header_value("Accept"),
                req.get_header_value("Accept-Encoding"),
                req.get_header_value("Host"),
                ""};
      if (req.ssl != nullptr) {
        if (X509* peer = SSL_get1_peer_certificate(const_cast<SSL*>(req.ssl))) {
          char cn[256] = {};
          X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
          seen.client_cn = cn;
          X509_free(peer);
        }
      }
      Handler handler;
      {
        std::lock_guard lock(mu_);
        seen_.push_back(seen);
        handler = handler_;
      }
      if (handler) {
        handler(req, res);
      } else {
        res.set_content(R"({"kind":"Status","status":"Success"})", "application/json");
      }
    });
    port_ = server_.bind_to_any_port(address);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would be lost, and the destructor would hang.
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~FakeApiServer() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_);
  }
  void set_handler(Handler h) {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::vector<std::string> tokens() {
    std::vector<std::string> out;
    for (const auto& s : seen()) out.push_back(s.authorization);
    return out;
  }
  bool stopping() const { return stopping_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  Handler handler_;
  std::vector<Seen> seen_;
  std::atomic<bool> stopping_{false};
};

// Records observer calls.
struct Observed {
  std::mutex mu;
  std::vector<std::string> calls;  // "verb path status"
  KubeClient::Observer observer() {
    return [this](std::string_view verb, std::string_view path, int status) {
      std::lock_guard lock(mu);
      calls.push_back(std::string(verb) + " " + std::string(path) + " " + std::to_string(status));
    };
  }
};

class KubeClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki = new Pki;
    if (!make_pki(*pki)) {
      delete pki;
      pki = nullptr;
    }
  }
  static void TearDownTestSuite() {
    if (pki != nullptr) std::filesystem::remove_all(pki->dir);
    delete pki;
    pki = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(pki, nullptr) << "could not generate test certificates (bash, openssl)";
    std::string tmpl = (std::filesystem::temp_directory_path() / "preflight-kc-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  KubeConfig config_for(const FakeApiServer& server, const std::string& token = "static-token") {
    KubeConfig c;
    c.server = server.url();
    c.ca_pem = pki->a_ca;
    c.token = token;
    c.source = "test";
    return c;
  }

  std::string dir_;
};

TEST_F(KubeClientTest, GetSendsBearerTokenAndAccept) {
  FakeApiServer server;
  server.set_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"kind":"SecretList","items":[]})", "application/json");
  });
  KubeClient client(config_for(server));
  Observed observed;
  client.set_observer(observed.observer());
  auto r = client.get("/api/v1/namespaces/prod/secrets?limit=500");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"kind":"SecretList","items":[]})");
  const std::string meta = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
  r = client.get("/api/v1/namespaces/prod/secrets/openai", meta);
  ASSERT_TRUE(r.ok()) << r.error();
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/api/v1/namespaces/prod/secrets");
  EXPECT_EQ(seen[0].authorization, "Bearer static-token");
  EXPECT_EQ(seen[0].accept, "application/json");
  EXPECT_EQ(seen[0].host, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[1].accept, meta);
  EXPECT_EQ(seen[0].accept_encoding, "gzip");  // the test server compresses JSON when asked
  EXPECT_EQ(observed.calls,
            (std::vector<std::string>{"list /api/v1/namespaces/prod/secrets?limit=500 200",
                                      "get /api/v1/namespaces/prod/secrets/openai 200"}));
}

TEST_F(KubeClientTest, NoTokenNoAuthorizationHeader) {
  FakeApiServer server;
  KubeClient client(config_for(server, ""));
  ASSERT_TRUE(client.get("/version").ok());
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].authorization, "");
}

TEST_F(KubeClientTest, ServerPathPrefix) {
  FakeApiServer server;
  KubeConfig c = config_for(server);
  c.server = server.url() + "/k8s/clusters/c-1/";
  KubeClient client(c);
  auto r = client.get("/api/v1/nodes");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].path, "/k8s/clusters/c-1/api/v1/nodes");
}

TEST_F(KubeClientTest, NotFoundIsAValueWithTheStatusBody) {
  FakeApiServer server;
  const std::string status =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets \"openai\" not found","reason":"NotFound","details":{"name":"openai","kind":"secrets"},"code":404})";
  server.set_handler([&](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(status, "application/json");
  });
  KubeClient client(config_for(server));
  auto r = client.get("/api/v1/namespaces/prod/secrets/openai");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, status);
}

TEST_F(KubeClientTest, TokenFileRotationIsPickedUpOnTheNextRequest) {
  FakeApiServer server;
  const std::string token_file = dir_ + "/token";
  write_file(token_file, "token-one\n");
  KubeConfig c = config_for(server, "");
  c.token_file = token_file;
  KubeClient client(c);
  ASSERT_TRUE(client.get("/api/v1/nodes").ok());
  ASSERT_TRUE(client.get("/api/v1/nodes").ok());
  rotate_file(token_file, "token-two");
  ASSERT_TRUE(client.get("/api/v1/nodes").ok());
  EXPECT_EQ(server.tokens(),
            (std::vector<std::string>{"Bearer token-one", "Bearer token-one", "Bearer token-two"}));
}

TEST_F(KubeClientTest, UnauthorizedRereadsTheTokenFileAndRetriesOnce) {
  FakeApiServer server;
  const std::string token_file = dir_ + "/token";
  write_file(token_file, "old-token");
  // The token rotates while the request with the old one is in flight.
  server.set_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer new-token") {
      rotate_file(token_file, "new-token");
      res.status = 401;
      res.set_content(R"({"kind":"Status","code":401})", "application/json");
      return;
    }
    res.set_content("{}", "application/json");
  });
  KubeConfig c = config_for(server, "");
  c.token_file = token_file;
  KubeClient client(c);
  Observed observed;
  client.set_observer(observed.observer());
  auto r = client.get("/api/v1/namespaces/a/configmaps");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server.tokens(), (std::vector<std::string>{"Bearer old-token", "Bearer new-token"}));
  EXPECT_EQ(observed.calls, (std::vector<std::string>{"list /api/v1/namespaces/a/configmaps 401",
                                                      "list /api/v1/namespaces/a/configmaps 200"}));
}

TEST_F(KubeClientTest, UnauthorizedWithAnUnchangedTokenIsNotRetried) {
  FakeApiServer server;
  server.set_handler([](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  for (bool with_file : {false, true}) {
    KubeConfig c = config_for(server, with_file ? "" : "static-token");
    if (with_file) {
      c.token_file = dir_ + "/token";
      write_file(c.token_file, "static-token");
    }
    KubeClient client(c);
    const std::size_t before = server.seen().size();
    auto r = client.get("/api/v1/nodes");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(server.seen().size(), before + 1) << "with_file=" << with_file;
  }
}

TEST_F(KubeClientTest, UntrustedCaIsRejectedBeforeAnyRequest) {
  FakeApiServer server;
  KubeConfig c = config_for(server, "SENTINEL-TOKEN");
  c.ca_pem = pki->b_ca;
  KubeClient client(c);
  Observed observed;
  client.set_observer(observed.observer());
  auto r = client.get("/api/v1/nodes");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("server certificate not trusted"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find(server.url() + "/api/v1/nodes"), std::string::npos) << r.error();
  EXPECT_EQ(r.error().find("SENTINEL"), std::string::npos) << r.error();
  EXPECT_TRUE(server.seen().empty());
  EXPECT_EQ(observed.calls, std::vector<std::string>{"list /api/v1/nodes 0"});
}

TEST_F(KubeClientTest, OnlyTheConfiguredCaIsTrustedNotTheSystemStore) {
  // OpenSSL's default trust store honours SSL_CERT_FILE: point it at the server's real CA.
  FakeApiServer server;
  const char* old = std::getenv("SSL_CERT_FILE");
  const std::string saved = old ? old : "";
  setenv("SSL_CERT_FILE", pki->a_ca_path.c_str(), 1);
  KubeConfig c = config_for(server);
  c.ca_pem = pki->b_ca;
  auto rejected = KubeClient(c).get("/api/v1/nodes");
  c.ca_pem.clear();  // no CA configured: the system store (here: CA a) applies
  auto accepted = KubeClient(c).get("/api/v1/nodes");
  old ? setenv("SSL_CERT_FILE", saved.c_str(), 1) : unsetenv("SSL_CERT_FILE");
  EXPECT_FALSE(rejected.ok());
  EXPECT_TRUE(accepted.ok()) << accepted.error();
}

TEST_F(KubeClientTest, WithAConfiguredCaTheSystemBundleIsNeverRead) {
  // The system bundle (here: SSL_CERT_FILE) is ~140 certificates parsed for every request and
  // held by every open watch; with a configured CA it decides nothing, so it must not be read.
  FakeApiServer server;
  const std::string bundle = ::testing::TempDir() + "/system-bundle.pem";
  std::filesystem::copy_file(pki->a_ca_path, bundle, std::filesystem::copy_options::overwrite_existing);
  const char* old = std::getenv("SSL_CERT_FILE");
  const std::string saved = old ? old : "";
  setenv("SSL_CERT_FILE", bundle.c_str(), 1);
  int fd = inotify_init1(IN_NONBLOCK);
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, bundle.c_str(), IN_OPEN), 0);
  auto opened = [fd] {
    char buf[4096];
    bool any = false;
    while (::read(fd, buf, sizeof buf) > 0) any = true;
    return any;
  };
  KubeConfig c = config_for(server);  // the server's CA configured
  auto with_ca = KubeClient(c).get("/api/v1/nodes");
  const bool opened_with_ca = opened();
  c.ca_pem.clear();  // no CA configured: the system bundle is the trust store
  auto without_ca = KubeClient(c).get("/api/v1/nodes");
  const bool opened_without_ca = opened();
  close(fd);
  old ? setenv("SSL_CERT_FILE", saved.c_str(), 1) : unsetenv("SSL_CERT_FILE");
  EXPECT_TRUE(with_ca.ok()) << with_ca.error();
  EXPECT_TRUE(without_ca.ok()) << without_ca.error();
  EXPECT_FALSE(opened_with_ca);
  EXPECT_TRUE(opened_without_ca);  // the check above can fail
}

TEST_F(KubeClientTest, HostNameVerification) {
  FakeApiServer localhost_server;
  KubeConfig c = config_for(localhost_server);
  c.server = localhost_server.url("localhost");  // DNS SAN
  auto r = KubeClient(c).get("/api/v1/nodes");
  EXPECT_TRUE(r.ok()) << r.error();

  FakeApiServer other_ip(false, "127.0.0.2");  // not in the certificate's SANs
  c.server = other_ip.url("127.0.0.2");
  r = KubeClient(c).get("/api/v1/nodes");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("does not match the server's host name or IP"), std::string::npos)
      << r.error();
}

TEST_F(KubeClientTest, InsecureSkipsVerification) {
  FakeApiServer server;
  KubeConfig c = config_for(server);
  c.ca_pem.clear();
  c.insecure_skip_tls_verify = true;
  auto r = KubeClient(c).get("/api/v1/nodes");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->status, 200);
}

TEST_F(KubeClientTest, ClientCertificateIsPresented) {
  FakeApiServer server(/*require_client_cert=*/true);
  KubeConfig c = config_for(server, "");
  auto without = KubeClient(c).get("/api/v1/nodes");
  EXPECT_FALSE(without.ok());
  c.client_cert_pem = pki->client_crt;
  c.client_key_pem = pki->client_key;
  auto with = KubeClient(c).get("/api/v1/nodes");
  ASSERT_TRUE(with.ok()) << with.error();
  EXPECT_EQ(with->status, 200);
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].client_cn, "preflight-client");
}

TEST_F(KubeClientTest, BadConfigFailsEveryRequestWithoutConnecting) {
  struct Case {
    std::string name;
    std::function<void(KubeConfig&)> edit;
    std::string error;
  };
  const Case cases[] = {
      {"http server", [](KubeConfig& c) { c.server = "http://127.0.0.1:1"; }, "only https://"},
      {"key mismatch",
       [](KubeConfig& c) {
         c.client_cert_pem = pki->client_crt;
         c.client_key_pem = read(pki->server_key_path);
       },
       "client key does not match the client certificate"},
  };
  FakeApiServer server;
  for (const auto& c : cases) {
    KubeConfig config = config_for(server);
    c.edit(config);
    KubeClient client(config);
    auto r = client.get("/api/v1/nodes");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.error().find(c.error), std::string::npos) << c.name << ": " << r.error();
  }
  EXPECT_TRUE(server.seen().empty());
}

TEST_F(KubeClientTest, ConnectionRefusedIsAnErrorWithStatusZero) {
  int port = 0;
  {
    FakeApiServer closed;
    port = closed.port();
  }
  KubeConfig c;
  c.server = "https://127.0.0.1:" + std::to_string(port);
  c.ca_pem = pki->a_ca;
  KubeClient client(c);
  Observed observed;
  client.set_observer(observed.observer());
  auto r = client.watch("/api/v1/nodes?watch=1", [](std::string_view) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("cannot connect"), std::string::npos) << r.error();
  EXPECT_EQ(observed.calls, std::vector<std::string>{"watch /api/v1/nodes?watch=1 0"});
}

// Serves `stream` in chunks of 1, 2, 3, ... 7 bytes (cycling).
FakeApiServer::Handler chunked(std::string stream) {
  return [stream = std::move(stream)](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(
        "application/json",
        [stream, size = std::size_t{1}](std::size_t offset, httplib::DataSink& sink) mutable {
          if (offset >= stream.size()) {
            sink.done();
            return true;
          }
          const std::size_t n = std::min(size, stream.size() - offset);
          sink.write(stream.data() + offset, n);
          size = size % 7 + 1;
          return true;
        });
  };
}

std::vector<std::string> watch_events(int count) {
  std::vector<std::string> events;
  for (int i = 0; i < count; ++i) {
    events.push_back(R"({"type":"ADDED","object":{"kind":"Secret","metadata":{"name":"s)" +
                     std::to_string(i) + R"(","resourceVersion":")" + std::to_string(100 + i) +
                     R"("},"data":{"k\"ey}":"dmFs"}}})");
  }
  return events;
}

TEST_F(KubeClientTest, WatchDeliversEventsInOrderFromOddChunks) {
  FakeApiServer server;
  const auto events = watch_events(40);
  std::string stream;
  for (const auto& e : events) stream += e + "\n";
  server.set_handler(chunked(stream));
  KubeClient client(config_for(server));
  Observed observed;
  client.set_observer(observed.observer());
  std::vector<std::string> got;
  auto r = client.watch("/api/v1/secrets?watch=1&resourceVersion=99&timeoutSeconds=300",
                        [&](std::string_view e) {
                          got.emplace_back(e);
                          return true;
                        });
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, 200);
  EXPECT_EQ(got, events);
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].accept_encoding, "identity");
  EXPECT_EQ(observed.calls,
            std::vector<std::string>{
                "watch /api/v1/secrets?watch=1&resourceVersion=99&timeoutSeconds=300 200"});
}

TEST_F(KubeClientTest, WatchStopsWhenTheCallbackSaysSo) {
  FakeApiServer server;
  std::string stream;
  for (const auto& e : watch_events(10)) stream += e + "\n";
  server.set_handler(chunked(stream));
  KubeClient client(config_for(server));
  int seen = 0;
  auto r = client.watch("/api/v1/secrets?watch=1", [&](std::string_view) { return ++seen < 3; });
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, 200);
  EXPECT_EQ(seen, 3);
}

TEST_F(KubeClientTest, WatchRefusedReturnsStatusAndBody) {
  FakeApiServer server;
  const std::string gone =
      R"j({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (3171407)","reason":"Expired","code":410})j";
  server.set_handler([&](const httplib::Request&, httplib::Response& res) {
    res.status = 410;
    res.set_content(gone, "application/json");
  });
  KubeClient client(config_for(server));
  Observed observed;
  client.set_observer(observed.observer());
  std::string body;
  int events = 0;
  auto r = client.watch(
      "/api/v1/secrets?watch=1&resourceVersion=1", [&](std::string_view) { return ++events > 0; },
      "application/json", &body);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, 410);
  EXPECT_EQ(body, gone);
  EXPECT_EQ(events, 0);
  EXPECT_EQ(observed.calls,
            std::vector<std::string>{"watch /api/v1/secrets?watch=1&resourceVersion=1 410"});
}

TEST_F(KubeClientTest, WatchStreamErrorsAfterDeliveredEvents) {
  struct Case {
    std::string name;
    std::string stream;
    std::string error;
  };
  const auto events = watch_events(2);
  const Case cases[] = {
      {"truncated", events[0] + "\n" + events[1].substr(0, 30), "the stream ended inside an event"},
      {"garbage", events[0] + "\n<html>", "unexpected byte 0x3c"},
  };
  for (const auto& c : cases) {
    FakeApiServer server;
    server.set_handler(chunked(c.stream));
    KubeClient client(config_for(server));
    std::vector<std::string> got;
    auto r = client.watch("/api/v1/secrets?watch=1", [&](std::string_view e) {
      got.emplace_back(e);
      return true;
    });
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.error().find(c.error), std::string::npos) << c.name << ": " << r.error();
    EXPECT_EQ(got, std::vector<std::string>{events[0]}) << c.name;
  }
}

TEST_F(KubeClientTest, CancelInterruptsARunningWatchPromptly) {
  FakeApiServer server;
  const std::string first = watch_events(1)[0] + "\n";
  // One event, then an open, silent stream (as a quiet watch without bookmarks).
  server.set_handler([&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(
        "application/json", [&, sent = false](std::size_t, httplib::DataSink& sink) mutable {
          if (!sent) {
            sent = sink.write(first.data(), first.size());
            return sent;
          }
          std::this_thread::sleep_for(20ms);
          return !server.stopping() && sink.is_writable();
        });
  });
  KubeClient client(config_for(server));
  std::promise<void> got_event;
  auto done = std::async(std::launch::async, [&] {
    return client.watch("/api/v1/secrets?watch=1&timeoutSeconds=600", [&](std::string_view) {
      got_event.set_value();
      return true;
    });
  });
  ASSERT_EQ(got_event.get_future().wait_for(10s), std::future_status::ready);
  const auto start = std::chrono::steady_clock::now();
  client.cancel();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  auto r = done.get();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("cancelled"), std::string::npos) << r.error();
  EXPECT_TRUE(client.cancelled());

  // Later requests fail at once, without reaching the server.
  const std::size_t before = server.seen().size();
  auto later = client.get("/api/v1/nodes");
  ASSERT_FALSE(later.ok());
  EXPECT_NE(later.error().find("cancelled"), std::string::npos) << later.error();
  EXPECT_EQ(server.seen().size(), before);
}

TEST(BearerToken, StaticTokenFileAndFallbacks) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "preflight-kc-XXXXXX").string();
  const std::string dir = mkdtemp(tmpl.data());
  const std::string file = dir + "/token";
  {
    BearerToken t("static", "");
    auto cur = t.current();
    ASSERT_TRUE(cur.ok());
    EXPECT_EQ(cur->reveal(), "static");
    EXPECT_FALSE(t.refresh_after_unauthorized(*cur));
  }
  {
    BearerToken none("", file);  // file missing, no static token
    auto cur = none.current();
    ASSERT_FALSE(cur.ok());
    EXPECT_NE(cur.error().find("token file " + file), std::string::npos) << cur.error();
    BearerToken fallback("static", file);
    ASSERT_TRUE(fallback.current().ok());
    EXPECT_EQ(fallback.current()->reveal(), "static");
  }
  {
    write_file(file, "  from-file \n");
    BearerToken t("static", file);  // the file wins over the static token
    EXPECT_EQ(t.current()->reveal(), "from-file");
    rotate_file(file, "");  // an empty rotation keeps the last good token
    EXPECT_EQ(t.current()->reveal(), "from-file");
    std::filesystem::remove(file);  // so does a missing file
    EXPECT_EQ(t.current()->reveal(), "from-file");
    rotate_file(file, "second");
    EXPECT_EQ(t.current()->reveal(), "second");
    EXPECT_FALSE(t.refresh_after_unauthorized(Sensitive("second")));
    EXPECT_TRUE(t.refresh_after_unauthorized(Sensitive("first")));  // another thread rotated
  }
  std::filesystem::remove_all(dir);
}

TEST(KubeApiHelpers, WatchReadTimeoutOutlastsTimeoutSeconds) {
  struct Case {
    std::string path;
    std::chrono::seconds want;
  };
  const Case cases[] = {
      {"/api/v1/secrets?watch=1&timeoutSeconds=300", 330s},
      {"/api/v1/secrets?timeoutSeconds=3600&watch=1", 3630s},
      {"/api/v1/secrets?watch=1&timeoutSeconds=0", 30s},
      {"/api/v1/secrets?watch=1", 65min},
      {"/api/v1/secrets?watch=1&timeoutSeconds=", 65min},
      {"/api/v1/secrets?watch=1&timeoutSeconds=-5", 65min},
      {"/api/v1/secrets?watch=1&xtimeoutSeconds=5", 65min},
      {"/api/v1/timeoutSeconds=5", 65min},
  };
  for (const auto& c : cases) EXPECT_EQ(watch_read_timeout(c.path), c.want) << c.path;
}

TEST(KubeApiHelpers, VerbAndResourceOfPaths) {
  struct Case {
    std::string path, verb, resource;
  };
  const Case cases[] = {
      {"/api/v1/namespaces/prod/secrets?limit=500", "list", "secrets"},
      {"/api/v1/namespaces/prod/secrets/openai", "get", "secrets"},
      {"/api/v1/secrets", "list", "secrets"},
      {"/api/v1/nodes/gpu-1", "get", "nodes"},
      {"/api/v1/namespaces", "list", "namespaces"},
      {"/api/v1/namespaces/prod", "get", "namespaces"},
      {"/apis/apps/v1/namespaces/prod/deployments/web", "get", "deployments"},
      {"/api/v1/namespaces/prod/serviceaccounts?watch=1&resourceVersion=5", "list",
       "serviceaccounts"},
      {"/version", "list", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(get_verb(c.path), c.verb) << c.path;
    EXPECT_EQ(resource_of(c.path), c.resource) << c.path;
  }
}

TEST(KubeApiHelpers, QueryEscape) {
  EXPECT_EQ(query_escape("eyJ2IjoibWV0YS5rOHMuaW8vdjEi+/="),
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEi%2B%2F%3D");
  EXPECT_EQ(query_escape("app in (a,b)"), "app%20in%20%28a%2Cb%29");
  EXPECT_EQ(query_escape("Az09-_.~"), "Az09-_.~");
}

TEST(KubeApiHelpers, RetryAfterSeconds) {
  const std::pair<const char*, int> cases[] = {
      {"1", 1},     {"30", 30},  {"0", 0},   {"", 0},  {"-3", 0}, {"1.5", 0},
      {"abc", 0},   {" 2", 0},   {"9999", 600},  // capped
      {"Wed, 21 Oct 2015 07:28:00 GMT", 0},      // HTTP-date: not sent by kube-apiserver
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(retry_after_seconds(text), want) << text;
}

}  // namespace
}  // namespace preflight::cluster
