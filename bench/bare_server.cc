// The floor of preflight's transport: a cpp-httplib TLS server that answers every POST
// /validate with one fixed AdmissionReview response, with the TLS and HTTP settings of
// src/server/https_server.cc and certificate_store.cc (TLS >= 1.2, the same AEAD cipher list,
// TCP_NODELAY, keep-alive, 128 workers). No JSON parsing, no checks, no logs, no metrics:
// preflight cannot be faster than this on the same machine. Not part of preflight_core.
//
//   preflight_bare_server CERT KEY PORT RESPONSE_FILE

#include <httplib.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

bool configure_tls(SSL_CTX& ctx, const std::string& cert, const std::string& key) {
  // Mirrors CertificateStore::configure (src/server/certificate_store.cc).
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      &ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cipher_list(&ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  return SSL_CTX_use_certificate_chain_file(&ctx, cert.c_str()) == 1 &&
         SSL_CTX_use_PrivateKey_file(&ctx, key.c_str(), SSL_FILETYPE_PEM) == 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: preflight_bare_server CERT KEY PORT RESPONSE_FILE\n";
    return 2;
  }
  const std::string cert = argv[1], key = argv[2];
  const int port = std::atoi(argv[3]);
  std::ifstream in(argv[4], std::ios::binary);
  std::stringstream response;
  response << in.rdbuf();
  if (!in || response.str().empty()) {
    std::cerr << "bare_server: cannot read " << argv[4] << "\n";
    return 2;
  }
  const std::string body = response.str();

  httplib::SSLServer server([&](SSL_CTX& ctx) { return configure_tls(ctx, cert, key); });
  if (!server.is_valid()) {
    std::cerr << "bare_server: TLS setup failed (certificate or key)\n";
    return 1;
  }
  // The settings of HttpsServer for its TLS listener.
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(120);
  server.set_payload_max_length(3 * 1024 * 1024);
  server.new_task_queue = [] { return new httplib::ThreadPool(128); };
  server.Post("/validate", [&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json; charset=utf-8");  // as HttpsServer: not gzipped
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  if (!server.listen("127.0.0.1", port)) {
    std::cerr << "bare_server: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  return 0;
}
