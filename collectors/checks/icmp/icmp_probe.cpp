#include "collectors/checks/icmp/icmp_probe.h"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "collectors/checks/address_lookup.h"
#include "collectors/checks/socket_dial.h"
#include "collectors/checks/icmp/echo_packet.h"
#include "collectors/checks/icmp/icmp_socket.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = SocketRun::Clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::uint32_t RandomSeed() {
  std::random_device device;
  return device();
}

// Echo ids and sequence numbers for the whole process, as blackbox keeps one
// sequence counter: each raw-socket run has an id of its own, and sequence
// numbers start at a random point, so that concurrent runs (and agents
// restarted together) do not take each other's replies.
std::uint16_t NextId() {
  static std::atomic<std::uint32_t> next{RandomSeed()};
  return static_cast<std::uint16_t>(next.fetch_add(1));
}
std::uint16_t NextSequence() {
  static std::atomic<std::uint32_t> next{RandomSeed()};
  return static_cast<std::uint16_t>(next.fetch_add(1));
}

class IcmpRun final : public SocketRun {
 public:
  IcmpRun(std::shared_ptr<const IcmpModule> module, const std::string& target, std::chrono::milliseconds timeout,
          Clock::time_point now, AddressGuard guard);

  Wait NextWait() const override;
  bool Advance(short revents, Clock::time_point now) override;
  ProbeResult TakeResult() override { return std::move(result_); }

 private:
  enum class Stage { kResolve, kExchange, kDone };
  // One echo request of the run.
  struct Echo {
    std::uint16_t seq = 0;
    Clock::time_point sent_at;
    bool sent = false;
    bool answered = false;
  };

  void OnResolved(Clock::time_point now);
  void Setup(Clock::time_point now);
  void SendDue(Clock::time_point now);
  void ReadReplies(Clock::time_point now);
  void OnReply(const EchoReply& reply, int hop_limit, Clock::time_point now);
  void FinishIfAllAnswered(Clock::time_point now);
  void FinishAtDeadline(Clock::time_point now);
  void Finish(bool success, FailureReason reason, std::string error, Clock::time_point now);
  void Log(std::string line) { result_.log.push_back(std::move(line)); }

  const std::shared_ptr<const IcmpModule> module_;
  const AddressGuard guard_;
  Clock::time_point start_;
  Clock::time_point deadline_;
  Stage stage_ = Stage::kResolve;
  std::string host_;
  std::unique_ptr<AddressLookup> lookup_;
  ResolvedAddress target_;
  std::unique_ptr<IcmpSocket> socket_;
  std::optional<std::uint16_t> id_;  // the echo id replies must carry (raw sockets only)
  std::string payload_;
  Clock::time_point exchange_start_;
  std::vector<Echo> echoes_;  // one per packet; next_ is the next to send
  std::size_t next_ = 0;
  int send_errno_ = 0;  // the last refused send
  ProbeResult result_;
};

IcmpRun::IcmpRun(std::shared_ptr<const IcmpModule> module, const std::string& target, std::chrono::milliseconds timeout,
                 Clock::time_point now, AddressGuard guard)
    : module_(std::move(module)), guard_(guard), start_(now), deadline_(now + timeout), host_(target) {
  result_.prober = ProberKind::kIcmp;
  result_.start_unix = WallClockSeconds();
  result_.timeout_seconds = Seconds(timeout);
  result_.icmp.packets = module_->packets;
  Log("Resolving target address ip_protocol=" + module_->preferred_ip_protocol);
  lookup_ = std::make_unique<AddressLookup>(
      host_, LookupFamily(module_->preferred_ip_protocol, module_->ip_protocol_fallback), 0);
  if (lookup_->Done()) {
    OnResolved(now);
  }
}

SocketRun::Wait IcmpRun::NextWait() const {
  switch (stage_) {
    case Stage::kResolve:
      return Wait{lookup_->WaitFd(), POLLIN, deadline_};
    case Stage::kExchange: {
      Clock::time_point wake = deadline_;
      if (next_ < echoes_.size()) {
        wake = std::min(wake, exchange_start_ + static_cast<long>(next_) * module_->packet_interval);
      }
      return Wait{socket_->fd(), POLLIN, wake};
    }
    case Stage::kDone:
      break;
  }
  return Wait{-1, 0, deadline_};
}

bool IcmpRun::Advance(short revents, Clock::time_point now) {
  if (stage_ == Stage::kResolve && now >= deadline_) {
    Finish(false, FailureReason::kTimeout, "timeout resolving", now);
  } else if (stage_ == Stage::kResolve && lookup_->Done()) {
    OnResolved(now);
  } else if (stage_ == Stage::kExchange) {
    if (revents != 0) {
      ReadReplies(now);
    }
    if (stage_ == Stage::kExchange && now >= deadline_) {
      FinishAtDeadline(now);
    } else if (stage_ == Stage::kExchange) {
      SendDue(now);
    }
  }
  return stage_ == Stage::kDone;
}

void IcmpRun::OnResolved(Clock::time_point now) {
  result_.dns_lookup_seconds = Seconds(now - start_);
  std::string error;
  FailureReason reason = FailureReason::kNone;
  const ResolvedAddress* chosen = ChooseAllowedTarget(*lookup_, host_, 0, module_->preferred_ip_protocol,
                                                      module_->ip_protocol_fallback, guard_, &result_, &reason, &error);
  if (result_.resolved) {
    result_.phases.resolve = result_.dns_lookup_seconds;  // blackbox adds the phase only once resolved
  }
  if (chosen == nullptr) {
    return Finish(false, reason, error, now);
  }
  target_ = *chosen;
  lookup_.reset();
  Setup(now);
}

