#include "collectors/host/selinux.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using ::testing::HasSubstr;

TEST(SelinuxParserTest, ConfigModeFromFirstSelinuxLine) {
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUX=enforcing\n"), kSelinuxEnforcing);
  EXPECT_EQ(ParseSelinuxConfigMode("# SELINUX=enforcing\n  SELINUX=\"permissive\"  \nSELINUX=enforcing\n"),
            kSelinuxPermissive);
  EXPECT_EQ(ParseSelinuxConfigMode("; comment\nSELINUXTYPE=targeted\nSELINUX=disabled\n"), kSelinuxDisabled);
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUXTYPE=targeted\n"), kSelinuxDisabled);
  EXPECT_EQ(ParseSelinuxConfigMode(""), kSelinuxDisabled);
  // As opencontainers/selinux: the key must be exactly SELINUX, the value is case sensitive.
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUX =enforcing\n"), kSelinuxDisabled);
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUX=Enforcing\n"), kSelinuxDisabled);
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUX=enforcing\r\n"), kSelinuxEnforcing);
}

TEST(SelinuxParserTest, EnforceIsGoAtoiOfTheWholeFile) {
  EXPECT_EQ(ParseSelinuxEnforce("1"), 1);
  EXPECT_EQ(ParseSelinuxEnforce("0"), 0);
  EXPECT_EQ(ParseSelinuxEnforce("+1"), 1);
  EXPECT_EQ(ParseSelinuxEnforce("-1"), -1);
  // No trimming: the kernel writes no newline, so one means something else wrote the file.
  for (const char* bad : {"1\n", "", "x", " 1", "+-1", "99999999999999999999"}) {
    EXPECT_EQ(ParseSelinuxEnforce(bad), kSelinuxDisabled) << bad;
  }
}

TEST(SelinuxParserTest, SelinuxfsInFilesystemsAndMountinfo) {
  EXPECT_TRUE(SelinuxfsListed("nodev\tsysfs\nnodev\tselinuxfs\n"));
  EXPECT_FALSE(SelinuxfsListed("nodev\tsysfs\nnodev\tselinuxfs"));  // must end its line
  EXPECT_FALSE(SelinuxfsListed("nodev\tsysfs\n"));
  EXPECT_EQ(ParseSelinuxfsMounts("22 1 0:21 / /sys rw - sysfs sysfs rw\n"
                                 "30 22 0:25 / /sys/fs/selinux rw,relatime - selinuxfs selinuxfs rw\n"
                                 "31 22 0:25 / /a\\040b rw - selinuxfs selinuxfs rw\n"
                                 "32 22 0:25 / - selinuxfs\n"),
            (std::vector<std::string>{"/sys/fs/selinux", "/a\\040b"}));
  EXPECT_TRUE(ParseSelinuxfsMounts("").empty());
}

// Fixture trees cannot carry selinuxfs' filesystem type: a directory stands in for the mount.
bool DirectoryExists(const std::string& path) { return std::filesystem::is_directory(path); }

testing::CollectorRun RunOn(const std::string& tree) {
  const std::string root = testing::FixturePath("selinux/" + tree);
  ProcFs fs = testing::FixtureFs({.procfs = root + "/proc", .sysfs = root + "/sys", .rootfs = root + "/root"});
  CollectorPtr collector = MakeSelinuxCollector(fs, DirectoryExists);
  MetricSink sink;
  Status s = collector->Collect(sink);
  return {s, SerializeText(sink.TakeFamilies()), sink.parse_errors(), ""};
}

std::string Exposition(int enabled, std::optional<int> config = std::nullopt, std::optional<int> current = {}) {
  std::string out;
  if (config) {
    out += "# HELP node_selinux_config_mode Configured SELinux enforcement mode\n"
           "# TYPE node_selinux_config_mode gauge\nnode_selinux_config_mode " +
           std::to_string(*config) + "\n";
    out += "# HELP node_selinux_current_mode Current SELinux enforcement mode\n"
           "# TYPE node_selinux_current_mode gauge\nnode_selinux_current_mode " +
           std::to_string(*current) + "\n";
  }
  return out + "# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n"
               "# TYPE node_selinux_enabled gauge\nnode_selinux_enabled " +
         std::to_string(enabled) + "\n";
}

TEST(SelinuxCollectorTest, EachFixtureGivesUpstreamsSeries) {
  struct Case {
    const char* tree;
    std::string want;
  } cases[] = {
      {"enforcing", Exposition(1, 1, 1)},
      // No readable label counts as enabled; the config's first SELINUX= line wins.
      {"permissive", Exposition(1, 0, 0)},
      {"disabled", Exposition(0)},
      // Not at <sysfs>/fs/selinux: found through mountinfo, under --path.rootfs,
      // skipping the read-only mount that fails the check.
      {"mounted_elsewhere", Exposition(1, 1, 1)},
      {"no_policy", Exposition(0)},  // this thread's label is "kernel"
  };
  for (const Case& c : cases) {
    testing::CollectorRun run = RunOn(c.tree);
    EXPECT_TRUE(run.status.ok()) << c.tree << ": " << run.status.message();
    EXPECT_EQ(run.text, c.want) << c.tree;
  }
}

TEST(SelinuxCollectorTest, ModesAreReadOnEveryScrape) {
  testing::TempDir dir;
  dir.Write("sys/fs/selinux/enforce", "1");
  dir.Write("root/etc/selinux/config", "SELINUX=enforcing\n");
  ProcFs fs = testing::FixtureFs({.sysfs = dir.path() + "/sys", .rootfs = dir.path() + "/root"});
  CollectorPtr collector = MakeSelinuxCollector(fs, DirectoryExists);
  MetricSink first;
  ASSERT_TRUE(collector->Collect(first).ok());
  EXPECT_EQ(SerializeText(first.TakeFamilies()), Exposition(1, 1, 1));
  dir.Write("sys/fs/selinux/enforce", "0");  // setenforce 0
  dir.Write("root/etc/selinux/config", "SELINUX=permissive\n");
  MetricSink second;
  ASSERT_TRUE(collector->Collect(second).ok());
  EXPECT_EQ(SerializeText(second.TakeFamilies()), Exposition(1, 0, 0));
}

// The real mount check on directories that are not selinuxfs.
TEST(SelinuxCollectorTest, RealCheckRefusesOtherFilesystems) {
  EXPECT_FALSE(IsWritableSelinuxfs("/proc"));
  EXPECT_FALSE(IsWritableSelinuxfs(testing::FixturePath("selinux/enforcing/sys/fs/selinux")));
  EXPECT_FALSE(IsWritableSelinuxfs("/nonexistent/selinux"));
}

// Through the registry (the real check): a fixture tree is never selinuxfs,
// so the collector reports SELinux disabled and succeeds, as upstream does
// on a host without it.
TEST(SelinuxCollectorTest, RegisteredCollectorSucceedsWithoutSelinux) {
  const std::string root = testing::FixturePath("selinux/enforcing");
  testing::CollectorRun run = testing::RunCollectorOnce(
      "selinux", testing::FixtureFs({.procfs = root + "/proc", .sysfs = root + "/sys", .rootfs = root + "/root"}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, Exposition(0));
}

}  // namespace
}  // namespace hostwatch
