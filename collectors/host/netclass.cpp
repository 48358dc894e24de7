#include "collectors/host/netclass.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"
#include "collectors/host/netclass_netlink.h"

namespace hostwatch {
namespace {

const MetricDesc kUp{"node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", MetricType::Gauge, {"device"}};
const MetricDesc kInfo{"node_network_info",
                       "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
                       MetricType::Gauge,
                       {"device", "address", "broadcast", "duplex", "operstate", "adminstate", "ifalias"}};

MetricDesc PropertyDesc(std::string_view name, MetricType type) { return NetClassPropertyDesc(name, type); }

// Numeric properties: exported name, type and the field holding the value.
struct Property {
  MetricDesc desc;
  std::optional<std::int64_t> NetClassIface::*field;
};
const std::vector<Property> kProperties = {
    {PropertyDesc("address_assign_type", MetricType::Gauge), &NetClassIface::addr_assign_type},
    {PropertyDesc("carrier", MetricType::Gauge), &NetClassIface::carrier},
    {PropertyDesc("carrier_changes_total", MetricType::Counter), &NetClassIface::carrier_changes},
    {PropertyDesc("carrier_up_changes_total", MetricType::Counter), &NetClassIface::carrier_up_count},
    {PropertyDesc("carrier_down_changes_total", MetricType::Counter), &NetClassIface::carrier_down_count},
    {PropertyDesc("device_id", MetricType::Gauge), &NetClassIface::dev_id},
    {PropertyDesc("dormant", MetricType::Gauge), &NetClassIface::dormant},
    {PropertyDesc("flags", MetricType::Gauge), &NetClassIface::flags},
    {PropertyDesc("iface_id", MetricType::Gauge), &NetClassIface::ifindex},
    {PropertyDesc("iface_link", MetricType::Gauge), &NetClassIface::iflink},
    {PropertyDesc("iface_link_mode", MetricType::Gauge), &NetClassIface::link_mode},
    {PropertyDesc("mtu_bytes", MetricType::Gauge), &NetClassIface::mtu},
    {PropertyDesc("name_assign_type", MetricType::Gauge), &NetClassIface::name_assign_type},
    {PropertyDesc("net_dev_group", MetricType::Gauge), &NetClassIface::netdev_group},
    {PropertyDesc("transmit_queue_length", MetricType::Gauge), &NetClassIface::tx_queue_len},
    {PropertyDesc("protocol_type", MetricType::Gauge), &NetClassIface::type},
};
const MetricDesc kSpeedBytes = PropertyDesc("speed_bytes", MetricType::Gauge);

// Attribute file -> numeric field.
const std::map<std::string, std::optional<std::int64_t> NetClassIface::*, std::less<>> kNumericFiles = {
    {"addr_assign_type", &NetClassIface::addr_assign_type},
    {"carrier", &NetClassIface::carrier},
    {"carrier_changes", &NetClassIface::carrier_changes},
    {"carrier_up_count", &NetClassIface::carrier_up_count},
    {"carrier_down_count", &NetClassIface::carrier_down_count},
    {"dev_id", &NetClassIface::dev_id},
    {"dormant", &NetClassIface::dormant},
    {"flags", &NetClassIface::flags},
    {"ifindex", &NetClassIface::ifindex},
    {"iflink", &NetClassIface::iflink},
    {"link_mode", &NetClassIface::link_mode},
    {"mtu", &NetClassIface::mtu},
    {"name_assign_type", &NetClassIface::name_assign_type},
    {"netdev_group", &NetClassIface::netdev_group},
    {"speed", &NetClassIface::speed},
    {"tx_queue_len", &NetClassIface::tx_queue_len},
    {"type", &NetClassIface::type},
};
const std::map<std::string, std::string NetClassIface::*, std::less<>> kStringFiles = {
    {"address", &NetClassIface::address}, {"broadcast", &NetClassIface::broadcast},
    {"duplex", &NetClassIface::duplex},   {"operstate", &NetClassIface::operstate},
    {"ifalias", &NetClassIface::ifalias},
};

// IFF_UP in the flags attribute, as node_exporter's getAdminState reads it.
std::string AdminState(const std::optional<std::int64_t>& flags) {
  if (!flags) {
    return "unknown";
  }
  return (*flags & 1) != 0 ? "up" : "down";
}

class NetclassCollector : public Collector {
 public:
  NetclassCollector(const ProcFs& fs, DeviceFilter ignored, bool ignore_invalid_speed, bool netlink, bool with_stats)
      : fs_(fs),
        ignored_(std::move(ignored)),
        ignore_invalid_speed_(ignore_invalid_speed),
        netlink_(netlink),
        with_stats_(with_stats) {}

