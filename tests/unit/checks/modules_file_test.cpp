#include "collectors/checks/modules_file.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using testing::TempDir;

// A blackbox.yml as blackbox reads it; its errors are reported against that file.
TEST(ModulesFileTest, ReadsABlackboxConfigAndReportsItsOwnLines) {
  TempDir dir;
  dir.Write("blackbox.yml", R"(modules:
  http_2xx:
    prober: http
  tcp_connect:
    prober: tcp
)");
  const std::string path = dir.path() + "/blackbox.yml";
  ConfigDiagnostics diag(path);
  ModuleMap m = LoadModulesFile(path, {}, &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("http_2xx")->prober, ProberKind::kHttp);

  dir.Write("blackbox.yml", R"(modules:
  http_2xx:
    prober: http
    http: {methd: GET}
modulez: {}
)");
  ConfigDiagnostics bad(path);
  LoadModulesFile(path, {}, &bad);
  ASSERT_EQ(bad.errors().size(), 2u) << bad.ToString();
  EXPECT_EQ(bad.errors()[0].ToString().rfind(path + ":4:12: modules.http_2xx.http.methd: unknown key", 0), 0u)
      << bad.errors()[0].ToString();
  EXPECT_EQ(bad.errors()[1].ToString(), path + ":5:1: modulez: unknown key (known: modules; did you mean modules?)");
}

TEST(ModulesFileTest, ANameInBothPlacesIsAnError) {
  TempDir dir;
  dir.Write("bb.yml", "modules:\n  tcp_connect: {prober: tcp}\n");
  ConfigDiagnostics main_diag("hw.yml");
  const ModuleMap mine = ParseModules(YAML::Load("{tcp_connect: {prober: tcp}}"), &main_diag);
  ConfigDiagnostics diag(dir.path() + "/bb.yml");
  EXPECT_TRUE(LoadModulesFile(dir.path() + "/bb.yml", mine, &diag).empty());
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_EQ(diag.errors()[0].ToString(),
            dir.path() + "/bb.yml:2:3: modules.tcp_connect: defined twice: in modules: and in the modules_file");
}

TEST(ModulesFileTest, AMissingFileIsAnError) {
  ConfigDiagnostics diag("/nonexistent/blackbox.yml");
  LoadModulesFile("/nonexistent/blackbox.yml", {}, &diag);
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_EQ(diag.errors()[0].ToString(),
            "/nonexistent/blackbox.yml: cannot read the modules_file: No such file or directory");
}

}  // namespace
}  // namespace hostwatch
