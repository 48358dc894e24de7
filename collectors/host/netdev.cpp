#include "collectors/host/netdev.h"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/netlink_dump.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

MetricDesc NetDevDesc(std::string_view stat) {
  return {"node_network_" + std::string(stat) + "_total",
          "Network device statistic " + std::string(stat) + ".",
          MetricType::Counter,
          {"device"}};
}

// One family per column, in column order (see NetDevLine).
const std::array<MetricDesc, 16> kColumns = {
    NetDevDesc("receive_bytes"),       NetDevDesc("receive_packets"),   NetDevDesc("receive_errs"),
    NetDevDesc("receive_drop"),        NetDevDesc("receive_fifo"),      NetDevDesc("receive_frame"),
    NetDevDesc("receive_compressed"),  NetDevDesc("receive_multicast"), NetDevDesc("transmit_bytes"),
    NetDevDesc("transmit_packets"),    NetDevDesc("transmit_errs"),     NetDevDesc("transmit_drop"),
    NetDevDesc("transmit_fifo"),       NetDevDesc("transmit_colls"),    NetDevDesc("transmit_carrier"),
    NetDevDesc("transmit_compressed"),
};
const MetricDesc kReceiveNohandler = NetDevDesc("receive_nohandler");

class NetdevCollector : public Collector {
 public:
  NetdevCollector(const ProcFs& fs, DeviceFilter filter, bool netlink)
      : fs_(fs), filter_(std::move(filter)), netlink_(netlink) {}

  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    Result<std::vector<NetDevLine>> devices = netlink_ ? FromNetlink(&errors) : FromProc(&errors);
    sink.CountParseError(errors);
    if (!devices.ok()) {
      return devices.status();
    }
    for (const NetDevLine& dev : devices.value()) {
      if (filter_.Ignored(dev.device)) {
        continue;
      }
      for (std::size_t i = 0; i < kColumns.size(); ++i) {
        sink.Add(kColumns[i], static_cast<double>(dev.counters[i]), {dev.device});
      }
      if (dev.receive_nohandler) {
        sink.Add(kReceiveNohandler, static_cast<double>(*dev.receive_nohandler), {dev.device});
      }
    }
    return Status::OK();
  }

 private:
  Result<std::vector<NetDevLine>> FromProc(std::uint64_t* errors) {
    Result<std::string> text = files_.ReadProc("net/dev");
    if (!text.ok()) {
      return text.status();
    }
    return ParseNetDev(text.value(), errors);
  }

  static Result<std::vector<NetDevLine>> FromNetlink(std::uint64_t* errors) {
    Result<std::string> dump = DumpRtnlLinks();
    if (!dump.ok()) {
      return dump.status();
    }
    return ParseRtnlLinkDump(dump.value(), errors);
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const DeviceFilter filter_;
  const bool netlink_;
};

}  // namespace

std::vector<NetDevLine> ParseNetDev(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<NetDevLine> out;
  std::vector<std::string_view> lines = SplitLines(text);
  // The first two lines are the column headers (man 5 proc, /proc/net/dev).
  for (std::size_t n = 2; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (TrimSpace(line).empty()) {
      continue;
    }
    // The counters contain no ':', the name may ("eth0:1" aliases on old kernels).
    std::size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      ++*parse_errors;
      continue;
    }
    NetDevLine dev;
    dev.device = std::string(TrimSpace(line.substr(0, colon)));
    std::vector<std::string_view> f = SplitFields(line.substr(colon + 1));
    bool ok = !dev.device.empty() && f.size() == dev.counters.size();
    for (std::size_t i = 0; ok && i < f.size(); ++i) {
      std::optional<std::uint64_t> v = ParseUint(f[i]);
      ok = v.has_value();
      dev.counters[i] = v.value_or(0);
    }
    if (!ok) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(dev));
  }
  return out;
}

