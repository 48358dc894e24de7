#include "collectors/registry.h"

#include <algorithm>

#include "collectors/host/arp.h"
#include "collectors/host/conntrack.h"
#include "collectors/host/cpu.h"
#include "collectors/host/diskstats.h"
#include "collectors/host/entropy.h"
#include "collectors/host/filefd.h"
#include "collectors/host/filesystem.h"
#include "collectors/host/hwmon.h"
#include "collectors/host/interrupts.h"
#include "collectors/host/kernel_hung.h"
#include "collectors/host/loadavg.h"
#include "collectors/host/mdadm.h"
#include "collectors/host/meminfo.h"
#include "collectors/host/netclass.h"
#include "collectors/host/netdev.h"
#include "collectors/host/netstat.h"
#include "collectors/host/os.h"
#include "collectors/host/pressure.h"
#include "collectors/host/processes.h"
#include "collectors/host/schedstat.h"
#include "collectors/host/sockstat.h"
#include "collectors/host/softirqs.h"
#include "collectors/host/softnet.h"
#include "collectors/host/stat.h"
#include "collectors/host/systemd.h"
#include "collectors/host/tcpstat.h"
#include "collectors/host/textfile.h"
#include "collectors/host/thermal_zone.h"
#include "collectors/host/time_collector.h"
#include "collectors/host/timex.h"
#include "collectors/host/udp_queues.h"
#include "collectors/host/uname.h"
#include "collectors/host/vmstat.h"

namespace hostwatch {

const std::vector<CollectorSpec>& AllCollectors() {
  static const std::vector<CollectorSpec> kAll = [] {
    std::vector<CollectorSpec> all = {
        ArpCollectorSpec(),
        ConntrackCollectorSpec(),
        CpuCollectorSpec(),
        DiskstatsCollectorSpec(),
        EntropyCollectorSpec(),
        FilefdCollectorSpec(),
        FilesystemCollectorSpec(),
        HwmonCollectorSpec(),
        InterruptsCollectorSpec(),
        KernelHungCollectorSpec(),
        LoadavgCollectorSpec(),
        MdadmCollectorSpec(),
        MeminfoCollectorSpec(),
        NetclassCollectorSpec(),
        NetdevCollectorSpec(),
        NetstatCollectorSpec(),
        OsCollectorSpec(),
        PressureCollectorSpec(),
        ProcessesCollectorSpec(),
        SchedstatCollectorSpec(),
        SockstatCollectorSpec(),
        SoftirqsCollectorSpec(),
        SoftnetCollectorSpec(),
        StatCollectorSpec(),
        SystemdCollectorSpec(),
        TcpstatCollectorSpec(),
        TextfileCollectorSpec(),
        ThermalZoneCollectorSpec(),
        TimeCollectorSpec(),
        TimexCollectorSpec(),
        UdpQueuesCollectorSpec(),
        UnameCollectorSpec(),
        VmstatCollectorSpec(),
    };
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
