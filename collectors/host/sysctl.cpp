#include "collectors/host/sysctl.h"

#include <memory>
#include <optional>
#include <string>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// The words of text, split at any whitespace including line ends (Go's strings.Fields,
// which node_exporter uses on sysctl files).
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::string_view line : SplitLines(text)) {
    for (std::string_view w : SplitFields(line)) {
      out.push_back(w);
    }
  }
  return out;
}

const MetricDesc kInfo{"node_sysctl_info", "sysctl info", MetricType::Gauge, {"name", "value", "index"}};

// An entry with the families it may export, made once so the sink can keep pointers.
struct PreparedSysctl {
  SysctlEntry entry;
  std::string path;                // relative to the proc root
  MetricDesc single;               // a numeric sysctl with one value
  MetricDesc indexed;              // a numeric sysctl with several values and no keys
  std::vector<MetricDesc> mapped;  // one per key
};

PreparedSysctl Prepare(SysctlEntry e) {
  const std::string metric = "node_sysctl_" + SysctlMetricName(e.name);
  const std::string help = "sysctl " + e.name;
  PreparedSysctl p{e, SysctlProcPath(e.name), {metric, help, MetricType::Untyped, {}},
                   {metric, help, MetricType::Untyped, {"index"}}, {}};
  for (std::size_t i = 0; i < e.keys.size(); ++i) {
    p.mapped.push_back(
        {metric + "_" + e.keys[i], help + ", field " + std::to_string(i), MetricType::Untyped, {}});
  }
  return p;
}

class SysctlCollector : public Collector {
 public:
  SysctlCollector(const ProcFs& fs, std::vector<PreparedSysctl> sysctls) : fs_(fs), sysctls_(std::move(sysctls)) {}

  // Like node_exporter, the first sysctl that cannot be read or does not fit its
  // entry fails the scrape: each one was asked for by name, so its absence is a
  // configuration error, not missing data.
  Status Collect(MetricSink& sink) override {
    for (const PreparedSysctl& s : sysctls_) {
      if (Status st = CollectOne(s, sink); !st.ok()) {
        return Status::Error("sysctl " + s.entry.name + ": " + st.message());
      }
    }
    return Status::OK();
  }

 private:
  Status CollectOne(const PreparedSysctl& s, MetricSink& sink) const {
    Result<std::string> text = fs_.ReadProc(s.path);
    if (!text.ok()) {
      return Status::Error(text.status().message());
    }
    const std::vector<std::string_view> fields = Words(text.value());
    std::vector<double> numbers;
    for (std::string_view f : fields) {
      std::optional<std::int64_t> v = s.entry.numeric ? ParseInt(f) : std::optional<std::int64_t>(0);
      if (!v) {
        sink.CountParseError(1);
        return Status::Error("value " + std::to_string(numbers.size()) + " is not an integer");
      }
      numbers.push_back(static_cast<double>(*v));
    }
    if (fields.empty()) {
      return Status::Error("has no values");
    }
    if (!s.entry.keys.empty() && s.entry.keys.size() != fields.size()) {
      return Status::Error("has " + std::to_string(fields.size()) + " values but " +
                           std::to_string(s.entry.keys.size()) + " field names");
    }
    if (!s.entry.numeric && !s.entry.keys.empty()) {
      return Status::Error("field names are for numeric sysctls (--collector.sysctl.include)");
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (!s.entry.numeric) {
        sink.Add(kInfo, 1, {s.entry.name, std::string(fields[i]), std::to_string(i)});
      } else if (!s.entry.keys.empty()) {
        sink.Add(s.mapped[i], numbers[i]);
      } else if (fields.size() == 1) {
        sink.Add(s.single, numbers[i]);
      } else {
        sink.Add(s.indexed, numbers[i], {std::to_string(i)});
      }
    }
    return Status::OK();
  }

  const ProcFs& fs_;
  const std::vector<PreparedSysctl> sysctls_;
};

}  // namespace

Result<std::vector<SysctlEntry>> ParseSysctlEntries(std::string_view option_value, bool numeric) {
  std::vector<SysctlEntry> out;
  for (std::string_view item : Words(option_value)) {
    SysctlEntry e;
    e.numeric = numeric;
    std::size_t colon = item.find(':');
    e.name = std::string(item.substr(0, colon));
    if (colon != std::string_view::npos) {
      std::string_view keys = item.substr(colon + 1);
      for (std::size_t start = 0;;) {
        std::size_t comma = keys.find(',', start);
        e.keys.emplace_back(keys.substr(start, comma - start));
        if (comma == std::string_view::npos) {
          break;
        }
        start = comma + 1;
      }
    }
    if (e.name.empty()) {
      return Status::Error("\"" + std::string(item) + "\": no sysctl name before the ':'");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string SysctlMetricName(std::string_view name) { return SanitizeMetricName(name); }

std::string SysctlProcPath(std::string_view name) {
  std::string out = "sys/" + std::string(name);
  for (std::size_t i = 4; i < out.size(); ++i) {
    out[i] = out[i] == '.' ? '/' : out[i];
  }
  return out;
}

constexpr StringOption kInclude{"sysctl", "include", "",
                                "Select sysctl metrics to include: name or name:field1,field2,... entries, separated "
                                "by spaces (node_exporter repeats the flag instead)."};
constexpr StringOption kIncludeInfo{"sysctl", "include-info", "",
                                    "Select sysctl metrics to include as info metrics: names separated by spaces "
                                    "(node_exporter repeats the flag instead)."};

CollectorSpec SysctlCollectorSpec() {
  return {"sysctl",
          false,
          "Exposes the /proc/sys values named by its options: numeric ones as node_sysctl_<name> (or "
          "node_sysctl_<name>_<field>), text ones as node_sysctl_info{name,value,index}.",
          {kInclude.Spec(), kIncludeInfo.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            std::vector<PreparedSysctl> prepared;
            for (const auto& [option, numeric] : {std::pair{&kInclude, true}, std::pair{&kIncludeInfo, false}}) {
              Result<std::vector<SysctlEntry>> entries = ParseSysctlEntries(ctx.options.Get(*option), numeric);
              if (!entries.ok()) {
                return Status::Error("collector.sysctl." + std::string(option->key()) + ": " +
                                     entries.status().message());
              }
              for (SysctlEntry& e : entries.value()) {
                prepared.push_back(Prepare(std::move(e)));
              }
            }
            return CollectorPtr(std::make_unique<SysctlCollector>(ctx.fs, std::move(prepared)));
          }};
}

}  // namespace hostwatch
