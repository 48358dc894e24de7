#include "collectors/core/go_json.h"

#include <algorithm>

#include "collectors/core/base64.h"
#include "collectors/core/strings.h"

namespace hostwatch {

YAML::Node ParseJsonDocument(std::string_view text, ConfigDiagnostics* diag) {
  // JSON allows a tab only as whitespace between tokens (never raw inside a string), where YAML
  // refuses it for indentation; upstream's wifi fixtures are indented with tabs. A space is the
  // same token boundary and keeps every column.
  std::string spaced(text);
  std::replace(spaced.begin(), spaced.end(), '\t', ' ');
  try {
    YAML::Node root = YAML::Load(spaced);
    ConfigReader r(diag);
    if (!r.DuplicateKeys(root, "")) {
      return YAML::Node();  // a cycle or an alias bomb: no walk may follow it
    }
    return root;
  } catch (const YAML::Exception& e) {
    diag->Add(e.mark, "", e.msg);
    return YAML::Node();
  }
}

bool GoJsonObject(ConfigReader& r, const YAML::Node& n, const std::string& path, const GoJsonFieldFn& fn) {
  return r.Entries(n, path, [&](const std::string& key, const YAML::Node&, const YAML::Node& value,
                                const std::string& key_path) {
    if (!value.IsNull()) {
      fn(AsciiToLower(key), value, key_path);
    }
  });
}

bool GoJsonBytes(ConfigReader& r, const YAML::Node& n, const std::string& path, std::string* out) {
  std::string text;
  if (!r.String(n, path, &text)) {
    return false;
  }
  std::optional<std::string> bytes = DecodeBase64(text);
  if (!bytes) {
    r.Error(n, path, "must be base64 bytes");
    return false;
  }
  *out = std::move(*bytes);
  return true;
}

}  // namespace hostwatch
