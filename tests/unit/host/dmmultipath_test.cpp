#include "collectors/host/dmmultipath.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

DmMultipathFiles MpathFiles() {
  return {"mpath-3600508b1001c1234\n", "mpathA\n", "0\n", "104857600\n", {{"sdi", "running\n"}, {"sdl", "offline"}}};
}

TEST(DmmultipathParserTest, MultipathDeviceWithSizeInBytes) {
  std::uint64_t errors = 0;
  std::optional<DmMultipathDevice> d = ParseDmMultipathDevice("dm-5", MpathFiles(), &errors);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(d->name, "mpathA");
  EXPECT_EQ(d->uuid, "mpath-3600508b1001c1234");
  EXPECT_FALSE(d->suspended);
  EXPECT_EQ(d->size_bytes, 104857600.0 * 512);
  ASSERT_EQ(d->paths.size(), 2u);
  EXPECT_EQ(d->paths[0].state, "running");
}

TEST(DmmultipathParserTest, OtherDeviceMapperTargetsAreNotMultipath) {
  std::uint64_t errors = 0;
  DmMultipathFiles lvm = MpathFiles();
  lvm.uuid = "LVM-abcdef";
  EXPECT_FALSE(ParseDmMultipathDevice("dm-7", lvm, &errors).has_value());
  EXPECT_EQ(errors, 0u);
}

TEST(DmmultipathParserTest, GarbageSizeOrSuspendedIsCounted) {
  std::uint64_t errors = 0;
  DmMultipathFiles bad = MpathFiles();
  bad.size = "lots";
  EXPECT_FALSE(ParseDmMultipathDevice("dm-5", bad, &errors).has_value());
  bad = MpathFiles();
  bad.suspended = "-1";
  EXPECT_FALSE(ParseDmMultipathDevice("dm-5", bad, &errors).has_value());
  EXPECT_EQ(errors, 2u);
}

TEST(DmmultipathParserTest, OnlyRunningAndLivePathsAreActive) {
  EXPECT_TRUE(IsDmMultipathPathActive("running"));
  EXPECT_TRUE(IsDmMultipathPathActive("live"));
  EXPECT_FALSE(IsDmMultipathPathActive("offline"));
  EXPECT_FALSE(IsDmMultipathPathActive("blocked"));
}

// A /sys/block with one multipath device (two paths, one offline), one
// suspended multipath device without slaves/, and an LVM volume.
void WriteBlock(const testing::TempDir& dir) {
  dir.Write("block/dm-0/dm/uuid", "mpath-aaaa\n");
  dir.Write("block/dm-0/dm/name", "mpathA\n");
  dir.Write("block/dm-0/dm/suspended", "0\n");
  dir.Write("block/dm-0/size", "2048\n");
  std::filesystem::create_directories(dir.path() + "/block/dm-0/slaves/sda");
  std::filesystem::create_directories(dir.path() + "/block/dm-0/slaves/nvme0n1");
  dir.Write("block/sda/device/state", "offline\n");
  dir.Write("block/nvme0n1/device/state", "live\n");
  dir.Write("block/dm-1/dm/uuid", "mpath-bbbb\n");
  dir.Write("block/dm-1/dm/name", "mpathB\n");
  dir.Write("block/dm-1/dm/suspended", "1\n");
  dir.Write("block/dm-1/size", "0\n");
  dir.Write("block/dm-2/dm/uuid", "LVM-cccc\n");
  dir.Write("block/dm-3/size", "1\n");  // no dm/ at all
}

TEST(DmmultipathCollectorTest, DevicesAndPathStates) {
  testing::TempDir dir;
  WriteBlock(dir);
  testing::CollectorRun run = testing::RunCollectorOnce("dmmultipath", testing::FixtureFs({.sysfs = dir.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_dmmultipath_device_info{device=\"mpathA\",sysfs_name=\"dm-0\","
                                      "uuid=\"mpath-aaaa\"}"),
            1);
  EXPECT_EQ(testing::Sample(run.text, "node_dmmultipath_device_size_bytes{device=\"mpathA\",sysfs_name=\"dm-0\"}"),
            2048 * 512);
  EXPECT_EQ(testing::Sample(run.text, "node_dmmultipath_device_paths_active{device=\"mpathA\",sysfs_name=\"dm-0\"}"),
            1);
  EXPECT_EQ(testing::Sample(run.text, "node_dmmultipath_device_paths_failed{device=\"mpathA\",sysfs_name=\"dm-0\"}"),
            1);
  EXPECT_EQ(testing::Sample(run.text, "node_dmmultipath_path_state{device=\"mpathA\",path=\"sda\",state=\"offline\"}"),
            1);
  EXPECT_EQ(testing::Sample(run.text, "node_dmmultipath_device_active{device=\"mpathB\",sysfs_name=\"dm-1\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_dmmultipath_device_paths{device=\"mpathB\",sysfs_name=\"dm-1\"}"), 0);
  EXPECT_EQ(run.text.find("dm-2"), std::string::npos) << run.text;
}

TEST(DmmultipathCollectorTest, NoMultipathDeviceIsSuccessWithoutSeries) {
  testing::TempDir dir;
  dir.Write("block/vda/size", "1\n");
  testing::CollectorRun run = testing::RunCollectorOnce("dmmultipath", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

TEST(DmmultipathCollectorTest, MissingBlockDirOrPathStateIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("dmmultipath", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  WriteBlock(dir);
  std::filesystem::remove_all(dir.path() + "/block/sda");  // path vanished between listing and reading
  EXPECT_TRUE(testing::RunCollectorOnce("dmmultipath", testing::FixtureFs({.sysfs = dir.path()})).status.no_data());
}

TEST(DmmultipathCollectorTest, GarbageSizeDropsTheDeviceAndIsCounted) {
  testing::TempDir dir;
  WriteBlock(dir);
  dir.Write("block/dm-1/size", "huge\n");
  testing::CollectorRun run = testing::RunCollectorOnce("dmmultipath", testing::FixtureFs({.sysfs = dir.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_EQ(run.text.find("mpathB"), std::string::npos);
  EXPECT_NE(run.text.find("mpathA"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
