#include "registry.h"

#include <algorithm>

#include "cpu.h"
#include "loadavg.h"

namespace hostwatch {

const std::vector<CollectorSpec>& AllCollectors() {
  static const std::vector<CollectorSpec> kAll = [] {
    std::vector<CollectorSpec> all = {
        CpuCollectorSpec(),
        LoadavgCollectorSpec(),
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
