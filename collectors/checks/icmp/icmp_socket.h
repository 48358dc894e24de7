// The icmp prober's socket: opened per run, non-blocking, and chosen at run
// time as ping(8) does. First an unprivileged datagram ICMP socket
// (SOCK_DGRAM, IPPROTO_ICMP / IPPROTO_ICMPV6: allowed when the agent's group
// is in net.ipv4.ping_group_range; the kernel sets the echo id and delivers
// only the replies to it), else a raw socket (needs CAP_NET_RAW; it sees every
// echo reply on the host, so the run matches its own id). Either way the
// socket reports each reply's TTL / hop limit, sends with the module's ttl,
// and sets the IPv4 don't-fragment bit when asked (IP_PMTUDISC_DO, so unlike
// blackbox a datagram socket serves dont_fragment too).
//
// Not thread-safe: one run owns it on the scheduler thread.
#pragma once

#include <sys/socket.h>

#include <string>
#include <vector>

#include "collectors/checks/address_lookup.h"
#include "collectors/checks/icmp/icmp_module.h"

namespace hostwatch {

class IcmpSocket {
 public:
  // Opens the socket for the target's family (AF_INET or AF_INET6), bound to
  // the module's source_ip_address when set. On failure fd() is -1 and
  // error() says why for both kinds; log gets a line naming the kind chosen.
  IcmpSocket(int family, const IcmpModule& module, std::vector<std::string>* log);
  ~IcmpSocket();
  IcmpSocket(const IcmpSocket&) = delete;
  IcmpSocket& operator=(const IcmpSocket&) = delete;
  IcmpSocket(IcmpSocket&&) = delete;
  IcmpSocket& operator=(IcmpSocket&&) = delete;

  int fd() const { return fd_; }
  bool raw() const { return raw_; }
  const std::string& error() const { return error_; }

  // Sends packet to address; 0 on success, else the errno.
  int Send(const std::string& packet, const ResolvedAddress& address) const;

  struct Packet {
    std::size_t size = 0;     // bytes in the caller's buffer
    sockaddr_storage from{};  // the sender
    int hop_limit = -1;       // the reply's TTL / hop limit, -1 when the kernel did not say
  };
  // Reads one packet into buf without blocking: false when there is none
  // (EAGAIN) or on an error (*error set to the errno).
  bool Receive(char* buf, std::size_t len, Packet* out, int* error) const;

 private:
  int Open(int type, int family);
  bool Configure(int family, const IcmpModule& module);

  int fd_ = -1;
  bool raw_ = false;
  std::string error_;
};

// Whether a sender is the target: the same family and address bytes.
bool SameAddress(const sockaddr_storage& from, const ResolvedAddress& target);

}  // namespace hostwatch
