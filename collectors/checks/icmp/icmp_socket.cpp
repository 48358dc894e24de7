#include "collectors/checks/icmp/icmp_socket.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace hostwatch {
namespace {

// <linux/icmp.h>'s raw-socket filter (kept here: that header clashes with glibc's):
// a set bit drops the ICMP type of its position before it reaches the socket.
constexpr int kSolRaw = 255;
constexpr int kIcmpFilter = 1;
constexpr int kEchoReplyV4 = 0;

bool SetInt(int fd, int level, int name, int value) { return setsockopt(fd, level, name, &value, sizeof(value)) == 0; }

std::string Errno(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

}  // namespace

IcmpSocket::IcmpSocket(int family, const IcmpModule& module, std::vector<std::string>* log) {
  const int datagram_error = Open(SOCK_DGRAM, family);
  if (fd_ >= 0) {
    log->push_back("Using an unprivileged datagram ICMP socket (net.ipv4.ping_group_range allows the agent's group)");
  } else if (const int raw_error = Open(SOCK_RAW, family); fd_ >= 0) {
    raw_ = true;
    log->push_back("Datagram ICMP socket refused (" + std::string(std::strerror(datagram_error)) +
                   "): using a raw ICMP socket (CAP_NET_RAW)");
  } else {
    error_ = "no ICMP socket: datagram: " + std::string(std::strerror(datagram_error)) +
             " (the agent's group is not in net.ipv4.ping_group_range); raw: " + std::strerror(raw_error) +
             " (needs CAP_NET_RAW)";
    return;
  }
  if (!Configure(family, module)) {
    close(fd_);
    fd_ = -1;
  }
}

IcmpSocket::~IcmpSocket() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

// Returns 0, or the errno of a failed socket().
int IcmpSocket::Open(int type, int family) {
  fd_ =
      socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, family == AF_INET6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP});
  return fd_ >= 0 ? 0 : errno;
}

bool IcmpSocket::Configure(int family, const IcmpModule& module) {
  const bool v6 = family == AF_INET6;
  if (!module.source_ip_address.empty()) {
    AddressLookup literal(module.source_ip_address, family, 0);  // an IP address: no lookup
    if (literal.addresses().empty()) {
      error_ = "source_ip_address: not of the target's address family";
      return false;
    }
    const ResolvedAddress& source = literal.addresses()[0];
    if (bind(fd_, reinterpret_cast<const sockaddr*>(&source.addr), source.len) != 0) {
      error_ = Errno("source_ip_address", errno);
      return false;
    }
  }
  bool ok = v6 ? SetInt(fd_, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) : SetInt(fd_, IPPROTO_IP, IP_RECVTTL, 1);
  if (ok && module.ttl > 0) {
    ok = v6 ? SetInt(fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, module.ttl) : SetInt(fd_, IPPROTO_IP, IP_TTL, module.ttl);
  }
  if (ok && module.dont_fragment && !v6) {
    ok = SetInt(fd_, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
  }
  if (!ok) {
    error_ = Errno("setsockopt", errno);
    return false;
  }
  // A raw socket would wake for every ICMP message on the host: let only echo replies through.
  if (raw_ && v6) {
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    setsockopt(fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));  // best effort: replies are checked anyway
  } else if (raw_) {
    const std::uint32_t drop = ~(1u << kEchoReplyV4);
    setsockopt(fd_, kSolRaw, kIcmpFilter, &drop, sizeof(drop));
  }
  return true;
}

int IcmpSocket::Send(const std::string& packet, const ResolvedAddress& address) const {
  const ssize_t n = sendto(fd_, packet.data(), packet.size(), MSG_NOSIGNAL,
                           reinterpret_cast<const sockaddr*>(&address.addr), address.len);
  return n < 0 ? errno : 0;
}

bool IcmpSocket::Receive(char* buf, std::size_t len, Packet* out, int* error) const {
  iovec iov{buf, len};
  alignas(cmsghdr) char control[128];
  msghdr msg{};
  msg.msg_name = &out->from;
  msg.msg_namelen = sizeof(out->from);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  const ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT);
  if (n < 0) {
    *error = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : errno;
    return false;
  }
  out->size = static_cast<std::size_t>(n);
  out->hop_limit = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    const bool ttl = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL;
    const bool hops = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT;
    if ((ttl || hops) && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      std::memcpy(&out->hop_limit, CMSG_DATA(c), sizeof(int));
    }
  }
  return true;
}

bool SameAddress(const sockaddr_storage& from, const ResolvedAddress& target) {
  if (from.ss_family != target.family) {
    return false;
  }
  if (from.ss_family == AF_INET) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in&>(from).sin_addr,
                       &reinterpret_cast<const sockaddr_in&>(target.addr).sin_addr, sizeof(in_addr)) == 0;
  }
  return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(from).sin6_addr,
                     &reinterpret_cast<const sockaddr_in6&>(target.addr).sin6_addr, sizeof(in6_addr)) == 0;
}

}  // namespace hostwatch
