#pragma once
// Where the Kubernetes API server is and how preflight authenticates to it: a kubeconfig file
// (--kubeconfig) or the in-cluster service account. Produces a KubeConfig for KubeClient.
//
// Contract:
// - Kubeconfig: clusters/users/contexts, current-context (or the context passed in),
//   certificate-authority (a path, relative to the kubeconfig's directory) or
//   certificate-authority-data (base64), insecure-skip-tls-verify, token, tokenFile,
//   client-certificate / client-key (paths) or client-certificate-data / client-key-data.
//   Users with exec or auth-provider credentials, basic auth or impersonation, and clusters with
//   proxy-url or tls-server-name, are refused with a message that names them.
// - PEM material is checked at load (CA parses, key matches certificate) so a bad kubeconfig
//   fails at start-up, not at the first request.
// - Only https servers are accepted.
// - Errors name the file, context, cluster or user and the field; they never contain a token,
//   key or file content. Tokens and keys are held as Sensitive, which never prints its value.

#include <fmt/format.h>

#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "util/result.h"

namespace preflight::cluster {

inline constexpr std::string_view kRedacted = "--- REDACTED ---";

// A secret string (bearer token, private key PEM). Streams, formats and serialises to JSON as
// "--- REDACTED ---"; the value is only reachable through reveal().
class Sensitive {
 public:
  Sensitive() = default;
  Sensitive(std::string value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Sensitive(const char* value) : value_(value) {}             // NOLINT: implicit by design

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend bool operator==(const Sensitive&, const Sensitive&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Sensitive&) { return os << kRedacted; }

 private:
  std::string value_;
};
void to_json(nlohmann::json& j, const Sensitive& s);

struct KubeConfig {
  std::string server;  // "https://10.0.0.1:443" (scheme, host, port; a path prefix is allowed)
  std::string ca_pem;  // PEM of the cluster CA; empty = the system trust store
  bool insecure_skip_tls_verify = false;
  Sensitive token;         // static bearer token
  std::string token_file;  // bearer token file, re-read as it rotates; wins over `token`
  std::string client_cert_pem;
  Sensitive client_key_pem;
  std::string source;  // "kubeconfig /path context NAME" or "in-cluster", for messages
};

// Loads `context` ("" = current-context) from the kubeconfig file at `path`.
Result<KubeConfig> load_kubeconfig(const std::string& path, const std::string& context = "");

// Same, from YAML text. `path` is used in messages, `base_dir` resolves relative file paths.
Result<KubeConfig> parse_kubeconfig(std::string_view yaml, const std::string& path,
                                    const std::string& base_dir, const std::string& context = "");

// The pod's service account: KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT (an IPv6 host is
// bracketed), SA_DIR/token (kept as token_file, so it is re-read as the kubelet rotates it) and
// SA_DIR/ca.crt.
Result<KubeConfig> in_cluster_config(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// "https://host[:port][/prefix]" split up. host has no brackets; path_prefix has no trailing '/'.
struct ServerUrl {
  std::string host;
  int port = 443;
  std::string path_prefix;
};
Result<ServerUrl> parse_server_url(std::string_view server);

// Checks the PEM fields of `config`: ca_pem holds at least one certificate, client cert and key
// are both set or both empty, parse, and match. Used by both loaders.
Result<bool> check_tls_material(const KubeConfig& config);

}  // namespace preflight::cluster

template <>
struct fmt::formatter<preflight::cluster::Sensitive> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const preflight::cluster::Sensitive&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(preflight::cluster::kRedacted, ctx);
  }
};
