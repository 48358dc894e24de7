// Real X.509 certificates for the x509 unit tests, made with OpenSSL at test
// time (self-signed P-256), so each test states the fields it checks.
#pragma once

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hostwatch::testing {

struct CertSpec {
  long serial = 1;
  std::vector<std::string> subject_cns = {"leaf.example"};
  std::string issuer_cn = "Test CA";  // also written as the issuer's only CN
  std::vector<std::string> ous;
  std::string san;  // X509V3 config text, e.g. "DNS:a.example,IP:10.0.0.1,email:x@example"
  std::int64_t not_before = 1700000000;
  std::int64_t not_after = 1800000000;
};

// The default spec with another serial (and NotAfter).
inline CertSpec WithSerial(long serial, std::int64_t not_after = 1800000000) {
  CertSpec spec;
  spec.serial = serial;
  spec.not_after = not_after;
  return spec;
}

// The DER encoding of a certificate as spec describes.
inline std::string MakeCertDer(const CertSpec& spec) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), spec.serial);
  ASN1_TIME_set(X509_getm_notBefore(x), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(x), static_cast<time_t>(spec.not_after));
  X509_NAME* subject = X509_get_subject_name(x);
  for (const std::string& ou : spec.ous) {
    X509_NAME_add_entry_by_txt(subject, "OU", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(ou.c_str()), -1,
                               -1, 0);
  }
  for (const std::string& cn : spec.subject_cns) {
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                               -1, 0);
  }
  X509_NAME* issuer = X509_get_issuer_name(x);
  X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.issuer_cn.c_str()), -1, -1, 0);
  if (!spec.san.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, spec.san.c_str());
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_set_pubkey(x, key);
  X509_sign(x, key, EVP_sha256());
  unsigned char* der = nullptr;
  int n = i2d_X509(x, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n > 0 ? n : 0));
  OPENSSL_free(der);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

// "-----BEGIN <type>-----\n<base64 in 64-column lines>\n-----END <type>-----\n".
inline std::string Pem(const std::string& type, const std::string& der) {
  std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                          reinterpret_cast<const unsigned char*>(der.data()), static_cast<int>(der.size()));
  b64.resize(static_cast<std::size_t>(n));
  std::string out = "-----BEGIN " + type + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  return out + "-----END " + type + "-----\n";
}

inline std::string MakeCertPem(const CertSpec& spec) { return Pem("CERTIFICATE", MakeCertDer(spec)); }

}  // namespace hostwatch::testing
