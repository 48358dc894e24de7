#include "collectors/host/nvme.h"

#include <re2/re2.h>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kInfo{"node_nvme_info",
                       "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                       MetricType::Gauge,
                       {"device", "firmware_revision", "model", "serial", "state", "cntlid"}};
const MetricDesc kNamespaceInfo{"node_nvme_namespace_info",
                                "Information about NVMe namespaces. Value is always 1",
                                MetricType::Gauge,
                                {"device", "nsid", "ana_state"}};
const MetricDesc kCapacityBytes{"node_nvme_namespace_capacity_bytes",
                                "Capacity of the NVMe namespace in bytes. Computed as namespace_size * "
                                "namespace_logical_block_size",
                                MetricType::Gauge,
                                {"device", "nsid"}};
const MetricDesc kSizeBytes{
    "node_nvme_namespace_size_bytes",
    "Size of the NVMe namespace in bytes. Available in /sys/class/nvme/<device>/<namespace>/size",
    MetricType::Gauge,
    {"device", "nsid"}};
const MetricDesc kUsedBytes{
    "node_nvme_namespace_used_bytes",
    "Used space of the NVMe namespace in bytes. Available in /sys/class/nvme/<device>/<namespace>/nuse",
    MetricType::Gauge,
    {"device", "nsid"}};
const MetricDesc kLogicalBlockSizeBytes{
    "node_nvme_namespace_logical_block_size_bytes",
    "Logical block size of the NVMe namespace in bytes. Usually 4Kb. Available in "
    "/sys/class/nvme/<device>/<namespace>/queue/logical_block_size",
    MetricType::Gauge,
    {"device", "nsid"}};

// The controller attributes procfs requires, and where each goes.
struct ControllerAttribute {
  const char* file;
  std::string NvmeController::*field;
};
constexpr ControllerAttribute kControllerAttributes[] = {
    {"firmware_rev", &NvmeController::firmware_rev}, {"model", &NvmeController::model},
    {"serial", &NvmeController::serial},             {"state", &NvmeController::state},
    {"cntlid", &NvmeController::cntlid},
};

// Go's strings.TrimSpace of a sysfs value (model and serial are padded with
// spaces to their fixed field width).
Result<std::string> ReadTrimmed(const DirHandle& dir, std::string_view name) {
  Result<std::string> v = dir.ReadAttribute(name);
  if (!v.ok()) {
    return v.status();
  }
  return std::string(TrimSpace(v.value()));
}

// As procfs: a controller or namespace attribute that cannot be read ends the
// whole collection (missing: "no data", as node_exporter treats any
// not-exist error; else an error); only ana_state is optional.
class NvmeCollector : public Collector {
 public:
  explicit NvmeCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/nvme"));
    if (!class_dir.ok()) {
      return class_dir.status();
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    std::vector<NvmeController> controllers;
    for (const std::string& name : names.value()) {
      Result<NvmeController> c = ReadController(class_dir.value(), name, sink);
      if (!c.ok()) {
        return c.status();
      }
      controllers.push_back(std::move(c).value());
    }
    for (const NvmeController& c : controllers) {
      Add(c, sink);
    }
    return Status::OK();
  }

 private:
  static Result<NvmeController> ReadController(const DirHandle& class_dir, const std::string& name,
                                               MetricSink& sink) {
    Result<DirHandle> dir = class_dir.OpenDir(name);
    if (!dir.ok()) {
      return dir.status();
    }
    NvmeController c{.name = name};
    for (const ControllerAttribute& a : kControllerAttributes) {
      Result<std::string> v = ReadTrimmed(dir.value(), a.file);
      if (!v.ok()) {
        return v.status();
      }
      c.*a.field = std::move(v).value();
    }
    Result<std::vector<std::string>> entries = dir.value().List();
    if (!entries.ok()) {
      return entries.status();
    }
    for (const std::string& entry : entries.value()) {
      if (std::optional<std::string> id = NvmeNamespaceId(entry)) {
        Result<NvmeNamespace> ns = ReadNamespace(dir.value(), entry, std::move(*id), sink);
        if (!ns.ok()) {
          return ns.status();
        }
        c.namespaces.push_back(std::move(ns).value());
      }
    }
    return c;
  }

  static Result<NvmeNamespace> ReadNamespace(const DirHandle& controller, const std::string& entry, std::string id,
                                             MetricSink& sink) {
    NvmeNamespace ns{.id = std::move(id)};
    struct Count {
      const char* file;
      std::uint64_t NvmeNamespace::*field;
    };
    for (const Count& count : {Count{"nuse", &NvmeNamespace::used_blocks}, Count{"size", &NvmeNamespace::size_blocks},
                               Count{"queue/logical_block_size", &NvmeNamespace::logical_block_size}}) {
      Result<std::string> v = ReadTrimmed(controller, entry + "/" + count.file);
      if (!v.ok()) {
        return v.status();
      }
      std::uint64_t errors = 0;
      ns.*count.field = ParseNvmeCount(v.value(), &errors);
      sink.CountParseError(errors);
    }
    if (Result<std::string> ana = ReadTrimmed(controller, entry + "/ana_state"); ana.ok()) {
      ns.ana_state = std::move(ana).value();
    }
    return ns;
  }

  // Sizes are blocks times the logical block size in uint64 arithmetic, as
  // procfs computes them (so the kernel's "size" in 512-byte sectors comes
  // out as node_exporter reports it).
  static void Add(const NvmeController& c, MetricSink& sink) {
    sink.Add(kInfo, 1, {c.name, c.firmware_rev, c.model, c.serial, c.state, c.cntlid});
    for (const NvmeNamespace& ns : c.namespaces) {
      const std::uint64_t size_bytes = ns.size_blocks * ns.logical_block_size;
      sink.Add(kNamespaceInfo, 1, {c.name, ns.id, ns.ana_state});
      sink.Add(kCapacityBytes, static_cast<double>(size_bytes), {c.name, ns.id});
      sink.Add(kSizeBytes, static_cast<double>(size_bytes), {c.name, ns.id});
      sink.Add(kUsedBytes, static_cast<double>(ns.used_blocks * ns.logical_block_size), {c.name, ns.id});
      sink.Add(kLogicalBlockSizeBytes, static_cast<double>(ns.logical_block_size), {c.name, ns.id});
    }
  }

  const ProcFs& fs_;
};

}  // namespace

std::optional<std::string> NvmeNamespaceId(std::string_view entry) {
  static const RE2 kNamespaceRe(R"(nvme\d+n(\d+))");
  std::string id;
  if (!RE2::PartialMatch(entry, kNamespaceRe, &id)) {
    return std::nullopt;
  }
  return id;
}

std::uint64_t ParseNvmeCount(std::string_view value, std::uint64_t* parse_errors) {
  std::optional<std::uint64_t> v = ParseUint(value);
  if (!v) {
    ++*parse_errors;
    return 0;
  }
  return *v;
}

CollectorSpec NvmeCollectorSpec() {
  return {"nvme",
          true,
          "Exposes NVMe controllers and namespaces from /sys/class/nvme: node_nvme_info, node_nvme_namespace_info, "
          "node_nvme_namespace_{capacity,size,used,logical_block_size}_bytes.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<NvmeCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
