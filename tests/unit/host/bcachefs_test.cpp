#include "collectors/host/bcachefs.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(BcachefsParserTest, HumanReadableBytesAreBinaryUnitsTruncated) {
  EXPECT_EQ(ParseBcachefsBytes("720"), 720u);
  EXPECT_EQ(ParseBcachefsBytes("62.5k"), 64000u);
  EXPECT_EQ(ParseBcachefsBytes("2.00M"), 2097152u);
  EXPECT_EQ(ParseBcachefsBytes(" 1.03T "), static_cast<std::uint64_t>(1.03 * 1024 * 1024 * 1024 * 1024));
  EXPECT_EQ(ParseBcachefsBytes("1E"), 1ull << 60);
  EXPECT_FALSE(ParseBcachefsBytes("").has_value());
  EXPECT_FALSE(ParseBcachefsBytes("k").has_value());
  EXPECT_FALSE(ParseBcachefsBytes("-1").has_value());
  EXPECT_FALSE(ParseBcachefsBytes("99E").has_value());  // beyond 64 bits
}

TEST(BcachefsParserTest, CompressionAndBtreeWriteTablesSkipTheirHeader) {
  auto c = ParseBcachefsCompression("type compressed uncompressed avg\nlz4: 1k 2k 3k\nshort 1\n");
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ(c->at("lz4").compressed, 1024u);
  EXPECT_EQ(c->at("lz4").uncompressed, 2048u);
  EXPECT_FALSE(ParseBcachefsCompression("header\nlz4 1k 2k bad\n").has_value());
  auto w = ParseBcachefsBtreeWrites("   nr size\ninitial: 3298401 100k\n");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->at("initial").count, 3298401u);
  EXPECT_EQ(w->at("initial").size, 102400u);
  EXPECT_FALSE(ParseBcachefsBtreeWrites("header\ninitial: 1.5 1k\n").has_value());
}

TEST(BcachefsParserTest, ErrorsAndCounters) {
  auto e = ParseBcachefsErrors("bset_bad_csum 2 1767112063\nsubvol_missing 194\nlonely\n");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->at("bset_bad_csum"), 2u);
  EXPECT_EQ(e->at("subvol_missing"), 194u);
  EXPECT_FALSE(ParseBcachefsErrors("x 1 time\n").has_value());
  EXPECT_EQ(ParseBcachefsCounter("since mount: 3\nsince filesystem creation: 1.5k\n"), 1536u);
  EXPECT_EQ(ParseBcachefsCounter("since mount: 3\n"), 0u);
  EXPECT_FALSE(ParseBcachefsCounter("something else\n").has_value());
  EXPECT_FALSE(ParseBcachefsCounter("since mount: many\n").has_value());
}

TEST(BcachefsParserTest, DeviceIoDoneAndIoErrorsSince_creation) {
  auto done = ParseBcachefsIoDone("junk: 1\nread:\nsb  :  86016\nuser:610019098624\nwrite:\nsb : 1\nnocolon\n");
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->at("read").at("user"), 610019098624u);
  EXPECT_EQ(done->at("write").at("sb"), 1u);
  EXPECT_EQ(done->size(), 2u);
  EXPECT_FALSE(ParseBcachefsIoDone("read:\nsb: x\n").has_value());
  auto errors = ParseBcachefsIoErrors(
      "read: 7\nIO errors since filesystem creation\n  read:    18828\n  checksum:5\nIO errors since 8 y ago\n"
      "  read:    1\n");
  ASSERT_TRUE(errors.has_value());
  EXPECT_EQ(errors->size(), 2u);
  EXPECT_EQ(errors->at("read"), 18828u);
  EXPECT_EQ(errors->at("checksum"), 5u);
}

const std::string kUuid = "uuid=\"11111111-2222-3333-4444-555555555555\"";

TEST(BcachefsCollectorTest, FilesystemAndDeviceFamilies) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("bcachefs", testing::FixtureFs({.sysfs = testing::FixturePath("bcachefs/sys")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_btree_cache_size_bytes{" + kUuid + "}"), 1572864);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_compression_uncompressed_bytes{algorithm=\"lz4\"," + kUuid + "}"),
            static_cast<double>(static_cast<std::uint64_t>(71.2 * 1024 * 1024 * 1024)));
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_errors_total{error_type=\"subvol_missing\"," + kUuid + "}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_bucket_alloc_total{" + kUuid + "}"), 44105502);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_io_read_total{" + kUuid + "}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_btree_write_average_size_bytes{type=\"initial\"," + kUuid + "}"),
            102400);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_device_info{device=\"0\",label=\"disk-0\","
                                      "state=\"[rw] ro evacuating spare\"," + kUuid + "}"),
            1);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_device_io_done_bytes_total{data_type=\"sb\",device=\"0\","
                                      "operation=\"write\"," + kUuid + "}"),
            677376);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_device_io_errors_total{device=\"0\",type=\"read\"," + kUuid + "}"),
            18828);
  // The second filesystem has only btree_cache_size: everything else is optional.
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_info{uuid=\"99999999-0000-0000-0000-000000000000\"}"), 1);
}

TEST(BcachefsCollectorTest, NoBcachefsDirOrNoFilesystemIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("bcachefs", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("fs/bcachefs/not-a-filesystem", "");
  EXPECT_TRUE(testing::RunCollectorOnce("bcachefs", testing::FixtureFs({.sysfs = dir.path()})).status.no_data());
}

TEST(BcachefsCollectorTest, AFilesystemWithGarbageIsLeftOutAndCounted) {
  testing::TempDir dir;
  dir.Write("fs/bcachefs/good/btree_cache_size", "1k\n");
  dir.Write("fs/bcachefs/bad/btree_cache_size", "1k\n");
  dir.Write("fs/bcachefs/bad/dev-0/nbuckets", "many\n");
  testing::CollectorRun run = testing::RunCollectorOnce("bcachefs", testing::FixtureFs({.sysfs = dir.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_EQ(testing::Sample(run.text, "node_bcachefs_btree_cache_size_bytes{uuid=\"good\"}"), 1024);
  EXPECT_EQ(run.text.find("uuid=\"bad\""), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
