#include "collectors/checks/tcp/tls_client.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "collectors/checks/ip_network.h"

namespace hostwatch {
namespace {

int MinVersion(const std::string& name) {
  if (name == "TLS10") {
    return TLS1_VERSION;
  }
  if (name == "TLS11") {
    return TLS1_1_VERSION;
  }
  if (name == "TLS13") {
    return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;  // Go's crypto/tls default for clients, and "TLS12"
}

std::string OpenSslError(const char* what) {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  ERR_clear_error();
  return std::string(what) + ": " + buf;
}

// Loads roots and the client certificate; "" on success, else the reason.
std::string ConfigureContext(SSL_CTX* ctx, const CheckTlsConfig& c) {
  SSL_CTX_set_min_proto_version(ctx, MinVersion(c.min_version));
  SSL_CTX_set_verify(ctx, c.insecure_skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  const int roots = c.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                      : SSL_CTX_load_verify_locations(ctx, c.ca_file.c_str(), nullptr);
  if (roots != 1) {
    return OpenSslError("cannot load CA certificates");
  }
  if (!c.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(ctx, c.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1)) {
    return OpenSslError("cannot load the client certificate");
  }
  return "";
}

}  // namespace

TlsClient::TlsClient(const CheckTlsConfig& config, const std::string& host, int fd, TlsFacts* facts)
    : facts_(facts) {
  capture_.facts = facts;
  capture_.export_chain_info = true;  // blackbox's tcp prober always exports probe_ssl_last_chain_info
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) {
    error_ = OpenSslError("cannot create a TLS context");
    return;
  }
  if (error_ = ConfigureContext(ctx_, config); !error_.empty()) {
    return;
  }
  InstallChainCapture(ctx_, &capture_);
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    error_ = OpenSslError("cannot create a TLS session");
    return;
  }
  const std::string name = config.server_name.empty() ? host : config.server_name;
  int family = 0;
  std::uint8_t address[16];
  if (ParseIp(name, &family, address)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
  } else if (!name.empty()) {
    SSL_set_tlsext_host_name(ssl, name.c_str());
    SSL_set1_host(ssl, name.c_str());
  }
  SSL_set_connect_state(ssl);
  ssl_ = ssl;
}

TlsClient::~TlsClient() {
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
}

bool TlsClient::VerifyFailed() const { return ssl_ != nullptr && SSL_get_verify_result(ssl_) != X509_V_OK; }

TlsClient::Io TlsClient::Classify(int ret) {
  const int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::kEof;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        error_ = "connection closed";
        return Io::kEof;  // closed without close_notify: Go's reader sees io.EOF as well
      }
      [[fallthrough]];
    default:
      error_ = OpenSslError("TLS");
      return Io::kFailed;
  }
}

TlsClient::Io TlsClient::Handshake() {
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    ReadSessionFacts(ssl_, facts_);
    return Io::kDone;
  }
  Io io = Classify(ret);
  if (io == Io::kEof) {
    error_ = "connection closed during the TLS handshake";
    return Io::kFailed;
  }
  if (io == Io::kFailed && VerifyFailed()) {
    error_ = std::string("certificate verification failed: ") +
             X509_verify_cert_error_string(SSL_get_verify_result(ssl_));
  }
  return io;
}

TlsClient::Io TlsClient::Read(std::string* out) {
  char buf[4096];
  const int n = SSL_read(ssl_, buf, sizeof(buf));
  if (n > 0) {
    out->append(buf, static_cast<std::size_t>(n));
    return Io::kDone;
  }
  return Classify(n);
}

TlsClient::Io TlsClient::Write(const std::string& data, std::size_t* written) {
  const int n = SSL_write(ssl_, data.data() + *written, static_cast<int>(data.size() - *written));
  if (n > 0) {
    *written += static_cast<std::size_t>(n);
    return Io::kDone;
  }
  return Classify(n);
}

}  // namespace hostwatch
