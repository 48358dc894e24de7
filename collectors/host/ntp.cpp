#include "collectors/host/ntp.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace hostwatch {
namespace {

MetricDesc Ntp(const char* name, const char* help) { return {std::string("node_ntp_") + name, help, MetricType::Gauge, {}}; }

const MetricDesc kStratum = Ntp("stratum", "NTPD stratum.");
const MetricDesc kLeap = Ntp("leap", "NTPD leap second indicator, 2 bits.");
const MetricDesc kRtt = Ntp("rtt_seconds", "RTT to NTPD.");
const MetricDesc kOffset = Ntp("offset_seconds", "ClockOffset between NTP and local clock.");
const MetricDesc kReferenceTime = Ntp("reference_timestamp_seconds", "NTPD ReferenceTime, UNIX timestamp.");
const MetricDesc kRootDelay = Ntp("root_delay_seconds", "NTPD RootDelay.");
const MetricDesc kRootDispersion = Ntp("root_dispersion_seconds", "NTPD RootDispersion.");
const MetricDesc kSanity = Ntp("sanity", "NTPD sanity according to RFC5905 heuristics and configured limits.");

// Upstream's fixed query timeout ("default `ntpdate` timeout"), well inside the default
// --scrape.collector-timeout (8 s): a silent server fails the collector, not the scrape.
constexpr std::chrono::milliseconds kQueryTimeout{1000};

constexpr StringOption kServer{"ntp", "server", "127.0.0.1", "NTP server to use for ntp collector"};
constexpr IntOption kServerPort{"ntp", "server-port", 123, "UDP port number to connect to on NTP server"};
constexpr IntOption kProtocolVersion{"ntp", "protocol-version", 4, "NTP protocol version"};
constexpr BoolOption kServerIsLocal{"ntp", "server-is-local", false,
                                    "Certify that collector.ntp.server address is not a public ntp server"};
constexpr IntOption kIpTtl{"ntp", "ip-ttl", 1, "IP TTL to use while sending NTP query"};
// Upstream's default is 3.46608s (1.5 s + PHI * 2^17); options hold milliseconds.
constexpr DurationOption kMaxDistance{"ntp", "max-distance", std::chrono::milliseconds(3466),
                                      "Max accumulated distance to the root"};
constexpr DurationOption kOffsetTolerance{"ntp", "local-offset-tolerance", std::chrono::milliseconds(1),
                                          "Offset between local clock and local ntpd time to tolerate"};

struct NtpSettings {
  std::string host;
  std::string port;
  int version = 4;
  int ttl = 1;
  std::chrono::milliseconds timeout{1000};
  std::chrono::nanoseconds max_distance{0};
  std::chrono::nanoseconds tolerance{0};
};

// Go's net.ParseIP(s).IsLoopback(): 127.0.0.0/8 (also IPv4-mapped) or ::1.
bool IsLoopbackLiteral(const std::string& s) {
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) {
    return false;
  }
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    return v6.s6_addr[12] == 127;
  }
  return IN6_IS_ADDR_LOOPBACK(&v6);
}

// Host and port of the server as upstream reads it: "[v6]", "[v6]:port", "host", "host:port",
// or a bare IPv6 address; the default port where none is given.
Result<std::pair<std::string, std::string>> SplitServer(const std::string& address, long long default_port) {
  const std::string port = std::to_string(default_port);
  if (address.empty()) {
    return Status::Error("address string is empty");
  }
  if (address[0] == '[') {
    const std::size_t end = address.find(']');
    if (end == std::string::npos) {
      return Status::Error("missing ']' in address");
    }
    if (end + 1 == address.size()) {
      return std::pair{address.substr(1, end - 1), port};
    }
    if (address[end + 1] != ':') {
      return Status::Error("unexpected character following ']' in address");
    }
    return std::pair{address.substr(1, end - 1), address.substr(end + 2)};
  }
  const std::size_t last = address.rfind(':');
  if (last == std::string::npos) {
    return std::pair{address, port};
  }
  if (address.rfind(':', last - 1) == std::string::npos || last == 0) {
    return std::pair{address.substr(0, last), address.substr(last + 1)};
  }
  return std::pair{address, port};  // a bare IPv6 address
}

