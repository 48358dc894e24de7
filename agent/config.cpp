#include "agent/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "collectors/checks/x509/x509_files_config.h"
#include "collectors/core/collector_options.h"
#include "collectors/core/config_reader.h"
#include "collectors/registry.h"

namespace hostwatch {
namespace {

std::string FlagKeyToYaml(std::string key) {
  for (char& c : key) {
    if (c == '-') {
      c = '_';
    }
  }
  return key;
}

// Expands environment references in every scalar value (never in keys).
void ExpandTree(YAML::Node node, const std::string& path, const EnvLookup& env, ConfigDiagnostics* diag) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s.find('$') == std::string::npos) {
      return;
    }
    Result<std::string> expanded = ExpandEnv(s, env);
    if (!expanded.ok()) {
      diag->Add(node, path, expanded.status().message());
      return;
    }
    node = expanded.value();  // keeps the node's position for later messages
  } else if (node.IsMap()) {
    for (auto kv : node) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      ExpandTree(kv.second, path.empty() ? key : path + "." + key, env, diag);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      ExpandTree(node[i], path + "[" + std::to_string(i) + "]", env, diag);
    }
  }
}

// A list of paths in the config file as the text form of a kPathList option. False (problems
// reported) when an entry is not a string or holds the separator.
bool PathListText(ConfigReader& r, const YAML::Node& list, const std::string& path, std::string* text) {
  bool ok = true;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    std::string entry;
    if (!r.String(list[i], p, &entry)) {
      ok = false;
    } else if (entry.find(kPathListSeparator) != std::string::npos) {
      r.Error(list[i], p, "a path cannot contain a newline");
      ok = false;
    } else {
      *text += (text->empty() ? "" : std::string(1, kPathListSeparator)) + entry;
    }
  }
  return ok;
}

// One collector's mapping: `enabled` and its options, keys spelled with underscores.
void ParseCollectorSection(ConfigReader& r, const YAML::Node& node, const CollectorSpec& spec, const std::string& path,
                           FileConfig* out) {
  std::vector<std::string> yaml_keys = {"enabled"};
  for (const OptionSpec& o : spec.options) {
    yaml_keys.push_back(FlagKeyToYaml(o.key));
  }
  r.Fields(node, path, {yaml_keys.begin(), yaml_keys.end()},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "enabled") {
               bool on = false;
               if (r.Bool(v, p, &on)) {
                 out->selection.explicit_state[spec.name] = on;
               }
               return;
             }
             // Fields() let only known keys through, and yaml_keys[i + 1] is spec.options[i].
             const OptionSpec& option = spec.options[static_cast<std::size_t>(
                 std::find(yaml_keys.begin(), yaml_keys.end(), key) - yaml_keys.begin() - 1)];
             std::string text;
             if (option.kind == OptionKind::kPathList && v.IsSequence()) {
               if (!PathListText(r, v, p, &text)) {
                 return;
               }
             } else if (!v.IsScalar()) {
               r.WrongType(v, p, DescribeOptionKind(option.kind));
               return;
             } else {
               text = v.Scalar();
             }
             if (Result<OptionValue> value = ParseOptionValue(option.kind, text); !value.ok()) {
               r.Error(v, p, value.status().message());
               return;
             }
             out->collector_options[spec.name + "." + option.key] = text;
           });
}

