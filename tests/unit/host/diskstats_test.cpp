#include "collectors/host/diskstats.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

ProcFs DiskFixture() {
  std::string root = testing::FixturePath("diskstats");
  return testing::FixtureFs({.procfs = root + "/proc", .sysfs = root + "/sys", .udev_data = root + "/udev/data"});
}

TEST(DiskstatsParserTest, ParsesAllColumnCounts) {
  std::uint64_t errors = 0;
  std::vector<DiskStatsLine> d = ParseDiskstats(
      "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
      " 259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
      " 253       1 dm-1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].major, 8u);
  EXPECT_EQ(d[0].minor, 0u);
  EXPECT_EQ(d[0].device, "sda");
  EXPECT_EQ(d[0].stats.size(), 11u);
  EXPECT_EQ(d[1].stats.size(), 15u);
  EXPECT_EQ(d[2].stats.size(), 17u);
  EXPECT_EQ(d[2].major, 253u);
  EXPECT_EQ(d[2].minor, 1u);
  EXPECT_EQ(d[2].stats[16], 17u);
}

TEST(DiskstatsParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {
      "   8 0 sda 1 2 3\n",                     // too few columns
      "   8 0 sda 1 2 x 4 5 6 7 8 9 10 11\n",   // not a number
      "   x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",   // bad major
      "   8 0 sda -1 2 3 4 5 6 7 8 9 10 11\n",  // negative counter
  };
  for (const char* text : bad) {
    std::uint64_t errors = 0;
    EXPECT_TRUE(ParseDiskstats(text, &errors).empty()) << text;
    EXPECT_EQ(errors, 1u) << text;
  }
  std::uint64_t errors = 0;
  EXPECT_TRUE(ParseDiskstats("\n\n", &errors).empty());
  EXPECT_EQ(errors, 0u);
}

TEST(UdevPropertiesTest, KeepsOnlyEPropertiesAndSplitsAtFirstEquals) {
  UdevProperties p = ParseUdevProperties(
      "S:disk/by-id/x\nW:3\nE:ID_MODEL=Foo Bar\nE:ID_FS_VERSION=LVM2 001\nE:WEIRD=a=b\nE:NOEQUALS\nG:systemd\n");
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p["ID_MODEL"], "Foo Bar");
  EXPECT_EQ(p["ID_FS_VERSION"], "LVM2 001");
  EXPECT_EQ(p["WEIRD"], "a=b");
}

TEST(DiskstatsCollectorTest, MatchesGoldenOutputOnOwnFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("diskstats", DiskFixture());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 2u);  // sdb (non-numeric) and sdc (3 columns)
  EXPECT_EQ(run.text, testing::ReadFixture("diskstats/expected.prom"));
}

TEST(DiskstatsCollectorTest, DefaultFilterDropsPartitionsAndLoops) {
  testing::CollectorRun run = testing::RunCollectorOnce("diskstats", DiskFixture());
  EXPECT_EQ(run.text.find("sda1"), std::string::npos);
  EXPECT_EQ(run.text.find("loop0"), std::string::npos);
  EXPECT_EQ(testing::Sample(run.text, "node_disk_io_now{device=\"nvme0n1\"}"), 2);
}

TEST(DiskstatsCollectorTest, SerialFallsBackFromScsiIdentToShortToFull) {
  testing::CollectorRun run = testing::RunCollectorOnce("diskstats", DiskFixture());
  EXPECT_NE(run.text.find("device=\"sda\",major=\"8\",minor=\"0\",model=\"TEST_DISK\",path=\"pci-0000:00:1f.2-ata-1\","
                          "revision=\"0102\",rotational=\"1\",serial=\"LABEL123\""),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("serial=\"NVME_SERIAL_ONLY\""), std::string::npos);
}

TEST(DiskstatsCollectorTest, IncludeFlagAloneSelectsDevices) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("diskstats", "device-include", "^sda").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("diskstats", DiskFixture(), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_disk_reads_completed_total{device=\"sda1\"}"), 250);
  EXPECT_EQ(run.text.find("nvme0n1"), std::string::npos);
}

TEST(DiskstatsCollectorTest, ExplicitExcludeAndIncludeIsAStartupError) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("diskstats", "device-include", "^sda").ok());
  ASSERT_TRUE(options.Set("diskstats", "device-exclude", "^loop").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("diskstats", DiskFixture(), options);
  ASSERT_FALSE(run.status.ok());
  EXPECT_NE(run.status.message().find("device-exclude & device-include are mutually exclusive"), std::string::npos);
}

