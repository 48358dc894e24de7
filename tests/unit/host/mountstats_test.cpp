#include "collectors/host/mountstats.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

const std::string kEvents = "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27\n";

// One NFSv4 mount (statistics 1.1, TCP) between two other mounts.
std::string Block(const std::string& extra_header = "", const std::string& extra_op = "") {
  return "device rootfs mounted on / with fstype rootfs\n"
         "device 192.168.1.1:/srv/test mounted on /mnt/nfs/test with fstype nfs4 statvers=1.1\n"
         "\topts:\trw,vers=4.0,rsize=1048576\n"
         "\tage:\t13968\n" +
         kEvents + "\tbytes:\t1207640230 0 0 0 1210214218 0 295483 0\n" + extra_header +
         "\tRPC iostats version: 1.0  p/v: 100003/4 (nfs)\n"
         "\txprt:\ttcp 832 0 1 0 11 6428 6428 0 12154 0 24 26 5726\n"
         "\tper-op statistics\n"
         "\t        NULL: 0 0 0 0 0 0 0 0\n"
         "\t        READ: 1298 1298 0 207680 1210292152 6 79386 79407\n" +
         extra_op + "\n" + "device /dev/sda1 mounted on /home with fstype ext4\n";
}

void ExpectGoodBlock(const std::vector<MountStatsEntry>& m, const std::string& context) {
  ASSERT_EQ(m.size(), 3u) << context;
  EXPECT_FALSE(m[0].nfs.has_value()) << context;
  EXPECT_FALSE(m[2].nfs.has_value()) << context;
  EXPECT_EQ(m[2].mount_point, "/home") << context;
  ASSERT_TRUE(m[1].nfs.has_value()) << context;
  const NfsMountStats& s = *m[1].nfs;
  EXPECT_EQ(m[1].device, "192.168.1.1:/srv/test") << context;
  EXPECT_EQ(m[1].fs_type, "nfs4") << context;
  EXPECT_EQ(s.stat_version, "1.1") << context;
  EXPECT_EQ(s.age_seconds, 13968u) << context;
  EXPECT_EQ(s.bytes[4], 1210214218u) << context;
  EXPECT_EQ(s.events[26], 27u) << context;
  ASSERT_EQ(s.transports.size(), 1u) << context;
  EXPECT_EQ(s.transports[0].cumulative_pending_queue, 5726u) << context;
  ASSERT_GE(s.operations.size(), 2u) << context;
  EXPECT_EQ(s.operations[1].operation, "READ") << context;
  EXPECT_EQ(s.operations[1].request_ms, 79407u) << context;
}

TEST(MountstatsParserTest, ReadsEntriesAndNfsBlock) {
  std::uint64_t errors = 0;
  std::vector<MountStatsEntry> m = ParseMountStats(Block(), &errors);
  EXPECT_EQ(errors, 0u);
  ExpectGoodBlock(m, "good");
  EXPECT_EQ(m[1].nfs->operations.size(), 2u);
  EXPECT_EQ(m[1].nfs->transports[0].port, 832u);
  EXPECT_EQ(m[1].nfs->transports[0].connect, 1u);
  EXPECT_EQ(m[1].nfs->transports[0].idle_time_seconds, 11u);
  EXPECT_EQ(m[1].nfs->transports[0].maximum_rpc_slots, 24u);
}

TEST(MountstatsParserTest, SkipsAndCountsMalformedLinesKeepingTheRest) {
  struct Case {
    std::string header, op;
  };
  const Case cases[] = {
      {"\tage:\tsoon\n", ""},
      {"\tbytes:\t1 2 3\n", ""},                                // 8 columns
      {"\tevents:\t1 2 x 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27\n", ""},
      {"\txprt:\ttcp 832 0 1\n", ""},                           // 13 columns in statistics 1.1
      {"\txprt:\tudp 832 0 1 0 11 6428 6428 0 12154 0 24 26 5726\n", ""},  // UDP has 10
      {"\txprt:\tsctp 1 2 3 4 5 6 7 8 9 10\n", ""},             // unknown transport
      {"\txprt:\n", ""},
      {"", "\t       WRITE: 1 2 3\n"},                          // 8 numbers
      {"", "\t       WRITE: 1 2 3 4 5 6 7 -8\n"},
      {"", "\t        READ: 1 1 1 1 1 1 1 1\n"},                // READ twice would repeat its series
  };
  for (const Case& c : cases) {
    std::uint64_t errors = 0;
    std::vector<MountStatsEntry> m = ParseMountStats(Block(c.header, c.op), &errors);
    EXPECT_EQ(errors, 1u) << c.header << c.op;
    ExpectGoodBlock(m, c.header + c.op);
  }
}