std::int64_t NowUnixNanos() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// A UDP socket connected to the server, with the TTL set; upstream prefers IPv4 for a name.
Result<int> ConnectUdp(const NtpSettings& s) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(s.host.c_str(), s.port.c_str(), &hints, &found); rc != 0) {
    return Status::Error("resolving " + s.host + ": " + gai_strerror(rc));
  }
  const addrinfo* ai = found;
  for (const addrinfo* p = found; p != nullptr; p = p->ai_next) {
    if (p->ai_family == AF_INET) {
      ai = p;
      break;
    }
  }
  int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  Status error;
  if (fd < 0) {
    error = Status::FromErrno(errno, "socket");
  } else if (s.ttl != 0 && (ai->ai_family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_TTL, &s.ttl, sizeof s.ttl)
                                                     : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &s.ttl,
                                                                  sizeof s.ttl)) != 0) {
    error = Status::FromErrno(errno, "setting IP TTL " + std::to_string(s.ttl));
  } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    error = Status::FromErrno(errno, "connect");
  }
  freeaddrinfo(found);
  if (!error.ok()) {
    if (fd >= 0) {
      close(fd);
    }
    return error;
  }
  return fd;
}

// One request and its reply on a connected socket, within s.timeout. A refusal (ICMP port
// unreachable: nothing listens there) is NoData: this host runs no NTP server to watch.
Result<std::string> Exchange(int fd, const NtpSettings& s, NtpTimestamp nonce, std::int64_t* sent_ns) {
  const auto request = BuildNtpRequest(s.version, nonce);
  const auto deadline = std::chrono::steady_clock::now() + s.timeout;
  *sent_ns = NowUnixNanos();
  if (send(fd, request.data(), request.size(), 0) < 0) {
    return Status::FromErrno(errno, "send");
  }
  char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n >= 0) {
      return std::string(buf, static_cast<std::size_t>(n));
    }
    if (errno == ECONNREFUSED) {
      return Status::NoData("no NTP server answers at " + s.host + " port " + s.port + " (connection refused)",
                            ECONNREFUSED);
    }
    if (errno != EAGAIN && errno != EINTR) {
      return Status::FromErrno(errno, "recv");
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Error("no reply from " + s.host + " port " + s.port + " within " + FormatDuration(s.timeout));
    }
    pollfd p{fd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(left.count()) + 1);
  }
}

class NtpCollector : public Collector {
 public:
  explicit NtpCollector(NtpSettings settings) : s_(std::move(settings)) {}

  Status Collect(MetricSink& sink) override {
    NtpTimestamp nonce = 0;
    if (getrandom(&nonce, sizeof nonce, 0) != static_cast<ssize_t>(sizeof nonce)) {
      return Status::FromErrno(errno, "getrandom");
    }
    Result<int> fd = ConnectUdp(s_);
    if (!fd.ok()) {
      return Prefixed(fd.status());
    }
    std::int64_t sent_ns = 0;
    Result<std::string> bytes = Exchange(fd.value(), s_, nonce, &sent_ns);
    close(fd.value());
    const std::int64_t received_ns = std::max(NowUnixNanos(), sent_ns);
    if (!bytes.ok()) {
      return Prefixed(bytes.status());
    }
    std::uint64_t parse_errors = 0;
    std::optional<NtpPacket> reply = ParseNtpPacket(bytes.value(), &parse_errors);
    sink.CountParseError(parse_errors);
    if (!reply) {
      return Status::Error("couldn't get SNTP reply: a reply of " + std::to_string(bytes.value().size()) +
                           " bytes is shorter than an NTP header");
    }
    if (std::string problem = NtpReplyProblem(*reply, nonce); !problem.empty()) {
      return Status::Error("couldn't get SNTP reply: " + problem);
    }
    Add(sink, EvaluateNtp(*reply, UnixNanosToNtp(sent_ns), UnixNanosToNtp(received_ns)));
    return Status::OK();
  }

