// libFuzzer target: ParseRelabelConfigs (write_relabel_configs) and Relabel on arbitrary YAML
// must not crash, throw, hang or trip a sanitizer. The input is a mapping
// {rules: [relabel configs], labels: {name: value}}; the labels (sorted, as remote_write hands
// them over) go through the rules when they parse, and the result must still be sorted.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "agent/remote_write/relabel.h"
#include "collectors/core/config_diagnostics.h"
#include "collectors/core/config_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hostwatch;
  using namespace hostwatch::remote_write;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const YAML::Exception&) {
    return 0;  // not YAML: the agent's config loader reports it before any section is read
  }
  ConfigDiagnostics diag("fuzz.yml");
  ConfigReader r(&diag);
  if (!root.IsMap() || !r.DuplicateKeys(root, "")) {
    return 0;  // the loader stops at the same point (alias cycles, alias bombs)
  }
  std::vector<RelabelRule> rules;
  if (!ParseRelabelConfigs(r, root["rules"], "rules", &rules)) {
    return 0;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  r.StringMap(root["labels"], "labels", &pairs);
  Labels labels;
  for (auto& [name, value] : pairs) {
    labels.push_back(Label{name, value});
  }
  auto by_name = [](const Label& a, const Label& b) { return a.name < b.name; };
  std::sort(labels.begin(), labels.end(), by_name);
  labels.erase(std::unique(labels.begin(), labels.end(), [](const Label& a, const Label& b) { return a.name == b.name; }),
               labels.end());
  if (Relabel(rules, labels) && !std::is_sorted(labels.begin(), labels.end(), by_name)) {
    std::abort();
  }
  return 0;
}
