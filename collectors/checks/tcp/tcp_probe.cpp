#include "collectors/checks/tcp/tcp_probe.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "collectors/checks/dial_run.h"
#include "collectors/checks/tcp/query_response.h"
#include "collectors/core/regex_template.h"
#include "collectors/checks/tcp/tls_client.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = SocketRun::Clock;

// Lines from the peer are logged for /probe?debug=true, cut to this length.
constexpr std::size_t kMaxLoggedLine = 200;

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

class TcpRun final : public DialRun {
 public:
  TcpRun(std::shared_ptr<const TcpModule> module, const std::string& target, std::chrono::milliseconds timeout,
         Clock::time_point now, AddressGuard guard);

 private:
  // Where the current query_response step is.
  enum class StepPart { kExpect, kSend, kStartTls };

  void OnConnected(Clock::time_point now) override;
  void OnHandshakeDone(Clock::time_point now) override {
    EnterStage(Stage::kExchange, now);
    Dialogue(now);
  }
  void Exchange(Clock::time_point now) override { Dialogue(now); }
  const char* ExchangeDoing() const override { return "in query_response"; }

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

  const std::shared_ptr<const TcpModule> module_;
  LineBuffer in_;
  bool eof_ = false;
  std::size_t step_ = 0;
  StepPart part_ = StepPart::kExpect;
  std::string out_;
  std::size_t written_ = 0;
};

TcpRun::TcpRun(std::shared_ptr<const TcpModule> module, const std::string& target, std::chrono::milliseconds timeout,
               Clock::time_point now, AddressGuard guard)
    : DialRun(ProberKind::kTcp, timeout, now, guard), module_(std::move(module)) {
  std::string host;
  std::string port_text;
  std::string why;
  int port = 0;
  if (!SplitHostPort(target, &host, &port_text, &why)) {
    Finish(false, FailureReason::kOther, "target " + why, now);
    return;
  }
  if (!ParsePort(port_text, &port)) {
    Finish(false, FailureReason::kOther, "target has no numeric port", now);
    return;
  }
  Dial(host, port,
       DialSettings{module_->preferred_ip_protocol, module_->ip_protocol_fallback, module_->source_ip_address,
                    SOCK_STREAM},
       now);
}

void TcpRun::OnConnected(Clock::time_point now) {
  Log("Successfully dialed");
  if (module_->tls) {
    return StartTls(module_->tls_config, now);
  }
  EnterStage(Stage::kExchange, now);
  Dialogue(now);
}

// Runs the query_response steps as far as the peer allows without waiting.
void TcpRun::Dialogue(Clock::time_point now) {
  while (stage() == Stage::kExchange) {
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
      return StartTls(module_->tls_config, now);
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
        result().failed_due_to_regex = false;
        for (const ExpectLabel& label : step.labels) {
          result().expect_info.emplace_back(label.name, ExpectLabelValue(re, label.value, groups));
        }
        PrepareSend(RegexTemplate::Compile(step.send, re).Expand(groups));
        return true;
      }
    }
    if (in_.Overflowed()) {
      Finish(false, FailureReason::kProtocol, "a line from the peer is longer than 64 KiB", now);
      return false;
    }
    if (eof_) {
      result().failed_due_to_regex = true;
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
        Finish(false, FailureReason::kProtocol, "reading: " + (tls() ? tls()->error() : std::strerror(errno)), now);
        return false;
    }
  }
}

// Sends what PrepareSend queued. False while waiting or when finished.
bool TcpRun::Send(Clock::time_point now) {
  const TlsClient::Io io = WriteSome(fd(), tls(), out_, &written_);
  if (io == TlsClient::Io::kWantRead || io == TlsClient::Io::kWantWrite) {
    WaitFor(io == TlsClient::Io::kWantRead ? POLLIN : POLLOUT);
    return false;
  }
  if (io != TlsClient::Io::kDone) {
    Finish(false, FailureReason::kProtocol, "sending: " + (tls() ? tls()->error() : std::strerror(errno)), now);
    return false;
  }
  out_.clear();
  return true;
}

TlsClient::Io TcpRun::ReadSome() {
  if (tls() != nullptr) {
    std::string chunk;
    TlsClient::Io io = tls()->Read(&chunk);
    in_.Append(chunk);
    return io;
  }
  char buf[4096];
  const ssize_t n = recv(fd(), buf, sizeof(buf), 0);
  if (n > 0) {
    in_.Append(std::string_view(buf, static_cast<std::size_t>(n)));
    return TlsClient::Io::kDone;
  }
  if (n == 0) {
    return TlsClient::Io::kEof;
  }
  return errno == EAGAIN || errno == EWOULDBLOCK ? TlsClient::Io::kWantRead : TlsClient::Io::kFailed;
}

}  // namespace

std::unique_ptr<SocketRun> StartTcpRun(std::shared_ptr<const TcpModule> module, const std::string& target,
                                       std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                       AddressGuard guard) {
  return std::make_unique<TcpRun>(std::move(module), target, timeout, now, guard);
}

}  // namespace hostwatch
