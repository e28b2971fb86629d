#include "cluster/kubeconfig.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

namespace preflight::cluster {
namespace {

const std::string kDir = PREFLIGHT_TEST_DATA_DIR "/kubeconfig";
const std::string kConfig = kDir + "/config.yaml";

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "preflight-kc-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p) << content;
    return p;
  }

 private:
  std::string path_;
};

// Sets (or with nullopt unsets) an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

KubeConfig load_ok(const std::string& context) {
  auto c = load_kubeconfig(kConfig, context);
  EXPECT_TRUE(c.ok()) << context << ": " << (c.ok() ? "" : c.error());
  return c.ok() ? c.value() : KubeConfig{};
}

TEST(Kubeconfig, CurrentContextWithFilePaths) {
  KubeConfig c = load_ok("");
  EXPECT_EQ(c.server, "https://127.0.0.1:6443");
  EXPECT_EQ(c.ca_pem, read(kDir + "/pki/ca.crt"));
  EXPECT_EQ(c.client_cert_pem, read(kDir + "/pki/client.crt"));
  EXPECT_EQ(c.client_key_pem.reveal(), read(kDir + "/pki/client.key"));
  EXPECT_FALSE(c.insecure_skip_tls_verify);
  EXPECT_TRUE(c.token.empty());
  EXPECT_TRUE(c.token_file.empty());
  EXPECT_EQ(c.source, "kubeconfig " + kConfig + " context files");
}

TEST(Kubeconfig, RelativePathsResolveAgainstTheKubeconfigDirectory) {
  // Loaded from another working directory, pki/ca.crt must still be found next to the file.
  const auto cwd = std::filesystem::current_path();
  TempDir elsewhere;
  std::filesystem::current_path(elsewhere.path());
  auto c = load_kubeconfig(kConfig, "token-file");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->token_file, kDir + "/token");
  EXPECT_EQ(c->ca_pem, read(kDir + "/pki/ca.crt"));
}

TEST(Kubeconfig, Base64DataFields) {
  KubeConfig c = load_ok("data");
  EXPECT_EQ(c.server, "https://api.example.test/k8s/");
  EXPECT_EQ(c.ca_pem, read(kDir + "/pki/ca.crt"));
  EXPECT_EQ(c.client_cert_pem, read(kDir + "/pki/client.crt"));
  EXPECT_EQ(c.client_key_pem.reveal(), read(kDir + "/pki/client.key"));
  EXPECT_EQ(c.source, "kubeconfig " + kConfig + " context data");
}

TEST(Kubeconfig, StaticTokenAndInsecureCluster) {
  KubeConfig c = load_ok("token");
  EXPECT_EQ(c.server, "https://[::1]:6443");
  EXPECT_TRUE(c.insecure_skip_tls_verify);
  EXPECT_TRUE(c.ca_pem.empty());
  EXPECT_EQ(c.token.reveal(), "fixture-static-token");
  EXPECT_TRUE(c.client_cert_pem.empty());
}

TEST(Kubeconfig, TokenFileIsKeptAsAPath) {
  KubeConfig c = load_ok("token-file");
  EXPECT_EQ(c.token_file, kDir + "/token");
  EXPECT_TRUE(c.token.empty());  // read by the client, as it rotates
}

TEST(Kubeconfig, ContextWithoutUserIsAnonymous) {
  KubeConfig c = load_ok("anonymous");
  EXPECT_TRUE(c.token.empty());
  EXPECT_TRUE(c.token_file.empty());
  EXPECT_TRUE(c.client_cert_pem.empty());
  EXPECT_FALSE(c.ca_pem.empty());
}

TEST(Kubeconfig, RefusedUsersAndMissingReferences) {
  struct Case {
    std::string context;
    std::string error;
  };
  const Case cases[] = {
      {"exec",
       "kubeconfig " + kConfig +
           ": user \"eks\" uses exec credentials, which preflight does not support; use a token, "
           "tokenFile or client certificate"},
      {"auth-provider", "user \"gke-legacy\" uses auth-provider credentials, which preflight"},
      {"missing-cluster",
       "context \"missing-cluster\" uses cluster \"nope\", which is not defined"},
      {"missing-user", "context \"missing-user\" uses user \"nobody\", which is not defined"},
      {"no-such-context", "kubeconfig " + kConfig + ": context \"no-such-context\" not found"},
  };
  for (const auto& c : cases) {
    auto r = load_kubeconfig(kConfig, c.context);
    ASSERT_FALSE(r.ok()) << c.context;
    EXPECT_NE(r.error().find(c.error), std::string::npos) << c.context << ": " << r.error();
  }
}