 private:
  static Status Prefixed(const Status& s) {
    const std::string message = "couldn't get SNTP reply: " + s.message();
    return s.no_data() ? Status::NoData(message, s.sys_errno()) : Status::Error(message);
  }

  void Add(MetricSink& sink, const NtpResponse& r) {
    sink.Add(kStratum, r.stratum);
    sink.Add(kLeap, r.leap);
    sink.Add(kRtt, NanosToSeconds(r.rtt_ns));
    sink.Add(kOffset, NanosToSeconds(r.offset_ns));
    // Upstream exports 0 for a reference time before 1970, which its era rule never yields.
    sink.Add(kReferenceTime, r.reference_unix_ns > 0 ? static_cast<double>(r.reference_unix_ns) / 1e9 : 0);
    sink.Add(kRootDelay, NanosToSeconds(r.root_delay_ns));
    sink.Add(kRootDispersion, NanosToSeconds(r.root_dispersion_ns));
    sink.Add(kSanity, NtpSane(r, s_.max_distance, s_.tolerance, &leap_midnight_) ? 1 : 0);
  }

  const NtpSettings s_;
  // Midnight of the last announced leap second (upstream keeps it process-wide).
  std::optional<std::int64_t> leap_midnight_;
};

// The settings, checked as upstream checks them when the collector is built.
Result<NtpSettings> Settings(const CollectorContext& ctx) {
  const std::string server = ctx.options.Get(kServer);
  if (!ctx.options.Get(kServerIsLocal) && !IsLoopbackLiteral(server)) {
    return Status::Error("only IP address of local NTP server is valid for --collector.ntp.server");
  }
  NtpSettings s;
  s.version = static_cast<int>(ctx.options.Get(kProtocolVersion));
  if (s.version < 2 || s.version > 4) {
    return Status::Error("invalid NTP protocol version " + std::to_string(s.version) + "; must be 2, 3, or 4");
  }
  const long long port = ctx.options.Get(kServerPort);
  if (port < 1 || port > 65535) {
    return Status::Error("invalid NTP port number " + std::to_string(port) + "; must be between 1 and 65535 inclusive");
  }
  Result<std::pair<std::string, std::string>> host_port = SplitServer(server, port);
  if (!host_port.ok()) {
    return Status::Error("--collector.ntp.server " + server + ": " + host_port.status().message());
  }
  s.host = host_port.value().first;
  s.port = host_port.value().second;
  s.ttl = static_cast<int>(std::min<long long>(ctx.options.Get(kIpTtl), 1 << 30));
  s.timeout = kQueryTimeout;
  s.max_distance = ctx.options.Get(kMaxDistance);
  s.tolerance = ctx.options.Get(kOffsetTolerance);
  return s;
}

}  // namespace

CollectorSpec NtpCollectorSpec() {
  return {"ntp",
          false,
          "Queries the local NTP server once per scrape (SNTP) and exports node_ntp_* (offset, RTT, stratum, "
          "root delay and dispersion, sanity). Deprecated upstream.",
          {kServer.Spec(), kServerPort.Spec(), kProtocolVersion.Spec(), kServerIsLocal.Spec(), kIpTtl.Spec(),
           kMaxDistance.Spec(), kOffsetTolerance.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<NtpSettings> s = Settings(ctx);
            if (!s.ok()) {
              return s.status();
            }
            return CollectorPtr(std::make_unique<NtpCollector>(std::move(s).value()));
          }};
}

}  // namespace hostwatch
