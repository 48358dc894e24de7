// modules_file: an existing blackbox_exporter configuration file (blackbox.yml,
// whose only top-level key is `modules:`) read for its modules, so one file
// serves both while a setup moves over. Read when the configuration loads and
// on every reload; its problems are reported against that file
// (modules_file:line:column: modules.<name>...: reason). It is read as
// blackbox reads it: no ${VAR} expansion.
#pragma once

#include <string>

#include "collectors/checks/module_checks.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// The modules of the file at path (its diag's file). Modules named in
// *defined_elsewhere (the main configuration's modules:) are errors: a name
// means one module. Missing, unreadable or malformed file: an error in diag.
ModuleMap LoadModulesFile(const std::string& path, const ModuleMap& defined_elsewhere, ConfigDiagnostics* diag);

}  // namespace hostwatch
