// The client side of a tcp check's TLS (tls: true, or starttls in a
// query_response step), set up from the module's tls_config as Go's
// crypto/tls would be by blackbox: the server name is tls_config.server_name
// or the target's host (SNI for names; an IP address is verified against the
// certificate's IP entries), the system roots unless ca_file, a client
// certificate with cert_file/key_file, min_version, insecure_skip_verify.
// The chain's facts go to the TlsCapture through the HTTP side's
// InstallChainCapture (one TLS-facts code for every prober).
//
// One TlsClient per connection; not thread-safe, used by the run that owns it.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "collectors/checks/check_config.h"
#include "collectors/checks/http/tls_facts.h"

namespace hostwatch {

class TlsClient {
 public:
  // Outcome of one non-blocking step (Handshake, Read, Write).
  enum class Io { kDone, kWantRead, kWantWrite, kEof, kFailed };

  // Prepares TLS over the connected, non-blocking fd (not owned). On failure
  // ok() is false and error() says why (a CA or key file that cannot be loaded).
  TlsClient(const CheckTlsConfig& config, const std::string& host, int fd, TlsFacts* facts);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;
  TlsClient(TlsClient&&) = delete;
  TlsClient& operator=(TlsClient&&) = delete;

  bool ok() const { return ssl_ != nullptr; }
  const std::string& error() const { return error_; }
  // After kFailed from Handshake: the certificate or its name did not verify.
  bool VerifyFailed() const;

  Io Handshake();  // kDone also fills the session facts (version, cipher)
  Io Read(std::string* out);  // appends what is there
  Io Write(const std::string& data, std::size_t* written);

 private:
  Io Classify(int ret);

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  TlsCapture capture_;
  TlsFacts* facts_;
  std::string error_;
};

}  // namespace hostwatch