TEST(DiskstatsCollectorTest, MissingUdevDataStillExportsCountersAndEmptyInfo) {
  std::string root = testing::FixturePath("diskstats");
  ProcFs fs = testing::FixtureFs({.procfs = root + "/proc"});
  testing::CollectorRun run = testing::RunCollectorOnce("diskstats", fs);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(testing::Sample(run.text,
                            "node_disk_info{device=\"sda\",major=\"8\",minor=\"0\",model=\"\",path=\"\",revision=\"\","
                            "rotational=\"0\",serial=\"\",wwn=\"\"}"),
            1);
  EXPECT_EQ(run.text.find("node_disk_ata_"), std::string::npos);
}

TEST(DiskstatsCollectorTest, MissingProcFileIsNoData) {
  ProcFs fs = testing::FixtureFs({});
  testing::CollectorRun run = testing::RunCollectorOnce("diskstats", fs);
  EXPECT_TRUE(run.status.no_data());
}

TEST(UdevCacheTest, ReadsAgainOnlyWhenTheFileIsReplaced) {
  testing::TempDir tmp;
  tmp.Write("b8:0", "E:ID_MODEL=OLD\n");
  DirHandle dir = ProcFs().OpenDir(tmp.path()).value();
  UdevCache cache;
  EXPECT_EQ(cache.Lookup(dir, "b8:0").at("ID_MODEL"), "OLD");

  // Same size, mtime put back: looks unchanged, so the parsed copy is kept
  // (this is what saves the read; udevd never rewrites in place).
  struct stat st;
  ASSERT_EQ(::stat((tmp.path() + "/b8:0").c_str(), &st), 0);
  tmp.Write("b8:0", "E:ID_MODEL=NEW\n");
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (tmp.path() + "/b8:0").c_str(), times, 0), 0);
  EXPECT_EQ(cache.Lookup(dir, "b8:0").at("ID_MODEL"), "OLD");

  // Written aside and renamed over, as udevd does: read again.
  tmp.Write("tmp", "E:ID_MODEL=RENAMED\nE:ID_ATA=1\n");
  ASSERT_EQ(::rename((tmp.path() + "/tmp").c_str(), (tmp.path() + "/b8:0").c_str()), 0);
  const UdevProperties& props = cache.Lookup(dir, "b8:0");
  EXPECT_EQ(props.at("ID_MODEL"), "RENAMED");
  EXPECT_EQ(props.at("ID_ATA"), "1");
}

TEST(UdevCacheTest, MissingFilesGiveNothingAndGoneDisksAreDropped) {
  testing::TempDir tmp;
  tmp.Write("b8:0", "E:ID_MODEL=A\n");
  tmp.Write("b8:16", "E:ID_MODEL=B\n");
  DirHandle dir = ProcFs().OpenDir(tmp.path()).value();
  UdevCache cache;
  EXPECT_TRUE(cache.Lookup(dir, "b8:32").empty());
  EXPECT_EQ(cache.Lookup(dir, "b8:0").at("ID_MODEL"), "A");
  EXPECT_EQ(cache.Lookup(dir, "b8:16").at("ID_MODEL"), "B");
  EXPECT_EQ(cache.size(), 2u);
  cache.KeepOnly({"b8:16"});
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_EQ(::unlink((tmp.path() + "/b8:16").c_str()), 0);
  EXPECT_TRUE(cache.Lookup(dir, "b8:16").empty());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(DiskstatsCollectorTest, UdevChangeIsSeenByTheNextScrape) {
  testing::TempDir tmp;
  tmp.Write("proc/diskstats", "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n");
  tmp.Write("udev/b8:0", "E:ID_MODEL=FIRST\n");
  ProcFs fs = testing::FixtureFs({.procfs = tmp.path() + "/proc", .udev_data = tmp.path() + "/udev"});
  CollectorPtr c = FindCollector("diskstats")->make(CollectorContext{fs, DefaultCollectorOptions()}).value();
  auto scrape = [&c] {
    MetricSink sink;
    EXPECT_TRUE(c->Collect(sink).ok());
    return SerializeText(sink.TakeFamilies());
  };
  EXPECT_NE(scrape().find("model=\"FIRST\""), std::string::npos);
  tmp.Write("udev/new", "E:ID_MODEL=SECOND\n");
  ASSERT_EQ(::rename((tmp.path() + "/udev/new").c_str(), (tmp.path() + "/udev/b8:0").c_str()), 0);
  EXPECT_NE(scrape().find("model=\"SECOND\""), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
