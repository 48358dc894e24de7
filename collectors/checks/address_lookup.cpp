#include "collectors/checks/address_lookup.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace hostwatch {
namespace {

ResolvedAddress FromSockaddr(const sockaddr* sa, socklen_t len) {
  ResolvedAddress r;
  std::memcpy(&r.addr, sa, len);
  r.len = len;
  r.family = sa->sa_family;
  char text[INET6_ADDRSTRLEN] = "";
  const void* raw = sa->sa_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(sa)->sin_addr)
                                             : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr);
  inet_ntop(sa->sa_family, raw, text, sizeof(text));
  r.text = text;
  return r;
}

// An IP address needs no lookup; false when host is a name.
bool LiteralAddress(const std::string& host, int port, ResolvedAddress* out) {
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<std::uint16_t>(port));
    *out = FromSockaddr(reinterpret_cast<sockaddr*>(&v4), sizeof(v4));
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<std::uint16_t>(port));
    *out = FromSockaddr(reinterpret_cast<sockaddr*>(&v6), sizeof(v6));
    return true;
  }
  return false;
}

}  // namespace

// The request glibc works on. Two owners: the lookup and glibc's completion
// callback; whoever lets go last frees it.
struct AddressLookup::Pending {
  std::string host;
  std::string port;
  addrinfo hints{};
  gaicb cb{};
  sigevent event{};
  int event_fd = -1;
  std::atomic<int> owners{2};

  void Release() {
    if (owners.fetch_sub(1) == 1) {
      if (cb.ar_result != nullptr) {
        freeaddrinfo(cb.ar_result);
      }
      close(event_fd);
      delete this;
    }
  }
  static void Completed(sigval v) {
    auto* p = static_cast<Pending*>(v.sival_ptr);
    const std::uint64_t one = 1;
    (void)!write(p->event_fd, &one, sizeof(one));
    p->Release();
  }
};

AddressLookup::AddressLookup(const std::string& host, int family, int port) {
  ResolvedAddress literal;
  if (LiteralAddress(host, port, &literal)) {
    if (family == AF_UNSPEC || family == literal.family) {
      addresses_.push_back(literal);
    } else {
      error_ = "no suitable address found";
    }
    return;
  }
  auto* p = new Pending;
  p->host = host;
  p->port = std::to_string(port);
  p->hints.ai_family = family;
  p->hints.ai_socktype = SOCK_STREAM;
  p->cb.ar_name = p->host.c_str();
  p->cb.ar_service = p->port.c_str();
  p->cb.ar_request = &p->hints;
  p->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  p->event.sigev_notify = SIGEV_THREAD;
  p->event.sigev_notify_function = &Pending::Completed;
  p->event.sigev_value.sival_ptr = p;
  gaicb* list[] = {&p->cb};
  if (p->event_fd < 0 || getaddrinfo_a(GAI_NOWAIT, list, 1, &p->event) != 0) {
    error_ = "cannot start the name lookup";
    if (p->event_fd >= 0) {
      close(p->event_fd);
    }
    delete p;
    return;
  }
  pending_ = p;
}

AddressLookup::~AddressLookup() {
  if (pending_ == nullptr) {
    return;
  }
  // Cancelled before it started: glibc will not call back, so let go for it too.
  if (gai_cancel(&pending_->cb) == EAI_CANCELED) {
    pending_->Release();
  }
  pending_->Release();
}

int AddressLookup::WaitFd() const { return pending_ != nullptr ? pending_->event_fd : -1; }

bool AddressLookup::Done() {
  if (pending_ == nullptr) {
    return true;
  }
  const int status = gai_error(&pending_->cb);
  if (status == EAI_INPROGRESS) {
    return false;
  }
  if (status != 0) {
    error_ = gai_strerror(status);
  } else {
    Collect();
  }
  Pending* p = pending_;
  pending_ = nullptr;
  p->Release();
  return true;
}

void AddressLookup::Collect() {
  for (const addrinfo* ai = pending_->cb.ar_result; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) {
      addresses_.push_back(FromSockaddr(ai->ai_addr, ai->ai_addrlen));
    }
  }
  if (addresses_.empty()) {
    error_ = "no address found";
  }
}

const ResolvedAddress* ChooseAddress(const std::vector<ResolvedAddress>& addresses, bool prefer_ip6, bool fallback) {
  const int preferred = prefer_ip6 ? AF_INET6 : AF_INET;
  const ResolvedAddress* other = nullptr;
  for (const ResolvedAddress& a : addresses) {
    if (a.family == preferred) {
      return &a;
    }
    other = &a;
  }
  return fallback ? other : nullptr;
}

int LookupFamily(const std::string& preferred_ip_protocol, bool fallback) {
  return fallback ? AF_UNSPEC : (preferred_ip_protocol == "ip6" ? AF_INET6 : AF_INET);
}

const ResolvedAddress* ChosenAddress(const AddressLookup& lookup, const std::string& preferred_ip_protocol,
                                     bool fallback, std::string* why) {
  if (!lookup.error().empty()) {
    *why = lookup.error();
    return nullptr;
  }
  const ResolvedAddress* chosen = ChooseAddress(lookup.addresses(), preferred_ip_protocol == "ip6", fallback);
  if (chosen == nullptr) {
    *why = "unable to find ip; no fallback";
  }
  return chosen;
}

}  // namespace hostwatch
