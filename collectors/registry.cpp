#include "collectors/registry.h"

#include <algorithm>

#include "collectors/host/arp.h"
#include "collectors/host/bcache.h"
#include "collectors/host/bcachefs.h"
#include "collectors/host/bonding.h"
#include "collectors/host/btrfs.h"
#include "collectors/host/buddyinfo.h"
#include "collectors/host/cgroups.h"
#include "collectors/host/conntrack.h"
#include "collectors/host/cpu.h"
#include "collectors/host/cpu_vulnerabilities.h"
#include "collectors/host/cpufreq.h"
#include "collectors/host/diskstats.h"
#include "collectors/host/dmi.h"
#include "collectors/host/dmmultipath.h"
#include "collectors/host/drbd.h"
#include "collectors/host/drm.h"
#include "collectors/host/edac.h"
#include "collectors/host/entropy.h"
#include "collectors/host/ethtool.h"
#include "collectors/host/fibrechannel.h"
#include "collectors/host/filefd.h"
#include "collectors/host/filesystem.h"
#include "collectors/host/hwmon.h"
#include "collectors/host/infiniband.h"
#include "collectors/host/interrupts.h"
#include "collectors/host/ipvs.h"
#include "collectors/host/kernel_hung.h"
#include "collectors/host/ksmd.h"
#include "collectors/host/lnstat.h"
#include "collectors/host/loadavg.h"
#include "collectors/host/logind.h"
#include "collectors/host/mdadm.h"
#include "collectors/host/meminfo.h"
#include "collectors/host/meminfo_numa.h"
#include "collectors/host/mountstats.h"
#include "collectors/host/netclass.h"
#include "collectors/host/netdev.h"
#include "collectors/host/netstat.h"
#include "collectors/host/network_route.h"
#include "collectors/host/nfs.h"
#include "collectors/host/nfsd.h"
#include "collectors/host/ntp.h"
#include "collectors/host/nvme.h"
#include "collectors/host/nvmesubsystem.h"
#include "collectors/host/os.h"
#include "collectors/host/pcidevice.h"
#include "collectors/host/perf.h"
#include "collectors/host/powersupplyclass.h"
#include "collectors/host/pressure.h"
#include "collectors/host/processes.h"
#include "collectors/host/qdisc.h"
#include "collectors/host/rapl.h"
#include "collectors/host/runit.h"
#include "collectors/host/schedstat.h"
#include "collectors/host/selinux.h"
#include "collectors/host/slabinfo.h"
#include "collectors/host/sockstat.h"
#include "collectors/host/softirqs.h"
#include "collectors/host/softnet.h"
#include "collectors/host/stat.h"
#include "collectors/host/supervisord.h"
#include "collectors/host/swap.h"
#include "collectors/host/sysctl.h"
#include "collectors/host/systemd.h"
#include "collectors/host/tapestats.h"
#include "collectors/host/tcpstat.h"
#include "collectors/host/textfile.h"
#include "collectors/host/thermal_zone.h"
#include "collectors/host/time_collector.h"
#include "collectors/host/timex.h"
#include "collectors/host/udp_queues.h"
#include "collectors/host/uname.h"
#include "collectors/host/vmstat.h"
#include "collectors/host/watchdog.h"
#include "collectors/host/wifi.h"
#include "collectors/host/xfrm.h"
#include "collectors/host/xfs.h"
#include "collectors/host/zfs.h"
#include "collectors/host/zoneinfo.h"

namespace hostwatch {

namespace {

// Every collector, one factory each, in alphabetical order (a unit test keeps it so).
using SpecFactory = CollectorSpec (*)();
const SpecFactory kSpecFactories[] = {
    &ArpCollectorSpec,
    &BcacheCollectorSpec,
    &BcachefsCollectorSpec,
    &BondingCollectorSpec,
    &BtrfsCollectorSpec,
    &BuddyinfoCollectorSpec,
    &CgroupsCollectorSpec,
    &ConntrackCollectorSpec,
    &CpuCollectorSpec,
    &CpufreqCollectorSpec,
    &CpuVulnerabilitiesCollectorSpec,
    &DiskstatsCollectorSpec,
    &DmiCollectorSpec,
    &DmmultipathCollectorSpec,
    &DrbdCollectorSpec,
    &DrmCollectorSpec,
    &EdacCollectorSpec,
    &EntropyCollectorSpec,
    &EthtoolCollectorSpec,
    &FibrechannelCollectorSpec,
    &FilefdCollectorSpec,
    &FilesystemCollectorSpec,
    &HwmonCollectorSpec,
    &InfinibandCollectorSpec,
    &InterruptsCollectorSpec,
    &IpvsCollectorSpec,
    &KernelHungCollectorSpec,
    &KsmdCollectorSpec,
    &LnstatCollectorSpec,
    &LoadavgCollectorSpec,
    &LogindCollectorSpec,
    &MdadmCollectorSpec,
    &MeminfoCollectorSpec,
    &MeminfoNumaCollectorSpec,
    &MountstatsCollectorSpec,
    &NetclassCollectorSpec,
    &NetdevCollectorSpec,
    &NetstatCollectorSpec,
    &NetworkRouteCollectorSpec,
    &NfsCollectorSpec,
    &NfsdCollectorSpec,
    &NtpCollectorSpec,
    &NvmeCollectorSpec,
    &NvmesubsystemCollectorSpec,
    &OsCollectorSpec,
    &PcideviceCollectorSpec,
    &PerfCollectorSpec,
    &PowersupplyclassCollectorSpec,
    &PressureCollectorSpec,
    &ProcessesCollectorSpec,
    &QdiscCollectorSpec,
    &RaplCollectorSpec,
    &RunitCollectorSpec,
    &SchedstatCollectorSpec,
    &SelinuxCollectorSpec,
    &SlabinfoCollectorSpec,
    &SockstatCollectorSpec,
    &SoftirqsCollectorSpec,
    &SoftnetCollectorSpec,
    &StatCollectorSpec,
    &SupervisordCollectorSpec,
    &SwapCollectorSpec,
    &SysctlCollectorSpec,
    &SystemdCollectorSpec,
    &TapestatsCollectorSpec,
    &TcpstatCollectorSpec,
    &TextfileCollectorSpec,
    &ThermalZoneCollectorSpec,
    &TimeCollectorSpec,
    &TimexCollectorSpec,
    &UdpQueuesCollectorSpec,
    &UnameCollectorSpec,
    &VmstatCollectorSpec,
    &WatchdogCollectorSpec,
    &WifiCollectorSpec,
    &XfrmCollectorSpec,
    &XfsCollectorSpec,
    &ZfsCollectorSpec,
    &ZoneinfoCollectorSpec,
};

}  // namespace

const std::vector<CollectorSpec>& AllCollectors() {
  static const std::vector<CollectorSpec> kAll = [] {
    std::vector<CollectorSpec> all;
    for (auto factory : kSpecFactories) {
      all.push_back(factory());
    }
    std::sort(all.begin(), all.end(), [](const CollectorSpec& a, const CollectorSpec& b) { return a.name < b.name; });
    return all;
  }();
  return kAll;
}

const CollectorSpec* FindCollector(std::string_view name) {
  for (const CollectorSpec& spec : AllCollectors()) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

CollectorOptions DefaultCollectorOptions() {
  CollectorOptions options;
  for (const CollectorSpec& spec : AllCollectors()) {
    for (const OptionSpec& option : spec.options) {
      options.Declare(option);
    }
  }
  return options;
}

}  // namespace hostwatch
