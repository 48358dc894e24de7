#include "collectors/core/proc_net_socket.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

TEST(ProcNetSocketTest, ParsesStateAndQueues) {
  std::optional<ProcNetSocket> s = ParseProcNetSocketLine(
      "   0: 00000000:0016 00000000:0000 0A 00000015:0000001f 00:00000000 00000000     0        0 2740 1 "
      "ffff88003d3af3c0 100 0 0 10 0");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, 0x0Au);
  EXPECT_EQ(s->tx_queue, 0x15u);
  EXPECT_EQ(s->rx_queue, 0x1fu);
}

TEST(ProcNetSocketTest, AcceptsIpv6Addresses) {
  std::optional<ProcNetSocket> s = ParseProcNetSocketLine(
      "  1: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000002 "
      "00:00000000 00000000   101        0 19403 2 0000000000000000 0");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, 7u);
  EXPECT_EQ(s->rx_queue, 2u);
}

TEST(ProcNetSocketTest, RejectsMalformedLines) {
  const char* bad[] = {
      "",
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "0: 00000000:0016 00000000:0000 0A 00000015:00000000 00:00000000",
      "0: 00000000:0016 00000000:0000 0A 00000015 00:00000000 00000000 0 0 2740",
      "0: 0000000g:0016 00000000:0000 0A 00000015:0 00:00000000 00000000 0 0 2740",
      "0: 00000000:0016 00000000:0000 zz 00000015:0 00:00000000 00000000 0 0 2740",
      "x: 00000000:0016 00000000:0000 0A 00000015:0 00:00000000 00000000 0 0 2740",
  };
  for (const char* line : bad) {
    EXPECT_FALSE(ParseProcNetSocketLine(line).has_value()) << line;
  }
}

}  // namespace
}  // namespace hostwatch