void IcmpRun::Setup(Clock::time_point now) {
  socket_ = std::make_unique<IcmpSocket>(target_.family, *module_, &result_.log);
  if (socket_->fd() < 0) {
    return Finish(false, FailureReason::kOther, socket_->error(), now);
  }
  if (socket_->raw()) {
    id_ = NextId();
  }
  payload_ = EchoPayload(module_->payload_size);
  echoes_.resize(static_cast<std::size_t>(module_->packets));
  result_.icmp.setup_seconds = Seconds(Clock::now() - now);  // socket calls are the whole of it
  result_.phases.connect = result_.icmp.setup_seconds;
  stage_ = Stage::kExchange;
  exchange_start_ = now;
  SendDue(now);
}

// Sends every echo whose time has come (the first at once).
void IcmpRun::SendDue(Clock::time_point now) {
  while (stage_ == Stage::kExchange && next_ < echoes_.size() &&
         now >= exchange_start_ + static_cast<long>(next_) * module_->packet_interval) {
    Echo& echo = echoes_[next_++];
    echo.seq = NextSequence();
    if (next_ == 1) {
      Log("Creating ICMP packet seq=" + std::to_string(echo.seq) + " id=" + (id_ ? std::to_string(*id_) : "kernel's") +
          " packets=" + std::to_string(echoes_.size()));
    }
    const int err =
        socket_->Send(BuildEchoRequest(target_.family == AF_INET6, id_.value_or(0), echo.seq, payload_), target_);
    if (err != 0) {
      send_errno_ = err;
      Log("Error writing to socket seq=" + std::to_string(echo.seq) + " err=" + std::strerror(err));
    } else {
      echo.sent = true;
      echo.sent_at = now;
      ++result_.icmp.sent;
    }
    FinishIfAllAnswered(now);
  }
}

void IcmpRun::ReadReplies(Clock::time_point now) {
  // Big enough for any IPv4 datagram; one scheduler thread runs all runs, so one buffer serves them.
  thread_local std::vector<char> buffer(65536 + 64);
  IcmpSocket::Packet packet;
  int err = 0;
  while (stage_ == Stage::kExchange && socket_->Receive(buffer.data(), buffer.size(), &packet, &err)) {
    if (!SameAddress(packet.from, target_)) {
      continue;
    }
    const std::string_view bytes(buffer.data(), packet.size);
    // Raw IPv4 reads start with the IP header; datagram and IPv6 reads with the ICMP header.
    const std::optional<EchoReply> reply =
        ParseEchoReply(bytes, target_.family == AF_INET6, socket_->raw() && target_.family == AF_INET);
    if (reply && AnswersRun(*reply, id_, payload_)) {
      OnReply(*reply, packet.hop_limit >= 0 ? packet.hop_limit : reply->ip_ttl, now);
    }
  }
  if (err != 0) {
    Log(std::string("Error reading from socket err=") + std::strerror(err));  // as blackbox: keep waiting
  }
}

void IcmpRun::OnReply(const EchoReply& reply, int hop_limit, Clock::time_point now) {
  for (Echo& echo : echoes_) {
    if (echo.sent && !echo.answered && echo.seq == reply.seq) {
      echo.answered = true;
      const double rtt = Seconds(now - echo.sent_at);
      if (result_.icmp.received++ == 0) {
        result_.icmp.rtt_seconds = rtt;
        Log("Found matching reply packet seq=" + std::to_string(reply.seq));
      }
      result_.icmp.rtts.push_back(rtt);
      result_.icmp.reply_hop_limit = hop_limit;
      return FinishIfAllAnswered(now);
    }
  }
}

// Ends the run early once every echo was tried and each one sent is answered.
void IcmpRun::FinishIfAllAnswered(Clock::time_point now) {
  if (next_ < echoes_.size() || result_.icmp.received < result_.icmp.sent) {
    return;
  }
  if (result_.icmp.received > 0) {
    return Finish(true, FailureReason::kNone, "", now);
  }
  Finish(false, FailureReason::kConnect, std::string("sending: ") + std::strerror(send_errno_), now);
}

void IcmpRun::FinishAtDeadline(Clock::time_point now) {
  const IcmpFacts& f = result_.icmp;
  Log("Timeout reading from socket sent=" + std::to_string(f.sent) + " received=" + std::to_string(f.received));
  if (f.received > 0) {
    return Finish(true, FailureReason::kNone, "", now);
  }
  if (f.sent == 0 && send_errno_ != 0) {
    return Finish(false, FailureReason::kConnect, std::string("sending: ") + std::strerror(send_errno_), now);
  }
  Finish(false, FailureReason::kTimeout, "no echo reply within the timeout", now);
}

void IcmpRun::Finish(bool success, FailureReason reason, std::string error, Clock::time_point now) {
  if (stage_ == Stage::kExchange) {
    result_.phases.processing = Seconds(now - exchange_start_);
  }
  stage_ = Stage::kDone;
  FinishResult(&result_, success, reason, std::move(error), Seconds(now - start_));
  socket_.reset();
  lookup_.reset();
}

}  // namespace

std::unique_ptr<SocketRun> StartIcmpRun(std::shared_ptr<const IcmpModule> module, const std::string& target,
                                        std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                        AddressGuard guard) {
  return std::make_unique<IcmpRun>(std::move(module), target, timeout, now, guard);
}

}  // namespace hostwatch
