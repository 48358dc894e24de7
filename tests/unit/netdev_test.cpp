#include "collectors/netdev.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace hostwatch {
namespace {

ProcFs NetdevFixture() {
  return ProcFs(FsRoots{testing::FixturePath("netdev/proc"), "/nonexistent", "/nonexistent", "/nonexistent"});
}

TEST(NetDevParserTest, ParsesColumnsInKernelOrder) {
  std::uint64_t errors = 0;
  std::vector<NetDevLine> d = ParseNetDev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier "
      "compressed\n"
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "eth0:1:17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].device, "eth0");
  for (std::size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(d[0].counters[i], i + 1);
  }
  EXPECT_EQ(d[1].device, "eth0:1");  // old-style alias; the counters start after the last ':'
  EXPECT_EQ(d[1].counters[0], 17u);
}

TEST(NetDevParserTest, SkipsAndCountsMalformedLines) {
  const char* header = "h1\nh2\n";
  const char* bad[] = {"x: 1 2 3\n", "no colon here\n", "x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 q\n",
                       ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"};
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    EXPECT_TRUE(ParseNetDev(std::string(header) + line, &errors).empty()) << line;
    EXPECT_EQ(errors, 1u) << line;
  }
}

TEST(NetdevCollectorTest, ExportsNodeExporterNamesFromFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", NetdevFixture());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 2u);  // "bad0" and the garbage line
  EXPECT_NE(run.text.find("# HELP node_network_receive_bytes_total Network device statistic receive_bytes.\n"
                          "# TYPE node_network_receive_bytes_total counter\n"
                          "node_network_receive_bytes_total{device=\"docker0\"} 100\n"
                          "node_network_receive_bytes_total{device=\"eth0\"} 9.87654321e+09\n"
                          "node_network_receive_bytes_total{device=\"lo\"} 1.234567e+06\n"),
            std::string::npos)
      << run.text;
  // Every column lands in its own family.
  const std::pair<const char*, const char*> eth0[] = {
      {"receive_errs", "1"},     {"receive_drop", "2"},        {"receive_fifo", "3"},   {"receive_frame", "4"},
      {"receive_compressed", "5"}, {"receive_multicast", "6"}, {"transmit_bytes", "1.23456789e+08"},
      {"transmit_packets", "234567"}, {"transmit_errs", "7"},  {"transmit_drop", "8"},  {"transmit_fifo", "9"},
      {"transmit_colls", "10"},  {"transmit_carrier", "11"},   {"transmit_compressed", "12"}};
  for (const auto& [stat, value] : eth0) {
    std::string line = std::string("node_network_") + stat + "_total{device=\"eth0\"} " + value + "\n";
    EXPECT_NE(run.text.find(line), std::string::npos) << line;
  }
}

TEST(NetdevCollectorTest, DeviceIncludeAndExclude) {
  CollectorOptions include = CollectorOptions::Defaults();
  ASSERT_TRUE(include.Set("netdev", "device-include", "^lo$").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", NetdevFixture(), include);
  EXPECT_NE(run.text.find("{device=\"lo\"}"), std::string::npos);
  EXPECT_EQ(run.text.find("eth0"), std::string::npos);

  CollectorOptions exclude = CollectorOptions::Defaults();
  ASSERT_TRUE(exclude.Set("netdev", "device-exclude", "docker").ok());
  run = testing::RunCollectorOnce("netdev", NetdevFixture(), exclude);
  EXPECT_NE(run.text.find("{device=\"eth0\"}"), std::string::npos);
  EXPECT_EQ(run.text.find("docker0"), std::string::npos);

  ASSERT_TRUE(exclude.Set("netdev", "device-include", "eth").ok());
  run = testing::RunCollectorOnce("netdev", NetdevFixture(), exclude);
  EXPECT_EQ(run.status.message(), "collector netdev: device-exclude & device-include are mutually exclusive");
}

TEST(NetdevCollectorTest, MissingFileIsNoData) {
  ProcFs fs(FsRoots{"/nonexistent-proc", "/nonexistent", "/nonexistent", "/nonexistent"});
  EXPECT_TRUE(testing::RunCollectorOnce("netdev", fs).status.no_data());
}

}  // namespace
}  // namespace hostwatch
