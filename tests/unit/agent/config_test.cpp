#include "agent/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "agent/runtime_config.h"
#include "agent/web/web_config.h"
#include "collectors/checks/check_config.h"
#include "collectors/core/config_reader.h"
#include "collectors/registry.h"

namespace hostwatch {
namespace {

std::optional<std::string> FakeEnv(const std::string& name) {
  if (name == "TOKEN") return std::string("s3cret");
  if (name == "EMPTY") return std::string("");
  return std::nullopt;
}

TEST(ExpandEnvTest, ExpandsReferencesDefaultsAndEscapes) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"Bearer ${TOKEN}", "Bearer s3cret"},
      {"${MISSING:-fallback}", "fallback"},
      {"${TOKEN:-unused}", "s3cret"},
      {"${EMPTY:-dflt}", "dflt"},
      {"x${EMPTY}y", "xy"},
      {"cost $$5 and $ alone", "cost $5 and $ alone"},
      {"no refs", "no refs"},
      {"PONG ${1} ${12}", "PONG ${1} ${12}"},  // submatch references of blackbox tcp modules, not variables
      {"PONG $${name}", "PONG ${name}"},       // a named submatch reference, escaped
  };
  for (const Case& c : cases) {
    Result<std::string> r = ExpandEnv(c.in, FakeEnv);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().message();
    EXPECT_EQ(r.value(), c.want) << c.in;
  }
}

