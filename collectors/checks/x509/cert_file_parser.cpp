#include "collectors/checks/x509/cert_file_parser.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace hostwatch {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Unix seconds of an ASN.1 time; 0 when it cannot be read (Go's zero time is
// skipped the same way by ssl_exporter).
std::int64_t UnixSeconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return 0;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string Utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) {
    return "";
  }
  std::string r(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  return r;
}

// Every value of one attribute in a name, in order (several OUs are common).
std::vector<std::string> NameValues(const X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
    out.push_back(Utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
  }
  return out;
}

// Go's pkix.Name keeps the last commonName it meets.
std::string LastCommonName(const X509_NAME* name) {
  std::vector<std::string> cns = NameValues(name, NID_commonName);
  return cns.empty() ? "" : cns.back();
}

std::string Serial(const X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* dec = bn != nullptr ? BN_bn2dec(bn) : nullptr;
  std::string r = dec != nullptr ? dec : "";
  OPENSSL_free(dec);
  BN_free(bn);
  return r;
}

void AddAltNames(const X509* cert, CertFacts* facts) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  std::vector<std::string> dns, ips, emails;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    const ASN1_STRING* s = nullptr;
    int type = 0;
    if (n->type == GEN_DNS || n->type == GEN_EMAIL || n->type == GEN_IPADD) {
      s = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(n, &type));
    }
    if (s == nullptr) {
      continue;
    }
    // IA5String and OCTET STRING bytes, as Go keeps them.
    std::string bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<std::size_t>(ASN1_STRING_length(s)));
    (n->type == GEN_DNS ? dns : n->type == GEN_EMAIL ? emails : ips)
        .push_back(n->type == GEN_IPADD ? FormatIpLabel(bytes) : bytes);
  }
  GENERAL_NAMES_free(names);
  facts->dnsnames = FormatListLabel(dns);
  facts->ips = FormatListLabel(ips);
  facts->emails = FormatListLabel(emails);
}

CertFacts FactsOf(const X509* cert) {
  CertFacts f;
  f.serial_no = Serial(cert);
  f.issuer_cn = LastCommonName(X509_get_issuer_name(cert));
  f.cn = LastCommonName(X509_get_subject_name(cert));
  AddAltNames(cert, &f);
  f.ou = FormatListLabel(NameValues(X509_get_subject_name(cert), NID_organizationalUnitName));
  f.not_before = UnixSeconds(X509_get0_notBefore(cert));
  f.not_after = UnixSeconds(X509_get0_notAfter(cert));
  return f;
}

// One DER certificate that spans der exactly (Go's x509.ParseCertificate
// refuses trailing data too). Clears OpenSSL's error queue: a garbage file must
// not leave errors behind for the next TLS user on this thread.
bool DecodeDer(std::string_view der, CertFacts* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  X509Ptr cert(der.size() <= static_cast<std::size_t>(INT32_MAX) ? d2i_X509(nullptr, &p, static_cast<long>(der.size()))
                                                                 : nullptr);
  ERR_clear_error();
  if (cert == nullptr || p != end) {
    return false;
  }
  *out = FactsOf(cert.get());
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// Base64 body of a PEM block (line breaks and spaces allowed) to bytes; false
// when it is not base64.
bool DecodeBase64(std::string_view body, std::string* out) {
  std::string compact;
  compact.reserve(body.size());
  for (char c : body) {
    if (!IsSpace(c)) {
      compact.push_back(c);
    }
  }
  if (compact.empty() || compact.size() % 4 != 0) {
    return false;
  }
  out->assign(compact.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(compact.data()), static_cast<int>(compact.size()));
  if (n < 0) {
    return false;
  }
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t pad = compact.ends_with("==") ? 2 : compact.ends_with('=') ? 1 : 0;
  out->resize(static_cast<std::size_t>(n) - pad);
  return true;
}

// Keeps facts unless an earlier certificate has its serial and issuer.
void AddUnique(CertFacts facts, std::vector<CertFacts>* certs) {
  for (const CertFacts& c : *certs) {
    if (c.serial_no == facts.serial_no && c.issuer_cn == facts.issuer_cn) {
      return;
    }
  }
  certs->push_back(std::move(facts));
}

void SetProblem(CertFileContents* out, std::string detail) {
  if (out->problem == CertFileContents::Problem::kNone) {  // the first one says most
    out->problem = CertFileContents::Problem::kParseError;
    out->detail = std::move(detail);
  }
}

// Walks the PEM blocks from the first "-----BEGIN ". Only CERTIFICATE bodies
// are decoded; any other block is skipped by its END line.
void ParsePem(std::string_view data, std::size_t at, CertFileContents* out) {
  int block = 0;
  while (at != std::string_view::npos) {
    std::size_t type_start = at + kBegin.size();
    std::size_t type_end = data.find(kDashes, type_start);
    if (type_end == std::string_view::npos) {
      SetProblem(out, "a BEGIN line is not closed by -----");
      return;
    }
    std::string_view type = data.substr(type_start, type_end - type_start);
    std::string end_line = "-----END " + std::string(type) + "-----";
    std::size_t body_start = type_end + kDashes.size();
    std::size_t end = data.find(end_line, body_start);
    ++block;
    if (type.size() > 64 || end == std::string_view::npos) {
      SetProblem(out, "PEM block " + std::to_string(block) + " has no END line");
      return;
    }
    if (type == "CERTIFICATE") {
      std::string der;
      CertFacts facts;
      if (!DecodeBase64(data.substr(body_start, end - body_start), &der) || !DecodeDer(der, &facts)) {
        SetProblem(out, "PEM block " + std::to_string(block) + " is not a valid X.509 certificate");
      } else {
        AddUnique(std::move(facts), &out->certs);
      }
      OPENSSL_cleanse(der.data(), der.size());
    }
    at = data.find(kBegin, end + end_line.size());
  }
}

}  // namespace

CertFileContents ParseCertificateFile(std::string_view data) {
  CertFileContents out;
  std::size_t first = data.find(kBegin);
  if (first != std::string_view::npos) {
    ParsePem(data, first, &out);
    return out;
  }
  bool blank = true;
  for (char c : data) {
    blank = blank && IsSpace(c);
  }
  if (blank) {
    out.problem = CertFileContents::Problem::kEmpty;
    out.detail = "the file is empty";
    return out;
  }
  CertFacts facts;
  if (DecodeDer(data, &facts)) {
    out.certs.push_back(std::move(facts));
  } else {
    SetProblem(&out, "neither PEM nor a DER certificate");
  }
  return out;
}

std::string FormatListLabel(const std::vector<std::string>& items) {
  if (items.empty()) {
    return "";
  }
  std::string out = ",";
  for (const std::string& i : items) {
    out += i;
    out += ',';
  }
  return out;
}


}  // namespace hostwatch
