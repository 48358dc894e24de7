#include "agent/node_exporter_flags.h"

#include <algorithm>
#include <map>

#include "collectors/core/strings.h"

namespace hostwatch {

// Taken from node_exporter 1.12.1's sources (collector/*.go built for Linux, node_exporter.go,
// exporter-toolkit's web flags, promslog's log flags). Kept as data: the migration guide's list
// of what hostwatch lacks is checked against it by a unit test.
const std::vector<std::string_view>& NodeExporterCollectors() {
  static const std::vector<std::string_view> kNames = {
      "arp",        "bcache",       "bcachefs",   "bonding",          "btrfs",         "buddyinfo",
      "cgroups",    "conntrack",    "cpu",        "cpu_vulnerabilities", "cpufreq",    "diskstats",
      "dmi",        "dmmultipath",  "drbd",       "drm",              "edac",          "entropy",
      "ethtool",    "fibrechannel", "filefd",     "filesystem",       "hwmon",         "infiniband",
      "interrupts", "ipvs",         "kernel_hung", "ksmd",            "lnstat",        "loadavg",
      "logind",     "mdadm",        "meminfo",    "meminfo_numa",     "mountstats",    "netclass",
      "netdev",     "netstat",      "network_route", "nfs",           "nfsd",          "ntp",
      "nvme",       "nvmesubsystem", "os",        "pcidevice",        "perf",          "powersupplyclass",
      "pressure",   "processes",    "qdisc",      "rapl",             "runit",         "schedstat",
      "selinux",    "slabinfo",     "sockstat",   "softirqs",         "softnet",       "stat",
      "supervisord", "swap",        "sysctl",     "systemd",          "tapestats",     "tcpstat",
      "textfile",   "thermal_zone", "time",       "timex",            "udp_queues",    "uname",
      "vmstat",     "watchdog",     "wifi",       "xfrm",             "xfs",           "zfs",
      "zoneinfo",
  };
  return kNames;
}

const std::vector<std::string_view>& NodeExporterFlags() {
  static const std::vector<std::string_view> kFlags = {
      "collector.arp.device-exclude", "collector.arp.device-include", "collector.arp.netlink",
      "collector.bcache.priorityStats", "collector.cpu.guest", "collector.cpu.info",
      "collector.cpu.info.bugs-include", "collector.cpu.info.flags-include", "collector.disable-defaults",
      "collector.diskstats.device-exclude", "collector.diskstats.device-include",
      "collector.diskstats.ignored-devices", "collector.ethtool.device-exclude",
      "collector.ethtool.device-include", "collector.ethtool.metrics-include",
      "collector.filesystem.fs-types-exclude", "collector.filesystem.fs-types-include",
      "collector.filesystem.ignored-fs-types", "collector.filesystem.ignored-mount-points",
      "collector.filesystem.mount-points-exclude", "collector.filesystem.mount-points-include",
      "collector.filesystem.mount-timeout", "collector.filesystem.stat-workers", "collector.hwmon.chip-exclude",
      "collector.hwmon.chip-include", "collector.hwmon.sensor-exclude", "collector.hwmon.sensor-include",
      "collector.infiniband.device-exclude", "collector.infiniband.device-include",
      "collector.interrupts.include-zeros", "collector.interrupts.name-exclude",
      "collector.interrupts.name-include", "collector.ipvs.backend-labels", "collector.netclass.ignore-invalid-speed",
      "collector.netclass.ignored-devices", "collector.netclass.netlink", "collector.netclass_rtnl.with-stats",
      "collector.netdev.address-info", "collector.netdev.device-blacklist", "collector.netdev.device-exclude",
      "collector.netdev.device-include", "collector.netdev.device-whitelist",
      "collector.netdev.enable-detailed-metrics", "collector.netdev.label-ifalias", "collector.netdev.netlink",
      "collector.netstat.fields", "collector.ntp.ip-ttl", "collector.ntp.local-offset-tolerance",
      "collector.ntp.max-distance", "collector.ntp.protocol-version", "collector.ntp.server",
      "collector.ntp.server-is-local", "collector.ntp.server-port", "collector.pcidevice.idsfile",
      "collector.pcidevice.names", "collector.perf.cache-profilers", "collector.perf.cpus",
      "collector.perf.disable-cache-profilers", "collector.perf.disable-hardware-profilers",
      "collector.perf.disable-software-profilers", "collector.perf.hardware-profilers",
      "collector.perf.software-profilers", "collector.perf.tracepoint", "collector.powersupply.ignored-supplies",
      "collector.qdisc.device-exclude", "collector.qdisc.device-include", "collector.qdisc.fixtures",
      "collector.qdisk.device-exclude", "collector.qdisk.device-include", "collector.rapl.enable-zone-label",
      "collector.runit.servicedir", "collector.slabinfo.slabs-exclude", "collector.slabinfo.slabs-include",
      "collector.stat.softirq", "collector.supervisord.url", "collector.sysctl.include",
      "collector.sysctl.include-info", "collector.systemd.enable-restarts-metrics",
      "collector.systemd.enable-start-time-metrics", "collector.systemd.enable-task-metrics",
      "collector.systemd.private", "collector.systemd.unit-blacklist", "collector.systemd.unit-exclude",
      "collector.systemd.unit-include", "collector.systemd.unit-whitelist", "collector.tapestats.ignored-devices",
      "collector.textfile.directory", "collector.vmstat.fields", "collector.wifi.fixtures", "path.procfs",
      "path.rootfs", "path.sysfs", "path.udev.data", "runtime.gomaxprocs", "web.disable-exporter-metrics",
      "web.max-requests", "web.telemetry-path", "web.listen-address", "web.systemd-socket", "web.config.file",
      "log.level", "log.format",
  };
  return kFlags;
}

namespace {

// Flags node_exporter itself deprecated in favour of another name hostwatch has.
const std::map<std::string_view, std::string_view>& DeprecatedFlags() {
  static const std::map<std::string_view, std::string_view> kRenamed = {
      {"collector.diskstats.ignored-devices", "collector.diskstats.device-exclude"},
      {"collector.filesystem.ignored-fs-types", "collector.filesystem.fs-types-exclude"},
      {"collector.filesystem.ignored-mount-points", "collector.filesystem.mount-points-exclude"},
      {"collector.netdev.device-blacklist", "collector.netdev.device-exclude"},
      {"collector.netdev.device-whitelist", "collector.netdev.device-include"},
      {"collector.systemd.unit-blacklist", "collector.systemd.unit-exclude"},
      {"collector.systemd.unit-whitelist", "collector.systemd.unit-include"},
      {"collector.qdisk.device-exclude", "collector.qdisc.device-exclude"},
      {"collector.qdisk.device-include", "collector.qdisc.device-include"},
  };
  return kRenamed;
}

bool Contains(const std::vector<std::string_view>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// "--no-collector.x=1" -> "collector.x": the flag's name as node_exporter's tables spell it.
std::string FlagName(std::string_view arg) {
  arg.remove_prefix(arg.starts_with("--") ? 2 : 1);
  arg = arg.substr(0, arg.find('='));
  if (arg.starts_with("no-")) {
    arg.remove_prefix(3);
  }
  return std::string(arg);
}

}  // namespace

std::string DescribeUnexpectedArgument(std::string_view arg, const std::set<std::string>& known) {
  if (!arg.starts_with("-")) {
    return "unexpected argument \"" + std::string(arg) + "\" (hostwatch takes flags only; see hostwatch --help)";
  }
  const std::string name = FlagName(arg);
  const std::string shown(arg.substr(0, arg.find('=')));
  const std::string guide = " (" + std::string(kMigrationDoc) + " lists what hostwatch does not have yet)";
  if (auto renamed = DeprecatedFlags().find(name); renamed != DeprecatedFlags().end()) {
    return shown + " is a deprecated node_exporter flag; use --" + std::string(renamed->second) + " instead";
  }
  if (name.starts_with("collector.")) {
    // "--collector.nfs" and "--collector.nfs.<option>" both mean the nfs collector.
    std::string collector = name.substr(10, name.find('.', 10) - 10);
    if (Contains(NodeExporterCollectors(), collector) && !known.count("collector." + collector)) {
      return shown + ": node_exporter's " + collector + " collector is not in hostwatch yet" + guide;
    }
  }
  if (Contains(NodeExporterFlags(), name)) {
    return shown + " is a node_exporter flag hostwatch does not have yet" + guide;
  }
  std::string reason = "unknown flag " + shown;
  if (std::string_view near = ClosestSpelling(name, std::vector<std::string_view>(known.begin(), known.end()));
      !near.empty()) {
    reason += " (did you mean --" + std::string(near) + "?)";
  }
  return reason + "; hostwatch --help lists the flags";
}

}  // namespace hostwatch
