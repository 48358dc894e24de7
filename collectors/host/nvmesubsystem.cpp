#include "collectors/host/nvmesubsystem.h"

#include <cerrno>
#include <memory>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kSubsystemLabel = {"subsystem"};
const MetricDesc kInfo{"node_nvmesubsystem_info",
                       "Non-numeric information about an NVMe subsystem.",
                       MetricType::Gauge,
                       {"subsystem", "nqn", "model", "serial", "iopolicy"}};
const MetricDesc kNamespaceInfo{"node_nvmesubsystem_namespace_info",
                                "Maps an NVMe namespace block device to its subsystem.",
                                MetricType::Gauge,
                                {"subsystem", "device"}};
const MetricDesc kPaths{"node_nvmesubsystem_paths", "Number of controller paths for an NVMe subsystem.",
                        MetricType::Gauge, kSubsystemLabel};
const MetricDesc kPathsLive{"node_nvmesubsystem_paths_live",
                            "Number of controller paths in live state for an NVMe subsystem.", MetricType::Gauge,
                            kSubsystemLabel};
const MetricDesc kPathState{"node_nvmesubsystem_path_state",
                            "Current NVMe controller path state (1 for the current state, 0 for all others).",
                            MetricType::Gauge,
                            {"subsystem", "controller", "transport", "state"}};

struct Controller {
  std::string name, state, transport;
};

struct Subsystem {
  std::string name, nqn, model, serial, iopolicy;
  std::vector<Controller> controllers;
  std::vector<std::string> namespaces;
};

// node_exporter treats a file it cannot read for lack of permission like a
// missing one: the collector has no data rather than failing.
Status Unreadable(const Status& s) {
  return s.sys_errno() == EACCES || s.sys_errno() == EPERM ? Status::NoData(s.message(), s.sys_errno()) : s;
}

// Reads the attribute files `names` of dir into *out (surrounding spaces trimmed).
Status ReadAttributes(const DirHandle& dir, std::initializer_list<std::pair<const char*, std::string*>> names) {
  for (const auto& [file, out] : names) {
    Result<std::string> v = dir.ReadAttribute(file);
    if (!v.ok()) {
      return Unreadable(v.status());
    }
    *out = std::string(TrimSpace(v.value()));
  }
  return Status::OK();
}

Result<Subsystem> ReadSubsystem(const DirHandle& class_dir, const std::string& name) {
  Result<DirHandle> dir = class_dir.OpenDir(name);
  if (!dir.ok()) {
    return Unreadable(dir.status());
  }
  Subsystem s;
  s.name = name;
  Status st = ReadAttributes(
      dir.value(), {{"subsysnqn", &s.nqn}, {"model", &s.model}, {"serial", &s.serial}, {"iopolicy", &s.iopolicy}});
  if (!st.ok()) {
    return st;
  }
  Result<std::vector<std::string>> entries = dir.value().List();
  if (!entries.ok()) {
    return Unreadable(entries.status());
  }
  for (const std::string& entry : entries.value()) {
    if (IsNvmeControllerName(entry)) {
      Controller c;
      c.name = entry;
      Result<DirHandle> cdir = dir.value().OpenDir(entry);
      std::string address;  // read as node_exporter does (a missing file fails), not exported
      st = cdir.ok()
               ? ReadAttributes(cdir.value(), {{"state", &c.state}, {"transport", &c.transport}, {"address", &address}})
               : Unreadable(cdir.status());
      if (!st.ok()) {
        return st;
      }
      s.controllers.push_back(std::move(c));
    } else if (IsNvmeNamespaceName(entry)) {
      s.namespaces.push_back(entry);  // List() is sorted and unique
    }
  }
  return s;
}

void Export(const Subsystem& s, MetricSink& sink) {
  sink.Add(kInfo, 1, {s.name, s.nqn, s.model, s.serial, s.iopolicy});
  for (const std::string& ns : s.namespaces) {
    sink.Add(kNamespaceInfo, 1, {s.name, ns});
  }
  double live = 0;
  for (const Controller& c : s.controllers) {
    std::string_view state = NvmeControllerState(c.state);
    live += state == "live" ? 1 : 0;
    for (std::string_view known : NvmeControllerStates()) {
      sink.Add(kPathState, known == state ? 1 : 0, {s.name, c.name, c.transport, known});
    }
  }
  sink.Add(kPaths, static_cast<double>(s.controllers.size()), {s.name});
  sink.Add(kPathsLive, live, {s.name});
}

class NvmesubsystemCollector : public Collector {
 public:
  explicit NvmesubsystemCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/nvme-subsystem"));
    if (!class_dir.ok()) {
      return Unreadable(class_dir.status());
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return Unreadable(names.status());
    }
    // As node_exporter: every subsystem is read before anything is exported.
    std::vector<Subsystem> subsystems;
    for (const std::string& name : names.value()) {
      if (name.rfind("nvme-subsys", 0) != 0) {
        continue;
      }
      Result<Subsystem> s = ReadSubsystem(class_dir.value(), name);
      if (!s.ok()) {
        return s.status();
      }
      subsystems.push_back(std::move(s).value());
    }
    for (const Subsystem& s : subsystems) {
      Export(s, sink);
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
};

// "nvme" then digits, and when `namespace_part`, "n" and digits after them.
bool IsNvmeName(std::string_view name, bool namespace_part) {
  auto digits = [&](std::size_t from) {
    std::size_t i = from;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9') {
      ++i;
    }
    return i == from ? std::string_view::npos : i;
  };
  if (name.rfind("nvme", 0) != 0) {
    return false;
  }
  std::size_t end = digits(4);
  if (end == std::string_view::npos) {
    return false;
  }
  if (!namespace_part) {
    return end == name.size();
  }
  return end < name.size() && name[end] == 'n' && digits(end + 1) == name.size();
}

}  // namespace

std::string_view NvmeControllerState(std::string_view raw) {
  for (std::string_view s : {"live", "connecting", "resetting", "dead", "deleting", "new"}) {
    if (raw == s) {
      return s;
    }
  }
  return raw == "deleting (no IO)" ? "deleting" : "unknown";
}

const std::vector<std::string_view>& NvmeControllerStates() {
  static const std::vector<std::string_view> kStates = {"connecting", "dead",      "deleting", "live",
                                                        "new",        "resetting", "unknown"};
  return kStates;
}

bool IsNvmeControllerName(std::string_view name) { return IsNvmeName(name, false); }
bool IsNvmeNamespaceName(std::string_view name) { return IsNvmeName(name, true); }

CollectorSpec NvmesubsystemCollectorSpec() {
  return {"nvmesubsystem",
          false,
          "Exposes NVMe subsystems and their controller paths (/sys/class/nvme-subsystem): "
          "node_nvmesubsystem_{info,namespace_info,paths,paths_live,path_state}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<NvmesubsystemCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
