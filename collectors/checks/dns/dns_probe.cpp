#include "collectors/checks/dns/dns_probe.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "collectors/checks/dial_run.h"
#include "collectors/checks/dns/dns_message.h"
#include "collectors/checks/dns/dns_verdict.h"
#include "collectors/checks/tcp/tls_client.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = SocketRun::Clock;

// The largest DNS message (a UDP datagram, or a TCP message with its 16-bit length).
constexpr std::size_t kMaxMessage = 65535;

class DnsRun final : public DialRun {
 public:
  DnsRun(std::shared_ptr<const DnsModule> module, const std::string& target, std::chrono::milliseconds timeout,
         Clock::time_point now, AddressGuard guard);

 private:
  void BeforeConnect(const ResolvedAddress& address) override;
  void OnConnected(Clock::time_point now) override {
    return module_->dns_over_tls ? StartTls(module_->tls_config, now) : StartExchange(now);
  }
  void OnHandshakeDone(Clock::time_point now) override { StartExchange(now); }
  void Exchange(Clock::time_point now) override;
  void OnStageEnd(Stage ended, Stage next, Clock::time_point now) override;
  const char* ExchangeDoing() const override { return "waiting for the answer"; }
  std::string TimeoutDetail() const override {
    return ignored_ == 0 ? "" : " (ignored " + std::to_string(ignored_) + " datagram(s): " + ignored_why_ + ")";
  }

  void StartExchange(Clock::time_point now);
  bool Send(Clock::time_point now);
  void ReceiveDatagrams(Clock::time_point now);
  void ReceiveStream(Clock::time_point now);
  void OnResponse(const DnsResponse& response, Clock::time_point now);

  const std::shared_ptr<const DnsModule> module_;
  const DnsQuestion question_;
  const std::uint16_t id_;
  Clock::time_point request_start_;
  std::string out_;  // the query as sent (with its length prefix over TCP)
  std::size_t written_ = 0;
  std::string in_;       // TCP: what came so far
  int ignored_ = 0;      // UDP: datagrams that were not the answer
  std::string ignored_why_;
};

DnsRun::DnsRun(std::shared_ptr<const DnsModule> module, const std::string& target, std::chrono::milliseconds timeout,
               Clock::time_point now, AddressGuard guard)
    : DialRun(ProberKind::kDns, timeout, now, guard),
      module_(std::move(module)),
      question_{module_->query_name, module_->query_type, module_->query_class, module_->recursion_desired},
      id_(static_cast<std::uint16_t>(arc4random() & 0xffff)) {
  std::string host;
  int port = 0;
  std::string why;
  if (!SplitDnsTarget(target, module_->dns_over_tls, &host, &port, &why)) {
    Finish(false, FailureReason::kOther, "target: " + why, now);
    return;
  }
  // A UDP socket is connected too: the kernel then drops datagrams from any other address.
  Dial(host, port,
       DialSettings{module_->preferred_ip_protocol, module_->ip_protocol_fallback, module_->source_ip_address,
                    module_->tcp ? SOCK_STREAM : SOCK_DGRAM},
       now);
}

void DnsRun::BeforeConnect(const ResolvedAddress& address) {
  result().dns.resolve_seconds = result().dns_lookup_seconds;
  Log(std::string("Making DNS query target=") + (address.family == AF_INET6 ? "[" + address.text + "]" : address.text) +
      ":" + std::to_string(port()) + " transport=" + (module_->tcp ? "tcp" : "udp") +
      (module_->dns_over_tls ? "-tls" : "") + " query=" + module_->query_name);
}

// blackbox's connect phase is the dial, TLS included; its request phase the exchange.
void DnsRun::OnStageEnd(Stage ended, Stage, Clock::time_point now) {
  if (ended == Stage::kConnect || ended == Stage::kHandshake) {
    result().dns.connect_seconds = std::chrono::duration<double>(now - connect_start()).count();
  } else if (ended == Stage::kExchange) {
    result().dns.request_seconds = std::chrono::duration<double>(now - request_start_).count();
  }
}

void DnsRun::StartExchange(Clock::time_point now) {
  EnterStage(Stage::kExchange, now);
  request_start_ = now;
  out_ = BuildDnsQuery(question_, id_);
  if (module_->tcp) {
    const std::size_t n = out_.size();
    out_.insert(0, std::string{static_cast<char>(n >> 8), static_cast<char>(n & 0xff)});
  }
  Exchange(now);
}

void DnsRun::Exchange(Clock::time_point now) {
  if (written_ < out_.size() && !Send(now)) {
    return;
  }
  return module_->tcp ? ReceiveStream(now) : ReceiveDatagrams(now);
}

