#include "collectors/checks/file_sd/file_sd.h"

#include <yaml-cpp/yaml.h>

#include "collectors/checks/check_config_fields.h"
#include "collectors/core/config_reader.h"

namespace hostwatch {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

TargetGroup ParseGroup(ConfigReader& r, const YAML::Node& n, const std::string& path) {
  TargetGroup g;
  bool has_targets = false;
  r.Fields(n, path, {"targets", "labels"}, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "targets") {
      has_targets = true;
      r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
        std::string target;
        if (r.String(item, ip, &target) && target.empty()) {
          r.Error(item, ip, "must not be empty");
        } else if (!target.empty()) {
          g.targets.push_back(std::move(target));
        }
      });
    } else {
      ParseCheckLabels(r, v, p, &g.labels, /*drop_internal=*/true);
    }
  });
  if (n.IsMap() && !has_targets) {
    r.Error(n, path, "targets is required");
  }
  return g;
}

}  // namespace

bool IsFileSdName(std::string_view path) {
  return EndsWith(path, ".json") || EndsWith(path, ".yml") || EndsWith(path, ".yaml");
}

std::vector<TargetGroup> ParseFileSd(std::string_view text, ConfigDiagnostics* diag) {
  std::vector<TargetGroup> out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    diag->Add(e.mark, "", e.msg);
    return out;
  }
  if (!root.IsDefined() || root.IsNull()) {
    return out;  // an empty file: no targets (Prometheus: the same)
  }
  ConfigReader r(diag);
  if (!r.DuplicateKeys(root, "")) {
    return out;
  }
  try {
    r.Items(root, "", [&](const YAML::Node& item, const std::string& p) { out.push_back(ParseGroup(r, item, p)); });
  } catch (const YAML::Exception& e) {
    diag->Add(e.mark, "", e.msg);  // yaml-cpp throws on odd shapes; report instead of crashing
  }
  return out;
}

}  // namespace hostwatch
