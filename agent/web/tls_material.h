// TlsMaterial: what a TlsServerConfig names, loaded and checked with OpenSSL once, then
// applied to each TLS connection as its handshake starts.
//
// Why per connection: CivetWeb creates one SSL_CTX at start. To take new certificates
// (and a new client CA, versions, ciphers) without a restart, a ClientHello callback on
// that SSL_CTX copies the *current* material onto each new SSL before version
// negotiation, so a reload only swaps a shared_ptr. Immutable after Load(); thread-safe.
#pragma once

#include <memory>
#include <string>

#include "agent/web/web_config.h"
#include "collectors/core/status.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace hostwatch {

class TlsMaterial {
 public:
  // Loads cert_file (with its chain), key_file (must match the certificate), client_ca_file,
  // and checks that the cipher and curve lists are usable. Error names the file and reason.
  static Result<std::shared_ptr<const TlsMaterial>> Load(const TlsServerConfig& config);

  ~TlsMaterial();
  TlsMaterial(const TlsMaterial&) = delete;
  TlsMaterial& operator=(const TlsMaterial&) = delete;
  TlsMaterial(TlsMaterial&&) = delete;
  TlsMaterial& operator=(TlsMaterial&&) = delete;

  // Sets certificate, key, chain, client verification, protocol range and ciphers on ssl.
  // False when OpenSSL refuses (the handshake is then aborted).
  bool ApplyTo(SSL* ssl) const;

  // Prepares CivetWeb's SSL_CTX with this material (so the context is complete on its own)
  // and with the protocol floor; per-connection settings come from ApplyTo.
  bool PrepareContext(SSL_CTX* ctx) const;

  const TlsServerConfig& config() const { return config_; }

 private:
  explicit TlsMaterial(TlsServerConfig config) : config_(std::move(config)) {}

  TlsServerConfig config_;
  // A private context holding the loaded certificate, key, chain and CA store: OpenSSL's
  // own loaders do the parsing, and SSL objects take references from it.
  SSL_CTX* ctx_ = nullptr;
  std::string cipher_list_;  // OpenSSL syntax, "" = defaults
  std::string groups_list_;  // OpenSSL syntax, "" = defaults
};

// OpenSSL's reason for the most recent failure on this thread (and clears the queue).
std::string OpenSslError();

}  // namespace hostwatch
