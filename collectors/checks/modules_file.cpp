#include "collectors/checks/modules_file.h"

#include <cerrno>
#include <cstring>

#include "collectors/core/config_reader.h"
#include "collectors/core/proc_fs.h"

namespace hostwatch {

// A blackbox.yml is small; the bound keeps a wrong path (a log file) from filling memory.
constexpr std::size_t kMaxModulesFileBytes = 16u << 20;

ModuleMap LoadModulesFile(const std::string& path, const ModuleMap& defined_elsewhere, ConfigDiagnostics* diag) {
  Result<RegularFile> read = ProcFs().ReadRegularFile(path, kMaxModulesFileBytes);
  if (!read.ok()) {
    const int err = read.status().sys_errno();
    diag->Add(YAML::Mark::null_mark(), "",
              "cannot read the modules_file: " + std::string(std::strerror(err != 0 ? err : ENOENT)));
    return {};
  }
  YAML::Node root;
  try {
    root = YAML::Load(read.value().data);
  } catch (const YAML::Exception& e) {
    diag->Add(e.mark, "", e.msg);
    return {};
  }
  ConfigReader r(diag);
  if (!root.IsDefined() || root.IsNull() || !r.DuplicateKeys(root, "")) {
    return {};  // empty: no modules; or a tree that may contain itself
  }
  ModuleMap out;
  // blackbox.yml has one top-level key.
  r.Fields(root, "", {"modules"}, [&](const std::string&, const YAML::Node& v, const std::string&) {
    out = ParseModules(v, diag, &defined_elsewhere);
  });
  return out;
}

}  // namespace hostwatch
