#include "collectors/host/arp.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/netlink_dump.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kEntries{"node_arp_entries", "ARP entries by device", MetricType::Gauge, {"device"}};

Result<std::string> DumpIpv4Neighbours() {
  struct {
    nlmsghdr header;
    ndmsg body;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETNEIGH;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = 1;
  request.body.ndm_family = AF_INET;
  return NetlinkDump(NETLINK_ROUTE, std::string_view(reinterpret_cast<const char*>(&request), sizeof(request)));
}

// The name of an interface index, or "" when it went away since the dump.
std::string InterfaceName(int index) {
  char name[IF_NAMESIZE] = {};
  return ::if_indextoname(static_cast<unsigned>(index), name) != nullptr ? std::string(name) : std::string();
}

class ArpCollector : public Collector {
 public:
  ArpCollector(const ProcFs& fs, DeviceFilter filter, bool netlink)
      : fs_(fs), filter_(std::move(filter)), netlink_(netlink) {}

  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    Result<std::map<std::string, double>> entries = netlink_ ? FromNetlink(&errors) : FromProc(&errors);
    sink.CountParseError(errors);
    if (!entries.ok()) {
      return entries.status();
    }
    for (const auto& [device, n] : entries.value()) {
      if (!filter_.Ignored(device)) {
        sink.Add(kEntries, n, {device});
      }
    }
    return Status::OK();
  }

 private:
  Result<std::map<std::string, double>> FromProc(std::uint64_t* errors) {
    Result<std::string> text = files_.ReadProc("net/arp");
    if (!text.ok()) {
      return text.status();
    }
    return ParseProcNetArp(text.value(), errors);
  }

  static Result<std::map<std::string, double>> FromNetlink(std::uint64_t* errors) {
    Result<std::string> dump = DumpIpv4Neighbours();
    if (!dump.ok()) {
      return dump.status();
    }
    Result<std::map<int, double>> by_index = ParseNeighbourDump(dump.value(), errors);
    if (!by_index.ok()) {
      return by_index.status();
    }
    std::map<std::string, double> out;
    for (const auto& [index, n] : by_index.value()) {
      std::string name = InterfaceName(index);
      if (!name.empty()) {
        out[name] += n;
      }
    }
    return out;
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const DeviceFilter filter_;
  const bool netlink_;
};

}  // namespace

std::map<std::string, double> ParseProcNetArp(std::string_view text, std::uint64_t* parse_errors) {
  std::map<std::string, double> out;
  std::vector<std::string_view> lines = SplitLines(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {  // line 0: "IP address HW type Flags ..."
    std::vector<std::string_view> f = SplitFields(lines[i]);
    if (f.empty()) {
      continue;
    }
    // IP address, HW type, Flags, HW address, Mask, Device
    if (f.size() != 6 || !f[2].starts_with("0x") || !ParseUint(f[2].substr(2)) ||
        f[3].find(':') == std::string_view::npos) {
      ++*parse_errors;
      continue;
    }
    ++out[std::string(f[5])];
  }
  return out;
}

Result<std::map<int, double>> ParseNeighbourDump(std::string_view bytes, std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(bytes);
  if (!messages.ok()) {
    return messages.status();
  }
  std::map<int, double> out;
  for (const NetlinkMessage& m : messages.value()) {
    if (m.type != RTM_NEWNEIGH) {
      continue;
    }
    if (m.payload.size() < sizeof(ndmsg)) {
      ++*parse_errors;
      continue;
    }
    ndmsg nd;
    std::memcpy(&nd, m.payload.data(), sizeof(nd));
    if ((nd.ndm_state & NUD_NOARP) == 0) {
      ++out[nd.ndm_ifindex];
    }
  }
  return out;
}

constexpr RegexOption kDeviceInclude{"arp", "device-include", "",
                                     "Regexp of arp devices to include (mutually exclusive to device-exclude)."};
constexpr RegexOption kDeviceExclude{"arp", "device-exclude", "",
                                     "Regexp of arp devices to exclude (mutually exclusive to device-include)."};
constexpr BoolOption kNetlink{"arp", "netlink", true, "Use netlink to gather stats instead of /proc/net/arp."};

CollectorSpec ArpCollectorSpec() {
  return {"arp",
          true,
          "Exposes IPv4 neighbour (ARP) entries per device from rtnetlink, or /proc/net/arp with netlink off: "
          "node_arp_entries.",
          {kDeviceInclude.Spec(), kDeviceExclude.Spec(), kNetlink.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> filter =
                MakeDeviceFilter({"device-exclude", "device-include", ""}, ctx.options.Get(kDeviceExclude),
                                 ctx.options.Get(kDeviceInclude));
            if (!filter.ok()) {
              return filter.status();
            }
            return CollectorPtr(
                std::make_unique<ArpCollector>(ctx.fs, std::move(filter.value()), ctx.options.Get(kNetlink)));
          }};
}

}  // namespace hostwatch
