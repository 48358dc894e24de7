#include "collectors/host/tcpstat.h"

#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "tests/unit/netlink_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::string Socket(std::uint8_t state, std::uint32_t rqueue, std::uint32_t wqueue) {
  inet_diag_msg m{};
  m.idiag_family = AF_INET;
  m.idiag_state = state;
  m.idiag_rqueue = rqueue;
  m.idiag_wqueue = wqueue;
  return testing::NetlinkMessageBytes(SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
}

TEST(TcpstatParserTest, CountsInetDiagSocketsByStateAndSumsQueues) {
  TcpStats stats;
  std::uint64_t errors = 0;
  std::string dump = Socket(10, 0, 128) + Socket(1, 5, 7) + Socket(1, 1, 0) +
                     testing::NetlinkMessageBytes(SOCK_DIAG_BY_FAMILY, "x", 1) + testing::NetlinkDoneBytes();
  ASSERT_TRUE(AddInetDiagDump(dump, &stats, &errors).ok());
  EXPECT_EQ(errors, 1u);
  EXPECT_TRUE(stats.any);
  EXPECT_EQ(stats.by_state[10], 1);  // listen
  EXPECT_EQ(stats.by_state[1], 2);   // established
  EXPECT_EQ(stats.rx_queued_bytes, 6);
  EXPECT_EQ(stats.tx_queued_bytes, 135);
}

TEST(TcpstatParserTest, InetDiagErrorIsAnError) {
  nlmsgerr err{};
  err.error = -ENOENT;
  TcpStats stats;
  std::uint64_t errors = 0;
  Status s = AddInetDiagDump(testing::NetlinkMessageBytes(NLMSG_ERROR, &err, sizeof(err)), &stats, &errors);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.sys_errno(), ENOENT);
}

TEST(TcpstatParserTest, ProcNetTcpFallbackCountsStatesAndSkipsBadLines) {
  TcpStats stats;
  std::uint64_t errors = 0;
  AddProcNetTcp(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
      "   1: 0100007F:0CEA 0100007F:D2F4 01 00000010:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 "
      "-1\n"
      "   2: garbage\n"
      "   3: 0100007F:0CEA 0100007F:D2F6 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0\n",
      &stats, &errors);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(stats.by_state[10], 1);
  EXPECT_EQ(stats.by_state[1], 1);
  EXPECT_EQ(stats.by_state[6], 1);  // time_wait
  EXPECT_EQ(stats.tx_queued_bytes, 16);
  EXPECT_EQ(stats.rx_queued_bytes, 3);
}

TEST(TcpstatCollectorTest, LiveHostHasTheListenerThisTestOpens) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  testing::CollectorRun run = testing::RunCollectorOnce("tcpstat", ProcFs());
  ::close(listener);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_GE(testing::Sample(run.text, "node_tcp_connection_states{state=\"listen\"}").value_or(0), 1);
  EXPECT_TRUE(testing::Sample(run.text, "node_tcp_connection_states{state=\"tx_queued_bytes\"}").has_value());
}

}  // namespace
}  // namespace hostwatch
