#include "collectors/checks/dns/dns_probe.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "collectors/checks/address_lookup.h"
#include "collectors/checks/socket_dial.h"
#include "collectors/checks/dns/dns_message.h"
#include "collectors/checks/dns/dns_verdict.h"
#include "collectors/checks/tcp/tls_client.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = SocketRun::Clock;

// The largest DNS message (a UDP datagram, or a TCP message with its 16-bit length).
constexpr std::size_t kMaxMessage = 65535;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class DnsRun final : public SocketRun {
 public:
  DnsRun(std::shared_ptr<const DnsModule> module, const std::string& target, std::chrono::milliseconds timeout,
         Clock::time_point now, AddressGuard guard);
  ~DnsRun() override { Close(); }
  DnsRun(const DnsRun&) = delete;
  DnsRun& operator=(const DnsRun&) = delete;
  DnsRun(DnsRun&&) = delete;
  DnsRun& operator=(DnsRun&&) = delete;

  Wait NextWait() const override { return Wait{stage_ == Stage::kDone ? -1 : wait_fd_, wait_events_, deadline_}; }
  bool Advance(short revents, Clock::time_point now) override;
  ProbeResult TakeResult() override { return std::move(result_); }

 private:
  enum class Stage { kResolve, kConnect, kHandshake, kExchange, kDone };

  void Begin(const std::string& target, Clock::time_point now);
  void OnResolved(Clock::time_point now);
  void Connect(const ResolvedAddress& address, Clock::time_point now);
  void OnConnectReady(Clock::time_point now);
  void OnHandshake(Clock::time_point now);
  void StartExchange(Clock::time_point now);
  void Exchange(Clock::time_point now);
  bool Send(Clock::time_point now);
  void ReceiveDatagrams(Clock::time_point now);
  void ReceiveStream(Clock::time_point now);
  void OnResponse(const DnsResponse& response, Clock::time_point now);
  void WaitFor(short events) {
    wait_fd_ = fd_;
    wait_events_ = events;
  }
  void EnterStage(Stage next, Clock::time_point now);
  void Finish(bool success, FailureReason reason, std::string error, Clock::time_point now);
  void Log(std::string line) { result_.log.push_back(std::move(line)); }
  void Close() {
    tls_.reset();
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

  const std::shared_ptr<const DnsModule> module_;
  const AddressGuard guard_;
  const DnsQuestion question_;
  const std::uint16_t id_;
  Clock::time_point start_;
  Clock::time_point deadline_;
  Clock::time_point stage_start_;
  Clock::time_point dial_start_;
  Clock::time_point request_start_;
  Stage stage_ = Stage::kResolve;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<AddressLookup> lookup_;
  int fd_ = -1;
  int wait_fd_ = -1;
  short wait_events_ = 0;
  std::unique_ptr<TlsClient> tls_;
  std::string out_;  // the query as sent (with its length prefix over TCP)
  std::size_t written_ = 0;
  std::string in_;       // TCP: what came so far
  int ignored_ = 0;      // UDP: datagrams that were not the answer
  std::string ignored_why_;
  ProbeResult result_;
};

DnsRun::DnsRun(std::shared_ptr<const DnsModule> module, const std::string& target, std::chrono::milliseconds timeout,
               Clock::time_point now, AddressGuard guard)
    : module_(std::move(module)),
      guard_(guard),
      question_{module_->query_name, module_->query_type, module_->query_class, module_->recursion_desired},
      id_(static_cast<std::uint16_t>(arc4random() & 0xffff)),
      start_(now),
      deadline_(now + timeout),
      stage_start_(now) {
  result_.prober = ProberKind::kDns;
  result_.start_unix = WallClockSeconds();
  result_.timeout_seconds = Seconds(timeout);
  Begin(target, now);
}

void DnsRun::Begin(const std::string& target, Clock::time_point now) {
  std::string why;
  if (!SplitDnsTarget(target, module_->dns_over_tls, &host_, &port_, &why)) {
    return Finish(false, FailureReason::kOther, "target: " + why, now);
  }
  Log("Resolving target address ip_protocol=" + module_->preferred_ip_protocol);
  lookup_ = std::make_unique<AddressLookup>(
      host_, LookupFamily(module_->preferred_ip_protocol, module_->ip_protocol_fallback), port_);
  wait_fd_ = lookup_->WaitFd();
  wait_events_ = POLLIN;
  if (lookup_->Done()) {
    OnResolved(now);
  }
}

bool DnsRun::Advance(short revents, Clock::time_point now) {
  if (stage_ != Stage::kDone && now >= deadline_) {
    static constexpr const char* kDoing[] = {"resolving", "connecting", "in the TLS handshake",
                                             "waiting for the answer"};
    std::string error = std::string("timeout ") + kDoing[static_cast<int>(stage_)];
    if (ignored_ > 0) {
      error += " (ignored " + std::to_string(ignored_) + " datagram(s): " + ignored_why_ + ")";
    }
    Finish(false, FailureReason::kTimeout, std::move(error), now);
    return true;
  }
  switch (stage_) {
    case Stage::kResolve:
      if (lookup_->Done()) {
        OnResolved(now);
      }
      break;
    case Stage::kConnect:
      if (revents != 0) {
        OnConnectReady(now);
      }
      break;
    case Stage::kHandshake:
      OnHandshake(now);
      break;
    case Stage::kExchange:
      Exchange(now);
      break;
    case Stage::kDone:
      break;
  }
  return stage_ == Stage::kDone;
}

void DnsRun::OnResolved(Clock::time_point now) {
  result_.dns_lookup_seconds = Seconds(now - start_);
  std::string error;
  const ResolvedAddress* chosen = ChooseTarget(*lookup_, host_, module_->preferred_ip_protocol,
                                               module_->ip_protocol_fallback, &result_, &error);
  if (chosen == nullptr) {
    return Finish(false, FailureReason::kDns, error, now);
  }
  result_.dns.resolve_seconds = result_.dns_lookup_seconds;
  if (std::string refused = GuardRefusal(guard_, *chosen, port_, host_); !refused.empty()) {
    return Finish(false, FailureReason::kNotAllowed, refused, now);
  }
  const ResolvedAddress address = *chosen;
  lookup_.reset();
  EnterStage(Stage::kConnect, now);
  dial_start_ = now;
  Connect(address, now);
}

void DnsRun::Connect(const ResolvedAddress& address, Clock::time_point now) {
  Log(std::string("Making DNS query target=") + (address.family == AF_INET6 ? "[" + address.text + "]" : address.text) +
      ":" + std::to_string(port_) + " transport=" + (module_->tcp ? "tcp" : "udp") +
      (module_->dns_over_tls ? "-tls" : "") + " query=" + module_->query_name);
  // A UDP socket is connected too: the kernel then drops datagrams from any other address.
  bool in_progress = false;
  std::string error;
  fd_ = StartConnect(address, module_->tcp ? SOCK_STREAM : SOCK_DGRAM, module_->source_ip_address, &in_progress,
                     &error);
  if (fd_ < 0) {
    return Finish(false, FailureReason::kConnect, error, now);
  }
  return in_progress ? WaitFor(POLLOUT) : OnConnectReady(now);
}

void DnsRun::OnConnectReady(Clock::time_point now) {
  if (std::string error = ConnectError(fd_); !error.empty()) {
    return Finish(false, FailureReason::kConnect, error, now);
  }
  if (!module_->dns_over_tls) {
    return StartExchange(now);
  }
  EnterStage(Stage::kHandshake, now);
  result_.tls = TlsFacts{};
  tls_ = std::make_unique<TlsClient>(module_->tls_config, host_, fd_, &result_.tls);
  if (!tls_->ok()) {
    return Finish(false, FailureReason::kTls, tls_->error(), now);
  }
  OnHandshake(now);
}

void DnsRun::OnHandshake(Clock::time_point now) {
  switch (tls_->Handshake()) {
    case TlsClient::Io::kDone:
      Log("TLS handshake succeeded version=" + result_.tls.version);
      result_.ssl = true;
      return StartExchange(now);
    case TlsClient::Io::kWantRead:
      return WaitFor(POLLIN);
    case TlsClient::Io::kWantWrite:
      return WaitFor(POLLOUT);
    default:
      return Finish(false, tls_->VerifyFailed() ? FailureReason::kTlsVerify : FailureReason::kTls, tls_->error(), now);
  }
}

void DnsRun::StartExchange(Clock::time_point now) {
  result_.dns.connect_seconds = Seconds(now - dial_start_);  // blackbox: the dial, TLS included
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
  const TlsClient::Io io = WriteSome(fd_, tls_.get(), out_, &written_);
  if (io == TlsClient::Io::kWantRead || io == TlsClient::Io::kWantWrite) {
    WaitFor(io == TlsClient::Io::kWantRead ? POLLIN : POLLOUT);
    return false;
  }
  if (io != TlsClient::Io::kDone) {
    const bool refused = !tls_ && errno == ECONNREFUSED;  // UDP: an earlier ICMP port unreachable
    Finish(false, refused ? FailureReason::kConnect : FailureReason::kProtocol,
           "sending the query: " + (tls_ ? tls_->error() : std::strerror(errno)), now);
    return false;
  }
  return true;
}

// UDP: reads every datagram there is; the first that answers our query ends the run.
void DnsRun::ReceiveDatagrams(Clock::time_point now) {
  std::string buf(kMaxMessage, '\0');
  for (;;) {
    const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
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
    if (tls_) {
      io = tls_->Read(&in_);
    } else {
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
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
                                                          : (tls_ ? tls_->error() : std::strerror(errno));
      return Finish(false, FailureReason::kProtocol, "reading the answer: " + why, now);
    }
  }
}

void DnsRun::OnResponse(const DnsResponse& response, Clock::time_point now) {
  DnsFacts& f = result_.dns;
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

// Charges the time since the last stage change to the phase of the stage that ends.
void DnsRun::EnterStage(Stage next, Clock::time_point now) {
  const double spent = Seconds(now - stage_start_);
  switch (stage_) {
    case Stage::kResolve:
      result_.phases.resolve += spent;
      break;
    case Stage::kConnect:
      result_.phases.connect += spent;
      break;
    case Stage::kHandshake:
      result_.phases.tls += spent;
      break;
    case Stage::kExchange:
      result_.phases.processing += spent;
      result_.dns.request_seconds = Seconds(now - request_start_);
      break;
    case Stage::kDone:
      break;
  }
  stage_ = next;
  stage_start_ = now;
}

void DnsRun::Finish(bool success, FailureReason reason, std::string error, Clock::time_point now) {
  if (stage_ == Stage::kConnect || stage_ == Stage::kHandshake) {
    result_.dns.connect_seconds = Seconds(now - dial_start_);
  }
  EnterStage(Stage::kDone, now);
  result_.success = success;
  result_.reason = success ? FailureReason::kNone : reason;
  result_.error = std::move(error);
  result_.duration_seconds = Seconds(now - start_);
  if (!success) {
    Log("Probe failed reason=" + std::string(FailureReasonName(reason)) + " err=" + result_.error);
  }
  Close();
  lookup_.reset();
  wait_fd_ = -1;
}

}  // namespace

std::unique_ptr<SocketRun> StartDnsRun(std::shared_ptr<const DnsModule> module, const std::string& target,
                                       std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                       AddressGuard guard) {
  return std::make_unique<DnsRun>(std::move(module), target, timeout, now, guard);
}

}  // namespace hostwatch
