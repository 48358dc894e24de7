#include "collectors/checks/grpc/grpc_module.h"

#include "collectors/checks/tcp/tcp_module.h"

#include "collectors/checks/check_config_fields.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// Why a gRPC client may not send a metadata name; nullptr when it may. The
// request headers the probe itself sets, HTTP/2 pseudo-headers and gRPC's
// own grpc-* names are reserved (grpc-go drops or refuses them too).
const char* RefusedMetadataName(const std::string& name) {
  if (name.empty() || name.front() == ':') {
    return "must be a header name";
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) {
      return "must be a header name: lower-case letters, digits, '-', '_' and '.'";
    }
  }
  if (name.rfind("grpc-", 0) == 0 || name == "content-type" || name == "te" || name == "user-agent" ||
      name == "host" || name == "connection") {
    return "reserved: the probe sets this header itself";
  }
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "-bin") == 0) {
    return "not supported: binary (-bin) metadata";
  }
  return nullptr;
}

void ParseMetadata(ConfigReader& r, const YAML::Node& n, const std::string& path, GrpcModule* out) {
  r.Entries(n, path, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v,
                         const std::string& p) {
    const std::string name = AsciiToLower(key);  // metadata names are case-insensitive
    if (const char* why = RefusedMetadataName(name)) {
      r.Error(key_node, p, why);
      return;
    }
    std::vector<std::string> values;
    if (!v.IsSequence()) {
      r.WrongType(v, p, "a list of strings (blackbox's metadata.MD)");
      return;
    }
    if (!r.StringList(v, p, &values)) {
      return;
    }
    for (const std::string& value : values) {
      if (value.find_first_of("\r\n") != std::string::npos) {
        r.Error(v, p, "a value must not contain a line break");
        return;
      }
      out->metadata.emplace_back(name, value);
    }
  });
}

}  // namespace

bool SplitGrpcTarget(const std::string& target, bool tls, std::string* host, int* port, std::string* why) {
  std::string authority = target;
  for (const char* scheme : {"http://", "https://"}) {
    if (authority.rfind(scheme, 0) == 0) {
      authority = authority.substr(std::string(scheme).size());
      authority = authority.substr(0, authority.find_first_of("/?#"));
      authority = authority.substr(authority.find('@') == std::string::npos ? 0 : authority.find('@') + 1);
      break;
    }
  }
  std::string port_text;
  if (!SplitHostPort(authority, host, &port_text, why)) {
    *host = authority;  // no port: blackbox dials the scheme's default for the module's tls
    port_text = tls ? "443" : "80";
  }
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  long value = 0;
  for (char c : port_text) {
    value = (c >= '0' && c <= '9' && value < 100000) ? value * 10 + (c - '0') : 100000;
  }
  if (host->empty() || port_text.empty() || value < 1 || value > 65535) {
    *why = host->empty() ? "no host" : "the port must be a number from 1 to 65535";
    return false;
  }
  *port = static_cast<int>(value);
  return true;
}

GrpcModule GrpcModuleWithoutSection() {
  GrpcModule m;
  m.ip_protocol_fallback = false;
  return m;
}

void ParseGrpcModule(ConfigReader& r, const YAML::Node& n, const std::string& path, GrpcModule* out) {
  static const std::vector<std::string_view> kKeys = {
      "service", "tls", "tls_config", "preferred_ip_protocol", "ip_protocol_fallback", "metadata"};
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "service") {
      r.String(v, p, &out->service);
    } else if (key == "tls") {
      r.Bool(v, p, &out->tls);
    } else if (key == "tls_config") {
      ParseCheckTls(r, v, p, &out->tls_config);
    } else if (key == "preferred_ip_protocol") {
      r.OneOf(v, p, {"ip4", "ip6"}, &out->preferred_ip_protocol);
    } else if (key == "ip_protocol_fallback") {
      r.Bool(v, p, &out->ip_protocol_fallback);
    } else {
      ParseMetadata(r, v, p, out);
    }
  });
}

}  // namespace hostwatch
