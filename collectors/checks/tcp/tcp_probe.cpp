#include "collectors/checks/tcp/tcp_probe.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "collectors/checks/address_lookup.h"
#include "collectors/checks/socket_dial.h"
#include "collectors/checks/tcp/query_response.h"
#include "collectors/checks/tcp/tls_client.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = SocketRun::Clock;

// Lines from the peer are logged for /probe?debug=true, cut to this length.
constexpr std::size_t kMaxLoggedLine = 200;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

bool ParsePort(const std::string& text, int* port) {
  if (text.empty() || text.size() > 5) {
    return false;
  }
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  *port = value;
  return value > 0 && value <= 65535;
}

class TcpRun final : public SocketRun {
 public:
  TcpRun(std::shared_ptr<const TcpModule> module, const std::string& target, std::chrono::milliseconds timeout,
         Clock::time_point now, AddressGuard guard);
  ~TcpRun() override {
    tls_.reset();
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  TcpRun(const TcpRun&) = delete;
  TcpRun& operator=(const TcpRun&) = delete;
  TcpRun(TcpRun&&) = delete;
  TcpRun& operator=(TcpRun&&) = delete;

  Wait NextWait() const override { return Wait{stage_ == Stage::kDone ? -1 : wait_fd_, wait_events_, deadline_}; }
  bool Advance(short revents, Clock::time_point now) override;
  ProbeResult TakeResult() override { return std::move(result_); }

 private:
  enum class Stage { kResolve, kConnect, kHandshake, kDialogue, kDone };
  // Where the current query_response step is.
  enum class StepPart { kExpect, kSend, kStartTls };

  void Begin(const std::string& target, Clock::time_point now);
  void OnResolved(Clock::time_point now);
  void Connect(const ResolvedAddress& address, Clock::time_point now);
  void OnConnectReady(Clock::time_point now);
  void StartTls(Clock::time_point now);
  void OnHandshake(Clock::time_point now);
  void Dialogue(Clock::time_point now);
  bool Expect(const QueryResponseStep& step, Clock::time_point now);
  bool Send(Clock::time_point now);
  // Queues line + "\n" (nothing for an empty line, as blackbox) and moves to sending.
  void PrepareSend(std::string line) {
    if (!line.empty()) {
      Log("Sending line (" + std::to_string(line.size() + 1) + " bytes; not shown: it may carry credentials)");
      line += '\n';
    }
    out_ = std::move(line);
    written_ = 0;
    part_ = StepPart::kSend;
  }
  TlsClient::Io ReadSome();
  void WaitFor(short events) {
    wait_fd_ = fd_;
    wait_events_ = events;
  }
  void EnterStage(Stage next, Clock::time_point now);
  void Finish(bool success, FailureReason reason, std::string error, Clock::time_point now);
  void Log(std::string line) { result_.log.push_back(std::move(line)); }

  const std::shared_ptr<const TcpModule> module_;
  const AddressGuard guard_;
  Clock::time_point start_;
  Clock::time_point deadline_;
  Clock::time_point stage_start_;
  Stage stage_ = Stage::kResolve;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<AddressLookup> lookup_;
  int fd_ = -1;
  int wait_fd_ = -1;
  short wait_events_ = 0;
  std::unique_ptr<TlsClient> tls_;
  LineBuffer in_;
  bool eof_ = false;
  std::size_t step_ = 0;
  StepPart part_ = StepPart::kExpect;
  std::string out_;
  std::size_t written_ = 0;
  ProbeResult result_;
};

TcpRun::TcpRun(std::shared_ptr<const TcpModule> module, const std::string& target, std::chrono::milliseconds timeout,
               Clock::time_point now, AddressGuard guard)
    : module_(std::move(module)), guard_(guard), start_(now), deadline_(now + timeout), stage_start_(now) {
  result_.prober = ProberKind::kTcp;
  result_.start_unix = WallClockSeconds();
  result_.timeout_seconds = Seconds(timeout);
  Begin(target, now);
}

void TcpRun::Begin(const std::string& target, Clock::time_point now) {
  std::string port;
  std::string why;
  if (!SplitHostPort(target, &host_, &port, &why)) {
    return Finish(false, FailureReason::kOther, "target " + why, now);
  }
  if (!ParsePort(port, &port_)) {
    return Finish(false, FailureReason::kOther, "target has no numeric port", now);
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

bool TcpRun::Advance(short revents, Clock::time_point now) {
  if (stage_ != Stage::kDone && now >= deadline_) {
    static constexpr const char* kDoing[] = {"resolving", "connecting", "in the TLS handshake", "in query_response"};
    Finish(false, FailureReason::kTimeout, std::string("timeout ") + kDoing[static_cast<int>(stage_)], now);
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
    case Stage::kDialogue:
      Dialogue(now);
      break;
    case Stage::kDone:
      break;
  }
  return stage_ == Stage::kDone;
}

void TcpRun::OnResolved(Clock::time_point now) {
  result_.dns_lookup_seconds = Seconds(now - start_);
  std::string error;
  const ResolvedAddress* chosen = ChooseTarget(*lookup_, host_, module_->preferred_ip_protocol,
                                               module_->ip_protocol_fallback, &result_, &error);
  if (chosen == nullptr) {
    return Finish(false, FailureReason::kDns, error, now);
  }
  if (std::string refused = GuardRefusal(guard_, *chosen, port_, host_); !refused.empty()) {
    return Finish(false, FailureReason::kNotAllowed, refused, now);
  }
  const ResolvedAddress address = *chosen;
  lookup_.reset();
  EnterStage(Stage::kConnect, now);
  Connect(address, now);
}

void TcpRun::Connect(const ResolvedAddress& address, Clock::time_point now) {
  bool in_progress = false;
  std::string error;
  fd_ = StartConnect(address, SOCK_STREAM, module_->source_ip_address, &in_progress, &error);
  if (fd_ < 0) {
    return Finish(false, FailureReason::kConnect, error, now);
  }
  return in_progress ? WaitFor(POLLOUT) : OnConnectReady(now);
}

void TcpRun::OnConnectReady(Clock::time_point now) {
  if (std::string error = ConnectError(fd_); !error.empty()) {
    return Finish(false, FailureReason::kConnect, error, now);
  }
  Log("Successfully dialed");
  if (module_->tls) {
    return StartTls(now);
  }
  EnterStage(Stage::kDialogue, now);
  Dialogue(now);
}

void TcpRun::StartTls(Clock::time_point now) {
  EnterStage(Stage::kHandshake, now);
  result_.tls = TlsFacts{};
  tls_ = std::make_unique<TlsClient>(module_->tls_config, host_, fd_, &result_.tls);
  if (!tls_->ok()) {
    return Finish(false, FailureReason::kTls, tls_->error(), now);
  }
  OnHandshake(now);
}

void TcpRun::OnHandshake(Clock::time_point now) {
  switch (tls_->Handshake()) {
    case TlsClient::Io::kDone:
      Log("TLS handshake succeeded version=" + result_.tls.version);
      result_.ssl = true;
      EnterStage(Stage::kDialogue, now);
      return Dialogue(now);
    case TlsClient::Io::kWantRead:
      return WaitFor(POLLIN);
    case TlsClient::Io::kWantWrite:
      return WaitFor(POLLOUT);
    default:
      return Finish(false, tls_->VerifyFailed() ? FailureReason::kTlsVerify : FailureReason::kTls, tls_->error(), now);
  }
}

// Runs the query_response steps as far as the peer allows without waiting.
void TcpRun::Dialogue(Clock::time_point now) {
  while (stage_ == Stage::kDialogue) {
    if (step_ == module_->query_response.size()) {
      return Finish(true, FailureReason::kNone, "", now);
    }
    const QueryResponseStep& step = module_->query_response[step_];
    if (part_ == StepPart::kExpect && !Expect(step, now)) {
      return;  // waiting for more lines, or finished
    }
    if (part_ == StepPart::kSend && !Send(now)) {
      return;
    }
    ++step_;
    part_ = StepPart::kExpect;
    if (step.starttls) {
      in_.Clear();  // what came in plain text is not read again over TLS (Go starts a new scanner)
      eof_ = false;
      return StartTls(now);
    }
  }
}

// Reads lines until one matches the step's expect; fills out_ with the send.
// False while it must wait for the peer, or when the run finished.
bool TcpRun::Expect(const QueryResponseStep& step, Clock::time_point now) {
  if (!step.expect.re) {
    PrepareSend(step.send);
    return true;
  }
  const re2::RE2& re = *step.expect.re;
  for (;;) {
    while (std::optional<std::string> line = in_.NextLine(eof_)) {
      Log("Read line: " + line->substr(0, kMaxLoggedLine));
      std::vector<std::string_view> groups;
      if (MatchLine(re, *line, &groups)) {
        result_.failed_due_to_regex = false;
        for (const ExpectLabel& label : step.labels) {
          result_.expect_info.emplace_back(label.name, ExpectLabelValue(re, label.value, groups));
        }
        PrepareSend(ExpandSubmatches(re, step.send, groups));
        return true;
      }
    }
    if (in_.Overflowed()) {
      Finish(false, FailureReason::kProtocol, "a line from the peer is longer than 64 KiB", now);
      return false;
    }
    if (eof_) {
      result_.failed_due_to_regex = true;
      Finish(false, FailureReason::kRegex, "no line matched expect before the connection closed", now);
      return false;
    }
    switch (ReadSome()) {
      case TlsClient::Io::kDone:
        continue;
      case TlsClient::Io::kEof:
        eof_ = true;
        continue;
      case TlsClient::Io::kWantRead:
        WaitFor(POLLIN);
        return false;
      case TlsClient::Io::kWantWrite:
        WaitFor(POLLOUT);
        return false;
      case TlsClient::Io::kFailed:
        Finish(false, FailureReason::kProtocol, "reading: " + (tls_ ? tls_->error() : std::strerror(errno)), now);
        return false;
    }
  }
}

// Sends what PrepareSend queued. False while waiting or when finished.
bool TcpRun::Send(Clock::time_point now) {
  const TlsClient::Io io = WriteSome(fd_, tls_.get(), out_, &written_);
  if (io == TlsClient::Io::kWantRead || io == TlsClient::Io::kWantWrite) {
    WaitFor(io == TlsClient::Io::kWantRead ? POLLIN : POLLOUT);
    return false;
  }
  if (io != TlsClient::Io::kDone) {
    Finish(false, FailureReason::kProtocol, "sending: " + (tls_ ? tls_->error() : std::strerror(errno)), now);
    return false;
  }
  out_.clear();
  return true;
}

TlsClient::Io TcpRun::ReadSome() {
  if (tls_) {
    std::string chunk;
    TlsClient::Io io = tls_->Read(&chunk);
    in_.Append(chunk);
    return io;
  }
  char buf[4096];
  const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
  if (n > 0) {
    in_.Append(std::string_view(buf, static_cast<std::size_t>(n)));
    return TlsClient::Io::kDone;
  }
  if (n == 0) {
    return TlsClient::Io::kEof;
  }
  return errno == EAGAIN || errno == EWOULDBLOCK ? TlsClient::Io::kWantRead : TlsClient::Io::kFailed;
}

// Charges the time since the last stage change to the phase of the stage that ends.
void TcpRun::EnterStage(Stage next, Clock::time_point now) {
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
    case Stage::kDialogue:
      result_.phases.processing += spent;
      break;
    case Stage::kDone:
      break;
  }
  stage_ = next;
  stage_start_ = now;
}

void TcpRun::Finish(bool success, FailureReason reason, std::string error, Clock::time_point now) {
  EnterStage(Stage::kDone, now);
  result_.success = success;
  result_.reason = success ? FailureReason::kNone : reason;
  result_.error = std::move(error);
  result_.duration_seconds = Seconds(now - start_);
  if (!success) {
    Log("Probe failed reason=" + std::string(FailureReasonName(reason)) + " err=" + result_.error);
  }
  tls_.reset();
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  lookup_.reset();
  wait_fd_ = -1;
}

}  // namespace

std::unique_ptr<SocketRun> StartTcpRun(std::shared_ptr<const TcpModule> module, const std::string& target,
                                       std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                       AddressGuard guard) {
  return std::make_unique<TcpRun>(std::move(module), target, timeout, now, guard);
}

}  // namespace hostwatch
