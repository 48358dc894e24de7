#include "agent/config.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "collectors/core/collector_options.h"
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

const char* NodeTypeName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "nothing";
  }
}

// yaml-cpp accepts duplicate keys silently (first wins); a person almost
// always meant something else, so every duplicate is an error.
void CheckDuplicateKeys(const YAML::Node& node, const std::string& path, ConfigDiagnostics* diag) {
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      std::string child = path.empty() ? key : path + "." + key;
      if (!seen.insert(key).second) {
        diag->Add(kv.first, child, "duplicate key");
      }
      CheckDuplicateKeys(kv.second, child, diag);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      CheckDuplicateKeys(node[i], path + "[" + std::to_string(i) + "]", diag);
    }
  }
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

void ParseCollectorSection(const YAML::Node& collector_node, const CollectorSpec& spec, const std::string& path,
                           FileConfig* out, ConfigDiagnostics* diag) {
  if (collector_node.IsNull()) {
    return;  // "cpu:" with everything commented out
  }
  if (!collector_node.IsMap()) {
    diag->Add(collector_node, path, std::string("expected a mapping, got ") + NodeTypeName(collector_node));
    return;
  }
  for (const auto& kv : collector_node) {
    std::string key = kv.first.Scalar();
    std::string key_path = path + "." + key;
    if (!kv.second.IsScalar()) {
      diag->Add(kv.second, key_path, std::string("expected a scalar value, got ") + NodeTypeName(kv.second));
      continue;
    }
    const std::string& value = kv.second.Scalar();
    if (key == "enabled") {
      if (value != "true" && value != "false") {
        diag->Add(kv.second, key_path, "expected true or false, got \"" + value + "\"");
      } else {
        out->selection.explicit_state[spec.name] = value == "true";
      }
      continue;
    }
    const OptionSpec* option = nullptr;
    for (const OptionSpec& o : spec.options) {
      if (FlagKeyToYaml(o.key) == key) {
        option = &o;
      }
    }
    if (option == nullptr) {
      std::string known = "enabled";
      for (const OptionSpec& o : spec.options) {
        known += ", " + FlagKeyToYaml(o.key);
      }
      diag->Add(kv.first, key_path, "unknown key (known: " + known + ")");
      continue;
    }
    if (Status s = CollectorOptions::Validate(option->kind, value); !s.ok()) {
      diag->Add(kv.second, key_path, s.message());
      continue;
    }
    out->collector_options[spec.name + "." + option->key] = value;
  }
}

void ParseCollectors(const YAML::Node& node, FileConfig* out, ConfigDiagnostics* diag) {
  if (node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    diag->Add(node, "collectors", std::string("expected a mapping, got ") + NodeTypeName(node));
    return;
  }
  for (const auto& kv : node) {
    std::string name = kv.first.Scalar();
    std::string path = "collectors." + name;
    if (name == "disable_defaults") {
      if (!kv.second.IsScalar() || (kv.second.Scalar() != "true" && kv.second.Scalar() != "false")) {
        diag->Add(kv.second, path, "expected true or false");
      } else {
        out->selection.disable_defaults = kv.second.Scalar() == "true";
      }
      continue;
    }
    const CollectorSpec* spec = FindCollector(name);
    if (spec == nullptr) {
      diag->Add(kv.first, path, "unknown collector");
      continue;
    }
    ParseCollectorSection(kv.second, *spec, path, out, diag);
  }
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
      return Status::Error("unterminated ${ in \"" + std::string(text) + "\"");
    }
    std::string_view ref = text.substr(i + 2, close - i - 2);
    std::size_t sep = ref.find(":-");
    std::string name(ref.substr(0, sep));
    if (name.empty() || name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                            std::string::npos) {
      return Status::Error("invalid environment variable name \"" + name + "\"");
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
  if (!root.IsMap()) {
    diag->Add(root, "", std::string("the top level must be a mapping, got ") + NodeTypeName(root));
    return out;
  }
  CheckDuplicateKeys(root, "", diag);
  ExpandTree(root, "", env, diag);
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key == "collectors") {
      ParseCollectors(kv.second, &out, diag);
    } else if (key == "http_checks") {
      out.http_checks = kv.second;
    } else {
      diag->Add(kv.first, key, "unknown key (known: collectors, http_checks)");
    }
  }
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
      if (plain) {
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