Result<std::vector<NetDevLine>> ParseRtnlLinkDump(std::string_view bytes, std::uint64_t* parse_errors) {
  std::vector<NetDevLine> out;
  std::size_t off = 0;
  while (off + sizeof(nlmsghdr) <= bytes.size()) {
    nlmsghdr h;
    std::memcpy(&h, bytes.data() + off, sizeof(h));
    if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > bytes.size()) {
      ++*parse_errors;  // truncated: nothing after it can be trusted
      break;
    }
    if (h.nlmsg_type == NLMSG_ERROR) {
      nlmsgerr err{};
      std::memcpy(&err, bytes.data() + off + NLMSG_HDRLEN,
                  std::min<std::size_t>(sizeof(err), h.nlmsg_len - std::min<std::size_t>(h.nlmsg_len, NLMSG_HDRLEN)));
      if (err.error != 0) {  // 0 is an acknowledgement, not an error
        return Status::FromErrno(-err.error, "netlink RTM_GETLINK");
      }
    }
    if (h.nlmsg_type == RTM_NEWLINK) {
      std::size_t attr_off = off + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
      const std::size_t end = off + h.nlmsg_len;
      std::string name;
      rtnl_link_stats64 stats{};
      bool have_stats = false;
      while (attr_off + sizeof(rtattr) <= end) {
        rtattr a;
        std::memcpy(&a, bytes.data() + attr_off, sizeof(a));
        if (a.rta_len < sizeof(rtattr) || attr_off + a.rta_len > end) {
          break;
        }
        const char* payload = bytes.data() + attr_off + RTA_LENGTH(0);
        std::size_t payload_len = a.rta_len - RTA_LENGTH(0);
        if (a.rta_type == IFLA_IFNAME) {
          name.assign(payload, strnlen(payload, payload_len));
        } else if (a.rta_type == IFLA_STATS64) {
          // Older kernels send a shorter struct (no rx_nohandler before 4.6).
          std::memcpy(&stats, payload, std::min(payload_len, sizeof(stats)));
          // Every field up to rx_nohandler must be there; a missing rx_nohandler stays 0.
          have_stats = payload_len >= offsetof(rtnl_link_stats64, rx_nohandler);
        }
        attr_off += RTA_ALIGN(a.rta_len);
      }
      if (name.empty() || !have_stats) {
        ++*parse_errors;
      } else {
        NetDevLine dev;
        dev.device = std::move(name);
        const rtnl_link_stats64& s = stats;
        dev.counters = {s.rx_bytes,
                        s.rx_packets,
                        s.rx_errors,
                        s.rx_dropped + s.rx_missed_errors,
                        s.rx_fifo_errors,
                        s.rx_frame_errors + s.rx_length_errors + s.rx_over_errors + s.rx_crc_errors,
                        s.rx_compressed,
                        s.multicast,
                        s.tx_bytes,
                        s.tx_packets,
                        s.tx_errors,
                        s.tx_dropped,
                        s.tx_fifo_errors,
                        s.collisions,
                        s.tx_carrier_errors + s.tx_aborted_errors + s.tx_heartbeat_errors + s.tx_window_errors,
                        s.tx_compressed};
        dev.receive_nohandler = s.rx_nohandler;
        out.push_back(std::move(dev));
      }
    }
    if (h.nlmsg_type == NLMSG_DONE) {
      break;
    }
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  return out;
}

constexpr BoolOption kNetlink{"netdev", "netlink", true, "Use netlink to gather stats instead of /proc/net/dev."};
constexpr RegexOption kDeviceExclude{"netdev", "device-exclude", "",
                                     "Regexp of net devices to exclude (mutually exclusive to device-include)."};
constexpr RegexOption kDeviceInclude{"netdev", "device-include", "",
                                     "Regexp of net devices to include (mutually exclusive to device-exclude)."};

CollectorSpec NetdevCollectorSpec() {
  return {"netdev",
          true,
          "Exposes network interface statistics (rtnetlink, or /proc/net/dev): "
          "node_network_{receive,transmit}_*_total.",
          {kNetlink.Spec(), kDeviceExclude.Spec(), kDeviceInclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> filter =
                MakeDeviceFilter({"device-exclude", "device-include", ""}, ctx.options.Get(kDeviceExclude),
                                 ctx.options.Get(kDeviceInclude));
            if (!filter.ok()) {
              return filter.status();
            }
            return CollectorPtr(
                std::make_unique<NetdevCollector>(ctx.fs, std::move(filter).value(), ctx.options.Get(kNetlink)));
          }};
}

}  // namespace hostwatch
