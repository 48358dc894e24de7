#include "collectors/checks/http/tls_facts.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <openssl/bn.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <string_view>

namespace hostwatch {
namespace {

double NotAfterUnix(const X509* cert) {
  const ASN1_TIME* t = X509_get0_notAfter(cert);
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return 0;
  }
  return static_cast<double>(timegm(&tm));
}

double EarliestNotAfter(STACK_OF(X509) * chain) {
  double earliest = 0;
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    double t = NotAfterUnix(sk_X509_value(chain, i));
    if (t != 0 && (earliest == 0 || t < earliest)) {
      earliest = t;
    }
  }
  return earliest;
}

std::string DistinguishedName(const X509_NAME* name) {
  // RFC 2253 reverses the DER order (most specific first) as Go does; UTF-8 is kept rather than
  // escaped byte by byte, as Go keeps it.
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) {
    return "";
  }
  X509_NAME_print_ex(bio, name, 0, (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string text(data != nullptr && len > 0 ? data : "", len > 0 ? static_cast<std::size_t>(len) : 0);
  BIO_free(bio);
  return text;
}

std::string DnsAlternativeNames(X509* cert) {
  std::string joined;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type != GEN_DNS) {
      continue;
    }
    const auto* s = n->d.dNSName;
    if (!joined.empty()) {
      joined += ',';
    }
    joined.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                  static_cast<std::size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return joined;
}

std::string LowerHex(const unsigned char* bytes, std::size_t len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * len);
  for (std::size_t i = 0; i < len; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 0xf];
  }
  return hex;
}

std::string Sha256Fingerprint(const X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &len) != 1) {
    return "";
  }
  return LowerHex(digest, len);
}

// The suites of Go's tls.CipherSuites() and InsecureCipherSuites() (crypto/tls/cipher_suites.go),
// sorted by id. Their names are the IANA names, which are also OpenSSL's standard names for them.
struct GoSuite {
  std::uint16_t id;
  const char* name;
};
constexpr std::array<GoSuite, 25> kGoSuites = {{
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
}};

double EarliestSentNotAfter(X509_STORE_CTX* store) {
  double earliest = EarliestNotAfter(X509_STORE_CTX_get0_untrusted(store));
  if (X509* leaf = X509_STORE_CTX_get0_cert(store); leaf != nullptr) {
    double t = NotAfterUnix(leaf);
    if (t != 0 && (earliest == 0 || t < earliest)) {
      earliest = t;
    }
  }
  return earliest;
}

int CaptureChainAndVerify(X509_STORE_CTX* store, void* arg) {
  auto* capture = static_cast<TlsCapture*>(arg);
  TlsFacts& facts = *capture->facts;
  facts.present = true;
  facts.earliest_cert_expiry = EarliestSentNotAfter(store);
  int ok = X509_verify_cert(store);
  facts.verified = ok == 1;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(store);
  facts.last_chain_expiry = ok == 1 ? EarliestNotAfter(chain) : 0;
  if (ok == 1 && capture->export_chain_info && sk_X509_num(chain) > 0) {
    X509* leaf = sk_X509_value(chain, 0);
    facts.last_chain_leaf = CertificateInfo{Sha256Fingerprint(leaf), DistinguishedName(X509_get_subject_name(leaf)),
                                            DistinguishedName(X509_get_issuer_name(leaf)), DnsAlternativeNames(leaf),
                                            SerialNumberText(X509_get0_serialNumber(leaf))};
  }
  return ok;
}

std::string TlsVersionName(const char* openssl_name) {
  std::string_view v = openssl_name == nullptr ? "" : openssl_name;
  if (v == "TLSv1") {
    return "TLS 1.0";
  }
  if (v.rfind("TLSv", 0) == 0) {
    return "TLS " + std::string(v.substr(4));
  }
  return "unknown";
}

}  // namespace

void InstallChainCapture(SSL_CTX* ctx, TlsCapture* capture) {
  SSL_CTX_set_cert_verify_callback(ctx, &CaptureChainAndVerify, capture);
}

void ReadSessionFacts(const SSL* ssl, TlsFacts* facts) {
  facts->version = TlsVersionName(SSL_get_version(ssl));
  // By id rather than OpenSSL's name: the label must read as blackbox's does, also for suites Go lacks.
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  facts->cipher = cipher != nullptr ? GoCipherSuiteName(SSL_CIPHER_get_protocol_id(cipher)) : "";
}

std::string SerialNumberText(const ASN1_INTEGER* serial) {
  BIGNUM* bn = serial != nullptr ? ASN1_INTEGER_to_BN(serial, nullptr) : nullptr;
  if (bn == nullptr) {
    return "";
  }
  // BN_bn2bin writes the magnitude without leading zero bytes (none for zero), as Go's big.Int.Bytes().
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return LowerHex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string GoCipherSuiteName(std::uint16_t id) {
  auto it = std::lower_bound(kGoSuites.begin(), kGoSuites.end(), id,
                             [](const GoSuite& s, std::uint16_t v) { return s.id < v; });
  if (it != kGoSuites.end() && it->id == id) {
    return it->name;
  }
  char hex[8];
  std::snprintf(hex, sizeof(hex), "0x%04X", static_cast<unsigned>(id));
  return hex;
}

}  // namespace hostwatch