void ParseCollectors(ConfigReader& r, const YAML::Node& node, FileConfig* out) {
  r.Entries(node, "collectors",
            [&](const std::string& name, const YAML::Node& name_node, const YAML::Node& v, const std::string& p) {
              if (name == "disable_defaults") {
                r.Bool(v, p, &out->selection.disable_defaults);
              } else if (const CollectorSpec* spec = FindCollector(name)) {
                ParseCollectorSection(r, v, *spec, p, out);
              } else {
                r.Error(name_node, p, "unknown collector");
              }
            });
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) {
    return std::nullopt;
  }
  return std::string(v);
}

Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '$') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out.push_back(c);  // a lone $ is literal
      continue;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Status::Error("unterminated ${ (write ${NAME} or ${NAME:-default}, $$ for a literal $)");
    }
    std::string_view ref = text.substr(i + 2, close - i - 2);
    if (!ref.empty() && ref[0] >= '0' && ref[0] <= '9') {
      // No environment variable name starts with a digit: ${1} is a regex submatch reference of a
      // blackbox module (a tcp query_response send), kept as written so blackbox.yml pastes unchanged.
      out.append(text.substr(i, close - i + 1));
      i = close;
      continue;
    }
    std::size_t sep = ref.find(":-");
    std::string name(ref.substr(0, sep));
    if (name.empty() || name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                            std::string::npos) {
      return Status::Error("invalid environment variable name in ${...} (letters, digits and _ only)");
    }
    std::optional<std::string> value = env(name);
    if (value && !value->empty()) {
      out += *value;
    } else if (sep != std::string_view::npos) {
      out += ref.substr(sep + 2);
    } else if (value) {
      // Set but empty, no default: empty is what the user asked for.
    } else {
      return Status::Error("environment variable " + name + " is not set (use ${" + name +
                           ":-default} to give a default)");
    }
    i = close;
  }
  return out;
}

FileConfig ParseConfigText(const std::string& text, ConfigDiagnostics* diag, const EnvLookup& env) {
  FileConfig out;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diag->Add(e.mark, "", e.msg);
    return out;
  }
  if (root.IsNull() || !root.IsDefined()) {
    return out;  // an empty file means built-in defaults
  }
  ConfigReader r(diag);
  if (!root.IsMap()) {
    r.WrongType(root, "", "a mapping at the top level");
    return out;
  }
  if (!r.DuplicateKeys(root, "")) {
    return out;  // the tree may contain itself: no further walk
  }
  ExpandTree(root, "", env, diag);
  r.Fields(root, "", {"collectors", "http_checks", "modules", "modules_file", "checks", "x509_files",
                           "remote_write"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "collectors") {
               ParseCollectors(r, v, &out);
             } else if (key == "x509_files") {
               out.x509_files = ParseX509FilesConfig(r, v, p);
             } else if (key == "http_checks") {
               out.http_checks = v;
             } else if (key == "remote_write") {
               out.remote_write = v;
             } else if (key == "modules") {
               out.modules = v;
             } else if (key == "modules_file") {
               if (r.String(v, p, &out.modules_file) && out.modules_file.empty()) {
                 r.Error(v, p, "must name a file");
               }
             } else {
               out.checks = v;
             }
           });
  return out;
}

FileConfig LoadConfigFile(const std::string& path, ConfigDiagnostics* diag, const EnvLookup& env) {
  std::ifstream in(path);
  if (!in) {
    diag->Add(YAML::Mark::null_mark(), "", "cannot read configuration file");
    return {};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfigText(ss.str(), diag, env);
}

std::string GenerateCollectorsExample() {
  std::string out =
      "collectors:\n"
      "  # true: start from no collectors and enable only those with enabled: true\n"
      "  disable_defaults: false\n";
  for (const CollectorSpec& spec : AllCollectors()) {
    out += "  # " + spec.description + "\n";
    out += "  " + spec.name + ":\n";
    // Commented out so that disable_defaults keeps its meaning in a copy of this file.
    out += std::string("    # enabled: ") + (spec.enabled_by_default ? "true" : "false") + "\n";
    for (const OptionSpec& o : spec.options) {
      out += "    # " + o.help + " (flag --collector." + spec.name + "." + o.key + ")\n";
      out += "    " + FlagKeyToYaml(o.key) + ": ";
      // Quote everything that is not a plain word so regexes survive YAML.
      bool plain = !o.default_value.empty() &&
                   o.default_value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos;
      if (o.kind == OptionKind::kPathList && o.default_value.empty()) {
        out += "[]";  // a list, or one string
      } else if (plain) {
        out += o.default_value;
      } else {
        out += "'";
        for (char c : o.default_value) {
          out += c == '\'' ? std::string("''") : std::string(1, c);
        }
        out += "'";
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace hostwatch