TEST(MountstatsParserTest, LongerBytesAndEventsLinesAreReadUpToKnownColumns) {
  std::uint64_t errors = 0;
  std::vector<MountStatsEntry> m =
      ParseMountStats(Block("\tbytes:\t1207640230 0 0 0 1210214218 0 295483 0 77\n"), &errors);
  EXPECT_EQ(errors, 0u);
  ExpectGoodBlock(m, "longer bytes");
}

TEST(MountstatsParserTest, MalformedDeviceLineSkipsItsBlock) {
  std::uint64_t errors = 0;
  std::vector<MountStatsEntry> m = ParseMountStats(
      "device broken on /x\n\tage:\t5\n\txprt:\ttcp 1\n\tper-op statistics\n\t   NULL: x\n\n" + Block(), &errors);
  EXPECT_EQ(errors, 1u);
  ExpectGoodBlock(m, "after a broken entry");
}

TEST(MountstatsParserTest, StatisticsBlockOfAnotherFilesystemIsSkipped) {
  std::uint64_t errors = 0;
  std::vector<MountStatsEntry> m =
      ParseMountStats("device //srv/share mounted on /smb with fstype cifs statvers=1.0\n\tage:\t5\n\n", &errors);
  EXPECT_EQ(errors, 1u);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].fs_type, "cifs");
  EXPECT_FALSE(m[0].nfs.has_value());
}

TEST(MountstatsParserTest, NextDeviceLineEndsABlockWithoutBlankLine) {
  std::uint64_t errors = 0;
  std::string text = Block();
  text.erase(text.rfind("\n\ndevice") + 1, 1);  // no blank line between the NFS block and /home
  std::vector<MountStatsEntry> m = ParseMountStats(text, &errors);
  EXPECT_EQ(errors, 0u);
  ExpectGoodBlock(m, "no blank line");
}

TEST(MountstatsParserTest, UnknownStatisticsVersionCountsItsTransports) {
  std::uint64_t errors = 0;
  std::string text = Block();
  text.replace(text.find("statvers=1.1"), 12, "statvers=2.0");
  std::vector<MountStatsEntry> m = ParseMountStats(text, &errors);
  EXPECT_EQ(errors, 1u);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_TRUE(m[1].nfs->transports.empty());
  EXPECT_EQ(m[1].nfs->age_seconds, 13968u);
}

