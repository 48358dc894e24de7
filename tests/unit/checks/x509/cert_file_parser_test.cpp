#include "collectors/checks/x509/cert_file_parser.h"

#include <gtest/gtest.h>

#include "tests/unit/checks/x509/test_certs.h"

namespace hostwatch {
namespace {

using Problem = CertFileContents::Problem;
using testing::CertSpec;
using testing::MakeCertDer;
using testing::MakeCertPem;
using testing::WithSerial;
using testing::Pem;

TEST(CertFileParserTest, LabelsAsSslExporterFormatsThem) {
  CertSpec spec;
  spec.serial = 4096;
  spec.subject_cns = {"first.example", "leaf.example"};
  spec.ous = {"Ops", "Web"};
  spec.san = "DNS:a.example,DNS:b.example,IP:10.0.0.1,IP:2001:db8::1,email:x@example.org";
  CertFileContents c = ParseCertificateFile(MakeCertPem(spec));
  ASSERT_EQ(c.problem, Problem::kNone) << c.detail;
  ASSERT_EQ(c.certs.size(), 1u);
  const CertFacts& f = c.certs[0];
  EXPECT_EQ(f.serial_no, "4096");  // decimal, as Go's big.Int.String()
  EXPECT_EQ(f.issuer_cn, "Test CA");
  EXPECT_EQ(f.cn, "leaf.example");  // the last CN, as Go's pkix.Name
  EXPECT_EQ(f.dnsnames, ",a.example,b.example,");
  EXPECT_EQ(f.ips, ",10.0.0.1,2001:db8::1,");
  EXPECT_EQ(f.emails, ",x@example.org,");
  EXPECT_EQ(f.ou, ",Ops,Web,");
  EXPECT_EQ(f.not_before, 1700000000);
  EXPECT_EQ(f.not_after, 1800000000);
}

TEST(CertFileParserTest, EmptyListsAreEmptyStrings) {
  CertFileContents c = ParseCertificateFile(MakeCertPem(CertSpec{}));
  ASSERT_EQ(c.certs.size(), 1u);
  EXPECT_EQ(c.certs[0].dnsnames, "");
  EXPECT_EQ(c.certs[0].ips, "");
  EXPECT_EQ(c.certs[0].emails, "");
  EXPECT_EQ(c.certs[0].ou, "");
}

TEST(CertFileParserTest, BundleKeepsFileOrderAndDropsRepeats) {
  std::string a = MakeCertPem(WithSerial(1));
  std::string b = MakeCertPem(WithSerial(2));
  CertFileContents c = ParseCertificateFile(a + b + MakeCertPem(WithSerial(3)) + b);
  ASSERT_EQ(c.problem, Problem::kNone);
  ASSERT_EQ(c.certs.size(), 3u);
  EXPECT_EQ(c.certs[0].serial_no, "1");
  EXPECT_EQ(c.certs[1].serial_no, "2");
  EXPECT_EQ(c.certs[2].serial_no, "3");
}

TEST(CertFileParserTest, DerIsOneCertificate) {
  CertFileContents c = ParseCertificateFile(MakeCertDer(WithSerial(77)));
  ASSERT_EQ(c.problem, Problem::kNone);
  ASSERT_EQ(c.certs.size(), 1u);
  EXPECT_EQ(c.certs[0].serial_no, "77");
}

TEST(CertFileParserTest, DerWithTrailingBytesIsRefused) {
  CertFileContents c = ParseCertificateFile(MakeCertDer(CertSpec{}) + "x");
  EXPECT_EQ(c.problem, Problem::kParseError);
  EXPECT_TRUE(c.certs.empty());
}

TEST(CertFileParserTest, KeyBesideCertificateIsSkippedUndecoded) {
  // The "key" body is not base64 at all: decoding it would be a parse error,
  // so a clean result shows that only the CERTIFICATE block was decoded.
  std::string key = "-----BEGIN PRIVATE KEY-----\nsecret!material\n-----END PRIVATE KEY-----\n";
  CertFileContents c = ParseCertificateFile(key + MakeCertPem(WithSerial(5)));
  ASSERT_EQ(c.problem, Problem::kNone) << c.detail;
  ASSERT_EQ(c.certs.size(), 1u);
  EXPECT_EQ(c.certs[0].serial_no, "5");
}

TEST(CertFileParserTest, KeyOnlyFileHasNoCertificatesAndNoProblem) {
  CertFileContents c = ParseCertificateFile("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
  EXPECT_EQ(c.problem, Problem::kNone);
  EXPECT_TRUE(c.certs.empty());
}

TEST(CertFileParserTest, BrokenBlockKeepsTheGoodOnes) {
  std::string bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  CertFileContents c = ParseCertificateFile(MakeCertPem(WithSerial(1)) + bad);
  EXPECT_EQ(c.problem, Problem::kParseError);
  EXPECT_EQ(c.detail, "PEM block 2 is not a valid X.509 certificate");
  ASSERT_EQ(c.certs.size(), 1u);
}

TEST(CertFileParserTest, InputsThatMustFail) {
  const struct {
    std::string data;
    Problem problem;
  } cases[] = {
      {"", Problem::kEmpty},
      {" \n\t\n", Problem::kEmpty},
      {"garbage that is neither PEM nor DER\n", Problem::kParseError},
      {"-----BEGIN CERTIFICATE-----\nMIIB\n", Problem::kParseError},        // no END line
      {"-----BEGIN CERTIFICATE", Problem::kParseError},                       // BEGIN line not closed
      {"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", Problem::kParseError},  // not base64
      {std::string("\x30\x82\x01", 3), Problem::kParseError},                 // truncated DER
  };
  for (const auto& c : cases) {
    CertFileContents got = ParseCertificateFile(c.data);
    EXPECT_EQ(got.problem, c.problem) << c.data;
    EXPECT_TRUE(got.certs.empty()) << c.data;
    EXPECT_EQ(got.detail.find("!!!!"), std::string::npos);  // never quotes the input
  }
}

TEST(CertFileParserTest, FormatListLabel) {
  EXPECT_EQ(FormatListLabel({}), "");
  EXPECT_EQ(FormatListLabel({"a"}), ",a,");
  EXPECT_EQ(FormatListLabel({"a", "b"}), ",a,b,");
}

TEST(CertFileParserTest, FormatIpLabelAsGo) {
  const struct {
    std::string bytes;
    std::string text;
  } cases[] = {
      {std::string("\x0a\x00\x00\x01", 4), "10.0.0.1"},
      {std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\xa8\x01\x02", 16), "192.168.1.2"},  // IPv4-mapped
      {std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16), "2001:db8::1"},
      {std::string(16, '\0'), "::"},
      {std::string("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16), "::1"},
      {std::string("\0\0\0\0\0\0\0\0\0\0\0\0\x01\x02\x03\x04", 16), "::102:304"},  // not dotted, unlike glibc
      {std::string("\x20\x01\0\0\0\x01\0\0\0\0\0\x01\0\0\0\0", 16), "2001:0:1::1:0:0"},  // first of equal runs
      {std::string("\x20\x01\x0d\xb8\0\0\0\x01\0\x01\0\x01\0\x01\0\x01", 16), "2001:db8:0:1:1:1:1:1"},  // one zero group stays
      {std::string("\x01\x02\x03", 3), "?010203"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatIpLabel(c.bytes), c.text);
  }
}

}  // namespace
}  // namespace hostwatch