TEST(Kubeconfig, UnreadableFile) {
  auto r = load_kubeconfig(kDir + "/does-not-exist.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("does-not-exist.yaml: No such file"), std::string::npos) << r.error();
}

// Builds a one-context kubeconfig from a cluster body and a user body (YAML flow maps).
std::string kubeconfig(const std::string& cluster, const std::string& user) {
  return "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
         "clusters:\n- name: k\n  cluster: " +
         cluster + "\nusers:\n- name: u\n  user: " + user + "\n";
}

TEST(Kubeconfig, FieldErrors) {
  const std::string ok_cluster =
      "{server: 'https://10.0.0.1:6443', certificate-authority: pki/ca.crt}";
  const std::string secret = "SENTINEL-TOKEN-VALUE";
  struct Case {
    std::string name;
    std::string yaml;
    std::string error;
  };
  const Case cases[] = {
      {"not yaml", "clusters: [", "kubeconfig mem.yaml:"},
      {"not a map", "- a\n- b\n", "not a kubeconfig"},
      {"no current-context", "clusters: []\n", "kubeconfig mem.yaml has no current-context"},
      {"context without cluster",
       "current-context: c\ncontexts:\n- name: c\n  context: {user: u}\n",
       "context \"c\" names no cluster"},
      {"no server", kubeconfig("{certificate-authority: pki/ca.crt}", "{token: " + secret + "}"),
       "cluster \"k\" has no server"},
      {"http server", kubeconfig("{server: 'http://127.0.0.1:8080'}", "{token: " + secret + "}"),
       "only https:// API servers are supported"},
      {"bad port", kubeconfig("{server: 'https://h:99999'}", "{}"), "has an invalid port"},
      {"ca both forms",
       kubeconfig("{server: 'https://h', certificate-authority: pki/ca.crt, "
                  "certificate-authority-data: Zm9v}",
                  "{}"),
       "both certificate-authority and certificate-authority-data are set"},
      {"ca file missing",
       kubeconfig("{server: 'https://h', certificate-authority: nope.crt}", "{}"),
       "certificate-authority: cannot read " + kDir + "/nope.crt"},
      {"ca data not base64",
       kubeconfig("{server: 'https://h', certificate-authority-data: '!!!not base64'}", "{}"),
       "certificate-authority-data is not valid base64"},
      {"ca data not a certificate",
       kubeconfig("{server: 'https://h', certificate-authority-data: aGVsbG8=}", "{}"),
       "certificate authority holds no PEM certificate"},
      {"insecure with ca",
       kubeconfig("{server: 'https://h', certificate-authority: pki/ca.crt, "
                  "insecure-skip-tls-verify: true}",
                  "{}"),
       "sets both insecure-skip-tls-verify and a certificate authority"},
      {"insecure not bool",
       kubeconfig("{server: 'https://h', insecure-skip-tls-verify: maybe}", "{}"),
       "insecure-skip-tls-verify must be true or false"},
      {"proxy", kubeconfig("{server: 'https://h', proxy-url: 'http://proxy:3128'}", "{}"),
       "sets proxy-url, which preflight does not support"},
      {"cert without key", kubeconfig(ok_cluster, "{client-certificate: pki/client.crt}"),
       "client certificate and client key must be given together"},
      {"key does not match",
       kubeconfig(ok_cluster, "{client-certificate: pki/client.crt, client-key: pki/other.key}"),
       "client key does not match the client certificate"},
      {"key is not a key",
       kubeconfig(ok_cluster, "{client-certificate: pki/client.crt, client-key: pki/ca.crt}"),
       "client key is not an unencrypted PEM private key"},
      {"cert is not a cert",
       kubeconfig(ok_cluster, "{client-certificate: pki/client.key, client-key: pki/client.key}"),
       "client certificate is not a PEM certificate"},
      {"token file missing", kubeconfig(ok_cluster, "{tokenFile: no-token}"),
       "user \"u\": tokenFile: cannot read " + kDir + "/no-token"},
      {"token not a string", kubeconfig(ok_cluster, "{token: [a, b]}"), "token must be a string"},
      {"basic auth", kubeconfig(ok_cluster, "{username: admin, password: " + secret + "}"),
       "sets username, which preflight does not support"},
      {"impersonation", kubeconfig(ok_cluster, "{token: " + secret + ", as: admin}"),
       "sets as, which preflight does not support"},
      {"exec next to a token",
       kubeconfig(ok_cluster, "{token: " + secret + ", exec: {command: x}}"),
       "uses exec credentials"},
  };
  for (const auto& c : cases) {
    auto r = parse_kubeconfig(c.yaml, "mem.yaml", kDir);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.error().find(c.error), std::string::npos) << c.name << ": " << r.error();
    EXPECT_EQ(r.error().find(secret), std::string::npos) << c.name << ": " << r.error();
  }
}

// base64 of `data` in 64-column lines, each indented.
std::string wrapped_base64(const std::string& data, const std::string& indent) {
  std::string b64(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  b64.resize(static_cast<std::size_t>(n));
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 64) out += indent + b64.substr(i, 64) + "\n";
  return out;
}

