#include "collectors/host/edac.h"

#include <memory>
#include <vector>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kCe{
    "node_edac_correctable_errors_total", "Total correctable memory errors.", MetricType::Counter, {"controller"}};
const MetricDesc kUe{
    "node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.", MetricType::Counter, {"controller"}};
const MetricDesc kCsrowCe{"node_edac_csrow_correctable_errors_total",
                          "Total correctable memory errors for this csrow.",
                          MetricType::Counter,
                          {"controller", "csrow"}};
const MetricDesc kCsrowUe{"node_edac_csrow_uncorrectable_errors_total",
                          "Total uncorrectable memory errors for this csrow.",
                          MetricType::Counter,
                          {"controller", "csrow"}};
const std::vector<std::string> kChannelLabels = {"controller", "csrow", "channel", "dimm_label"};
const MetricDesc kChannelCe{"node_edac_channel_correctable_errors_total",
                            "Total correctable memory errors for this channel.", MetricType::Counter, kChannelLabels};
const MetricDesc kChannelUe{"node_edac_channel_uncorrectable_errors_total",
                            "Total uncorrectable memory errors for this channel.", MetricType::Counter, kChannelLabels};

std::string_view Digits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
    ++n;
  }
  return s.substr(0, n);
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

class EdacCollector : public Collector {
 public:
  explicit EdacCollector(const ProcFs& fs) : fs_(fs) {}

  // No EDAC driver (no mc directory) is a successful scrape with no series,
  // as node_exporter's empty glob is. A counter that is missing or
  // unreadable fails the scrape, as there; one that does not parse is left
  // out and counted as a parse error.
  Status Collect(MetricSink& sink) override {
    Result<DirHandle> mc = fs_.OpenDir(fs_.SysPath("devices/system/edac/mc"));
    if (!mc.ok()) {
      return mc.status().no_data() ? Status::OK() : mc.status();
    }
    Result<std::vector<std::string>> names = mc.value().List();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& name : names.value()) {
      std::optional<std::string> controller = EdacIndex(name, "mc");
      Result<DirHandle> dir = controller ? mc.value().OpenDir(name) : Result<DirHandle>(Status::NoData(name));
      if (!dir.ok()) {
        continue;  // not a controller directory
      }
      if (Status s = AddController(*controller, dir.value(), sink); !s.ok()) {
        return s;
      }
    }
    return Status::OK();
  }

 private:
  Status AddController(const std::string& controller, const DirHandle& dir, MetricSink& sink) const {
    Status s = AddCounter(dir, "ce_count", kCe, {controller}, sink);
    s = s.ok() ? AddCounter(dir, "ce_noinfo_count", kCsrowCe, {controller, "unknown"}, sink) : s;
    s = s.ok() ? AddCounter(dir, "ue_count", kUe, {controller}, sink) : s;
    s = s.ok() ? AddCounter(dir, "ue_noinfo_count", kCsrowUe, {controller, "unknown"}, sink) : s;
    if (!s.ok()) {
      return s;
    }
    Result<std::vector<std::string>> names = dir.List();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& name : names.value()) {
      std::optional<std::string> csrow = EdacIndex(name, "csrow");
      Result<DirHandle> row = csrow ? dir.OpenDir(name) : Result<DirHandle>(Status::NoData(name));
      if (!row.ok()) {
        continue;
      }
      if (s = AddCsrow(controller, *csrow, row.value(), sink); !s.ok()) {
        return s;
      }
    }
    return Status::OK();
  }

  Status AddCsrow(const std::string& controller, const std::string& csrow, const DirHandle& dir,
                  MetricSink& sink) const {
    Status s = AddCounter(dir, "ce_count", kCsrowCe, {controller, csrow}, sink);
    s = s.ok() ? AddCounter(dir, "ue_count", kCsrowUe, {controller, csrow}, sink) : s;
    Result<std::vector<std::string>> names = dir.List();
    if (!s.ok() || !names.ok()) {
      return s.ok() ? names.status() : s;
    }
    for (const std::string& name : names.value()) {
      std::optional<std::string> channel = EdacChannelOfCeFile(name);
      if (!channel) {
        continue;
      }
      Result<std::string> label_file = dir.ReadAttribute("ch" + *channel + "_dimm_label");
      const std::string label = label_file.ok() ? EdacDimmLabel(label_file.value()) : "unknown";
      const std::vector<std::string> labels = {controller, csrow, *channel, label};
      if (s = AddCounter(dir, name, kChannelCe, labels, sink); !s.ok()) {
        return s;
      }
      // The uncorrectable count of a channel is optional in node_exporter.
      (void)AddCounter(dir, "ch" + *channel + "_ue_count", kChannelUe, labels, sink);
    }
    return Status::OK();
  }

  // Adds the counter in file; an Error naming the file when it cannot be read.
  static Status AddCounter(const DirHandle& dir, const std::string& file, const MetricDesc& desc,
                           const std::vector<std::string>& labels, MetricSink& sink) {
    Result<std::string> text = dir.ReadAttribute(file);
    if (!text.ok()) {
      // A missing counter is an error here, not "no data": the controller is there.
      return text.status().no_data() ? Status::Error(text.status().message()) : text.status();
    }
    std::optional<std::uint64_t> v = ParseUint(TrimSpace(text.value()));
    if (!v) {
      sink.CountParseError();
      return Status::OK();
    }
    sink.Add(desc, static_cast<double>(*v), labels);
    return Status::OK();
  }

  const ProcFs& fs_;
};

}  // namespace

std::optional<std::string> EdacIndex(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix) || Digits(name.substr(prefix.size())).empty()) {
    return std::nullopt;
  }
  return std::string(Digits(name.substr(prefix.size())));
}

std::optional<std::string> EdacChannelOfCeFile(std::string_view name) {
  constexpr std::string_view kSuffix = "_ce_count";
  if (!name.starts_with("ch") || !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  std::string_view number = name.substr(2, name.size() - 2 - kSuffix.size());
  if (number.empty() || Digits(number).size() != number.size()) {
    return std::nullopt;
  }
  return std::string(number);
}

std::string EdacDimmLabel(std::string_view content) {
  std::string label(TrimSpace(content));
  ReplaceAll(label, "#", "");
  ReplaceAll(label, "csrow", "_csrow");
  ReplaceAll(label, "channel", "_channel");
  return label;
}

CollectorSpec EdacCollectorSpec() {
  return {"edac",
          true,
          "Exposes memory error counters of EDAC memory controllers (/sys/devices/system/edac/mc): "
          "node_edac_{correctable,uncorrectable}_errors_total, node_edac_{csrow,channel}_"
          "{correctable,uncorrectable}_errors_total.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<EdacCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
