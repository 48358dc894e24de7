#include "registry.h"

#include <algorithm>

#include "conntrack.h"
#include "cpu.h"
#include "diskstats.h"
#include "entropy.h"
#include "filefd.h"
#include "filesystem.h"
#include "loadavg.h"
#include "mdadm.h"
#include "meminfo.h"
#include "netclass.h"
#include "netdev.h"
#include "netstat.h"
#include "os.h"
#include "pressure.h"
#include "sockstat.h"
#include "stat.h"
#include "textfile.h"
#include "time.h"
#include "timex.h"
#include "uname.h"
#include "vmstat.h"

namespace hostwatch {

const std::vector<CollectorSpec>& AllCollectors() {
  static const std::vector<CollectorSpec> kAll = [] {
    std::vector<CollectorSpec> all = {
        ConntrackCollectorSpec(),
        CpuCollectorSpec(),
        DiskstatsCollectorSpec(),
        EntropyCollectorSpec(),
        FilefdCollectorSpec(),
        FilesystemCollectorSpec(),
        LoadavgCollectorSpec(),
        MdadmCollectorSpec(),
        MeminfoCollectorSpec(),
        NetclassCollectorSpec(),
        NetdevCollectorSpec(),
        NetstatCollectorSpec(),
        OsCollectorSpec(),
        PressureCollectorSpec(),
        SockstatCollectorSpec(),
        StatCollectorSpec(),
        TextfileCollectorSpec(),
        TimeCollectorSpec(),
        TimexCollectorSpec(),
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

}  // namespace hostwatch
