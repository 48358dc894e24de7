// TLS facts of an HTTP check's final hop, read from OpenSSL: the chain's
// expiry dates (also when verification fails), whether it verified, the
// verified leaf's identity for probe_ssl_last_chain_info, and the negotiated
// version and cipher.
//
// The functions run on the thread doing the transfer (libcurl's callbacks);
// they keep no state of their own beyond the TlsCapture they are handed.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace hostwatch {

// The leaf of the verified chain, labelled as blackbox_exporter 0.28 labels probe_ssl_last_chain_info.
struct CertificateInfo {
  std::string fingerprint_sha256;  // lower-case hex of the SHA-256 of the DER encoding
  std::string subject;             // RFC 2253 order and escaping, like Go's pkix.Name.String()
  std::string issuer;
  std::string subjectalternative;  // DNS names joined by ","
  std::string serialnumber;        // SerialNumberText (blackbox 0.26+)
};

struct TlsFacts {
  bool present = false;             // a certificate chain was received
  std::string version;              // "TLS 1.3"; empty when no response arrived
  std::string cipher;               // GoCipherSuiteName of the negotiated suite
  double earliest_cert_expiry = 0;  // min NotAfter over the chain as sent (kept when verification fails)
  bool verified = false;
  double last_chain_expiry = 0;                    // min NotAfter over the verified chain
  std::optional<CertificateInfo> last_chain_leaf;  // only with tls.export_chain_info
};

// Where the certificate verification callback writes; must outlive the handshake.
struct TlsCapture {
  TlsFacts* facts = nullptr;
  bool export_chain_info = false;  // fill facts->last_chain_leaf
};

// Replaces ctx's chain verification with OpenSSL's own verification plus a
// look at the chain as sent, written to *capture, so an expired or untrusted
// certificate still reports its expiry (blackbox loses it when the handshake
// fails). Verification results are unchanged.
void InstallChainCapture(SSL_CTX* ctx, TlsCapture* capture);

// Sets facts->version ("TLS 1.3") and facts->cipher (GoCipherSuiteName) from a live session.
void ReadSessionFacts(const SSL* ssl, TlsFacts* facts);

// A certificate serial number as blackbox 0.26+ labels it (Go's
// fmt.Sprintf("%x", SerialNumber.Bytes())): the magnitude's big-endian bytes,
// no leading zero bytes, two lower-case hex digits each; the sign is dropped
// and zero is "". Unlike Go's SerialNumber.Text(16), 0x0a1b keeps its
// leading zero digit ("0a1b").
std::string SerialNumberText(const ASN1_INTEGER* serial);

// A TLS cipher suite's name as Go's tls.CipherSuiteName prints it (what
// blackbox 0.26+ puts in probe_tls_cipher_info): the IANA name for the 25
// suites Go's crypto/tls implements, else "0x" and four upper-case hex digits
// (e.g. "0x009E" for TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, which Go lacks).
std::string GoCipherSuiteName(std::uint16_t id);

}  // namespace hostwatch
