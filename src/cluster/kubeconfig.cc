#include "cluster/kubeconfig.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "util/text.h"

namespace preflight::cluster {

void to_json(nlohmann::json& j, const Sensitive&) { j = std::string(kRedacted); }

namespace {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string resolve(const std::string& path, const std::string& base_dir) {
  std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

Result<std::string> decode_base64(std::string_view in) {
  std::string out(in.size() + 3, '\0');
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  EVP_DecodeInit(ctx);
  int n = 0;
  int tail = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  bool ok = EVP_DecodeUpdate(ctx, dst, &n, reinterpret_cast<const unsigned char*>(in.data()),
                             static_cast<int>(in.size())) >= 0 &&
            EVP_DecodeFinal(ctx, dst + n, &tail) >= 0;
  EVP_ENCODE_CTX_free(ctx);
  if (!ok) return make_error("is not valid base64");
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

Result<bool> check_ca(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_free(cert);
    ++count;
  }
  BIO_free(bio);
  ERR_clear_error();
  if (count == 0) return make_error("holds no PEM certificate");
  return true;
}

Result<bool> check_client_pair(const std::string& cert_pem, const std::string& key_pem) {
  if (cert_pem.empty() != key_pem.empty()) {
    return make_error("client certificate and client key must be given together");
  }
  if (cert_pem.empty()) return true;
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::string problem;
  if (cert == nullptr) {
    problem = "client certificate is not a PEM certificate";
  } else if (key == nullptr) {
    problem = "client key is not an unencrypted PEM private key";
  } else if (X509_check_private_key(cert, key) != 1) {
    problem = "client key does not match the client certificate";
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  ERR_clear_error();
  if (!problem.empty()) return make_error(problem);
  return true;
}

// The body of the `section` entry named `name` (e.g. contexts[name=X].context).
std::optional<YAML::Node> find_named(const YAML::Node& root, const char* section,
                                     const std::string& name, const char* body) {
  const YAML::Node list = root[section];
  if (!list.IsSequence()) return std::nullopt;
  for (const YAML::Node& entry : list) {
    if (entry.IsMap() && entry["name"].IsScalar() && entry["name"].Scalar() == name) {
      const YAML::Node inner = entry[body];
      return inner.IsMap() ? inner : YAML::Node(YAML::NodeType::Map);
    }
  }
  return std::nullopt;
}

// An optional string field; "" when absent or null. `where` prefixes the type error.
Result<std::string> field(const YAML::Node& map, const char* key, const std::string& where) {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return std::string();
  if (!v.IsScalar()) return make_error(where + ": " + key + " must be a string");
  return v.Scalar();
}

// Reads a PEM given either as a file path field or as a base64 -data field.
Result<std::string> pem_field(const YAML::Node& map, const char* path_key, const char* data_key,
                              const std::string& where, const std::string& base_dir) {
  auto path = field(map, path_key, where);
  if (!path.ok()) return Error{path.error()};
  auto data = field(map, data_key, where);
  if (!data.ok()) return Error{data.error()};
  if (!path->empty() && !data->empty()) {
    return make_error(where + ": both " + path_key + " and " + data_key + " are set; keep one");
  }
  if (!data->empty()) {
    auto decoded = decode_base64(*data);
    if (!decoded.ok()) return make_error(where + ": " + data_key + " " + decoded.error());
    return decoded;
  }
  if (path->empty()) return std::string();
  auto content = read_file(resolve(*path, base_dir));
  if (!content.ok()) return make_error(where + ": " + path_key + ": " + content.error());
  return content;
}

Result<bool> read_cluster(const YAML::Node& c, const std::string& where,
                          const std::string& base_dir, KubeConfig& out) {
  for (const char* unsupported : {"proxy-url", "tls-server-name"}) {
    if (c[unsupported].IsDefined() && !c[unsupported].IsNull()) {
      return make_error(where + " sets " + unsupported + ", which preflight does not support");
    }
  }
  auto server = field(c, "server", where);
  if (!server.ok()) return Error{server.error()};
  if (server->empty()) return make_error(where + " has no server");
  if (auto url = parse_server_url(*server); !url.ok())
    return make_error(where + ": " + url.error());
  out.server = *server;
  auto ca = pem_field(c, "certificate-authority", "certificate-authority-data", where, base_dir);
  if (!ca.ok()) return Error{ca.error()};
  out.ca_pem = std::move(*ca);
  if (!out.ca_pem.empty()) {
    if (auto ok = check_ca(out.ca_pem); !ok.ok()) {
      return make_error(where + ": certificate authority " + ok.error());
    }
  }
  const YAML::Node insecure = c["insecure-skip-tls-verify"];
  if (insecure.IsDefined() && !insecure.IsNull()) {
    bool value = false;
    if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
      return make_error(where + ": insecure-skip-tls-verify must be true or false");
    }
    out.insecure_skip_tls_verify = value;
  }
  if (out.insecure_skip_tls_verify && !out.ca_pem.empty()) {
    return make_error(where + " sets both insecure-skip-tls-verify and a certificate authority");
  }
  return true;
}

Result<bool> read_user(const YAML::Node& u, const std::string& where, const std::string& base_dir,
                       KubeConfig& out) {
  for (const char* plugin : {"exec", "auth-provider"}) {
    if (u[plugin].IsDefined() && !u[plugin].IsNull()) {
      return make_error(where + " uses " + plugin +
                        " credentials, which preflight does not support; use a token, tokenFile "
                        "or client certificate");
    }
  }
  for (const char* unsupported : {"username", "password", "as", "as-groups", "as-uid"}) {
    if (u[unsupported].IsDefined() && !u[unsupported].IsNull()) {
      return make_error(where + " sets " + unsupported +
                        ", which preflight does not support; use a token, tokenFile or client "
                        "certificate");
    }
  }
  auto token = field(u, "token", where);
  if (!token.ok()) return Error{token.error()};
  out.token = std::string(trim(*token));
  auto token_file = field(u, "tokenFile", where);
  if (!token_file.ok()) return Error{token_file.error()};
  if (!token_file->empty()) {
    out.token_file = resolve(*token_file, base_dir);
    if (auto content = read_file(out.token_file); !content.ok()) {
      return make_error(where + ": tokenFile: " + content.error());
    }
  }
  auto cert = pem_field(u, "client-certificate", "client-certificate-data", where, base_dir);
  if (!cert.ok()) return Error{cert.error()};
  auto key = pem_field(u, "client-key", "client-key-data", where, base_dir);
  if (!key.ok()) return Error{key.error()};
  if (auto ok = check_client_pair(*cert, *key); !ok.ok())
    return make_error(where + ": " + ok.error());
  out.client_cert_pem = std::move(*cert);
  out.client_key_pem = std::move(*key);
  return true;
}

}  // namespace

Result<KubeConfig> parse_kubeconfig(std::string_view yaml, const std::string& path,
                                    const std::string& base_dir, const std::string& context) {
  const std::string prefix = "kubeconfig " + path;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error(prefix + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return make_error(prefix + ": not a kubeconfig (expected a YAML mapping)");
  try {
    std::string ctx_name = context;
    if (ctx_name.empty()) {
      auto current = field(root, "current-context", prefix);
      if (!current.ok()) return Error{current.error()};
      if (current->empty()) return make_error(prefix + " has no current-context");
      ctx_name = *current;
    }
    auto ctx = find_named(root, "contexts", ctx_name, "context");
    if (!ctx) return make_error(prefix + ": context \"" + ctx_name + "\" not found");
    const std::string ctx_where = prefix + ": context \"" + ctx_name + "\"";
    auto cluster_name = field(*ctx, "cluster", ctx_where);
    if (!cluster_name.ok()) return Error{cluster_name.error()};
    if (cluster_name->empty()) return make_error(ctx_where + " names no cluster");
    auto user_name = field(*ctx, "user", ctx_where);
    if (!user_name.ok()) return Error{user_name.error()};

    KubeConfig out;
    auto cluster = find_named(root, "clusters", *cluster_name, "cluster");
    if (!cluster) {
      return make_error(ctx_where + " uses cluster \"" + *cluster_name +
                        "\", which is not defined");
    }
    auto ok = read_cluster(*cluster, prefix + ": cluster \"" + *cluster_name + "\"", base_dir, out);
    if (!ok.ok()) return Error{ok.error()};
    if (!user_name->empty()) {  // no user: anonymous, as kubectl allows
      auto user = find_named(root, "users", *user_name, "user");
      if (!user) {
        return make_error(ctx_where + " uses user \"" + *user_name + "\", which is not defined");
      }
      ok = read_user(*user, prefix + ": user \"" + *user_name + "\"", base_dir, out);
      if (!ok.ok()) return Error{ok.error()};
    }
    out.source = "kubeconfig " + path + " context " + ctx_name;
    return out;
  } catch (const YAML::Exception& e) {
    return make_error(prefix + ": " + e.msg);
  }
}

Result<KubeConfig> load_kubeconfig(const std::string& path, const std::string& context) {
  auto text = read_file(path);
  if (!text.ok()) return make_error("kubeconfig: " + text.error());
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  return parse_kubeconfig(*text, path, base_dir.empty() ? "." : base_dir, context);
}

Result<KubeConfig> in_cluster_config(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    return make_error(
        "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  KubeConfig out;
  const std::string h = host;
  out.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  if (auto url = parse_server_url(out.server); !url.ok()) {
    return make_error("in-cluster config: KUBERNETES_SERVICE_HOST/_PORT do not form a server URL");
  }
  out.token_file = sa_dir + "/token";
  auto token = read_file(out.token_file);
  if (!token.ok()) return make_error("in-cluster config: service account token: " + token.error());
  if (trim(*token).empty()) return make_error("in-cluster config: " + out.token_file + " is empty");
  auto ca = read_file(sa_dir + "/ca.crt");
  if (!ca.ok()) return make_error("in-cluster config: cluster CA: " + ca.error());
  if (auto ok = check_ca(*ca); !ok.ok()) {
    return make_error("in-cluster config: " + sa_dir + "/ca.crt " + ok.error());
  }
  out.ca_pem = std::move(*ca);
  out.source = "in-cluster";
  return out;
}

Result<ServerUrl> parse_server_url(std::string_view server) {
  const std::string shown(server);
  std::string_view s = trim(server);
  auto starts_with_ci = [&](std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
  };
  if (starts_with_ci("http://")) {
    return make_error("server " + shown + ": only https:// API servers are supported");
  }
  if (!starts_with_ci("https://")) return make_error("server " + shown + " is not an https:// URL");
  s.remove_prefix(8);
  if (s.find_first_of("?#") != std::string_view::npos) {
    return make_error("server " + shown + " must not have a query or fragment");
  }
  const std::size_t slash = s.find('/');
  std::string_view authority = s.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : s.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return make_error("server " + shown + " must not carry user information");
  }
  ServerUrl url;
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return make_error("server " + shown + ": unclosed '['");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return make_error("server " + shown + ": unexpected text after ']'");
    }
    port = rest.empty() ? "" : rest.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos &&
        authority.find(':', colon + 1) != std::string_view::npos) {
      return make_error("server " + shown + ": an IPv6 address must be in brackets");
    }
    url.host = std::string(authority.substr(0, colon));
    port = colon == std::string_view::npos ? "" : authority.substr(colon + 1);
  }
  if (url.host.empty()) return make_error("server " + shown + " has no host");
  if (!port.empty() || authority.ends_with(':')) {
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) break;
      value = value * 10 + (c - '0');
    }
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos ||
        value < 1 || value > 65535) {
      return make_error("server " + shown + " has an invalid port");
    }
    url.port = value;
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  url.path_prefix = std::string(path);
  return url;
}

Result<bool> check_tls_material(const KubeConfig& config) {
  if (!config.ca_pem.empty()) {
    if (auto ok = check_ca(config.ca_pem); !ok.ok()) {
      return make_error("certificate authority " + ok.error());
    }
  }
  return check_client_pair(config.client_cert_pem, config.client_key_pem.reveal());
}

}  // namespace preflight::cluster
