#include "collectors/host/cpufreq.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using GovernorList = std::vector<std::pair<std::string, bool>>;

TEST(CpufreqParserTest, FrequencyIsOneUnsignedNumber) {
  EXPECT_EQ(ParseCpufreqKhz("1699981\n"), 1699981u);
  EXPECT_EQ(ParseCpufreqKhz(" 800000 "), 800000u);
  for (std::string_view bad : {"", "<unknown>", "-1", "1.5", "12 kHz", "99999999999999999999"}) {
    EXPECT_EQ(ParseCpufreqKhz(bad), std::nullopt) << bad;
  }
}

TEST(CpufreqParserTest, GovernorStatesMarkTheCurrentOne) {
  EXPECT_EQ(GovernorStates("powersave", "performance powersave"),
            (GovernorList{{"performance", false}, {"powersave", true}}));
  // Upstream splits at each single space, so a doubled one yields an empty name.
  EXPECT_EQ(GovernorStates("a", "a  b"), (GovernorList{{"a", true}, {"", false}, {"b", false}}));
  EXPECT_EQ(GovernorStates("userspace", ""), (GovernorList{{"", false}}));
  EXPECT_TRUE(GovernorStates("", "performance powersave").empty());
}

TEST(CpufreqCollectorTest, ExportsHertzPerOnlineCpuFromFixture) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("cpufreq/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("cpufreq", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_frequency_hertz{cpu=\"0\"}"), 1.8e9);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_frequency_avg_hertz{cpu=\"0\"}"), 1.75e9);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_frequency_min_hertz{cpu=\"0\"}"), 8e8);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_frequency_max_hertz{cpu=\"0\"}"), 3.7e9);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_frequency_hertz{cpu=\"0\"}"), 1.699981e9);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_frequency_min_hertz{cpu=\"1\"}"), 1e6);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_frequency_max_hertz{cpu=\"1\"}"), 4.2e9);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_governor{cpu=\"0\",governor=\"powersave\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_governor{cpu=\"0\",governor=\"performance\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_governor{cpu=\"1\",governor=\"userspace\"}"), 1);
  EXPECT_NE(run.text.find("# HELP node_cpu_frequency_hertz Current CPU thread frequency in hertz.\n"),
            std::string::npos);
  // cpu1 has no cpuinfo_* files (optional) and a scaling_cur_freq of "<unknown>" (counted).
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_frequency_hertz{cpu=\"1\"}"), std::nullopt);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_frequency_hertz{cpu=\"1\"}"), std::nullopt);
  EXPECT_EQ(run.parse_errors, 1u);
  // cpu2 has no cpufreq directory; cpu3 is listed in "offline".
  EXPECT_EQ(run.text.find("cpu=\"2\""), std::string::npos);
  EXPECT_EQ(run.text.find("cpu=\"3\""), std::string::npos);
}

// A writable copy of the fixture tree, to break one file at a time.
class CpufreqTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(testing::FixturePath("cpufreq/sys"), tmp_.path() + "/sys",
                          std::filesystem::copy_options::recursive);
  }
  std::string Cpu0(const std::string& file) const {
    return tmp_.path() + "/sys/devices/system/cpu/cpu0/cpufreq/" + file;
  }
  testing::CollectorRun Run() const {
    return testing::RunCollectorOnce("cpufreq", testing::FixtureFs({.sysfs = tmp_.path() + "/sys"}));
  }
  testing::TempDir tmp_;
};

TEST_F(CpufreqTreeTest, MissingRequiredFileFailsNamingIt) {
  std::filesystem::remove(Cpu0("scaling_driver"));
  testing::CollectorRun run = Run();
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("cpu0/cpufreq/scaling_driver"), std::string::npos) << run.status.message();
  EXPECT_EQ(run.text, "");
}

TEST_F(CpufreqTreeTest, MissingOfflineFileFailsAsUpstream) {
  std::filesystem::remove(tmp_.path() + "/sys/devices/system/cpu/offline");
  testing::CollectorRun run = Run();
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
}

TEST_F(CpufreqTreeTest, EmptyOfflineListKeepsEveryCpu) {
  std::filesystem::resize_file(tmp_.path() + "/sys/devices/system/cpu/offline", 0);
  testing::CollectorRun run = Run();
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_scaling_frequency_hertz{cpu=\"3\"}"), 999000);
}

// cpuinfo_cur_freq is mode 0400 root on real hosts: a non-root agent lacks just that series.
// Root reads any file, so this runs only as another user (ctest as root skips it).
TEST_F(CpufreqTreeTest, UnreadableCurrentFrequencyIsLeftOut) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root reads a mode 0400 file";
  }
  std::filesystem::permissions(Cpu0("cpuinfo_cur_freq"), std::filesystem::perms::none);
  testing::CollectorRun run = Run();
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_frequency_hertz{cpu=\"0\"}"), std::nullopt);
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_frequency_max_hertz{cpu=\"0\"}"), 3.7e9);
  EXPECT_EQ(run.parse_errors, 1u);  // cpu1's "<unknown>" only
}

// Both collectors name a family node_cpu_frequency_hertz (docs/collectors/cpufreq.md): when
// both have series, the scrape writes one family, the cpu collector's HELP first (the
// scraper runs collectors in registry order), with both sets of series, never dropping one.
TEST_F(CpufreqTreeTest, SharesFrequencyFamilyWithCpuInfo) {
  tmp_.Write("sys/devices/system/cpu/cpu1/cpufreq/cpuinfo_cur_freq", "2100000\n");
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("cpu_sysfs/proc"), .sysfs = tmp_.path() + "/sys"});
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("cpu", "info", "true").ok());
  std::vector<prometheus::MetricFamily> families;
  for (const char* name : {"cpu", "cpufreq"}) {
    Result<CollectorPtr> c = FindCollector(name)->make(CollectorContext{fs, options});
    ASSERT_TRUE(c.ok()) << c.status().message();
    MetricSink sink;
    ASSERT_TRUE(c.value()->Collect(sink).ok()) << name;
    for (prometheus::MetricFamily& f : sink.TakeFamilies()) {
      families.push_back(std::move(f));
    }
  }
  const std::string text = SerializeText(std::move(families));
  const std::size_t help = text.find("# HELP node_cpu_frequency_hertz ");
  ASSERT_NE(help, std::string::npos) << text;
  EXPECT_EQ(text.find("# HELP node_cpu_frequency_hertz ", help + 1), std::string::npos) << text;
  EXPECT_EQ(text.find("# HELP node_cpu_frequency_hertz CPU frequency in hertz from /proc/cpuinfo.\n"), help);
  EXPECT_EQ(testing::Sample(text, "node_cpu_frequency_hertz{cpu=\"1\"}"), 2.1e9);
  EXPECT_NE(text.find("node_cpu_frequency_hertz{core=\""), std::string::npos) << text;
}

TEST(CpufreqCollectorTest, NoCpufreqDirectoryIsNoData) {
  testing::TempDir tmp;
  tmp.Write("devices/system/cpu/offline", "\n");
  tmp.Write("devices/system/cpu/cpu0/online", "1\n");
  testing::CollectorRun run = testing::RunCollectorOnce("cpufreq", testing::FixtureFs({.sysfs = tmp.path()}));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_TRUE(testing::RunCollectorOnce("cpufreq", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
