#include "collectors/core/config_reader.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

// Runs fn on the value of key `v` in yaml; returns the diagnostics text ("" when none).
std::string Read(const std::string& yaml, const std::function<void(ConfigReader&, const YAML::Node&)>& fn) {
  ConfigDiagnostics diag("r.yml");
  ConfigReader r(&diag);
  fn(r, YAML::Load(yaml)["v"]);
  return diag.ToString();
}

TEST(ConfigReaderTest, TypedGettersStoreOnSuccess) {
  std::string s;
  bool b = false;
  long long n = 0;
  int i = 0;
  milliseconds d{0};
  std::vector<std::string> list;
  EXPECT_EQ(Read("v: hello", [&](ConfigReader& r, const YAML::Node& v) { EXPECT_TRUE(r.String(v, "v", &s)); }), "");
  EXPECT_EQ(s, "hello");
  EXPECT_EQ(Read("v: yes", [&](ConfigReader& r, const YAML::Node& v) { EXPECT_TRUE(r.Bool(v, "v", &b)); }), "");
  EXPECT_TRUE(b);
  EXPECT_EQ(Read("v: 42", [&](ConfigReader& r, const YAML::Node& v) { EXPECT_TRUE(r.Int(v, "v", 0LL, 100LL, &n)); }),
            "");
  EXPECT_EQ(n, 42);
  EXPECT_EQ(Read("v: 7", [&](ConfigReader& r, const YAML::Node& v) { EXPECT_TRUE(r.Int(v, "v", 1, 10, &i)); }), "");
  EXPECT_EQ(i, 7);
  EXPECT_EQ(Read("v: 1m30s", [&](ConfigReader& r, const YAML::Node& v) { EXPECT_TRUE(r.Duration(v, "v", &d)); }), "");
  EXPECT_EQ(d, milliseconds(90000));
  EXPECT_EQ(Read("v: [a, b]", [&](ConfigReader& r, const YAML::Node& v) { EXPECT_TRUE(r.StringList(v, "v", &list)); }),
            "");
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b"}));
}

// Every refusal, with the one wording: file:line:column: key: must be <what>[, got <kind of node>]. A scalar's
// text is never repeated: it may be a secret from ${VAR} expansion (issue 16 item 11).
TEST(ConfigReaderTest, RefusalsSayWhatWasExpectedNeverTheValue) {
  struct Case {
    const char* yaml;
    std::function<bool(ConfigReader&, const YAML::Node&)> read;
    const char* error;
  } cases[] = {
      {"v: [1]",
       [](ConfigReader& r, const YAML::Node& v) {
         std::string s;
         return r.String(v, "v", &s);
       },
       "r.yml:1:4: v: must be a string, got a list"},
      {"v: maybe",
       [](ConfigReader& r, const YAML::Node& v) {
         bool b;
         return r.Bool(v, "v", &b);
       },
       "r.yml:1:4: v: must be true or false"},
      {"v: {a: 1}",
       [](ConfigReader& r, const YAML::Node& v) {
         bool b;
         return r.Bool(v, "v", &b);
       },
       "r.yml:1:4: v: must be true or false, got a mapping"},
      {"v: x",
       [](ConfigReader& r, const YAML::Node& v) {
         long long n;
         return r.Int(v, "v", 0LL, 9LL, &n);
       },
       "r.yml:1:4: v: must be an integer"},
      {"v: 10",
       [](ConfigReader& r, const YAML::Node& v) {
         int n;
         return r.Int(v, "v", 1, 9, &n);
       },
       "r.yml:1:4: v: must be between 1 and 9"},
      {"v: 5x",
       [](ConfigReader& r, const YAML::Node& v) {
         milliseconds d;
         return r.Duration(v, "v", &d);
       },
       "r.yml:1:4: v: invalid duration (want e.g. 500ms, 30s, 5m, 1h30m)"},
      {"v: '('",
       [](ConfigReader& r, const YAML::Node& v) {
         std::string p;
         std::shared_ptr<const re2::RE2> re;
         return r.Regex(v, "v", &p, &re);
       },
       "r.yml:1:4: v: invalid regular expression: missing closing )"},
      {"v: ip5",
       [](ConfigReader& r, const YAML::Node& v) {
         std::string s;
         return r.OneOf(v, "v", {"ip4", "ip6"}, &s);
       },
       "r.yml:1:4: v: must be one of ip4, ip6"},
      {"v: a", [](ConfigReader& r, const YAML::Node& v) { return r.Items(v, "v", [](auto&, auto&) {}); },
       "r.yml:1:4: v: must be a list"},
      {"v: [a]",
       [](ConfigReader& r, const YAML::Node& v) { return r.Entries(v, "v", [](auto&, auto&, auto&, auto&) {}); },
       "r.yml:1:4: v: must be a mapping, got a list"},
      {"v: [a, [b]]",
       [](ConfigReader& r, const YAML::Node& v) {
         std::vector<std::string> l;
         return r.StringList(v, "v", &l);
       },
       "r.yml:1:8: v[1]: must be a string, got a list"},
  };
  for (const Case& c : cases) {
    ConfigDiagnostics diag("r.yml");
    ConfigReader r(&diag);
    EXPECT_FALSE(c.read(r, YAML::Load(c.yaml)["v"])) << c.yaml;
    EXPECT_EQ(diag.ToString(), c.error) << c.yaml;
  }
}

