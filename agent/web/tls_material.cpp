#include "agent/web/tls_material.h"
#include "collectors/core/strings.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace hostwatch {
namespace {

// RequestClientCert / RequireAnyClientCert: a certificate is asked for but, as in Go,
// not verified; the handshake must not fail on an unknown issuer.
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

}  // namespace

std::string OpenSslError() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Result<std::shared_ptr<const TlsMaterial>> TlsMaterial::Load(const TlsServerConfig& config) {
  ERR_clear_error();
  std::shared_ptr<TlsMaterial> m(new TlsMaterial(config));
  m->ctx_ = SSL_CTX_new(TLS_server_method());
  if (m->ctx_ == nullptr) {
    return Status::Error("cannot create TLS context: " + OpenSslError());
  }
  SSL_CTX* ctx = m->ctx_;
  if (SSL_CTX_use_certificate_chain_file(ctx, config.cert_file.c_str()) != 1) {
    return Status::Error("cert_file " + config.cert_file + ": " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::Error("key_file " + config.key_file + ": " + OpenSslError());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::Error("key_file " + config.key_file + " does not match cert_file " + config.cert_file);
  }
  if (!config.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, config.client_ca_file.c_str(), nullptr) != 1) {
      return Status::Error("client_ca_file " + config.client_ca_file + ": " + OpenSslError());
    }
    // The CA names sent in CertificateRequest, so clients pick the right certificate.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca_file.c_str());
    if (names == nullptr) {
      return Status::Error("client_ca_file " + config.client_ca_file + ": no certificates");
    }
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  if (SSL_CTX_set_min_proto_version(ctx, config.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, config.max_version) != 1) {
    return Status::Error("unsupported TLS version range: " + OpenSslError());
  }
  m->cipher_list_ = Join(config.cipher_suites, ":");
  if (!m->cipher_list_.empty() && SSL_CTX_set_cipher_list(ctx, m->cipher_list_.c_str()) != 1) {
    return Status::Error("cipher_suites: none is available in this OpenSSL: " + OpenSslError());
  }
  m->groups_list_ = Join(config.curve_groups, ":");
  if (!m->groups_list_.empty() && SSL_CTX_set1_groups_list(ctx, m->groups_list_.c_str()) != 1) {
    return Status::Error("curve_preferences: " + OpenSslError());
  }
  return std::shared_ptr<const TlsMaterial>(std::move(m));
}

TlsMaterial::~TlsMaterial() { SSL_CTX_free(ctx_); }

bool TlsMaterial::ApplyTo(SSL* ssl) const {
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx_, &chain);
  if (SSL_use_cert_and_key(ssl, SSL_CTX_get0_certificate(ctx_), SSL_CTX_get0_privatekey(ctx_), chain, 1) != 1) {
    return false;
  }
  int mode = SSL_VERIFY_NONE;
  SSL_verify_cb callback = nullptr;
  switch (config_.client_auth) {
    case ClientAuthType::kNoClientCert:
      break;
    case ClientAuthType::kRequestClientCert:
      mode = SSL_VERIFY_PEER;
      callback = AcceptAnyCertificate;
      break;
    case ClientAuthType::kRequireAnyClientCert:
      mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      callback = AcceptAnyCertificate;
      break;
    case ClientAuthType::kVerifyClientCertIfGiven:
      mode = SSL_VERIFY_PEER;
      break;
    case ClientAuthType::kRequireAndVerifyClientCert:
      mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      break;
  }
  SSL_set_verify(ssl, mode, callback);
  if (!config_.client_ca_file.empty()) {
    if (SSL_set1_verify_cert_store(ssl, SSL_CTX_get_cert_store(ctx_)) != 1) {
      return false;
    }
    STACK_OF(X509_NAME)* names = SSL_dup_CA_list(SSL_CTX_get_client_CA_list(ctx_));
    if (names != nullptr) {
      SSL_set_client_CA_list(ssl, names);
    }
  }
  if (SSL_set_min_proto_version(ssl, config_.min_version) != 1 ||
      SSL_set_max_proto_version(ssl, config_.max_version) != 1) {
    return false;
  }
  if (!cipher_list_.empty() && SSL_set_cipher_list(ssl, cipher_list_.c_str()) != 1) {
    return false;
  }
  if (!groups_list_.empty() && SSL_set1_groups_list(ssl, groups_list_.c_str()) != 1) {
    return false;
  }
  if (config_.prefer_server_cipher_suites) {
    SSL_set_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
  } else {
    SSL_clear_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  return true;
}

bool TlsMaterial::PrepareContext(SSL_CTX* ctx) const {
  // No session resumption: a resumed session would skip the client-certificate check,
  // which must follow the current client_ca_file after a reload.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
  return SSL_CTX_use_certificate(ctx, SSL_CTX_get0_certificate(ctx_)) == 1 &&
         SSL_CTX_use_PrivateKey(ctx, SSL_CTX_get0_privatekey(ctx_)) == 1 &&
         SSL_CTX_set_min_proto_version(ctx, config_.min_version) == 1 &&
         SSL_CTX_set_max_proto_version(ctx, config_.max_version) == 1;
}

}  // namespace hostwatch
