#include "collectors/host/udp_queues.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

constexpr const char* kHeader =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer "
    "drops\n";

TEST(UdpQueuesParserTest, SumsQueuesAndCountsBadLines) {
  std::uint64_t errors = 0;
  UdpQueues q = ParseUdpQueues(std::string(kHeader) +
                                   " 1: 00000000:0044 00000000:0000 07 00000010:00000001 00:00000000 00000000 0 0 1 2 "
                                   "0000000000000000 0\n"
                                   " 2: 0100007F:0035 00000000:0000 07 00000001:00000100 00:00000000 00000000 0 0 2 2 "
                                   "0000000000000000 0\n"
                                   " 3: broken\n",
                               &errors);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(q.tx, 17);
  EXPECT_EQ(q.rx, 257);
}

TEST(UdpQueuesCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("udp_queues/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("udp_queues", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_udp_queues Number of allocated memory in the kernel for UDP datagrams in bytes.\n"
            "# TYPE node_udp_queues gauge\n"
            "node_udp_queues{ip=\"v4\",queue=\"rx\"} 0\n"
            "node_udp_queues{ip=\"v4\",queue=\"tx\"} 21\n");
}

TEST(UdpQueuesCollectorTest, BothFilesMissingIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("udp_queues", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
