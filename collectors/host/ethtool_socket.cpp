#include "collectors/host/ethtool_socket.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>
#include <utility>

namespace hostwatch {
namespace {

// A fixed-size C string field of a kernel struct: up to its first NUL, or
// all of it when the kernel filled it to the end.
template <std::size_t N>
std::string Field(const char (&field)[N]) {
  return std::string(field, strnlen(field, N));
}

// ETHTOOL_GSTRINGS / ETHTOOL_GSTATS answers: the header, then the records.
constexpr std::size_t kStringsBytes = sizeof(ethtool_gstrings) + EthtoolSocket::kMaxStats * kEthtoolStringLen;
constexpr std::size_t kValuesBytes = sizeof(ethtool_stats) + EthtoolSocket::kMaxStats * sizeof(std::uint64_t);

}  // namespace

Result<EthtoolSocket> EthtoolSocket::Open() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Status::FromErrno(errno, "ethtool: socket(AF_INET, SOCK_DGRAM)");
  }
  return EthtoolSocket(fd);
}

EthtoolSocket::~EthtoolSocket() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

EthtoolSocket::EthtoolSocket(EthtoolSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), strings_(std::move(other.strings_)), values_(std::move(other.values_)) {}

EthtoolSocket& EthtoolSocket::operator=(EthtoolSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    strings_ = std::move(other.strings_);
    values_ = std::move(other.values_);
  }
  return *this;
}

Status EthtoolSocket::Ioctl(std::string_view device, void* request, std::string_view what) const {
  ifreq ifr{};
  if (device.empty() || device.size() >= sizeof(ifr.ifr_name)) {
    return Status::FromErrno(ENODEV, std::string(what) + " " + std::string(device));
  }
  std::memcpy(ifr.ifr_name, device.data(), device.size());
  ifr.ifr_data = static_cast<char*>(request);
  if (::ioctl(fd_, SIOCETHTOOL, &ifr) != 0) {
    return Status::FromErrno(errno, std::string(what) + " " + std::string(device));
  }
  return Status::OK();
}

Result<EthtoolDriverInfo> EthtoolSocket::DriverInfo(std::string_view device) const {
  ethtool_drvinfo info{};
  info.cmd = ETHTOOL_GDRVINFO;
  if (Status s = Ioctl(device, &info, "ETHTOOL_GDRVINFO"); !s.ok()) {
    return s;
  }
  return EthtoolDriverInfo{Field(info.driver), Field(info.version), Field(info.fw_version), Field(info.bus_info),
                           Field(info.erom_version)};
}

Result<EthtoolLinkInfo> EthtoolSocket::LinkInfo(std::string_view device) const {
  ethtool_cmd cmd{};
  cmd.cmd = ETHTOOL_GSET;
  if (Status s = Ioctl(device, &cmd, "ETHTOOL_GSET"); !s.ok()) {
    return s;
  }
  return EthtoolLinkInfo{cmd.supported, cmd.advertising, cmd.autoneg};
}

// As node_exporter's library does it: the count from ETHTOOL_GDRVINFO, then
// the names and the values. The kernel fills each answer with the count it
// has at that moment; the buffers hold kMaxStats records so that a count
// grown in between cannot overrun them, and differing counts are an error.
Result<EthtoolStats> EthtoolSocket::Stats(std::string_view device, std::uint64_t* parse_errors) {
  ethtool_drvinfo info{};
  info.cmd = ETHTOOL_GDRVINFO;
  if (Status s = Ioctl(device, &info, "ETHTOOL_GDRVINFO"); !s.ok()) {
    return s;
  }
  if (info.n_stats > kMaxStats) {
    return Status::Error("ethtool: " + std::string(device) + " has " + std::to_string(info.n_stats) +
                         " statistics, more than the " + std::to_string(kMaxStats) + " supported");
  }
  if (info.n_stats == 0) {
    return EthtoolStats{};
  }
  if (strings_ == nullptr) {
    strings_.reset(new char[kStringsBytes]);
    values_.reset(new char[kValuesBytes]);
  }
  auto* strings = new (strings_.get()) ethtool_gstrings{};
  strings->cmd = ETHTOOL_GSTRINGS;
  strings->string_set = ETH_SS_STATS;
  strings->len = info.n_stats;
  if (Status s = Ioctl(device, strings, "ETHTOOL_GSTRINGS"); !s.ok()) {
    return s;
  }
  auto* values = new (values_.get()) ethtool_stats{};
  values->cmd = ETHTOOL_GSTATS;
  values->n_stats = info.n_stats;
  if (Status s = Ioctl(device, values, "ETHTOOL_GSTATS"); !s.ok()) {
    return s;
  }
  if (strings->len != values->n_stats || strings->len > kMaxStats) {
    return Status::Error("ethtool: the statistics of " + std::string(device) + " changed while being read");
  }
  return ParseEthtoolStats(
      std::string_view(strings_.get() + sizeof(ethtool_gstrings), std::size_t{strings->len} * kEthtoolStringLen),
      std::string_view(values_.get() + sizeof(ethtool_stats), std::size_t{values->n_stats} * sizeof(std::uint64_t)),
      parse_errors);
}

}  // namespace hostwatch
