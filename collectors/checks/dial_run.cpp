#include "collectors/checks/dial_run.h"

#include <poll.h>
#include <unistd.h>

#include <utility>

#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

double Seconds(SocketRun::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

DialRun::DialRun(ProberKind prober, std::chrono::milliseconds timeout, Clock::time_point now, AddressGuard guard)
    : guard_(guard), start_(now), deadline_(now + timeout), stage_start_(now) {
  result_.prober = prober;
  result_.start_unix = WallClockSeconds();
  result_.timeout_seconds = Seconds(timeout);
}

void DialRun::Dial(const std::string& host, int port, DialSettings settings, Clock::time_point now) {
  host_ = host;
  port_ = port;
  settings_ = std::move(settings);
  Log("Resolving target address ip_protocol=" + settings_.preferred_ip_protocol);
  lookup_ = std::make_unique<AddressLookup>(
      host_, LookupFamily(settings_.preferred_ip_protocol, settings_.ip_protocol_fallback), port_);
  wait_fd_ = lookup_->WaitFd();
  wait_events_ = POLLIN;
  if (lookup_->Done()) {
    OnResolved(now);
  }
}

bool DialRun::Advance(short revents, Clock::time_point now) {
  if (stage_ != Stage::kDone && now >= deadline_) {
    static constexpr const char* kDoing[] = {"resolving", "connecting", "in the TLS handshake"};
    const int i = static_cast<int>(stage_);
    std::string error = std::string("timeout ") + (stage_ == Stage::kExchange ? ExchangeDoing() : kDoing[i]);
    Finish(false, FailureReason::kTimeout, error + TimeoutDetail(), now);
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

void DialRun::OnResolved(Clock::time_point now) {
  result_.dns_lookup_seconds = Seconds(now - start_);
  std::string error;
  FailureReason reason = FailureReason::kNone;
  const ResolvedAddress* chosen = ChooseAllowedTarget(*lookup_, host_, port_, settings_.preferred_ip_protocol,
                                                      settings_.ip_protocol_fallback, guard_, &result_, &reason, &error);
  if (chosen == nullptr) {
    return Finish(false, reason, error, now);
  }
  const ResolvedAddress address = *chosen;
  lookup_.reset();
  EnterStage(Stage::kConnect, now);
  connect_start_ = now;
  BeforeConnect(address);
  bool in_progress = false;
  fd_ = StartConnect(address, settings_.socket_type, settings_.source_ip_address, &in_progress, &error);
  if (fd_ < 0) {
    return Finish(false, FailureReason::kConnect, error, now);
  }
  return in_progress ? WaitFor(POLLOUT) : OnConnectReady(now);
}

void DialRun::OnConnectReady(Clock::time_point now) {
  if (std::string error = ConnectError(fd_); !error.empty()) {
    return Finish(false, FailureReason::kConnect, error, now);
  }
  OnConnected(now);
}

void DialRun::StartTls(const CheckTlsConfig& config, Clock::time_point now) {
  EnterStage(Stage::kHandshake, now);
  result_.tls = TlsFacts{};
  tls_ = std::make_unique<TlsClient>(config, host_, fd_, &result_.tls);
  if (!tls_->ok()) {
    return Finish(false, FailureReason::kTls, tls_->error(), now);
  }
  OnHandshake(now);
}

void DialRun::OnHandshake(Clock::time_point now) {
  switch (tls_->Handshake()) {
    case TlsClient::Io::kDone:
      Log("TLS handshake succeeded version=" + result_.tls.version);
      result_.ssl = true;
      return OnHandshakeDone(now);
    case TlsClient::Io::kWantRead:
      return WaitFor(POLLIN);
    case TlsClient::Io::kWantWrite:
      return WaitFor(POLLOUT);
    default:
      return Finish(false, tls_->VerifyFailed() ? FailureReason::kTlsVerify : FailureReason::kTls, tls_->error(), now);
  }
}

// Charges the time since the last stage change to the phase of the stage that ends.
void DialRun::EnterStage(Stage next, Clock::time_point now) {
  const double spent = Seconds(now - stage_start_);
  const Stage ended = stage_;
  switch (ended) {
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
      break;
    case Stage::kDone:
      break;
  }
  stage_ = next;
  stage_start_ = now;
  OnStageEnd(ended, next, now);
}

void DialRun::Finish(bool success, FailureReason reason, std::string error, Clock::time_point now) {
  EnterStage(Stage::kDone, now);
  FinishResult(&result_, success, reason, std::move(error), Seconds(now - start_));
  Close();
  lookup_.reset();
  wait_fd_ = -1;
}

void DialRun::Close() {
  tls_.reset();
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

}  // namespace hostwatch
