#include "collectors/checks/x509/x509_files_config.h"

#include <climits>

#include <algorithm>

namespace hostwatch {

std::vector<std::string> ParseX509FilesConfig(ConfigReader& r, const YAML::Node& node, const std::string& path) {
  std::vector<std::string> out;
  if (node.IsSequence() && node.size() > kMaxX509Patterns) {
    r.Error(node, path, "must have at most " + std::to_string(kMaxX509Patterns) + " entries");
    return out;
  }
  r.Items(node.IsNull() ? YAML::Node(YAML::NodeType::Sequence) : node, path,
          [&](const YAML::Node& item, const std::string& item_path) {
            std::string entry;
            if (!r.String(item, item_path, &entry)) {
              return;
            }
            if (entry.empty() || entry.front() != '/') {
              r.Error(item, item_path, "must be an absolute path or glob pattern (starting with /)");
            } else if (entry.size() >= PATH_MAX) {
              r.Error(item, item_path, "must be shorter than " + std::to_string(PATH_MAX) + " bytes");
            } else if (entry.find("**") != std::string::npos) {
              r.Error(item, item_path, "** (recursive match) is not supported; write one * per directory level");
            } else if (std::find(out.begin(), out.end(), entry) == out.end()) {
              out.push_back(std::move(entry));
            }
          });
  return out;
}

}  // namespace hostwatch
