#include "collectors/core/netlink_dump.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hostwatch {
namespace {

// Whether a reply datagram holds the end of the dump (NLMSG_DONE or NLMSG_ERROR).
bool EndsDump(const char* data, std::size_t n) {
  std::size_t off = 0;
  while (off + sizeof(nlmsghdr) <= n) {
    nlmsghdr h;
    std::memcpy(&h, data + off, sizeof(h));
    if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) {
      return true;
    }
    if (h.nlmsg_len < sizeof(nlmsghdr)) {
      return false;
    }
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  return false;
}

}  // namespace

Result<std::string> NetlinkDump(int protocol, std::string_view request) {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    return Status::FromErrno(errno, "netlink socket");
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  timeval tv{};
  tv.tv_sec = 2;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    return Status::FromErrno(errno, "netlink send");
  }
  std::string out;
  std::string buf(64 * 1024, '\0');
  // A dump ends with NLMSG_DONE; bound the loop anyway (a huge host has a few
  // thousand links or sockets per datagram batch, far below this many datagrams).
  for (int datagrams = 0; datagrams < 100000; ++datagrams) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Status::FromErrno(errno, "netlink recv");
    }
    out.append(buf.data(), static_cast<std::size_t>(n));
    out.resize(NLMSG_ALIGN(out.size()), '\0');
    if (n == 0 || EndsDump(buf.data(), static_cast<std::size_t>(n))) {
      return out;
    }
  }
  return Status::Error("netlink dump did not end");
}

Result<std::vector<NetlinkMessage>> SplitNetlinkDump(std::string_view bytes) {
  std::vector<NetlinkMessage> out;
  std::size_t off = 0;
  while (off + sizeof(nlmsghdr) <= bytes.size()) {
    nlmsghdr h;
    std::memcpy(&h, bytes.data() + off, sizeof(h));
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > bytes.size() - off) {
      return Status::Error("netlink message of " + std::to_string(h.nlmsg_len) + " bytes at offset " +
                           std::to_string(off) + " does not fit the " + std::to_string(bytes.size()) + "-byte dump");
    }
    if (h.nlmsg_type == NLMSG_DONE) {
      break;
    }
    std::string_view payload =
        bytes.substr(off + NLMSG_HDRLEN, h.nlmsg_len - std::min<std::size_t>(h.nlmsg_len, NLMSG_HDRLEN));
    if (h.nlmsg_type == NLMSG_ERROR) {
      int code = 0;
      if (payload.size() >= sizeof(code)) {
        std::memcpy(&code, payload.data(), sizeof(code));
      }
      if (code != 0) {
        return Status::FromErrno(-code, "netlink dump");
      }
      break;
    }
    out.push_back({h.nlmsg_type, payload});
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  return out;
}

}  // namespace hostwatch
