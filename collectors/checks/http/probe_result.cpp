#include "collectors/checks/http/probe_result.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

namespace hostwatch {
namespace {

const char* const kReasonNames[kFailureReasonCount] = {"none",          "dns",          "connect",
                                                       "tls",           "tls_verify",   "timeout",
                                                       "status_code",   "regex",        "body_too_large",
                                                       "redirect_loop", "http_version", "ssl_required",
                                                       "ssl_forbidden", "not_serving",  "grpc_status",
                                                       "protocol",      "target_not_allowed",
                                                       "other"};

double MicrosToSeconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }

}  // namespace

const char* FailureReasonName(FailureReason r) { return kReasonNames[static_cast<int>(r)]; }

PhaseDurations& PhaseDurations::operator+=(const PhaseDurations& o) {
  resolve += o.resolve;
  connect += o.connect;
  tls += o.tls;
  processing += o.processing;
  transfer += o.transfer;
  return *this;
}

double PhaseValue(const PhaseDurations& p, int index) {
  switch (index) {
    case 0:
      return p.resolve;
    case 1:
      return p.connect;
    case 2:
      return p.tls;
    case 3:
      return p.processing;
    default:
      return p.transfer;
  }
}

PhaseDurations PhasesFromMarks(const CurlMarks& m, bool tls) {
  // Cut points in phase order; a phase ends at its mark. Each phase gets the
  // time since the previous cut; the first unreached mark gets the rest.
  const std::int64_t total = std::max<std::int64_t>(m.total, 0);
  std::int64_t us[5] = {0, 0, 0, 0, 0};
  const std::int64_t marks[4] = {m.namelookup, m.connect, tls ? m.appconnect : -1, m.starttransfer};
  std::int64_t prev = 0;
  int phase = 0;
  for (; phase < 4; ++phase) {
    if (marks[phase] == -1) {
      continue;  // no TLS on this hop: the tls phase stays 0
    }
    std::int64_t mark = std::min(marks[phase], total);
    if (mark <= 0 || mark < prev) {
      break;  // not reached (or out of order): this phase was in progress at the end
    }
    us[phase] = mark - prev;
    prev = mark;
  }
  us[phase] += total - prev;
  PhaseDurations p;
  p.resolve = MicrosToSeconds(us[0]);
  p.connect = MicrosToSeconds(us[1]);
  p.tls = MicrosToSeconds(us[2]);
  p.processing = MicrosToSeconds(us[3]);
  p.transfer = MicrosToSeconds(us[4]);
  return p;
}

CurlMarks WithTcpConnectMark(CurlMarks m, std::int64_t tcp_connected_us) {
  if (m.connect > 0 || tcp_connected_us <= 0) {
    return m;
  }
  m.connect = std::max<std::int64_t>({tcp_connected_us, m.namelookup, 1});
  if (m.total > 0) {
    m.connect = std::min(m.connect, m.total);
  }
  return m;
}

std::uint32_t IpAddrHash(const std::string& ip) {
  unsigned char bytes[16];
  int len = 0;
  if (inet_pton(AF_INET, ip.c_str(), bytes) == 1) {
    len = 4;
  } else if (inet_pton(AF_INET6, ip.c_str(), bytes) == 1) {
    len = 16;
  } else {
    return 0;
  }
  std::uint32_t hash = 2166136261u;  // FNV-1a 32, as Go's hash/fnv New32a
  for (int i = 0; i < len; ++i) {
    hash ^= bytes[i];
    hash *= 16777619u;
  }
  return hash;
}

void SetResolvedAddress(ProbeResult* result, int family, const std::string& ip) {
  result->resolved = true;
  result->ip_protocol = family == AF_INET6 ? 6 : 4;
  result->ip_addr_hash = IpAddrHash(ip);
}

}  // namespace hostwatch
