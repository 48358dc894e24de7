#include "collectors/checks/socket_dial.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace hostwatch {

const ResolvedAddress* ChooseTarget(const AddressLookup& lookup, const std::string& host,
                                    const std::string& preferred_ip_protocol, bool fallback, ProbeResult* result,
                                    std::string* error) {
  std::string why;
  const ResolvedAddress* chosen = ChosenAddress(lookup, preferred_ip_protocol, fallback, &why);
  if (chosen == nullptr) {
    *error = "resolving " + host + ": " + why;
    return nullptr;
  }
  SetResolvedAddress(result, chosen->family, chosen->text);
  result->log.push_back("Resolved target address ip=" + chosen->text);
  return chosen;
}

std::string GuardRefusal(const AddressGuard& guard, const ResolvedAddress& address, int port, const std::string& host) {
  if (guard.policy == nullptr) {
    return "";
  }
  const auto* sa = reinterpret_cast<const sockaddr*>(&address.addr);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(
      address.family == AF_INET6 ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr)
                                 : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(sa)->sin_addr));
  std::string why;
  if (guard.policy->AllowsConnection(guard.verdict, address.family, bytes, port, &why)) {
    return "";
  }
  // icmp has no port (0): the address alone.
  const std::string where = port == 0 ? address.text
                                      : (address.family == AF_INET6 ? "[" + address.text + "]" : address.text) + ":" +
                                            std::to_string(port);
  return "connection to " + where + " (resolved from " + host + ") refused: " + why;
}

const ResolvedAddress* ChooseAllowedTarget(const AddressLookup& lookup, const std::string& host, int port,
                                           const std::string& preferred_ip_protocol, bool fallback,
                                           const AddressGuard& guard, ProbeResult* result, FailureReason* reason,
                                           std::string* error) {
  const ResolvedAddress* chosen = ChooseTarget(lookup, host, preferred_ip_protocol, fallback, result, error);
  *reason = FailureReason::kDns;
  if (chosen != nullptr) {
    *error = GuardRefusal(guard, *chosen, port, host);
    *reason = FailureReason::kNotAllowed;
  }
  return chosen != nullptr && error->empty() ? chosen : nullptr;
}

void FinishResult(ProbeResult* result, bool success, FailureReason reason, std::string error, double duration_seconds) {
  result->success = success;
  result->reason = success ? FailureReason::kNone : reason;
  result->error = std::move(error);
  result->duration_seconds = duration_seconds;
  if (!success) {
    result->log.push_back("Probe failed reason=" + std::string(FailureReasonName(reason)) + " err=" + result->error);
  }
}

int StartConnect(const ResolvedAddress& address, int type, const std::string& source_ip, bool* in_progress,
                 std::string* error) {
  const int fd = socket(address.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  if (!source_ip.empty()) {
    AddressLookup literal(source_ip, address.family, 0);  // an IP address: no lookup
    if (literal.addresses().empty() ||
        bind(fd, reinterpret_cast<const sockaddr*>(&literal.addresses()[0].addr), literal.addresses()[0].len) != 0) {
      *error = "source_ip_address: " +
               std::string(literal.addresses().empty() ? "not of the target's address family" : std::strerror(errno));
      close(fd);
      return -1;
    }
  }
  *in_progress = false;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address.addr), address.len) != 0) {
    if (errno != EINPROGRESS) {
      *error = std::string("connect: ") + std::strerror(errno);
      close(fd);
      return -1;
    }
    *in_progress = true;
  }
  return fd;
}

std::string ConnectError(int fd) {
  int error = 0;
  socklen_t len = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) {
    error = errno;
  }
  return error == 0 ? "" : std::string("connect: ") + std::strerror(error);
}

TlsClient::Io WriteSome(int fd, TlsClient* tls, const std::string& out, std::size_t* written) {
  while (*written < out.size()) {
    if (tls != nullptr) {
      const TlsClient::Io io = tls->Write(out, written);
      if (io != TlsClient::Io::kDone) {
        return io;
      }
      continue;
    }
    const ssize_t n = send(fd, out.data() + *written, out.size() - *written, MSG_NOSIGNAL);
    if (n < 0) {
      return errno == EAGAIN || errno == EWOULDBLOCK ? TlsClient::Io::kWantWrite : TlsClient::Io::kFailed;
    }
    *written += static_cast<std::size_t>(n);
  }
  return TlsClient::Io::kDone;
}

}  // namespace hostwatch
