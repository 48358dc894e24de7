// EthtoolSocket: the SIOCETHTOOL ioctls the ethtool collector needs, on an
// AF_INET datagram socket as node_exporter's library (safchain/ethtool)
// sends them: ETHTOOL_GDRVINFO, ETHTOOL_GSET, and ETHTOOL_GSTRINGS +
// ETHTOOL_GSTATS for the driver statistics. All are read-only requests the
// kernel answers without CAP_NET_ADMIN, for devices in the caller's network
// namespace.
//
// Move-only; owns its socket and its answer buffers. Not thread-safe (the
// buffers are reused): one collector uses it on one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "collectors/core/status.h"
#include "collectors/host/ethtool.h"

namespace hostwatch {

class EthtoolSocket {
 public:
  // At most this many statistics per device (the Go library's MAX_GSTRINGS);
  // a device that reports more gets an Error instead of its statistics.
  static constexpr std::uint32_t kMaxStats = 32768;

  // Opens the socket. Error (with the errno) when socket(2) fails.
  static Result<EthtoolSocket> Open();

  ~EthtoolSocket();
  EthtoolSocket(EthtoolSocket&& other) noexcept;
  EthtoolSocket& operator=(EthtoolSocket&& other) noexcept;
  EthtoolSocket(const EthtoolSocket&) = delete;
  EthtoolSocket& operator=(const EthtoolSocket&) = delete;

  // Each returns the answer for the device named `device`, or an Error whose
  // sys_errno() is the ioctl's errno (EOPNOTSUPP: the driver does not
  // implement the request; ENODEV: no such device in this namespace).
  Result<EthtoolDriverInfo> DriverInfo(std::string_view device) const;
  Result<EthtoolLinkInfo> LinkInfo(std::string_view device) const;
  // The driver statistics; records ParseEthtoolStats cannot pair are counted
  // in *parse_errors.
  Result<EthtoolStats> Stats(std::string_view device, std::uint64_t* parse_errors);

 private:
  explicit EthtoolSocket(int fd) : fd_(fd) {}
  Status Ioctl(std::string_view device, void* request, std::string_view what) const;

  int fd_ = -1;
  // Answer buffers, allocated on first use at the largest size an answer
  // may have and kept: the kernel writes as many records as the device has
  // at the moment of the call, which may be more than a count asked for just
  // before (a driver's statistics change with its queue count). Left
  // uninitialised, so only the pages the kernel writes become resident.
  std::unique_ptr<char[]> strings_;
  std::unique_ptr<char[]> values_;
};

}  // namespace hostwatch
