// AllowedHosts: the --web.allowed-hosts list, which names the server answers to (DNS rebinding).
//
// A web page on attacker.example can make its own name resolve to 127.0.0.1 after it has loaded,
// and the browser then sends the page's requests to the agent, with `Host: attacker.example`, and
// lets the page read the answers. The agent answers only the Host names in this list (421
// Misdirected Request otherwise, on every route), so the page reads nothing. Empty list: any Host
// is answered (no list given, as before the flag existed).
//
// Entries are host names or IP addresses without a port: `localhost`, `metrics.example.org`,
// `192.0.2.7`, `::1` or `[::1]`. The port of the Host header is ignored (the listener decides the
// port), names compare ignoring ASCII case and one trailing dot (`example.org.` is the same name).
// IPv6 addresses compare as written, so list them as clients write them.
//
// Immutable after Parse; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

class AllowedHosts {
 public:
  // The empty list: every Host is allowed.
  AllowedHosts() = default;

  // Parses the flag values. Error naming the entry and the reason when one is empty, has a comma
  // (the flag is repeatable), a port, a character no host name has, or an unclosed '['.
  static Result<AllowedHosts> Parse(const std::vector<std::string>& entries);

  bool empty() const { return hosts_.empty(); }

  // True when the list is empty, or when host_header (a Host header value: host, host:port,
  // [v6] or [v6]:port) names a listed host. A missing or malformed Host header (pass nullptr for
  // a missing or repeated one) is allowed only by the empty list.
  bool Allows(const char* host_header) const;

 private:
  std::vector<std::string> hosts_;  // lower case, without brackets or a trailing dot
};

}  // namespace hostwatch