  Status Collect(MetricSink& sink) override {
    if (netlink_) {
      return CollectNetclassNetlink({fs_, ignored_, with_stats_}, sink);
    }
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/net"));
    if (!class_dir.ok()) {
      return class_dir.status();
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    std::set<std::string, std::less<>> seen;
    for (const std::string& name : names.value()) {
      if (ignored_.Ignored(name)) {
        continue;
      }
      // Regular files such as bonding_masters are not interfaces: opening
      // them as a directory fails.
      Result<DirHandle> dir = class_dir.value().OpenDir(name);
      if (!dir.ok()) {
        continue;
      }
      seen.insert(name);
      AddIface(ParseNetClassAttributes(name, ReadAttributes(name, dir.value())), sink);
    }
    // An interface that is gone takes its cached attributes with it.
    std::erase_if(fixed_, [&seen](const auto& entry) { return !seen.contains(entry.first); });
    std::erase_if(kept_, [&seen](const auto& entry) { return !seen.contains(entry.first); });
    return Status::OK();
  }

 private:
  void AddIface(const NetClassIface& i, MetricSink& sink) const {
    sink.Add(kUp, i.operstate == "up" ? 1 : 0, {i.name});
    sink.Add(kInfo, 1, {i.name, i.address, i.broadcast, i.duplex, i.operstate, AdminState(i.flags), i.ifalias});
    for (const Property& p : kProperties) {
      if (const std::optional<std::int64_t>& v = i.*p.field) {
        sink.Add(p.desc, static_cast<double>(*v), {i.name});
      }
    }
    // Drivers report -1 when the speed is unknown; node_exporter exports it
    // scaled (-125000) unless told to ignore it.
    if (i.speed && (*i.speed >= 0 || !ignore_invalid_speed_)) {
      sink.Add(kSpeedBytes, static_cast<double>(*i.speed * 1000 * 1000 / 8), {i.name});
    }
  }

  // Reads every attribute node_exporter exports, relative to the
  // interface's directory: the fixed ones from the cache when the directory
  // is the same one they were read from, the others every time.
  std::map<std::string, std::string> ReadAttributes(const std::string& name, const DirHandle& dir) {
    std::map<std::string, std::string> attrs;
    Result<FileIdentity> id = dir.Identity();
    auto cached = fixed_.find(name);
    if (id.ok() && cached != fixed_.end() && cached->second.id == id.value() &&
        ++cached->second.uses < kNetClassFixedRefreshScrapes) {
      attrs = cached->second.values;
    } else {
      ReadInto(dir, NetClassFixedAttributeFiles(), attrs);
      if (id.ok()) {
        fixed_.insert_or_assign(name, FixedAttributes{id.value(), 0, attrs});
      }
    }
    ReadChanging(name, dir, id, attrs);
    return attrs;
  }

  // The changing attributes, through descriptors kept open between scrapes
  // for the first interfaces that fit kMaxKeptDescriptors (an open sysfs
  // attribute regenerates on pread at offset 0; see cached_file.h). They
  // belong to the directory identity they were opened under: a renamed or
  // re-created interface has a new one and gets fresh descriptors.
  void ReadChanging(const std::string& name, const DirHandle& dir, const Result<FileIdentity>& id,
                    std::map<std::string, std::string>& attrs) {
    const std::vector<std::string>& files = NetClassChangingAttributeFiles();
    auto kept = kept_.find(name);
    if (kept != kept_.end() && (!id.ok() || kept->second.id != id.value())) {
      kept_.erase(kept);
      kept = kept_.end();
    }
    if (kept == kept_.end() && id.ok() && (kept_.size() + 1) * files.size() <= kMaxKeptDescriptors) {
      KeptAttributes fresh{id.value(), {}};
      for (const std::string& file : files) {
        fresh.files.emplace_back(file, CachedFile::Kind::kAttribute);
      }
      kept = kept_.emplace(name, std::move(fresh)).first;
    }
    if (kept == kept_.end()) {
      ReadInto(dir, files, attrs);
      return;
    }
    for (CachedFile& file : kept->second.files) {
      if (Result<std::string> v = file.ReadIn(dir, /*may_keep=*/true); v.ok()) {
        attrs.insert_or_assign(file.path(), std::move(v).value());
      }
    }
  }

  // An attribute that is missing or fails to read (EINVAL from speed on a
  // down link) is left out, as node_exporter leaves it out; trying the open
  // costs less than listing the directory first to see what it has.
  static void ReadInto(const DirHandle& dir, const std::vector<std::string>& files,
                       std::map<std::string, std::string>& attrs) {
    for (const std::string& file : files) {
      if (Result<std::string> v = dir.ReadAttribute(file); v.ok()) {
        attrs.insert_or_assign(file, std::move(v).value());
      }
    }
  }

  // The fixed attributes of one interface and the identity (device and
  // inode) of the directory they were read from.
  struct FixedAttributes {
    FileIdentity id;
    int uses;  // scrapes served from the cache since the last read
    std::map<std::string, std::string> values;
  };

  // Open attribute descriptors of one interface, in the order of
  // NetClassChangingAttributeFiles, and the directory identity they were
  // opened under.
  struct KeptAttributes {
    FileIdentity id;
    std::vector<CachedFile> files;
  };
  // Bounds the descriptors held for attributes (about 6 interfaces' worth);
  // other interfaces, and all of a big host's beyond those, open each
  // attribute on every scrape as before.
  static constexpr std::size_t kMaxKeptDescriptors = 128;

  const ProcFs& fs_;
  const DeviceFilter ignored_;
  const bool ignore_invalid_speed_;
  const bool netlink_;     // --collector.netclass.netlink
  const bool with_stats_;  // --collector.netclass_rtnl.with-stats (netlink path only)
  // Interface name -> its fixed attributes. Touched by Collect only, which
  // the scraper never runs on two threads at once.
  std::map<std::string, FixedAttributes, std::less<>> fixed_;
  // Interface name -> its kept attribute descriptors (same rule as fixed_).
  std::map<std::string, KeptAttributes, std::less<>> kept_;
};

}  // namespace

const std::vector<std::string>& NetClassAttributeFiles() {
  static const std::vector<std::string> kFiles = [] {
    std::vector<std::string> files;
    for (const auto& [file, field] : kNumericFiles) {
      files.push_back(file);
    }
    for (const auto& [file, field] : kStringFiles) {
      files.push_back(file);
    }
    std::sort(files.begin(), files.end());
    return files;
  }();
  return kFiles;
}

// Why these and only these are cached (see NetClassFixedAttributeFiles):
// dev_id is set by the driver when it creates the device and no netlink or
// sysfs operation changes it; ifindex is assigned by register_netdevice and
// changes only when the device moves to another network namespace, which
// removes it from this namespace's /sys/class/net (the entry is dropped at
// the next scrape that does not list it). Looking like fixed is not enough:
// type changes when a bond enslaves its first non-Ethernet device, iflink
// when a tunnel is re-linked, addr_assign_type and address on
// `ip link set address`, name_assign_type on a rename, so all of those are
// read on every scrape. The one gap: a device moved to another namespace
// and back between two scrapes keeps its directory (same inode) but may come
// back with a new ifindex; re-reading every kNetClassFixedRefreshScrapes
// bounds how long such a value can stay stale.
const std::vector<std::string>& NetClassFixedAttributeFiles() {
  static const std::vector<std::string> kFiles = {"dev_id", "ifindex"};
  return kFiles;
}

const std::vector<std::string>& NetClassChangingAttributeFiles() {
  static const std::vector<std::string> kFiles = [] {
    std::vector<std::string> files;
    for (const std::string& f : NetClassAttributeFiles()) {
      if (std::find(NetClassFixedAttributeFiles().begin(), NetClassFixedAttributeFiles().end(), f) ==
          NetClassFixedAttributeFiles().end()) {
        files.push_back(f);
      }
    }
    return files;
  }();
  return kFiles;
}

NetClassIface ParseNetClassAttributes(std::string name, const std::map<std::string, std::string>& attrs) {
  NetClassIface iface;
  iface.name = std::move(name);
  for (const auto& [file, value] : attrs) {
    if (auto it = kNumericFiles.find(file); it != kNumericFiles.end()) {
      iface.*(it->second) = ParseGoInt(TrimSpace(value));
    } else if (auto st = kStringFiles.find(file); st != kStringFiles.end()) {
      iface.*(st->second) = std::string(TrimSpace(value));
    }
  }
  return iface;
}

const MetricDesc& NetClassUpDesc() { return kUp; }

MetricDesc NetClassPropertyDesc(std::string_view name, MetricType type) {
  return {"node_network_" + std::string(name), "Network device property: " + std::string(name), type, {"device"}};
}

constexpr RegexOption kIgnoredDevices{"netclass", "ignored-devices", "^$",
                                      "Regexp of net devices to ignore for netclass collector."};
constexpr BoolOption kIgnoreInvalidSpeed{
    "netclass", "ignore-invalid-speed", false,
    "Ignore devices where the speed is invalid. This will be the default behavior in 2.x."};
constexpr BoolOption kNetlink{"netclass", "netlink", false, "Use netlink to gather stats instead of /proc/net/dev."};
// Upstream spells this flag --collector.netclass_rtnl.with-stats (an alias in agent/flags.cpp).
constexpr BoolOption kWithStats{"netclass", "with-stats", false,
                                "Expose the statistics for each network device, replacing netdev collector."};

CollectorSpec NetclassCollectorSpec() {
  return {"netclass",
          true,
          "Exposes network interface properties (/sys/class/net): node_network_up, node_network_info, "
          "node_network_mtu_bytes, node_network_speed_bytes, ...",
          {kIgnoredDevices.Spec(), kIgnoreInvalidSpeed.Spec(), kNetlink.Spec(), kWithStats.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> ignored = DeviceFilter::Make(ctx.options.Get(kIgnoredDevices), "");
            if (!ignored.ok()) {
              return ignored.status();
            }
            return CollectorPtr(std::make_unique<NetclassCollector>(
                ctx.fs, std::move(ignored).value(), ctx.options.Get(kIgnoreInvalidSpeed), ctx.options.Get(kNetlink),
                ctx.options.Get(kWithStats)));
          }};
}

}  // namespace hostwatch