// Sends what is left of out_. False while waiting or when finished.
bool DnsRun::Send(Clock::time_point now) {
  const TlsClient::Io io = WriteSome(fd(), tls(), out_, &written_);
  if (io == TlsClient::Io::kWantRead || io == TlsClient::Io::kWantWrite) {
    WaitFor(io == TlsClient::Io::kWantRead ? POLLIN : POLLOUT);
    return false;
  }
  if (io != TlsClient::Io::kDone) {
    const bool refused = tls() == nullptr && errno == ECONNREFUSED;  // UDP: an earlier ICMP port unreachable
    Finish(false, refused ? FailureReason::kConnect : FailureReason::kProtocol,
           "sending the query: " + (tls() ? tls()->error() : std::strerror(errno)), now);
    return false;
  }
  return true;
}

// UDP: reads every datagram there is; the first that answers our query ends the run.
void DnsRun::ReceiveDatagrams(Clock::time_point now) {
  std::string buf(kMaxMessage, '\0');
  for (;;) {
    const ssize_t n = recv(fd(), buf.data(), buf.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return WaitFor(POLLIN);
    }
    if (n < 0) {  // ECONNREFUSED: an ICMP port unreachable came back
      return Finish(false, FailureReason::kConnect, std::string("reading the answer: ") + std::strerror(errno), now);
    }
    DnsResponse response;
    std::string why;
    if (ParseDnsResponse(std::string_view(buf.data(), static_cast<std::size_t>(n)), question_, id_, &response,
                         &why) == DnsParse::kOk) {
      return OnResponse(response, now);
    }
    ++ignored_;
    ignored_why_ = why;
    Log("Ignored a datagram: " + why);
  }
}

// TCP and TLS: a 2-byte length, then the answer; anything else fails the run.
void DnsRun::ReceiveStream(Clock::time_point now) {
  for (;;) {
    if (in_.size() >= 2) {
      const std::size_t len = (static_cast<unsigned char>(in_[0]) << 8) | static_cast<unsigned char>(in_[1]);
      if (in_.size() >= 2 + len) {
        DnsResponse response;
        std::string why;
        if (ParseDnsResponse(std::string_view(in_).substr(2, len), question_, id_, &response, &why) != DnsParse::kOk) {
          return Finish(false, FailureReason::kProtocol, why, now);
        }
        return OnResponse(response, now);
      }
    }
    TlsClient::Io io = TlsClient::Io::kDone;
    if (tls() != nullptr) {
      io = tls()->Read(&in_);
    } else {
      char buf[4096];
      const ssize_t n = recv(fd(), buf, sizeof(buf), 0);
      if (n > 0) {
        in_.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0) {
        io = TlsClient::Io::kEof;
      } else {
        io = errno == EAGAIN || errno == EWOULDBLOCK ? TlsClient::Io::kWantRead : TlsClient::Io::kFailed;
      }
    }
    if (io == TlsClient::Io::kWantRead || io == TlsClient::Io::kWantWrite) {
      return WaitFor(io == TlsClient::Io::kWantRead ? POLLIN : POLLOUT);
    }
    if (io == TlsClient::Io::kEof || io == TlsClient::Io::kFailed) {
      const std::string why = io == TlsClient::Io::kEof ? "the connection closed before the answer"
                                                          : (tls() ? tls()->error() : std::strerror(errno));
      return Finish(false, FailureReason::kProtocol, "reading the answer: " + why, now);
    }
  }
}

void DnsRun::OnResponse(const DnsResponse& response, Clock::time_point now) {
  DnsFacts& f = result().dns;
  f.query_succeeded = true;
  f.answer_rrs = static_cast<int>(response.answer.size());
  f.authority_rrs = static_cast<int>(response.authority.size());
  f.additional_rrs = static_cast<int>(response.additional.size());
  if (module_->query_type == 6) {  // SOA: blackbox shows probe_dns_serial (0 without an SOA answer)
    f.has_serial = true;
    f.serial = response.soa_serial ? static_cast<double>(*response.soa_serial) : 0;
  }
  Log("Got response rcode=" + std::to_string(response.rcode) + " answer=" + std::to_string(f.answer_rrs) +
      " authority=" + std::to_string(f.authority_rrs) + " additional=" + std::to_string(f.additional_rrs));
  for (const auto* section : {&response.answer, &response.authority, &response.additional}) {
    for (const std::string& rr : *section) {
      Log("RR: " + rr);
    }
  }
  const DnsVerdict verdict = JudgeDnsResponse(*module_, response);
  Finish(verdict.success, verdict.reason, verdict.error, now);
}

}  // namespace

std::unique_ptr<SocketRun> StartDnsRun(std::shared_ptr<const DnsModule> module, const std::string& target,
                                       std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                       AddressGuard guard) {
  return std::make_unique<DnsRun>(std::move(module), target, timeout, now, guard);
}

}  // namespace hostwatch