TEST(Kubeconfig, LookAlikesThatLoad) {
  struct Case {
    std::string name;
    std::string yaml;
  };
  const Case cases[] = {
      {"null fields are absent",
       kubeconfig("{server: 'https://h', certificate-authority: null, proxy-url: null}",
                  "{token: t, exec: null, client-certificate-data: null}")},
      {"insecure false with ca",
       kubeconfig("{server: 'https://h', certificate-authority: pki/ca.crt, "
                  "insecure-skip-tls-verify: false}",
                  "{}")},
      {"token and tokenFile", kubeconfig("{server: 'https://h'}", "{token: t, tokenFile: token}")},
      {"wrapped base64 in a block scalar",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\nclusters:\n"
       "- name: k\n  cluster:\n    server: https://h\n    certificate-authority-data: |\n" +
           wrapped_base64(read(kDir + "/pki/ca.crt"), "      ")},
  };
  for (const auto& c : cases) {
    auto r = parse_kubeconfig(c.yaml, "mem.yaml", kDir);
    EXPECT_TRUE(r.ok()) << c.name << ": " << r.error();
  }
}

TEST(Kubeconfig, SecretsNeverPrint) {
  KubeConfig c = load_ok("token");
  c.client_key_pem = "-----BEGIN PRIVATE KEY-----SENTINEL";
  std::ostringstream os;
  os << c.token << " " << c.client_key_pem;
  EXPECT_EQ(os.str(), "--- REDACTED --- --- REDACTED ---");
  EXPECT_EQ(fmt::format("{}", c.token), "--- REDACTED ---");
  EXPECT_EQ((nlohmann::json{{"token", c.token}}.dump()), R"({"token":"--- REDACTED ---"})");
  EXPECT_EQ(c.token.reveal(), "fixture-static-token");
}

TEST(ServerUrl, Parses) {
  struct Case {
    std::string in;
    std::string host;
    int port;
    std::string prefix;
  };
  const Case cases[] = {
      {"https://10.0.0.1:443", "10.0.0.1", 443, ""},
      {"https://api.example.test", "api.example.test", 443, ""},
      {"HTTPS://api.example.test:6443/", "api.example.test", 6443, ""},
      {"https://rancher.example.test/k8s/clusters/c-abc", "rancher.example.test", 443,
       "/k8s/clusters/c-abc"},
      {"https://[fd00::1]:6443/prefix/", "fd00::1", 6443, "/prefix"},
      {"https://[::1]", "::1", 443, ""},
  };
  for (const auto& c : cases) {
    auto u = parse_server_url(c.in);
    ASSERT_TRUE(u.ok()) << c.in << ": " << u.error();
    EXPECT_EQ(u->host, c.host) << c.in;
    EXPECT_EQ(u->port, c.port) << c.in;
    EXPECT_EQ(u->path_prefix, c.prefix) << c.in;
  }
  for (const char* bad : {"http://h", "h:6443", "https://", "https://:443", "https://h:0",
                          "https://h:65536", "https://h:x", "https://h:", "https://fd00::1:6443",
                          "https://[::1", "https://[::1]x", "https://u:p@h", "https://h/?a=b"}) {
    EXPECT_FALSE(parse_server_url(bad).ok()) << bad;
  }
}

class InCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("token", "sa-token-value\n");
    std::filesystem::copy_file(kDir + "/pki/ca.crt", dir_.path() + "/ca.crt");
  }
  TempDir dir_;
};

TEST_F(InCluster, FromEnvironmentAndServiceAccountDir) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  auto c = in_cluster_config(dir_.path());
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->token_file, dir_.path() + "/token");
  EXPECT_TRUE(c->token.empty());  // the file is re-read as it rotates
  EXPECT_EQ(c->ca_pem, read(kDir + "/pki/ca.crt"));
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->source, "in-cluster");
}

TEST_F(InCluster, Ipv6HostIsBracketed) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "6443");
  auto c = in_cluster_config(dir_.path());
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->server, "https://[fd00:10:96::1]:6443");
  auto url = parse_server_url(c->server);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "fd00:10:96::1");
}

TEST_F(InCluster, Errors) {
  struct Case {
    std::string name;
    std::optional<std::string> host, port;
    std::string token;  // "-" = no file
    std::string ca;     // "-" = no file, "" = copy of the fixture CA
    std::string error;
  };
  const Case cases[] = {
      {"no host", std::nullopt, "443", "t", "",
       "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set"},
      {"empty port", "10.96.0.1", "", "t", "",
       "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set"},
      {"bad port", "10.96.0.1", "https", "t", "", "do not form a server URL"},
      {"no token", "10.96.0.1", "443", "-", "", "service account token: cannot read"},
      {"blank token", "10.96.0.1", "443", " \n", "", "/token is empty"},
      {"no ca", "10.96.0.1", "443", "t", "-", "cluster CA: cannot read"},
      {"bad ca", "10.96.0.1", "443", "t", "garbage", "ca.crt holds no PEM certificate"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    if (c.token != "-") dir.write("token", c.token);
    if (c.ca.empty()) std::filesystem::copy_file(kDir + "/pki/ca.crt", dir.path() + "/ca.crt");
    if (c.ca != "-" && !c.ca.empty()) dir.write("ca.crt", c.ca);
    ScopedEnv host("KUBERNETES_SERVICE_HOST", c.host);
    ScopedEnv port("KUBERNETES_SERVICE_PORT", c.port);
    auto r = in_cluster_config(dir.path());
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.error().find(c.error), std::string::npos) << c.name << ": " << r.error();
  }
}

}  // namespace
}  // namespace preflight::cluster
