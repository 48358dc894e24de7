// AddressLookup: one name lookup that never blocks the scheduler thread, and
// blackbox's choice of an address from its answer (prober/utils.go,
// chooseProtocol).
//
// A name goes to glibc's getaddrinfo_a(); completion is signalled on an
// eventfd, so the scheduler polls it with the runs' sockets instead of
// waiting. An IP address is its own answer, without a lookup. Dropping an
// unfinished lookup (the run timed out) cancels it; if glibc is already
// resolving it, the completion callback frees it later (shared ownership of
// the request), so the scheduler never waits for a resolver.
//
// Not thread-safe: one run uses it from the scheduler thread.
#pragma once

#include <sys/socket.h>

#include <string>
#include <vector>

namespace hostwatch {

struct ResolvedAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = 0;  // AF_INET or AF_INET6
  std::string text;  // "127.0.0.1", "::1"
};

class AddressLookup {
 public:
  // family: AF_UNSPEC (any), AF_INET or AF_INET6; port: the numeric port to put in the addresses.
  AddressLookup(const std::string& host, int family, int port);
  ~AddressLookup();
  AddressLookup(const AddressLookup&) = delete;
  AddressLookup& operator=(const AddressLookup&) = delete;
  AddressLookup(AddressLookup&&) = delete;
  AddressLookup& operator=(AddressLookup&&) = delete;

  // The descriptor that becomes readable when the lookup completes; -1 when
  // there is nothing to wait for (finished, or an IP address).
  int WaitFd() const;
  // True once finished (then addresses() or error() holds the answer).
  bool Done();
  const std::vector<ResolvedAddress>& addresses() const { return addresses_; }
  const std::string& error() const { return error_; }

 private:
  struct Pending;
  void Collect();

  Pending* pending_ = nullptr;  // shared with glibc's completion callback
  std::vector<ResolvedAddress> addresses_;
  std::string error_;
};

// blackbox's choice: with fallback, the first address of the preferred family
// (prefer_ip6), else the last of the other family; without, the first
// address (the lookup was limited to the preferred family). nullptr when there is none.
const ResolvedAddress* ChooseAddress(const std::vector<ResolvedAddress>& addresses, bool prefer_ip6, bool fallback);

// The family to look up for a module's preferred_ip_protocol ("ip4", "ip6")
// and ip_protocol_fallback: any with fallback, else the preferred one.
int LookupFamily(const std::string& preferred_ip_protocol, bool fallback);

// A finished lookup's address by blackbox's choice (ChooseAddress), or
// nullptr with *why: the resolver's error, or "unable to find ip; no fallback".
const ResolvedAddress* ChosenAddress(const AddressLookup& lookup, const std::string& preferred_ip_protocol,
                                     bool fallback, std::string* why);

}  // namespace hostwatch
