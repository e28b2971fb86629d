#pragma once
// Serving certificate and key, reloadable without a restart. The SSL_CTX asks the store for
// the certificate at every handshake (SSL_CTX_set_cert_cb), so a reload takes effect for new
// handshakes while open connections keep the certificate they negotiated.

#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "util/result.h"
#include "util/snapshot.h"

namespace preflight::server {

class CertificateStore {
 public:
  CertificateStore(std::string cert_path, std::string key_path);
  ~CertificateStore();
  CertificateStore(const CertificateStore&) = delete;
  CertificateStore& operator=(const CertificateStore&) = delete;

  // Reads both files; on success the new pair serves new handshakes. On failure the previous
  // pair stays in use and the error says which file is wrong.
  Result<bool> reload();
  bool loaded() const;
  // notAfter of the current certificate, as Unix seconds (0 when none is loaded).
  double expiry_unix_seconds() const;

  // TLS 1.2 minimum, HTTP/1.1 only, certificate from this store. For SSLServer's setup callback.
  bool configure(SSL_CTX& ctx);

  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }

 private:
  struct Pair;
  static int select_certificate(SSL* ssl, void* arg);

  std::string cert_path_;
  std::string key_path_;
  util::Snapshot<Pair> current_;
};

}  // namespace preflight::server
