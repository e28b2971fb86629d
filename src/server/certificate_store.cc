#include "server/certificate_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <ctime>

namespace preflight::server {

struct CertificateStore::Pair {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509)* chain = nullptr;
  double not_after = 0;
  ~Pair() {
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
  }
};

namespace {
std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no PEM data found";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

double asn1_time_to_unix(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<double>(timegm(&tm));
}
}  // namespace

CertificateStore::CertificateStore(std::string cert_path, std::string key_path)
    : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)) {}

CertificateStore::~CertificateStore() = default;

Result<bool> CertificateStore::reload() {
  auto pair = std::make_shared<Pair>();
  BIO* bio = BIO_new_file(cert_path_.c_str(), "r");
  if (bio == nullptr) {
    return make_error(cert_path_ + ": cannot read: " + std::strerror(errno));
  }
  pair->cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  if (pair->cert != nullptr) {
    pair->chain = sk_X509_new_null();
    while (X509* extra = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      sk_X509_push(pair->chain, extra);
    }
  }
  BIO_free(bio);
  if (pair->cert == nullptr) return make_error(cert_path_ + ": not a PEM certificate: " + openssl_error());
  ERR_clear_error();  // the chain loop ends on a harmless "no start line"

  bio = BIO_new_file(key_path_.c_str(), "r");
  if (bio == nullptr) return make_error(key_path_ + ": cannot read: " + std::strerror(errno));
  pair->key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pair->key == nullptr) return make_error(key_path_ + ": not a PEM private key: " + openssl_error());
  if (X509_check_private_key(pair->cert, pair->key) != 1) {
    ERR_clear_error();
    return make_error(key_path_ + ": private key does not match certificate " + cert_path_);
  }
  pair->not_after = asn1_time_to_unix(X509_get0_notAfter(pair->cert));
  auto previous = current_.exchange(std::move(pair));
  return previous != nullptr;
}

bool CertificateStore::loaded() const { return current_.load() != nullptr; }

double CertificateStore::expiry_unix_seconds() const {
  auto pair = current_.load();
  return pair ? pair->not_after : 0;
}

int CertificateStore::select_certificate(SSL* ssl, void* arg) {
  auto* self = static_cast<CertificateStore*>(arg);
  auto pair = self->current_.load();
  if (!pair) return 0;
  return SSL_use_cert_and_key(ssl, pair->cert, pair->key, pair->chain, 1) == 1 ? 1 : 0;
}

bool CertificateStore::configure(SSL_CTX& ctx) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Forward-secret AEAD suites only for TLS 1.2 (TLS 1.3 suites are all fine).
  SSL_CTX_set_cipher_list(&ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  SSL_CTX_set_cert_cb(&ctx, &CertificateStore::select_certificate, this);
  return true;
}

}  // namespace preflight::server
