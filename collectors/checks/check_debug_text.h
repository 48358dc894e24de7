// The "Module configuration" part of /probe?debug=true: a check's settings as
// YAML-like text with every secret replaced (header values, passwords, bearer
// tokens), as blackbox prints its module. Pure; safe on any thread.
#pragma once

#include <string>

#include "collectors/checks/check_config.h"
#include "collectors/checks/check_spec.h"

namespace hostwatch {

std::string RedactedConfigText(const HttpCheckConfig& config);

// The same for a module check (check_spec.h): the module's settings; what a
// query_response step sends is not shown (it may carry credentials from ${VAR}).
std::string RedactedConfigText(const CheckSpec& spec);

}  // namespace hostwatch
