#include "collectors/checks/http/tls_facts.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <string>

namespace hostwatch {
namespace {

// An ASN1_INTEGER holding the value written in hex ("-5", "0a1b", ...).
std::string SerialOf(const char* hex) {
  BIGNUM* bn = nullptr;
  EXPECT_GT(BN_hex2bn(&bn, hex), 0) << hex;
  ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
  std::string text = SerialNumberText(serial);
  ASN1_INTEGER_free(serial);
  BN_free(bn);
  return text;
}

// blackbox 0.26+ prints fmt.Sprintf("%x", cert.SerialNumber.Bytes()) (prober/tls.go getSerialNumber).
TEST(SerialNumberTextTest, FormatsTheMagnitudeBytesAsGoDoes) {
  struct Case {
    const char* serial_hex;
    const char* want;
  };
  const Case cases[] = {
      {"1", "01"},                  // one byte, two digits
      {"1000", "1000"},             // openssl ca's serial file in the integration test
      {"A1B", "0a1b"},              // the leading zero digit of the first byte is kept (not Text(16)'s "a1b")
      {"8F00FF", "8f00ff"},         // DER adds a 00 byte before a set high bit; Bytes() has none
      {"-5", "05"},                 // Bytes() is the absolute value
      {"0", ""},                    // Bytes() of zero is empty
      {"7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "7fffffffffffffffffffffffffffffffffffffff"},  // 20 bytes (RFC 5280 max)
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SerialOf(c.serial_hex), c.want) << c.serial_hex;
  }
  EXPECT_EQ(SerialNumberText(nullptr), "");
}

// Go's tls.CipherSuiteName (crypto/tls/cipher_suites.go), which blackbox 0.26+ puts in probe_tls_cipher_info.
TEST(GoCipherSuiteNameTest, NamesGoKnowsAndHexForTheRest) {
  EXPECT_EQ(GoCipherSuiteName(0x1301), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(GoCipherSuiteName(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(GoCipherSuiteName(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(GoCipherSuiteName(0xcca9), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(GoCipherSuiteName(0x0005), "TLS_RSA_WITH_RC4_128_SHA");
  // Suites OpenSSL negotiates but Go does not implement: Go prints fmt.Sprintf("0x%04X", id).
  EXPECT_EQ(GoCipherSuiteName(0x009e), "0x009E");  // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
  EXPECT_EQ(GoCipherSuiteName(0x1304), "0x1304");  // TLS_AES_128_CCM_SHA256
  EXPECT_EQ(GoCipherSuiteName(0xc0ad), "0xC0AD");  // TLS_ECDHE_ECDSA_WITH_AES_256_CCM
  EXPECT_EQ(GoCipherSuiteName(0), "0x0000");
}

// Every suite both OpenSSL and Go know gets OpenSSL's own standard (IANA) name:
// our table and OpenSSL agree wherever the names can be compared.
TEST(GoCipherSuiteNameTest, AgreesWithOpenSslStandardNames) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  ASSERT_NE(ctx, nullptr);
  SSL* ssl = SSL_new(ctx);
  ASSERT_NE(ssl, nullptr);
  int compared = 0;
  for (std::uint32_t id = 0; id <= 0xffff; ++id) {
    const unsigned char bytes[2] = {static_cast<unsigned char>(id >> 8), static_cast<unsigned char>(id & 0xff)};
    const SSL_CIPHER* c = SSL_CIPHER_find(ssl, bytes);
    const char* standard = c != nullptr ? SSL_CIPHER_standard_name(c) : nullptr;
    const std::string go = GoCipherSuiteName(static_cast<std::uint16_t>(id));
    if (standard != nullptr && go.rfind("0x", 0) != 0) {
      EXPECT_EQ(go, standard) << std::hex << id;
      ++compared;
    }
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  EXPECT_GE(compared, 20);  // OpenSSL 3 still knows nearly all of Go's suites (RC4 may be compiled out)
}

}  // namespace
}  // namespace hostwatch
