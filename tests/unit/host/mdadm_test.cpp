#include "collectors/host/mdadm.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

const MdStat* Find(const std::vector<MdStat>& mds, const std::string& name) {
  for (const MdStat& md : mds) {
    if (md.name == name) {
      return &md;
    }
  }
  return nullptr;
}

TEST(MdadmParserTest, ParsesEveryKindOfDevice) {
  std::uint64_t errors = 0;
  std::vector<MdStat> mds = ParseMdstat(testing::ReadFixture("mdadm/proc/mdstat"), &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(mds.size(), 6u);
  struct Want {
    const char* name;
    const char* state;
    double active, total, failed, spare, blocks, synced;
  } wants[] = {
      {"md1", "active", 2, 2, 0, 1, 976630464, 976630464},       // bitmap line, in sync
      {"md2", "recovering", 1, 2, 1, 0, 1953382400, 246140928},  // rebuilding after a failure
      {"md3", "checking", 3, 3, 0, 0, 3906764800, 175831040},    // check after a bitmap line
      {"md0", "active", 2, 2, 0, 0, 1953260544, 1953260544},     // raid0: members counted
      {"md5", "inactive", 0, 0, 0, 1, 488254464, 488254464},     // inactive
      {"md6", "resyncing", 2, 2, 0, 0, 10476544, 0},             // resync=DELAYED
  };
  for (const Want& w : wants) {
    const MdStat* md = Find(mds, w.name);
    ASSERT_NE(md, nullptr) << w.name;
    EXPECT_EQ(md->state, w.state) << w.name;
    EXPECT_EQ(md->disks_active, w.active) << w.name;
    EXPECT_EQ(md->disks_total, w.total) << w.name;
    EXPECT_EQ(md->disks_failed, w.failed) << w.name;
    EXPECT_EQ(md->disks_spare, w.spare) << w.name;
    EXPECT_EQ(md->blocks_total, w.blocks) << w.name;
    EXPECT_EQ(md->blocks_synced, w.synced) << w.name;
  }
}

TEST(MdadmParserTest, SkipsAndCountsMalformedDevices) {
  std::uint64_t errors = 0;
  std::vector<MdStat> mds = ParseMdstat(testing::ReadFixture("mdadm/malformed/proc/mdstat"), &errors);
  EXPECT_EQ(errors, 4u);  // bad size, short device line, no [n/m] [U_], sync without (done/total)
  ASSERT_EQ(mds.size(), 1u);
  EXPECT_EQ(mds[0].name, "md7");
  EXPECT_EQ(mds[0].blocks_total, 400);
}

TEST(MdadmParserTest, DeviceLineAtEndOfFileIsMalformed) {
  std::uint64_t errors = 0;
  EXPECT_TRUE(ParseMdstat("Personalities : [raid1]\nmd1 : active raid1 sda1[0]", &errors).empty());
  EXPECT_EQ(errors, 1u);
  errors = 0;
  EXPECT_TRUE(ParseMdstat("", &errors).empty());
  EXPECT_EQ(errors, 0u);
}

ProcFs FixtureFs(const std::string& root) {
  return testing::FixtureFs({.procfs = root + "/proc", .sysfs = root + "/sys"});
}

TEST(MdadmCollectorTest, ExportsNodeExporterSeries) {
  testing::CollectorRun run = testing::RunCollectorOnce("mdadm", FixtureFs(testing::FixturePath("mdadm")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  for (const char* want :
       {"# HELP node_md_state Indicates the state of md-device.\n# TYPE node_md_state gauge\n"
        "node_md_state{device=\"md0\",state=\"active\"} 1\n"
        "node_md_state{device=\"md0\",state=\"check\"} 0\n"
        "node_md_state{device=\"md0\",state=\"inactive\"} 0\n"
        "node_md_state{device=\"md0\",state=\"recovering\"} 0\n"
        "node_md_state{device=\"md0\",state=\"resync\"} 0\n",
        "node_md_state{device=\"md3\",state=\"check\"} 1\n", "node_md_state{device=\"md6\",state=\"resync\"} 1\n",
        "node_md_disks{device=\"md2\",state=\"failed\"} 1\n", "node_md_disks_required{device=\"md2\"} 2\n",
        "node_md_blocks_synced{device=\"md2\"} 2.46140928e+08\n",
        "# HELP node_md_degraded Number of degraded disks on device.\n# TYPE node_md_degraded gauge\n"
        "node_md_degraded{device=\"md0\"} 0\nnode_md_degraded{device=\"md1\"} 1\n",
        "node_md_raid_disks{device=\"md0\"} 2\nnode_md_raid_disks{device=\"md1\"} 2\n"}) {
    EXPECT_NE(run.text.find(want), std::string::npos) << want << "\nin:\n" << run.text;
  }
  EXPECT_EQ(run.text.find("md9"), std::string::npos);  // sys/block/md9 without md/: not an array
}

TEST(MdadmCollectorTest, NoMdstatIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("mdadm", FixtureFs("/nonexistent"));
  EXPECT_TRUE(run.status.no_data());
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
