#include "collectors/host/qdisc.h"

#include <gtest/gtest.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <fstream>

#include "collectors/core/netlink_dump.h"
#include "collectors/registry.h"
#include "tests/unit/netlink_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::string Bytes(const void* p, std::size_t n) { return std::string(static_cast<const char*>(p), n); }

// An RTM_NEWQDISC message as the kernel sends it: tcmsg, TCA_KIND, TCA_STATS2
// {BASIC, QUEUE}, then the legacy TCA_STATS (the kernel's order).
std::string QdiscMessage(int ifindex, std::uint32_t parent, std::string kind, std::uint64_t bytes,
                         std::uint32_t packets, std::uint32_t requeues, std::uint32_t legacy_drops) {
  tcmsg tc{};
  tc.tcm_ifindex = ifindex;
  tc.tcm_parent = parent;
  tc.tcm_handle = 0x10000;
  gnet_stats_basic basic{};
  basic.bytes = bytes;
  basic.packets = packets;
  gnet_stats_queue queue{};
  queue.qlen = 2;
  queue.backlog = 300;
  queue.drops = 4;
  queue.requeues = requeues;
  queue.overlimits = 5;
  tc_stats legacy{};
  legacy.bytes = bytes;
  legacy.packets = packets;
  legacy.drops = legacy_drops;
  legacy.overlimits = 5;
  legacy.qlen = 2;
  legacy.backlog = 300;
  kind.push_back('\0');
  std::string body = Bytes(&tc, sizeof(tc)) + NetlinkAttributeBytes(TCA_KIND, kind) +
                     NetlinkAttributeBytes(TCA_STATS2, NetlinkAttributeBytes(TCA_STATS_BASIC, Bytes(&basic, sizeof(basic))) +
                                                           NetlinkAttributeBytes(TCA_STATS_QUEUE, Bytes(&queue, sizeof(queue)))) +
                     NetlinkAttributeBytes(TCA_STATS, Bytes(&legacy, sizeof(legacy)));
  return testing::NetlinkMessageBytes(RTM_NEWQDISC, body.data(), body.size());
}

TEST(ParseQdiscDumpTest, ReadsStats2AndTheLegacyStatsInKernelOrder) {
  std::string dump = QdiscMessage(2, TC_H_ROOT, "fq_codel", 1ull << 40, 77, 9, 4) +
                     QdiscMessage(3, 0x10001, "pfifo", 5, 1, 0, 4) + testing::NetlinkDoneBytes();
  std::uint64_t errors = 0;
  Result<std::vector<QdiscInfo>> q = ParseQdiscDump(dump, &errors);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(q.value().size(), 2u);
  const QdiscInfo& root = q.value()[0];
  EXPECT_EQ(root.ifindex, 2u);
  EXPECT_EQ(root.parent, 0u);  // TC_H_ROOT is kept as 0, as the library does
  EXPECT_EQ(root.handle, 0x10000u);
  EXPECT_EQ(root.kind, "fq_codel");
  EXPECT_EQ(root.bytes, 1ull << 40);
  EXPECT_EQ(root.packets, 77u);
  EXPECT_EQ(root.requeues, 9u);  // only TCA_STATS2 has requeues
  EXPECT_EQ(root.drops, 4u);
  EXPECT_EQ(root.overlimits, 5u);
  EXPECT_EQ(root.qlen, 2u);
  EXPECT_EQ(root.backlog, 300u);
  EXPECT_EQ(q.value()[1].parent, 0x10001u);
}

TEST(ParseQdiscDumpTest, TheLegacyStatsComeLastAndWin) {
  // TCA_STATS2 says 4 drops; the legacy TCA_STATS after it says 6: the library keeps the last.
  std::uint64_t errors = 0;
  Result<std::vector<QdiscInfo>> q = ParseQdiscDump(QdiscMessage(2, TC_H_ROOT, "fq", 1, 1, 0, 6), &errors);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q.value().size(), 1u);
  EXPECT_EQ(q.value()[0].drops, 6u);
}

TEST(ParseQdiscDumpTest, MalformedMessagesAreCountedAndSkipped) {
  tcmsg tc{};
  std::string short_body = Bytes(&tc, sizeof(tc) - 1);
  std::string short_stats = Bytes(&tc, sizeof(tc)) + NetlinkAttributeBytes(TCA_STATS, std::string(20, '\0'));
  std::string short_basic =
      Bytes(&tc, sizeof(tc)) + NetlinkAttributeBytes(TCA_STATS2, NetlinkAttributeBytes(TCA_STATS_BASIC, "1234"));
  std::string truncated = Bytes(&tc, sizeof(tc)) + std::string("\x40\x00\x01\x00", 4);
  std::string dump;
  for (const std::string& body : {short_body, short_stats, short_basic, truncated}) {
    dump += testing::NetlinkMessageBytes(RTM_NEWQDISC, body.data(), body.size());
  }
  dump += QdiscMessage(1, TC_H_ROOT, "noqueue", 0, 0, 0, 0);
  std::uint64_t errors = 0;
  Result<std::vector<QdiscInfo>> q = ParseQdiscDump(dump, &errors);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(errors, 4u);
  ASSERT_EQ(q.value().size(), 1u);
  EXPECT_EQ(q.value()[0].kind, "noqueue");
}

