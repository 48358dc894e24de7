#include "collectors/host/nvmesubsystem.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// node_exporter 1.12.1's own expectation (collector/nvmesubsystem_linux_test.go) for the subsystem
// of its fixture tree, copied to tests/fixtures/nvmesubsystem (plus the namespace directory
// nvme0n1, which upstream's archive holds as an empty directory).
const char* const kUpstreamOutput =
    "# HELP node_nvmesubsystem_info Non-numeric information about an NVMe subsystem.\n"
    "# TYPE node_nvmesubsystem_info gauge\n"
    "node_nvmesubsystem_info{iopolicy=\"round-robin\",model=\"Dell "
    "PowerStore\",nqn=\"nqn.2014-08.org.nvmexpress:uuid:a34c4f3a-0d6f-5cec-dead-beefcafebabe\",serial=\"SN12345678\","
    "subsystem=\"nvme-subsys0\"} 1\n"
    "# HELP node_nvmesubsystem_namespace_info Maps an NVMe namespace block device to its subsystem.\n"
    "# TYPE node_nvmesubsystem_namespace_info gauge\n"
    "node_nvmesubsystem_namespace_info{device=\"nvme0n1\",subsystem=\"nvme-subsys0\"} 1\n"
    "# HELP node_nvmesubsystem_path_state Current NVMe controller path state (1 for the current state, 0 for all "
    "others).\n"
    "# TYPE node_nvmesubsystem_path_state gauge\n"
    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"connecting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"dead\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"deleting\",subsystem=\"nvme-subsys0\",transport=\"fc\"}"
    " 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"live\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 1\n"
    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"new\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"resetting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"unknown\",subsystem=\"nvme-subsys0\",transport=\"fc\"} "
    "0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"connecting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"dead\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"deleting\",subsystem=\"nvme-subsys0\",transport=\"fc\"}"
    " 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"live\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 1\n"
    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"new\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"resetting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"unknown\",subsystem=\"nvme-subsys0\",transport=\"fc\"} "
    "0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme2\",state=\"connecting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme2\",state=\"dead\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme2\",state=\"deleting\",subsystem=\"nvme-subsys0\",transport=\"fc\"}"
    " 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme2\",state=\"live\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 1\n"
    "node_nvmesubsystem_path_state{controller=\"nvme2\",state=\"new\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme2\",state=\"resetting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme2\",state=\"unknown\",subsystem=\"nvme-subsys0\",transport=\"fc\"} "
    "0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme3\",state=\"connecting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme3\",state=\"dead\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 1\n"
    "node_nvmesubsystem_path_state{controller=\"nvme3\",state=\"deleting\",subsystem=\"nvme-subsys0\",transport=\"fc\"}"
    " 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme3\",state=\"live\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme3\",state=\"new\",subsystem=\"nvme-subsys0\",transport=\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme3\",state=\"resetting\",subsystem=\"nvme-subsys0\",transport="
    "\"fc\"} 0\n"
    "node_nvmesubsystem_path_state{controller=\"nvme3\",state=\"unknown\",subsystem=\"nvme-subsys0\",transport=\"fc\"} "
    "0\n"
    "# HELP node_nvmesubsystem_paths Number of controller paths for an NVMe subsystem.\n"
    "# TYPE node_nvmesubsystem_paths gauge\n"
    "node_nvmesubsystem_paths{subsystem=\"nvme-subsys0\"} 4\n"
    "# HELP node_nvmesubsystem_paths_live Number of controller paths in live state for an NVMe subsystem.\n"
    "# TYPE node_nvmesubsystem_paths_live gauge\n"
    "node_nvmesubsystem_paths_live{subsystem=\"nvme-subsys0\"} 3\n";

TEST(NvmesubsystemParserTest, ControllerStatesAsNodeExporterNamesThem) {
  const std::pair<const char*, const char*> cases[] = {{"live", "live"},
                                                       {"connecting", "connecting"},
                                                       {"resetting", "resetting"},
                                                       {"dead", "dead"},
                                                       {"deleting", "deleting"},
                                                       {"deleting (no IO)", "deleting"},
                                                       {"new", "new"},
                                                       {"", "unknown"},
                                                       {"something-else", "unknown"},
                                                       {"live ", "unknown"}};
  for (const auto& [raw, want] : cases) {
    EXPECT_EQ(NvmeControllerState(raw), want) << raw;
  }
  EXPECT_EQ(NvmeControllerStates().size(), 7u);
  EXPECT_TRUE(std::is_sorted(NvmeControllerStates().begin(), NvmeControllerStates().end()));
}

TEST(NvmesubsystemParserTest, ControllerAndNamespaceNames) {
  EXPECT_TRUE(IsNvmeControllerName("nvme0"));
  EXPECT_TRUE(IsNvmeControllerName("nvme12"));
  EXPECT_FALSE(IsNvmeControllerName("nvme"));
  EXPECT_FALSE(IsNvmeControllerName("nvme0n1"));
  EXPECT_FALSE(IsNvmeControllerName("nvme-subsys0"));
  EXPECT_TRUE(IsNvmeNamespaceName("nvme0n1"));
  EXPECT_TRUE(IsNvmeNamespaceName("nvme10n22"));
  EXPECT_FALSE(IsNvmeNamespaceName("nvme0n"));
  EXPECT_FALSE(IsNvmeNamespaceName("nvme0n1p1"));
  EXPECT_FALSE(IsNvmeNamespaceName("nvmen1"));
}

TEST(NvmesubsystemCollectorTest, FixtureOutputIsNodeExportersByteForByte) {
  testing::CollectorRun run = testing::RunCollectorOnce(
      "nvmesubsystem", testing::FixtureFs({.sysfs = testing::FixturePath("nvmesubsystem/sys")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, kUpstreamOutput);
}

TEST(NvmesubsystemCollectorTest, NoClassOrAMissingAttributeIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("nvmesubsystem", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  for (const char* f : {"subsysnqn", "model", "serial", "iopolicy"}) {
    dir.Write(std::string("class/nvme-subsystem/nvme-subsys0/") + f, "x\n");
  }
  dir.Write("class/nvme-subsystem/nvme-subsys0/nvme0/state", "live\n");
  dir.Write("class/nvme-subsystem/nvme-subsys0/nvme0/transport", "tcp\n");
  // nvme0/address is missing: node_exporter reports no data for the whole collector.
  testing::CollectorRun run = testing::RunCollectorOnce("nvmesubsystem", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_EQ(run.text, "");
  dir.Write("class/nvme-subsystem/nvme-subsys0/nvme0/address", "traddr=10.0.0.1\n");
  run = testing::RunCollectorOnce("nvmesubsystem", testing::FixtureFs({.sysfs = dir.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_nvmesubsystem_paths_live{subsystem=\"nvme-subsys0\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"live\","
                            "subsystem=\"nvme-subsys0\",transport=\"tcp\"}"),
            1);
}

TEST(NvmesubsystemCollectorTest, EntriesThatAreNotSubsystemsAreSkipped) {
  testing::TempDir dir;
  dir.Write("class/nvme-subsystem/other/model", "x\n");
  testing::CollectorRun run = testing::RunCollectorOnce("nvmesubsystem", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
