#include "agent/web/allowed_hosts.h"

#include <algorithm>
#include <optional>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

bool AllDigits(std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; }

// Drops one trailing dot: "example.org." is the fully qualified spelling of "example.org".
std::string_view WithoutTrailingDot(std::string_view host) {
  return host.size() > 1 && host.back() == '.' ? host.substr(0, host.size() - 1) : host;
}

// The host part of a Host header value (RFC 9110 §7.2: uri-host [":" port]), without brackets and
// port; nullopt when the value is not of that form. An unbracketed IPv6 address is not.
std::optional<std::string_view> HostPart(std::string_view value) {
  std::string_view host;
  std::string_view rest;
  if (!value.empty() && value.front() == '[') {
    std::size_t close = value.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = value.substr(1, close - 1);
    rest = value.substr(close + 1);
  } else {
    std::size_t colon = value.find(':');
    if (colon != std::string_view::npos && value.find(':', colon + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    host = value.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : value.substr(colon);
  }
  if (!rest.empty() && (rest.front() != ':' || !AllDigits(rest.substr(1)))) {
    return std::nullopt;
  }
  if (host.empty()) {
    return std::nullopt;
  }
  return WithoutTrailingDot(host);
}

// The reason entry cannot be a --web.allowed-hosts value, or "" when it can.
std::string EntryProblem(std::string_view entry) {
  if (entry.empty()) {
    return "is empty";
  }
  if (entry.find(',') != std::string_view::npos) {
    return "has a comma: give one host per --web.allowed-hosts (the flag is repeatable)";
  }
  for (char c : entry) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || std::string_view("/?#@\\\"'<>").find(c) != std::string_view::npos) {
      return "is not a host name or IP address";
    }
  }
  const bool bracketed = entry.front() == '[';
  if (bracketed && entry.find("]:") != std::string_view::npos) {
    return "has a port: give the host alone, e.g. [::1]";
  }
  std::string_view inner = bracketed ? entry.substr(1, entry.size() - (entry.back() == ']' ? 2 : 1)) : entry;
  if ((bracketed && entry.back() != ']') || inner.find_first_of("[]") != std::string_view::npos) {
    return "has an unbalanced '[' or ']'";
  }
  if (inner.empty() || inner == ".") {
    return "is empty";
  }
  if (!bracketed && std::count(entry.begin(), entry.end(), ':') == 1) {
    return "has a port: give the host alone, e.g. localhost";
  }
  return "";
}

}  // namespace

Result<AllowedHosts> AllowedHosts::Parse(const std::vector<std::string>& entries) {
  AllowedHosts list;
  for (const std::string& entry : entries) {
    if (std::string problem = EntryProblem(entry); !problem.empty()) {
      return Status::Error("allowed host \"" + entry + "\" " + problem);
    }
    std::string_view host = entry;
    if (host.front() == '[') {
      host = host.substr(1, host.size() - 2);
    }
    list.hosts_.push_back(AsciiToLower(WithoutTrailingDot(host)));
  }
  return list;
}

bool AllowedHosts::Allows(const char* host_header) const {
  if (hosts_.empty()) {
    return true;
  }
  if (host_header == nullptr) {
    return false;
  }
  std::optional<std::string_view> host = HostPart(TrimSpace(host_header));
  if (!host) {
    return false;
  }
  return std::any_of(hosts_.begin(), hosts_.end(),
                     [&](const std::string& allowed) { return EqualsIgnoreAsciiCase(*host, allowed); });
}

}  // namespace hostwatch
