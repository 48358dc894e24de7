// libFuzzer target: ParseCertificateFile (an x509_files: file: PEM bundle, DER, or anything an
// operator's glob happens to match) on arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/checks/x509/cert_file_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  hostwatch::CertFileContents c = hostwatch::ParseCertificateFile(bytes);
  for (const hostwatch::CertFacts& f : c.certs) {
    (void)f.serial_no.size();
  }
  hostwatch::FormatIpLabel(bytes.substr(0, 16));
  return 0;
}
