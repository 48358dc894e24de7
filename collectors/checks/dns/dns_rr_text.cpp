#include "collectors/checks/dns/dns_rr_text.h"

#include <cstdio>
#include <cstdlib>

#include "collectors/checks/x509/cert_file_parser.h"

namespace hostwatch {
namespace {

// "\DDD", miekg/dns's escapeByte.
void AppendDdd(std::string& out, unsigned char b) {
  char buf[5];
  std::snprintf(buf, sizeof(buf), "\\%03u", static_cast<unsigned>(b));
  out += buf;
}

bool IsNameSpecial(unsigned char b) {
  switch (b) {
    case '.':
    case ' ':
    case '\'':
    case '@':
    case ';':
    case '(':
    case ')':
    case '"':
    case '\\':
      return true;
    default:
      return false;
  }
}

std::string LdnsText(const ldns_rdf* rdf) {
  char* text = ldns_rdf2str(rdf);
  if (text == nullptr) {
    return "";
  }
  std::string out(text);
  std::free(text);
  return out;
}

// One rdata field: the kinds whose ldns text differs from miekg/dns's are written here.
std::string FieldText(const ldns_rr* rr, const ldns_rdf* rdf) {
  const unsigned char* data = ldns_rdf_data(rdf);
  const std::size_t size = ldns_rdf_size(rdf);
  switch (ldns_rdf_get_type(rdf)) {
    case LDNS_RDF_TYPE_DNAME:
      return DnsNameText(rdf);
    case LDNS_RDF_TYPE_STR:
      if (size >= 1 && static_cast<std::size_t>(data[0]) + 1 == size) {
        return DnsCharacterStringText(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
      }
      break;
    case LDNS_RDF_TYPE_AAAA:
      if (size == 16 && ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA) {
        return DnsIp6Text(data);
      }
      break;
    default:
      break;
  }
  return LdnsText(rdf);
}

std::string Hex(const unsigned char* data, std::size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

// miekg/dns's RFC3597.String(): a type it has no struct for.
std::string UnknownTypeText(const ldns_rr* rr, const std::string& owner) {
  std::string rdata;
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
    rdata.append(reinterpret_cast<const char*>(ldns_rdf_data(rdf)), ldns_rdf_size(rdf));
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(rdata.data());
  return owner + "\t" + std::to_string(ldns_rr_ttl(rr)) + "\tCLASS" + std::to_string(ldns_rr_get_class(rr)) +
         "\tTYPE" + std::to_string(ldns_rr_get_type(rr)) + "\t\\# " + std::to_string(rdata.size()) + " " +
         Hex(bytes, rdata.size());
}

}  // namespace

std::string DnsNameText(const ldns_rdf* dname) {
  const unsigned char* data = ldns_rdf_data(dname);
  const std::size_t size = ldns_rdf_size(dname);
  std::string out;
  std::size_t i = 0;
  while (i < size && data[i] != 0) {
    const std::size_t len = data[i++];
    for (std::size_t j = 0; j < len && i < size; ++j, ++i) {
      const unsigned char b = data[i];
      if (IsNameSpecial(b)) {
        out += '\\';
        out += static_cast<char>(b);
      } else if (b < ' ' || b > '~') {
        AppendDdd(out, b);
      } else {
        out += static_cast<char>(b);
      }
    }
    out += '.';
  }
  return out.empty() ? "." : out;
}

std::string DnsCharacterStringText(std::string_view bytes) {
  std::string out = "\"";
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b == '"' || b == '\\') {
      out += '\\';
      out += c;
    } else if (b < ' ' || b > '~') {
      AppendDdd(out, b);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string DnsIp6Text(const unsigned char* b) {
  // Go's net.IP.String() prints an IPv4-mapped address dotted; miekg/dns's AAAA puts "::ffff:" before it.
  const std::string_view bytes(reinterpret_cast<const char*>(b), 16);
  const bool v4_mapped = bytes.substr(0, 12) == std::string_view("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
  return (v4_mapped ? "::ffff:" : "") + FormatIpLabel(bytes);
}

std::string DnsClassText(int rr_class) {
  switch (rr_class) {
    case 1:
      return "IN";
    case 2:
      return "CS";
    case 3:
      return "CH";
    case 4:
      return "HS";
    case 254:
      return "NONE";
    default:
      return "CLASS" + std::to_string(rr_class);
  }
}

std::string DnsRrText(const ldns_rr* rr) {
  const std::string owner = DnsNameText(ldns_rr_owner(rr));
  const ldns_rr_descriptor* known = ldns_rr_descript(static_cast<std::uint16_t>(ldns_rr_get_type(rr)));
  if (known == nullptr || known->_name == nullptr) {
    return UnknownTypeText(rr, owner);
  }
  std::string out = owner + "\t" + std::to_string(ldns_rr_ttl(rr)) + "\t" + DnsClassText(ldns_rr_get_class(rr)) +
                    "\t" + known->_name + "\t";
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    if (i > 0) {
      out += ' ';
    }
    out += FieldText(rr, ldns_rr_rdf(rr, i));
  }
  return out;
}

}  // namespace hostwatch