TEST(ParseQdiscDumpTest, AnErrorInTheDumpIsAnError) {
  nlmsgerr err{};
  err.error = -EPERM;
  std::string dump = testing::NetlinkMessageBytes(NLMSG_ERROR, &err, sizeof(err));
  std::uint64_t errors = 0;
  Result<std::vector<QdiscInfo>> q = ParseQdiscDump(dump, &errors);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().sys_errno(), EPERM);
}

TEST(ParseQdiscFixtureTest, ReadsGoFieldNamesInAnyCase) {
  ConfigDiagnostics diag("results.json");
  std::vector<QdiscInfo> q = ParseQdiscFixture(testing::ReadFixture("qdisc/results.json"), &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].iface_name, "eth0");
  EXPECT_EQ(q[0].bytes, 18446744073709ull);
  EXPECT_EQ(q[0].packets, 4294967295u);
  EXPECT_EQ(q[0].backlog, 7u);
  EXPECT_EQ(q[1].parent, 1u);
  EXPECT_EQ(q[2].iface_name, "wlan0");  // lower-case keys, an unknown key ignored
  EXPECT_EQ(q[2].requeues, 1u);
  EXPECT_EQ(q[3].bytes, 0u);  // null keeps the zero value
}

TEST(ParseQdiscFixtureTest, BadValuesAreReportedWithTheirPosition) {
  ConfigDiagnostics diag("results.json");
  ParseQdiscFixture("[\n  {\"Packets\": 4294967296},\n  {\"Kind\": [1]}\n]\n", &diag);
  ASSERT_EQ(diag.errors().size(), 2u) << diag.ToString();
  EXPECT_EQ(diag.errors()[0].ToString(), "results.json:2:15: [0].Packets: must be between 0 and 4294967295");
  EXPECT_NE(diag.errors()[1].ToString().find("results.json:3:12: [1].Kind: must be a string"), std::string::npos)
      << diag.ToString();
  ConfigDiagnostics syntax("results.json");
  ParseQdiscFixture("[{\"Kind\": ", &syntax);
  EXPECT_FALSE(syntax.ok());
}

TEST(QdiscCollectorTest, FixturesGiveOnlyRootQdiscsOfIncludedDevices) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("qdisc", "fixtures", testing::FixturePath("qdisc")).ok());
  ASSERT_TRUE(options.Set("qdisc", "device-include", "^(eth0|wlan0)$").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("qdisc", testing::FixtureFs({}), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_qdisc_bytes_total{device=\"eth0\",kind=\"mq\"}"), 18446744073709.0);
  EXPECT_EQ(testing::Sample(run.text, "node_qdisc_packets_total{device=\"eth0\",kind=\"mq\"}"), 4294967295.0);
  EXPECT_EQ(testing::Sample(run.text, "node_qdisc_backlog{device=\"eth0\",kind=\"mq\"}"), 7.0);
  EXPECT_EQ(testing::Sample(run.text, "node_qdisc_requeues_total{device=\"wlan0\",kind=\"fq\"}"), 1.0);
  EXPECT_EQ(run.text.find("fq_codel"), std::string::npos);  // parent 1: not a root qdisc
  EXPECT_EQ(run.text.find("\"lo\""), std::string::npos);    // not included
}

TEST(QdiscCollectorTest, AMissingFixtureIsAnErrorAndBothFiltersAreRefused) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("qdisc", "fixtures", "/nonexistent/qdisc").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("qdisc", testing::FixtureFs({}), options);
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("/nonexistent/qdisc/results.json"), std::string::npos) << run.status.message();
  ASSERT_TRUE(options.Set("qdisc", "device-include", "a").ok());
  ASSERT_TRUE(options.Set("qdisc", "device-exclude", "b").ok());
  EXPECT_FALSE(testing::RunCollectorOnce("qdisc", testing::FixtureFs({}), options).status.ok());
}

TEST(QdiscCollectorTest, TheKernelsLoopbackHasARootQdisc) {
  // This process's own namespace: lo always has a root qdisc (noqueue) the dump reports.
  testing::CollectorRun run = testing::RunCollectorOnce("qdisc", testing::FixtureFs({}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_NE(run.text.find("node_qdisc_packets_total{device=\"lo\",kind=\"noqueue\"}"), std::string::npos) << run.text;
}

}  // namespace
}  // namespace hostwatch
