#include "collectors/host/drm.h"

#include <memory>
#include <vector>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kCardLabel = {"card"};
const MetricDesc kCardInfo{"node_drm_card_info",
                           "Card information",
                           MetricType::Gauge,
                           {"card", "memory_vendor", "power_performance_level", "unique_id", "vendor"}};

MetricDesc CardGauge(const char* name, const char* help) {
  return {std::string("node_drm_") + name, help, MetricType::Gauge, kCardLabel};
}

// Parallel to DrmValueFiles(); node_exporter's order of export.
const std::array<MetricDesc, 7> kValueDescs = {
    CardGauge("gpu_busy_percent", "How busy the GPU is as a percentage."),
    CardGauge("memory_gtt_size_bytes", "The size of the graphics translation table (GTT) block in bytes."),
    CardGauge("memory_gtt_used_bytes", "The used amount of the graphics translation table (GTT) block in bytes."),
    CardGauge("memory_vram_size_bytes", "The size of VRAM in bytes."),
    CardGauge("memory_vram_used_bytes", "The used amount of VRAM in bytes."),
    CardGauge("memory_vis_vram_size_bytes", "The size of visible VRAM in bytes."),
    CardGauge("memory_vis_vram_used_bytes", "The used amount of visible VRAM in bytes."),
};

// The string attributes read besides the numbers.
const std::array<std::string_view, 3> kStringFiles = {"mem_info_vram_vendor", "power_dpm_force_performance_level",
                                                      "unique_id"};

class DrmCollector : public Collector {
 public:
  explicit DrmCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/drm"));
    if (!class_dir.ok()) {
      return class_dir.status();
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // As node_exporter: every card is read before anything is exported, and a
    // card whose device/ or uevent cannot be read fails the scrape.
    std::vector<std::pair<std::string, AmdgpuCard>> cards;
    for (const std::string& name : names.value()) {
      if (!IsDrmCardName(name)) {
        continue;
      }
      Result<std::optional<AmdgpuCard>> card = ReadCard(class_dir.value(), name, sink);
      if (!card.ok()) {
        return card.status();
      }
      if (card.value()) {
        cards.emplace_back(name, *card.value());
      }
    }
    for (const auto& [name, c] : cards) {
      sink.Add(kCardInfo, 1, {name, c.memory_vendor, c.power_level, c.unique_id, "amd"});
      for (std::size_t i = 0; i < kValueDescs.size(); ++i) {
        if (c.values[i]) {
          sink.Add(kValueDescs[i], static_cast<double>(*c.values[i]), {name});
        }
      }
    }
    return Status::OK();
  }

 private:
  static Result<std::optional<AmdgpuCard>> ReadCard(const DirHandle& class_dir, const std::string& name,
                                                    MetricSink& sink) {
    Result<DirHandle> card = class_dir.OpenDir(name);
    if (!card.ok()) {
      return card.status();
    }
    Result<DirHandle> device = card.value().OpenDir("device");
    if (!device.ok()) {
      return device.status();
    }
    Result<std::string> uevent = device.value().ReadFile("uevent");
    if (!uevent.ok()) {
      return uevent.status();
    }
    // Only amdgpu cards have these files; other drivers' cards are not read further.
    std::map<std::string, std::string> files;
    if (IsAmdgpuUevent(uevent.value())) {
      auto read = [&](std::string_view file) {
        // A file the driver does not provide, or that fails to read (gpu_busy_percent of
        // a card that is powered down), reads as 0 or "", as in node_exporter.
        if (Result<std::string> v = device.value().ReadAttribute(file); v.ok()) {
          files.emplace(file, std::move(v).value());
        }
      };
      for (std::string_view file : DrmValueFiles()) {
        read(file);
      }
      for (std::string_view file : kStringFiles) {
        read(file);
      }
    }
    std::uint64_t errors = 0;
    std::optional<AmdgpuCard> parsed = ParseAmdgpuCard(uevent.value(), files, &errors);
    sink.CountParseError(errors);
    return parsed;
  }

  const ProcFs& fs_;
};

}  // namespace

const std::array<std::string_view, 7>& DrmValueFiles() {
  static const std::array<std::string_view, 7> kFiles = {
      "gpu_busy_percent",   "mem_info_gtt_total",      "mem_info_gtt_used",     "mem_info_vram_total",
      "mem_info_vram_used", "mem_info_vis_vram_total", "mem_info_vis_vram_used"};
  return kFiles;
}

bool IsDrmCardName(std::string_view name) {
  return name.size() == 5 && name.substr(0, 4) == "card" && name[4] >= '0' && name[4] <= '9';
}

bool IsAmdgpuUevent(std::string_view uevent) {
  // node_exporter matches the regexp "DRIVER=amdgpu" anywhere in the file.
  return uevent.find("DRIVER=amdgpu") != std::string_view::npos;
}

std::optional<AmdgpuCard> ParseAmdgpuCard(std::string_view uevent, const std::map<std::string, std::string>& files,
                                          std::uint64_t* parse_errors) {
  if (!IsAmdgpuUevent(uevent)) {
    return std::nullopt;
  }
  auto text = [&](std::string_view file) -> std::string {
    auto it = files.find(std::string(file));
    return it == files.end() ? std::string() : std::string(TrimSpace(it->second));
  };
  AmdgpuCard card;
  card.memory_vendor = text(kStringFiles[0]);
  card.power_level = text(kStringFiles[1]);
  card.unique_id = text(kStringFiles[2]);
  for (std::size_t i = 0; i < DrmValueFiles().size(); ++i) {
    auto it = files.find(std::string(DrmValueFiles()[i]));
    if (it == files.end()) {
      card.values[i] = 0;
      continue;
    }
    // node_exporter parses with strconv.ParseUint(v, 0, 64) (and panics on garbage).
    card.values[i] = ParseGoUint(TrimSpace(it->second));
    if (!card.values[i]) {
      ++*parse_errors;
    }
  }
  return card;
}

CollectorSpec DrmCollectorSpec() {
  return {"drm",
          false,
          "Exposes amdgpu cards of /sys/class/drm/card<N>/device: node_drm_card_info, "
          "node_drm_gpu_busy_percent, node_drm_memory_{gtt,vram,vis_vram}_{size,used}_bytes.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<DrmCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
