#include "collectors/host/cpu_vulnerabilities.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

const MetricDesc kInfo{"node_cpu_vulnerabilities_info",
                       "Details of each CPU vulnerability reported by sysfs. The value of the series is an int encoded "
                       "state of the vulnerability. The same state is stored as a string in the label",
                       MetricType::Gauge,
                       {"codename", "state", "mitigation"}};

constexpr std::string_view kVulnerabilitiesDir = "devices/system/cpu/vulnerabilities";

class CpuVulnerabilitiesCollector : public Collector {
 public:
  explicit CpuVulnerabilitiesCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> dir = fs_.OpenDir(fs_.SysPath(kVulnerabilitiesDir));
    if (!dir.ok()) {
      return dir.status();  // NoData when the kernel has no such directory
    }
    Result<std::vector<std::string>> names = dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // Read all before adding any: an unreadable file fails the scrape, as upstream's.
    std::vector<CpuVulnerability> found;
    for (const std::string& name : names.value()) {
      Result<std::string> text = dir.value().ReadFile(name);
      if (!text.ok()) {
        return Status::Error(text.status().message());
      }
      found.push_back(ParseCpuVulnerability(name, text.value()));
    }
    for (const CpuVulnerability& v : found) {
      sink.Add(kInfo, 1, {v.codename, v.state, v.mitigation});
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
};

// The words after the first, joined by single spaces (Go's strings.Fields then Join).
std::string WordsAfterFirst(std::string_view text) {
  std::string spaced(text);
  std::replace_if(
      spaced.begin(), spaced.end(), [](char c) { return c == '\n' || c == '\r' || c == '\v' || c == '\f'; },
      ' ');  // Go's Fields splits at every ASCII space; SplitFields at spaces and tabs
  std::vector<std::string_view> words = SplitFields(spaced);
  if (words.size() < 2) {
    return "";
  }
  words.erase(words.begin());
  return Join(words, " ");
}

}  // namespace

CpuVulnerability ParseCpuVulnerability(std::string_view codename, std::string_view content) {
  content = TrimSpace(content);
  const std::string lower = AsciiToLower(content);
  CpuVulnerability v{std::string(codename), "unknown", ""};
  if (lower.starts_with("not affected")) {
    v.state = "not affected";
  } else if (lower.starts_with("vulnerable")) {
    v.state = "vulnerable";
    v.mitigation = WordsAfterFirst(content);
  } else if (lower.starts_with("mitigation")) {
    v.state = "mitigation";
    v.mitigation = WordsAfterFirst(content);
  } else if (lower.starts_with("unknown")) {
    v.mitigation = WordsAfterFirst(content);
  } else {
    v.mitigation = std::string(content);  // unrecognised text: kept whole, rather than failing
  }
  return v;
}

CollectorSpec CpuVulnerabilitiesCollectorSpec() {
  return {"cpu_vulnerabilities",
          false,
          "Exposes the kernel's CPU vulnerability and mitigation report (sysfs "
          "devices/system/cpu/vulnerabilities): node_cpu_vulnerabilities_info.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<CpuVulnerabilitiesCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