TEST(ExpandEnvTest, RejectsUnsetAndMalformedReferences) {
  struct Case {
    const char* in;
    const char* message;
  } cases[] = {
      {"${MISSING}", "environment variable MISSING is not set (use ${MISSING:-default} to give a default)"},
      {"${TOKEN", "unterminated ${ (write ${NAME} or ${NAME:-default}, $$ for a literal $)"},
      {"${}", "invalid environment variable name in ${...} (letters, digits and _ only)"},
      {"${A-B}", "invalid environment variable name in ${...} (letters, digits and _ only)"},
  };
  for (const Case& c : cases) {
    Result<std::string> r = ExpandEnv(c.in, FakeEnv);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

FileConfig Parse(const std::string& text, ConfigDiagnostics* diag) { return ParseConfigText(text, diag, FakeEnv); }

TEST(ConfigParseTest, AcceptsCollectorSectionAndKeepsHttpChecksRaw) {
  ConfigDiagnostics diag("t.yml");
  FileConfig c = Parse(
      "collectors:\n"
      "  disable_defaults: true\n"
      "  cpu:\n"
      "    enabled: true\n"
      "    guest: false\n"
      "  loadavg: {enabled: false}\n"
      "http_checks:\n"
      "  checks: [{name: a, url: 'http://x/${TOKEN}'}]\n",
      &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_TRUE(c.selection.disable_defaults);
  EXPECT_TRUE(c.selection.explicit_state.at("cpu"));
  EXPECT_FALSE(c.selection.explicit_state.at("loadavg"));
  EXPECT_EQ(c.collector_options.at("cpu.guest"), "false");
  ASSERT_TRUE(c.http_checks.IsMap());
  EXPECT_EQ(c.http_checks["checks"][0]["url"].as<std::string>(), "http://x/s3cret");
}

TEST(ConfigParseTest, APathListIsAListOrOneString) {
  ConfigDiagnostics diag("t.yml");
  FileConfig c = Parse("collectors:\n  textfile:\n    directory: [/var/lib/a, '/srv/*/text files']\n", &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_EQ(c.collector_options.at("textfile.directory"), "/var/lib/a\n/srv/*/text files");
  c = Parse("collectors:\n  textfile: {directory: /var/lib/a}\n", &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_EQ(c.collector_options.at("textfile.directory"), "/var/lib/a");
  ConfigDiagnostics bad("t.yml");
  Parse("collectors:\n  textfile:\n    directory: [/a, {b: 1}]\n", &bad);
  EXPECT_NE(bad.ToString().find("t.yml:3:21: collectors.textfile.directory[1]: "), std::string::npos)
      << bad.ToString();
}

TEST(ConfigParseTest, EmptyFileMeansDefaults) {
  ConfigDiagnostics diag("t.yml");
  FileConfig c = Parse("", &diag);
  EXPECT_TRUE(diag.ok());
  EXPECT_TRUE(c.selection.explicit_state.empty());
  Parse("# only a comment\n", &diag);
  EXPECT_TRUE(diag.ok());
}

// Inputs that must fail, with the exact messages a person sees.
TEST(ConfigParseTest, ReportsEveryProblemWithPosition) {
  struct Case {
    std::string text;
    std::vector<std::string> errors;
  } cases[] = {
      {"collectors:\n  cpu:\n    guest: maybe\n", {"t.yml:3:12: collectors.cpu.guest: must be true or false"}},
      {"collectors:\n  nope: {}\n", {"t.yml:2:3: collectors.nope: unknown collector"}},
      {"collectors:\n  loadavg:\n    colour: red\n",
       {"t.yml:3:5: collectors.loadavg.colour: unknown key (known: enabled)"}},
      {"collectors:\n  cpu:\n    enabled: yes please\n", {"t.yml:3:14: collectors.cpu.enabled: must be true or false"}},
      {"colectors: {}\n", {"t.yml:1:1: colectors: unknown key (known: collectors, http_checks, modules, modules_file, checks, x509_files, remote_write; did you mean collectors?)"}},
      {"collectors: [1, 2]\n", {"t.yml:1:13: collectors: must be a mapping, got a list"}},
      {"collectors:\n  cpu: {guest: [true]}\n",
       {"t.yml:2:16: collectors.cpu.guest: must be true or false, got a list"}},
      {"collectors:\n  cpu: {enabled: true}\n  cpu: {enabled: false}\n", {"t.yml:3:3: collectors.cpu: duplicate key"}},
      {"http_checks:\n  token: ${MISSING}\n",
       {"t.yml:2:10: http_checks.token: environment variable MISSING is not set (use ${MISSING:-default} to give "
        "a default)"}},
      {"- a\n- b\n", {"t.yml:1:1: must be a mapping at the top level, got a list"}},
      {"collectors: {cpu: {guest: [}\n", {"t.yml:1:28: illegal flow end"}},
      // Several problems at once, all reported.
      {"collectors:\n  cpu:\n    guest: 1\n  bogus: {}\nextra: 1\n",
       {"t.yml:3:12: collectors.cpu.guest: must be true or false", "t.yml:4:3: collectors.bogus: unknown collector",
        "t.yml:5:1: extra: unknown key (known: collectors, http_checks, modules, modules_file, checks, x509_files, remote_write)"}},
  };
  for (const Case& c : cases) {
    ConfigDiagnostics diag("t.yml");
    Parse(c.text, &diag);
    std::vector<std::string> got;
    for (const ConfigError& e : diag.errors()) {
      got.push_back(e.ToString());
    }
    EXPECT_EQ(got, c.errors) << c.text;
  }
}

TEST(ConfigParseTest, MissingFileIsAnError) {
  ConfigDiagnostics diag("/nonexistent/hostwatch.yml");
  LoadConfigFile("/nonexistent/hostwatch.yml", &diag);
  ASSERT_FALSE(diag.ok());
  EXPECT_EQ(diag.ToString(), "/nonexistent/hostwatch.yml: cannot read configuration file");
}

std::string ReadSource(const std::string& rel) {
  std::ifstream in(std::string(HOSTWATCH_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ExampleConfigTest, PackagedExampleLoadsCleanly) {
  std::string path = std::string(HOSTWATCH_SOURCE_DIR) + "/packaging/hostwatch.yml";
  ConfigDiagnostics diag(path);
  LoadConfigFile(path, &diag, ProcessEnv);
  EXPECT_TRUE(diag.ok()) << diag.ToString();

  AgentFlags flags;
  flags.config_file = path;
  flags.config_file_given = true;
  Result<RuntimeConfig> config = LoadRuntimeConfig(flags);
  EXPECT_TRUE(config.ok()) << config.status().message();
}

// The example documents every collector and option with its default; it is
// generated from the registry so it cannot rot. HOSTWATCH_UPDATE_GOLDEN=1
// rewrites the generated part in place.
TEST(ExampleConfigTest, DocumentsEveryCollectorOptionWithItsDefault) {
  const std::string begin = "# --- BEGIN GENERATED collectors (tests/unit/config_test.cpp) ---\n";
  const std::string end = "# --- END GENERATED collectors ---\n";
  std::string text = ReadSource("packaging/hostwatch.yml");
  std::size_t b = text.find(begin);
  std::size_t e = text.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  std::string want = GenerateCollectorsExample();
  std::string have = text.substr(b + begin.size(), e - b - begin.size());
  if (have != want && std::getenv("HOSTWATCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream out(std::string(HOSTWATCH_SOURCE_DIR) + "/packaging/hostwatch.yml");
    out << text.substr(0, b + begin.size()) << want << text.substr(e);
    have = want;
  }
  EXPECT_EQ(have, want) << "run with HOSTWATCH_UPDATE_GOLDEN=1 to regenerate packaging/hostwatch.yml";
}

TEST(RuntimeConfigTest, FlagsWinOverTheFile) {
  char tmpl[] = "/tmp/hostwatch-config-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  std::string content = "collectors:\n  cpu: {enabled: false, guest: false}\n";
  ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
  AgentFlags flags;
  flags.config_file = tmpl;
  flags.config_file_given = true;
  Result<RuntimeConfig> from_file = LoadRuntimeConfig(flags);
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  EXPECT_EQ(std::count(from_file.value().enabled_collectors.begin(), from_file.value().enabled_collectors.end(), "cpu"),
            0);
  flags.selection.explicit_state["cpu"] = true;
  flags.collector_options["cpu.guest"] = "true";
  Result<RuntimeConfig> with_flags = LoadRuntimeConfig(flags);
  ASSERT_TRUE(with_flags.ok());
  EXPECT_EQ(
      std::count(with_flags.value().enabled_collectors.begin(), with_flags.value().enabled_collectors.end(), "cpu"), 1);
  constexpr BoolOption kCpuGuest{"cpu", "guest", false, ""};  // the same option as cpu.cpp's; default unused
  EXPECT_TRUE(with_flags.value().collector_options.Get(kCpuGuest));
  unlink(tmpl);
}

TEST(RuntimeConfigTest, MissingDefaultFileMeansDefaultsButNamedFileMustExist) {
  AgentFlags flags;
  flags.config_file = "/nonexistent/hostwatch.yml";
  EXPECT_TRUE(LoadRuntimeConfig(flags).ok());
  flags.config_file_given = true;
  EXPECT_FALSE(LoadRuntimeConfig(flags).ok());
}

}  // namespace
}  // namespace hostwatch

// One boolean rule everywhere (config_reader.h ParseBool): each section's
// boolean keys accept and refuse the same words, with the same meaning.
namespace hostwatch {
namespace {

// Reads word through one section; nullopt when the section refuses it.
using Reader = std::function<std::optional<bool>(const std::string& word)>;

std::optional<bool> ViaCollectors(const std::string& yaml, const std::function<bool(const FileConfig&)>& value) {
  ConfigDiagnostics diag("t.yml");
  FileConfig c = ParseConfigText(yaml, &diag);
  return diag.ok() ? std::optional<bool>(value(c)) : std::nullopt;
}

std::optional<bool> ViaHttpCheck(const std::string& key, const std::string& word,
                                 const std::function<bool(const HttpCheckConfig&)>& value) {
  ConfigDiagnostics diag("t.yml");
  YAML::Node root =
      YAML::Load("http_checks:\n  checks:\n    - {name: a, url: 'http://x/', " + key + ": " + word + "}\n");
  HttpChecksConfig c = ParseHttpChecksConfig(root["http_checks"], &diag);
  return diag.ok() ? std::optional<bool>(value(c.checks.at(0))) : std::nullopt;
}

std::optional<bool> ViaWebConfig(const std::string& yaml, const std::function<bool(const WebConfig&)>& value) {
  Result<WebConfig> c = ParseWebConfig(yaml, "web.yml");
  return c.ok() ? std::optional<bool>(value(c.value())) : std::nullopt;
}

const std::vector<std::pair<std::string, Reader>>& Sections() {
  static const std::vector<std::pair<std::string, Reader>> kSections = {
      {"collectors.disable_defaults",
       [](const std::string& w) {
         return ViaCollectors("collectors:\n  disable_defaults: " + w + "\n",
                              [](const FileConfig& c) { return c.selection.disable_defaults; });
       }},
      {"collectors.cpu.enabled",
       [](const std::string& w) {
         return ViaCollectors("collectors:\n  cpu:\n    enabled: " + w + "\n",
                              [](const FileConfig& c) { return c.selection.explicit_state.at("cpu"); });
       }},
      {"collectors.cpu.guest (option)",
       [](const std::string& w) -> std::optional<bool> {
         ConfigDiagnostics diag("t.yml");
         FileConfig c = ParseConfigText("collectors:\n  cpu:\n    guest: " + w + "\n", &diag);
         CollectorOptions options = DefaultCollectorOptions();
         if (!diag.ok() || !options.Set("cpu", "guest", c.collector_options.at("cpu.guest")).ok()) {
           return std::nullopt;
         }
         constexpr BoolOption kGuest{"cpu", "guest", false, ""};
         return options.Get(kGuest);
       }},
      {"http_checks.checks[].follow_redirects",
       [](const std::string& w) {
         return ViaHttpCheck("follow_redirects", w, [](const HttpCheckConfig& c) { return c.follow_redirects; });
       }},
      {"http_checks.checks[].tls.insecure_skip_verify",
       [](const std::string& w) {
         return ViaHttpCheck("tls", "{insecure_skip_verify: " + w + "}",
                             [](const HttpCheckConfig& c) { return c.tls.insecure_skip_verify; });
       }},
      {"http_checks.probe_targets.enabled",
       [](const std::string& w) -> std::optional<bool> {
         ConfigDiagnostics diag("t.yml");
         YAML::Node root = YAML::Load("probe_targets: {enabled: " + w + ", allowed_targets: [example.com]}\n");
         ProbeTargetsConfig c = ParseProbeTargetsConfig(root["probe_targets"], "probe_targets", &diag);
         return diag.ok() ? std::optional<bool>(c.enabled) : std::nullopt;
       }},
      {"web: tls_server_config.prefer_server_cipher_suites",
       [](const std::string& w) {
         return ViaWebConfig("tls_server_config: {cert_file: a, key_file: b, prefer_server_cipher_suites: " + w + "}\n",
                             [](const WebConfig& c) { return c.tls->prefer_server_cipher_suites; });
       }},
      {"web: http_server_config.http2",
       [](const std::string& w) {
         return ViaWebConfig("http_server_config: {http2: " + w + "}\n", [](const WebConfig&) { return true; });
       }},
  };
  return kSections;
}

TEST(BooleanRuleTest, EverySectionAcceptsTheSameWords) {
  struct Word {
    const char* text;
    std::optional<bool> want;
  } words[] = {{"yes", true},
               {"true", true},
               {"True", true},
               {"ON", true},
               {"y", true},
               {"no", false},
               {"false", false},
               {"Off", false},
               {"N", false},
               {"maybe", std::nullopt},
               {"1", std::nullopt},
               {"0", std::nullopt},
               {"tRUE", std::nullopt},
               {"'yes please'", std::nullopt}};
  for (const Word& w : words) {
    std::string unquoted = w.text[0] == '\'' ? std::string(w.text).substr(1, std::strlen(w.text) - 2) : w.text;
    EXPECT_EQ(ParseBool(unquoted), w.want) << w.text;
    for (const auto& [section, read] : Sections()) {
      std::optional<bool> got = read(w.text);
      if (section == "web: http_server_config.http2") {
        EXPECT_EQ(got.has_value(), w.want.has_value()) << section << " <- " << w.text;  // parsed, then ignored
      } else {
        EXPECT_EQ(got, w.want) << section << " <- " << w.text;
      }
    }
  }
}

TEST(BooleanRuleTest, RefusalsUseOneWording) {
  ConfigDiagnostics diag("t.yml");
  ParseConfigText("collectors:\n  cpu:\n    enabled: maybe\n    guest: maybe\n", &diag);
  ASSERT_EQ(diag.errors().size(), 2u) << diag.ToString();
  EXPECT_EQ(diag.errors()[0].reason, "must be true or false");
  EXPECT_EQ(diag.errors()[1].reason, "must be true or false");
  Result<WebConfig> web = ParseWebConfig("http_server_config: {http2: maybe}\n", "web.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.status().message(), "web.yml:1:29: http_server_config.http2: must be true or false");
}

}  // namespace
}  // namespace hostwatch
