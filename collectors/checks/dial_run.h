// DialRun: the skeleton every socket run that dials its peer (tcp, dns)
// shares, so each prober keeps only its protocol steps. It walks the stages
// blackbox's probers walk: resolve the target's host without blocking
// (address_lookup.h: blackbox's choice of family), hold an ad-hoc run's
// address to the allow-list (socket_dial.h: GuardRefusal), connect from the
// source address, optionally a TLS handshake, then the prober's exchange;
// it ends the run at its deadline with reason timeout, charges each stage's
// time to its phase (resolve, connect, tls, processing), and finishes with a
// reason, closing what it opened.
//
// A prober derives from it, calls Dial() from its constructor (or Finish()
// when the target is malformed), and fills in the hooks: OnConnected (the
// socket is up: start TLS or the exchange), OnHandshakeDone, Exchange (the
// stage's work whenever the socket is ready), and optionally BeforeConnect,
// OnStageEnd, and the timeout wording.
//
// Not thread-safe: the scheduler thread (or one ad-hoc caller) drives a run.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "collectors/checks/address_lookup.h"
#include "collectors/checks/socket_dial.h"
#include "collectors/checks/socket_run.h"
#include "collectors/checks/tcp/tls_client.h"

namespace hostwatch {

class DialRun : public SocketRun {
 public:
  ~DialRun() override { Close(); }
  DialRun(const DialRun&) = delete;
  DialRun& operator=(const DialRun&) = delete;
  DialRun(DialRun&&) = delete;
  DialRun& operator=(DialRun&&) = delete;

  Wait NextWait() const final { return Wait{stage_ == Stage::kDone ? -1 : wait_fd_, wait_events_, deadline_}; }
  bool Advance(short revents, Clock::time_point now) final;
  ProbeResult TakeResult() final { return std::move(result_); }

 protected:
  enum class Stage { kResolve, kConnect, kHandshake, kExchange, kDone };

  // How the peer is reached: the module's address keys and the socket type.
  struct DialSettings {
    std::string preferred_ip_protocol;
    bool ip_protocol_fallback = true;
    std::string source_ip_address;
    int socket_type = 0;  // SOCK_STREAM, SOCK_DGRAM
  };

  DialRun(ProberKind prober, std::chrono::milliseconds timeout, Clock::time_point now, AddressGuard guard);

  // Looks host up and, once it resolved (perhaps at once), connects to port.
  void Dial(const std::string& host, int port, DialSettings settings, Clock::time_point now);
  // Upgrades the connected socket to TLS (server_name: the target's host unless config names one);
  // OnHandshakeDone follows.
  void StartTls(const CheckTlsConfig& config, Clock::time_point now);
  void EnterStage(Stage next, Clock::time_point now);
  void WaitFor(short events) {
    wait_fd_ = fd_;
    wait_events_ = events;
  }
  void Finish(bool success, FailureReason reason, std::string error, Clock::time_point now);
  void Log(std::string line) { result_.log.push_back(std::move(line)); }

  // Hooks. BeforeConnect: the chosen address, just before connecting to it.
  virtual void BeforeConnect(const ResolvedAddress&) {}
  virtual void OnConnected(Clock::time_point now) = 0;
  virtual void OnHandshakeDone(Clock::time_point now) = 0;
  virtual void Exchange(Clock::time_point now) = 0;
  // A stage ended at now (its time is charged already); next is the one that begins.
  virtual void OnStageEnd(Stage, Stage, Clock::time_point) {}
  // What the run was doing in the exchange stage, for "timeout <doing>", and more to add.
  virtual const char* ExchangeDoing() const = 0;
  virtual std::string TimeoutDetail() const { return ""; }

  Stage stage() const { return stage_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  int fd() const { return fd_; }
  TlsClient* tls() const { return tls_.get(); }
  void DropTls() { tls_.reset(); }
  Clock::time_point start() const { return start_; }
  Clock::time_point connect_start() const { return connect_start_; }
  ProbeResult& result() { return result_; }

 private:
  void OnResolved(Clock::time_point now);
  void OnConnectReady(Clock::time_point now);
  void OnHandshake(Clock::time_point now);
  void Close();

  const AddressGuard guard_;
  const Clock::time_point start_;
  const Clock::time_point deadline_;
  Clock::time_point stage_start_;
  Clock::time_point connect_start_;
  Stage stage_ = Stage::kResolve;
  DialSettings settings_;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<AddressLookup> lookup_;
  int fd_ = -1;
  int wait_fd_ = -1;
  short wait_events_ = 0;
  std::unique_ptr<TlsClient> tls_;
  ProbeResult result_;
};

}  // namespace hostwatch