TEST(ConfigReaderTest, FieldsReportsUnknownKeysWithTheKnownOnes) {
  std::vector<std::string> seen;
  std::string errors = Read("v: {a: 1, colour: red, b: 2}", [&](ConfigReader& r, const YAML::Node& v) {
    EXPECT_TRUE(r.Fields(v, "v", {"a", "b"}, [&](const std::string& key, const YAML::Node&, const std::string& path) {
      seen.push_back(key + "@" + path);
    }));
  });
  EXPECT_EQ(errors, "r.yml:1:11: v.colour: unknown key (known: a, b)");
  EXPECT_EQ(seen, (std::vector<std::string>{"a@v.a", "b@v.b"}));
}

TEST(ConfigReaderTest, NullMappingIsEmptyAndRootPathHasNoDot) {
  EXPECT_EQ(Read("v:", [](ConfigReader& r, const YAML::Node& v) { EXPECT_TRUE(r.Fields(v, "v", {"a"}, nullptr)); }),
            "");
  EXPECT_EQ(ConfigReader::Join("", "a"), "a");
  EXPECT_EQ(ConfigReader::Join("a.b", "c"), "a.b.c");
}

TEST(ConfigReaderTest, FailedGetterLeavesTheOldValue) {
  int n = 5;
  Read("v: 99", [&](ConfigReader& r, const YAML::Node& v) { r.Int(v, "v", 1, 10, &n); });
  EXPECT_EQ(n, 5);
}

}  // namespace
}  // namespace hostwatch

namespace hostwatch {
namespace {

// The whole document's duplicate-key walk; returns (walkable, diagnostics).
std::pair<bool, std::string> WalkDocument(const std::string& yaml) {
  ConfigDiagnostics diag("r.yml");
  ConfigReader r(&diag);
  bool walkable = r.DuplicateKeys(YAML::Load(yaml), "");
  return {walkable, diag.ToString()};
}

TEST(ConfigReaderDuplicateKeysTest, ARepeatedKeyIsReportedAndTheWalkGoesOn) {
  auto [walkable, errors] = WalkDocument("a: 1\nb: {c: 1, c: 2}\na: 3\n");
  EXPECT_TRUE(walkable);
  EXPECT_NE(errors.find("r.yml:2:11: b.c: duplicate key"), std::string::npos) << errors;
  EXPECT_NE(errors.find("r.yml:3:1: a: duplicate key"), std::string::npos) << errors;
}

// yaml-cpp turns an alias to its own anchor into a node that contains itself; following it
// overflowed the stack (found by fuzz.web_config).
TEST(ConfigReaderDuplicateKeysTest, ANodeThatContainsItselfStopsTheWalk) {
  for (const char* yaml : {"extra: &a [*a]\n", "x: &a {k: *a}\n", "&a [*a, *a, *a]\n"}) {
    auto [walkable, errors] = WalkDocument(yaml);
    EXPECT_FALSE(walkable) << yaml;
    EXPECT_NE(errors.find("levels deep"), std::string::npos) << yaml << " -> " << errors;
  }
}

// No cycle, but each level repeats the one below ten times: 10^9 values to walk.
TEST(ConfigReaderDuplicateKeysTest, AliasesThatMultiplyTheDocumentStopTheWalk) {
  std::string yaml = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    yaml += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) {
      yaml += (k > 0 ? ", " : "") + prev;
    }
    yaml += "]\n";
  }
  auto [walkable, errors] = WalkDocument(yaml);
  EXPECT_FALSE(walkable);
  EXPECT_NE(errors.find("values (aliases that repeat each other?)"), std::string::npos) << errors;
}

}  // namespace
}  // namespace hostwatch
