// Helpers of the write_relabel_configs unit tests: rules from YAML, label sets from pairs.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "agent/remote_write/relabel.h"
#include "collectors/core/config_diagnostics.h"
#include "collectors/core/config_reader.h"

namespace hostwatch::remote_write::testing {

}  // namespace hostwatch::remote_write::testing

namespace hostwatch::remote_write {
// gtest prints a failing label set as name="value" pairs.
inline void PrintTo(const Label& l, std::ostream* os) { *os << l.name << "=\"" << l.value << "\""; }
}  // namespace hostwatch::remote_write

namespace hostwatch::remote_write::testing {

// The diagnostics of parsing yaml (a list of relabel configs) as "relabel.yml", "" when it parsed.
inline std::string ParseErrors(const std::string& yaml, std::vector<RelabelRule>* rules = nullptr) {
  ConfigDiagnostics diag("relabel.yml");
  ConfigReader r(&diag);
  std::vector<RelabelRule> local;
  const bool ok = ParseRelabelConfigs(r, YAML::Load(yaml), "write_relabel_configs", rules ? rules : &local);
  EXPECT_EQ(ok, diag.ok()) << yaml;
  return diag.ToString();
}

// Rules that must parse.
inline std::vector<RelabelRule> Rules(const std::string& yaml) {
  std::vector<RelabelRule> rules;
  const std::string errors = ParseErrors(yaml, &rules);
  EXPECT_EQ(errors, "") << yaml;
  return rules;
}

// A label set, sorted by name as Relabel requires.
inline Labels L(std::vector<std::pair<std::string, std::string>> pairs) {
  Labels out;
  for (auto& [name, value] : pairs) {
    out.push_back(Label{name, value});
  }
  std::sort(out.begin(), out.end(), [](const Label& a, const Label& b) { return a.name < b.name; });
  return out;
}

}  // namespace hostwatch::remote_write::testing