TEST(MountstatsTransportTest, MapsEachVersionAndProtocolToTcpLayout) {
  std::optional<NfsTransportStats> udp11 =
      ParseNfsTransport({"udp", "832", "0", "6428", "6427", "1", "12154", "2", "24", "26", "5726"}, "1.1");
  ASSERT_TRUE(udp11.has_value());
  EXPECT_EQ(udp11->connect, 0u);
  EXPECT_EQ(udp11->idle_time_seconds, 0u);
  EXPECT_EQ(udp11->sends, 6428u);
  EXPECT_EQ(udp11->receives, 6427u);
  EXPECT_EQ(udp11->bad_transaction_ids, 1u);
  EXPECT_EQ(udp11->cumulative_backlog, 2u);
  EXPECT_EQ(udp11->maximum_rpc_slots, 24u);
  EXPECT_EQ(udp11->cumulative_pending_queue, 5726u);

  std::optional<NfsTransportStats> udp10 = ParseNfsTransport({"udp", "1", "2", "3", "4", "5", "6", "7"}, "1.0");
  ASSERT_TRUE(udp10.has_value());
  EXPECT_EQ(udp10->sends, 3u);
  EXPECT_EQ(udp10->cumulative_backlog, 7u);
  EXPECT_EQ(udp10->maximum_rpc_slots, 0u);

  std::optional<NfsTransportStats> tcp10 =
      ParseNfsTransport({"tcp", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, "1.0");
  ASSERT_TRUE(tcp10.has_value());
  EXPECT_EQ(tcp10->idle_time_seconds, 5u);
  EXPECT_EQ(tcp10->cumulative_backlog, 10u);
  EXPECT_EQ(tcp10->cumulative_sending_queue, 0u);

  std::vector<std::string_view> rdma = {"rdma"};
  const std::vector<std::string> numbers = {"1",  "2",  "3",  "4",  "5",  "6",  "7",  "8",  "9",  "10", "11",
                                            "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22"};
  rdma.insert(rdma.end(), numbers.begin(), numbers.end());
  std::optional<NfsTransportStats> rdma11 = ParseNfsTransport(rdma, "1.1");
  ASSERT_TRUE(rdma11.has_value());
  EXPECT_EQ(rdma11->cumulative_backlog, 10u);
  EXPECT_EQ(rdma11->maximum_rpc_slots, 0u);  // RDMA prints its own counters there
  EXPECT_FALSE(ParseNfsTransport({"rdma", "1", "2"}, "1.1").has_value());
  EXPECT_FALSE(ParseNfsTransport({"rdma", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, "1.0").has_value());
}

TEST(MountstatsOptionTest, LastValueOfKeyAsGoMapDoes) {
  EXPECT_EQ(MountOptionValue("rw,vers=3,addr=10.0.0.1", "addr"), "10.0.0.1");
  EXPECT_EQ(MountOptionValue("addr=1,rw,addr=2", "addr"), "2");
  EXPECT_EQ(MountOptionValue("rw,mountaddr=10.0.0.2", "addr"), "");
  EXPECT_EQ(MountOptionValue("addr=a=b", "addr"), "a");
  EXPECT_EQ(MountOptionValue("rw,addr", "addr"), "");
  EXPECT_EQ(MountOptionValue("", "addr"), "");
}

ProcFs FixtureFs(const std::string& proc) { return testing::FixtureFs({.procfs = proc}); }

TEST(MountstatsCollectorTest, ExportsEachExportOnceAndEveryMountPoint) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("mountstats", FixtureFs(testing::FixturePath("mountstats/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  const std::string a = "export=\"server1:/export\",mountaddr=\"10.0.0.1\",protocol=\"tcp\"";
  EXPECT_EQ(testing::Sample(run.text, "node_mountstats_nfs_age_seconds_total{" + a + "}"), 100) << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_mountstats_nfs_mountpoint_info{export=\"server1:/export\","
                                      "mountaddr=\"10.0.0.1\",mountpoint=\"/mnt/b\",protocol=\"tcp\"}"),
            1)
      << run.text;
  // nconnect=2: both transports of /mnt/a; /mnt/b shares the export and adds no counters.
  EXPECT_EQ(testing::Sample(run.text, "node_mountstats_nfs_transport_sends_total{" + a + ",transport=\"1\"}"), 200);
  EXPECT_EQ(run.text.find("transport_sends_total{export=\"server1:/export\",mountaddr=\"10.0.0.1\",protocol=\"tcp\","
                          "transport=\"2\"}"),
            std::string::npos);
  EXPECT_EQ(testing::Sample(run.text, "node_mountstats_nfs_event_truncation_total{" + a + "}"), 20);
  // Labels in name order: operation sorts before protocol.
  const std::string op = "{export=\"server1:/export\",mountaddr=\"10.0.0.1\",operation=";
  EXPECT_EQ(testing::Sample(run.text, "node_mountstats_nfs_operations_request_time_seconds_total" + op +
                                          "\"READ\",protocol=\"tcp\"}"),
            79.407)
      << run.text;
  std::optional<double> queue = testing::Sample(
      run.text, "node_mountstats_nfs_operations_queue_time_seconds_total" + op + "\"ACCESS\",protocol=\"tcp\"}");
  ASSERT_TRUE(queue.has_value()) << run.text;
  EXPECT_DOUBLE_EQ(*queue, 9007199254740991.0 / 1000);  // 2^64-1 modulo 2^53, as upstream
  // server2's line in mountinfo is one further down (a mount came between the two reads).
  EXPECT_EQ(testing::Sample(run.text, "node_mountstats_nfs_age_seconds_total{export=\"server2:/old\","
                                      "mountaddr=\"10.0.0.2\",protocol=\"udp\"}"),
            7)
      << run.text;
  EXPECT_EQ(run.text.find("10.0.0.3"), std::string::npos);
}

TEST(MountstatsCollectorTest, HostWithoutNfsMountsSucceedsEmpty) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("mountstats", FixtureFs(testing::FixturePath("mountstats/no_nfs/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
  EXPECT_EQ(run.parse_errors, 0u);
}

TEST(MountstatsCollectorTest, MissingFileIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("mountstats", FixtureFs("/nonexistent-proc"));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
