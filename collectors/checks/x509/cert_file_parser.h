// Parsing of certificate files for x509_files: (docs/x509-files.md): the bytes
// of one file in, the certificates' dates and ssl_exporter's file-prober label
// values out. Pure (no I/O), so it is unit-tested on strings and fuzzed
// (tests/fuzz/fuzz_x509_file.cpp).
//
// Accepted contents:
//   - PEM: every "-----BEGIN CERTIFICATE-----" block, in file order. Blocks of
//     any other type (a private key beside the certificates) are stepped over
//     by their BEGIN/END lines only: their body is never decoded, copied or
//     quoted in a message.
//   - DER: a file without any "-----BEGIN " line is one DER certificate.
// Certificates are decoded with OpenSSL (d2i_X509).
//
// Label values are formatted as ribbybibby/ssl_exporter formats them (read in
// its prober/metrics.go), so dashboards and alerts written for its file
// prober carry over:
//   serial_no  the serial number in decimal ("-5" for a negative one)
//   issuer_cn  the issuer's commonName (the last one when there are several, as Go's pkix.Name)
//   cn         the subject's commonName (same rule)
//   dnsnames, ips, emails, ou
//              the subjectAltName DNS names, IP addresses and e-mail addresses,
//              and the subject's organizationalUnit values, each list written
//              ",a,b," (a comma before and after every item), "" when empty;
//              IP addresses as Go's net.IP.String() writes them.
// Within one file a certificate with the same serial_no and issuer_cn as an
// earlier one is left out (ssl_exporter's rule; it also keeps the series unique).
//
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/ip_text.h"  // FormatIpLabel, for subjectAltName iPAddress labels

namespace hostwatch {

struct CertFacts {
  std::string serial_no;
  std::string issuer_cn;
  std::string cn;
  std::string dnsnames;
  std::string ips;
  std::string emails;
  std::string ou;
  std::int64_t not_before = 0;  // unix seconds
  std::int64_t not_after = 0;   // unix seconds
};

// What one file held. A file can have good certificates and a problem (a
// bundle with one broken block): the good ones are kept and reported.
struct CertFileContents {
  std::vector<CertFacts> certs;
  // Why (part of) the file could not be used; empty when every certificate
  // block parsed. Never quotes the file's bytes.
  enum class Problem { kNone, kEmpty, kParseError };
  Problem problem = Problem::kNone;
  std::string detail;  // for people: "certificate block 2 is not a valid X.509 certificate"
};

// Parses a whole file. An empty (or all-whitespace) file is kEmpty; bytes that
// are neither PEM nor one DER certificate, a PEM block without its END line,
// or a CERTIFICATE block that does not decode are kParseError. A PEM file with
// blocks but no CERTIFICATE block (a key file) has no certificates and no
// problem.
CertFileContents ParseCertificateFile(std::string_view data);

// ",a,b," for {a, b}; "" for none (ssl_exporter's list label format).
std::string FormatListLabel(const std::vector<std::string>& items);

}  // namespace hostwatch
