#include "registry.h"

#include <algorithm>

#include "cpu.h"
#include "diskstats.h"
#include "filesystem.h"
#include "loadavg.h"
#include "netclass.h"
#include "netdev.h"

namespace hostwatch {

const std::vector<CollectorSpec>& AllCollectors() {
  static const std::vector<CollectorSpec> kAll = [] {
    std::vector<CollectorSpec> all = {
        CpuCollectorSpec(),
        DiskstatsCollectorSpec(),
        FilesystemCollectorSpec(),
        LoadavgCollectorSpec(),
        NetclassCollectorSpec(),
        NetdevCollectorSpec(),
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
