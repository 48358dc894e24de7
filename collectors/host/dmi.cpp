#include "collectors/host/dmi.h"

#include <cerrno>
#include <memory>
#include <optional>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

const std::string kInfoName = "node_dmi_info";
const std::string kInfoHelp =
    "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, "
    "board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, "
    "chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, "
    "product_sku, product_uuid, product_version, system_vendor if provided by DMI.";

class DmiCollector : public Collector {
 public:
  explicit DmiCollector(const ProcFs& fs) : fs_(fs) {}

  // The DMI strings do not change until the next boot, so they are read
  // once (node_exporter reads them when the collector is built).
  Status Collect(MetricSink& sink) override {
    if (!labels_) {
      Result<InfoLabels> read = Read();
      if (!read.ok()) {
        return read.status();
      }
      labels_ = std::move(read).value();
    }
    if (labels_->empty()) {
      return Status::NoData("no readable DMI file in " + fs_.SysPath("class/dmi/id"));
    }
    AddInfoSample(sink, kInfoName, kInfoHelp, *labels_);
    return Status::OK();
  }

 private:
  // A missing directory or file is left out; so is a file only root may
  // read (the serial numbers and product_uuid are 0400), as node_exporter
  // skips a permission error. Any other failure is an error.
  Result<InfoLabels> Read() const {
    Result<DirHandle> dir = fs_.OpenDir(fs_.SysPath("class/dmi/id"));
    if (!dir.ok()) {
      return dir.status().no_data() ? Result<InfoLabels>(InfoLabels{}) : Result<InfoLabels>(dir.status());
    }
    std::map<std::string, std::string, std::less<>> files;
    for (const DmiField& f : DmiFields()) {
      Result<std::string> v = dir.value().ReadAttribute(f.file);
      if (v.ok()) {
        files.emplace(std::string(f.file), std::move(v).value());
      } else if (!v.status().no_data() && v.status().sys_errno() != EACCES) {
        return v.status();
      }
    }
    return DmiInfoLabels(files);
  }

  const ProcFs& fs_;
  std::optional<InfoLabels> labels_;
};

}  // namespace

const std::vector<DmiField>& DmiFields() {
  static const std::vector<DmiField> kFields = {
      {"bios_date", "bios_date"},
      {"bios_release", "bios_release"},
      {"bios_vendor", "bios_vendor"},
      {"bios_version", "bios_version"},
      {"board_asset_tag", "board_asset_tag"},
      {"board_name", "board_name"},
      {"board_serial", "board_serial"},
      {"board_vendor", "board_vendor"},
      {"board_version", "board_version"},
      {"chassis_asset_tag", "chassis_asset_tag"},
      {"chassis_serial", "chassis_serial"},
      {"chassis_vendor", "chassis_vendor"},
      {"chassis_version", "chassis_version"},
      {"product_family", "product_family"},
      {"product_name", "product_name"},
      {"product_serial", "product_serial"},
      {"product_sku", "product_sku"},
      {"product_uuid", "product_uuid"},
      {"product_version", "product_version"},
      {"sys_vendor", "system_vendor"},  // the one label not named after its file
  };
  return kFields;
}

InfoLabels DmiInfoLabels(const std::map<std::string, std::string, std::less<>>& files) {
  InfoLabels labels;
  for (const DmiField& f : DmiFields()) {
    if (auto it = files.find(f.file); it != files.end()) {
      labels.emplace_back(std::string(f.label), ToValidUtf8(TrimSpace(it->second)));
    }
  }
  return labels;
}

void AddInfoSample(MetricSink& sink, const std::string& name, const std::string& help, const InfoLabels& labels) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = MetricType::Gauge;
  prometheus::ClientMetric& m = family.metric.emplace_back();
  for (const auto& [label, value] : labels) {
    m.label.push_back({label, value});
  }
  m.gauge.value = 1;
  sink.AddFamily(std::move(family));
}

CollectorSpec DmiCollectorSpec() {
  return {"dmi",
          true,
          "Exposes the firmware's DMI strings (/sys/class/dmi/id) as node_dmi_info{bios_vendor,product_name,...}; "
          "files only root may read (serial numbers, product_uuid) are left out.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<DmiCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
