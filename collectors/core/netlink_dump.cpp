#include "collectors/core/netlink_dump.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
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

std::vector<NetlinkAttribute> SplitNetlinkAttributes(std::string_view bytes, bool* truncated) {
  std::vector<NetlinkAttribute> out;
  std::size_t off = 0;
  while (off + sizeof(nlattr) <= bytes.size()) {
    nlattr a;
    std::memcpy(&a, bytes.data() + off, sizeof(a));
    if (a.nla_len < sizeof(nlattr) || a.nla_len > bytes.size() - off) {
      *truncated = true;
      return out;
    }
    out.push_back({static_cast<std::uint16_t>(a.nla_type & NLA_TYPE_MASK),
                   bytes.substr(off + NLA_HDRLEN, a.nla_len - NLA_HDRLEN)});
    off += NLA_ALIGN(a.nla_len);
  }
  return out;
}

std::string NetlinkRequest(std::uint16_t type, std::uint16_t flags, std::string_view header,
                           std::string_view attributes) {
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + NLMSG_ALIGN(header.size()) + attributes.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = 1;
  std::string out(reinterpret_cast<const char*>(&h), sizeof(h));
  out.resize(NLMSG_HDRLEN, '\0');
  out.append(header);
  out.resize(NLMSG_HDRLEN + NLMSG_ALIGN(header.size()), '\0');
  out.append(attributes);
  return out;
}

std::string NetlinkAttributeBytes(std::uint16_t type, std::string_view value) {
  nlattr a{};
  a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + value.size());
  a.nla_type = type;
  std::string out(reinterpret_cast<const char*>(&a), sizeof(a));
  out.append(value);
  out.resize(NLA_ALIGN(out.size()), '\0');
  return out;
}

Result<std::string> DumpRtnl(std::uint16_t type, std::string_view header) {
  return NetlinkDump(NETLINK_ROUTE, NetlinkRequest(type, NLM_F_REQUEST | NLM_F_DUMP, header));
}

Result<std::string> DumpRtnlLinks() {
  ifinfomsg body{};
  body.ifi_family = AF_UNSPEC;
  return DumpRtnl(RTM_GETLINK, std::string_view(reinterpret_cast<const char*>(&body), sizeof(body)));
}

Result<std::string> DumpRtnlAddresses() {
  ifaddrmsg body{};
  body.ifa_family = AF_UNSPEC;
  return DumpRtnl(RTM_GETADDR, std::string_view(reinterpret_cast<const char*>(&body), sizeof(body)));
}

namespace {

template <typename T>
T ReadHostOrder(std::string_view value) {
  T x = 0;
  std::memcpy(&x, value.data(), std::min(value.size(), sizeof(x)));
  return x;
}

}  // namespace

std::uint16_t NetlinkU16(std::string_view value) { return ReadHostOrder<std::uint16_t>(value); }
std::uint32_t NetlinkU32(std::string_view value) { return ReadHostOrder<std::uint32_t>(value); }
std::uint64_t NetlinkU64(std::string_view value) { return ReadHostOrder<std::uint64_t>(value); }

std::string NetlinkString(std::string_view value) { return std::string(value.substr(0, value.find('\0'))); }

Result<std::uint16_t> GenericNetlinkFamilyId(std::string_view name) {
  genlmsghdr genl{};
  genl.cmd = CTRL_CMD_GETFAMILY;
  genl.version = 1;
  std::string family_name(name);
  family_name.push_back('\0');
  // The ACK ends the reply, so NetlinkDump stops without waiting for a timeout.
  std::string request =
      NetlinkRequest(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
                     std::string_view(reinterpret_cast<const char*>(&genl), sizeof(genl)),
                     NetlinkAttributeBytes(CTRL_ATTR_FAMILY_NAME, family_name));
  Result<std::string> reply = NetlinkDump(NETLINK_GENERIC, request);
  if (!reply.ok()) {
    return reply.status();
  }
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(reply.value());
  if (!messages.ok()) {
    return messages.status();
  }
  for (const NetlinkMessage& m : messages.value()) {
    if (m.type != GENL_ID_CTRL || m.payload.size() < GENL_HDRLEN) {
      continue;
    }
    bool truncated = false;
    for (const NetlinkAttribute& a : SplitNetlinkAttributes(m.payload.substr(GENL_HDRLEN), &truncated)) {
      if (a.type == CTRL_ATTR_FAMILY_ID && a.value.size() >= sizeof(std::uint16_t)) {
        return NetlinkU16(a.value);
      }
    }
  }
  return Status::FromErrno(ENOENT, "generic netlink family " + std::string(name));
}

}  // namespace hostwatch
