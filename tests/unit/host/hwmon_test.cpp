#include "collectors/host/hwmon.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

namespace fs = std::filesystem;

TEST(HwmonSensorFileTest, SplitsAsUpstreamsPattern) {
  struct Case {
    const char* file;
    const char* type;
    const char* sensor;
    const char* property;
  };
  const Case cases[] = {
      {"temp1_input", "temp", "temp1", "input"},
      {"temp1_crit_alarm", "temp", "temp1", "crit_alarm"},
      {"beep_enable", "beep_enable", "beep_enable0", ""},
      {"update_interval", "update_interval", "update_interval0", ""},
      {"in007_input", "in", "in7", "input"},
      {"pwm1", "pwm", "pwm1", ""},
      {"power1_average_interval", "power", "power1", "average_interval"},
      // The type backs off to the shortest split the pattern accepts: "temp" + "_x1y".
      {"temp_x1y", "temp", "temp0", "x1y"},
  };
  for (const Case& c : cases) {
    std::optional<HwmonSensorFile> f = ParseHwmonSensorFile(c.file);
    ASSERT_TRUE(f.has_value()) << c.file;
    EXPECT_EQ(f->type, c.type) << c.file;
    EXPECT_EQ(f->sensor, c.sensor) << c.file;
    EXPECT_EQ(f->property, c.property) << c.file;
  }
}

TEST(HwmonSensorFileTest, RejectsWhatUpstreamDoesNotRead) {
  for (const char* bad : {"name", "uevent", "device", "temp1a", "1temp", "fan1_", "temp1_a\nb",
                          "current_link_speed", "temp99999999999999999999_input", ""}) {
    EXPECT_FALSE(ParseHwmonSensorFile(bad).has_value()) << bad;
  }
}

TEST(HwmonCleanNameTest, LowersAndReplacesLikeGo) {
  EXPECT_EQ(CleanHwmonName("Physical id 0"), "physical_id_0");
  EXPECT_EQ(CleanHwmonName("coretemp\n"), "coretemp");
  EXPECT_EQ(CleanHwmonName("__A-b:c__"), "a_b:c");
  EXPECT_EQ(CleanHwmonName("a\xff" "b"), "a_b");           // one "_" per invalid byte
  EXPECT_EQ(CleanHwmonName("x\xC3\x84y"), "x_y");          // one "_" per rune
  EXPECT_EQ(CleanHwmonName("\xE2\x84\xAA" "elvin"), "kelvin");  // Go lowers KELVIN SIGN to 'k'
  EXPECT_EQ(CleanHwmonName("\xC4\xB0x"), "ix");            // and capital I with dot to 'i'
  EXPECT_EQ(CleanHwmonName("___"), "");
}

TEST(HwmonGoFloatTest, AcceptsGoSyntaxOnly) {
  EXPECT_EQ(ParseGoFloat("42"), 42);
  EXPECT_EQ(ParseGoFloat("-1.5"), -1.5);
  EXPECT_EQ(ParseGoFloat("+3"), 3);
  EXPECT_EQ(ParseGoFloat("1e3"), 1000);
  EXPECT_EQ(ParseGoFloat(".5"), 0.5);
  EXPECT_EQ(ParseGoFloat("5."), 5);
  EXPECT_EQ(ParseGoFloat("0x1p-2"), 0.25);
  EXPECT_EQ(ParseGoFloat("1e-400"), 0);  // underflow is 0 in Go, not an error
  EXPECT_TRUE(std::isinf(*ParseGoFloat("-Infinity")));
  EXPECT_TRUE(std::isnan(*ParseGoFloat("NaN")));
  for (const char* bad : {"", " 1", "1 ", "1\n", "+nan", "nan(1)", "1e400", "0x1", "1_000", "infx", "--1", "1e",
                          "abc", "0x", "-"}) {
    EXPECT_FALSE(ParseGoFloat(bad).has_value()) << bad;
  }
}

TEST(HwmonValueTest, KeepsFirst128BytesWithoutNewlines) {
  HwmonSensors sensors;
  AddHwmonValue({"temp", "temp1", "label"}, "\n Core 0 \n", &sensors);
  EXPECT_EQ(sensors["temp1"]["label"], " Core 0 ");
  AddHwmonValue({"temp", "temp1", "label"}, std::string(200, 'x'), &sensors);
  EXPECT_EQ(sensors["temp1"]["label"], std::string(128, 'x'));
}

// name -> value of the samples, with the sensor label value when it is not the sensor.
std::map<std::string, double> Samples(const std::vector<HwmonSample>& samples) {
  std::map<std::string, double> out;
  for (const HwmonSample& s : samples) {
    out[s.name + "{" + s.label_values.back() + "}"] = s.value;
  }
  return out;
}

TEST(HwmonSamplesTest, ScalesAndNamesEachSensorType) {
  std::uint64_t errors = 0;
  auto temp = Samples(HwmonSensorSamples(
      "c", "temp1", {{"input", "55000"}, {"crit", "100000"}, {"crit_alarm", "0"}, {"type", "4"}, {"label", "Core 0"}},
      &errors));
  EXPECT_EQ(temp["node_hwmon_temp_celsius{temp1}"], 55);
  EXPECT_EQ(temp["node_hwmon_temp_crit_celsius{temp1}"], 100);
  EXPECT_EQ(temp["node_hwmon_temp_crit_alarm_celsius{temp1}"], 0);
  EXPECT_EQ(temp["node_hwmon_temp_type{temp1}"], 4);  // "type" of a temp sensor keeps no unit
  EXPECT_EQ(temp["node_hwmon_sensor_label{Core 0}"], 1);
  auto in = Samples(HwmonSensorSamples("c", "in0", {{"", "800"}, {"input", "792"}, {"alarm", "1"}}, &errors));
  EXPECT_EQ(in["node_hwmon_in_volts{in0}"], 0.8);  // the file without property is the value
  EXPECT_EQ(in["node_hwmon_in_input_volts{in0}"], 0.792);
  EXPECT_EQ(in["node_hwmon_in_alarm{in0}"], 1);
  auto fan = Samples(HwmonSensorSamples("c", "fan1", {{"input", "1098"}, {"pulses", "2"}, {"beep", "0"}}, &errors));
  EXPECT_EQ(fan["node_hwmon_fan_rpm{fan1}"], 1098);
  EXPECT_EQ(fan["node_hwmon_fan_pulses{fan1}"], 2);
  EXPECT_EQ(fan["node_hwmon_fan_beep_enabled{fan1}"], 0);
  auto power = Samples(HwmonSensorSamples(
      "c", "power1", {{"average", "2500000"}, {"accuracy", "50000"}, {"average_interval", "1000"}}, &errors));
  EXPECT_EQ(power["node_hwmon_power_average_watt{power1}"], 2.5);
  EXPECT_EQ(power["node_hwmon_power_accuracy{power1}"], 0.05);
  EXPECT_EQ(power["node_hwmon_power_average_interval_seconds{power1}"], 1);
  auto energy = HwmonSensorSamples("c", "energy1", {{"input", "3000000"}}, &errors);
  ASSERT_EQ(energy.size(), 1u);
  EXPECT_EQ(energy[0].name, "node_hwmon_energy_joule_total");
  EXPECT_EQ(energy[0].type, MetricType::Counter);
  EXPECT_EQ(energy[0].value, 3);
  EXPECT_EQ(Samples(HwmonSensorSamples("c", "humidity1", {{"input", "450000"}}, &errors))["node_hwmon_humidity{humidity1}"],
            0.45);
  EXPECT_EQ(Samples(HwmonSensorSamples("c", "curr1", {{"input", "1500"}}, &errors))["node_hwmon_curr_amps{curr1}"], 1.5);
  EXPECT_EQ(errors, 0u);
}

TEST(HwmonSamplesTest, WholeSensorTypesAndFrequencies) {
  std::uint64_t errors = 0;
  auto beep = HwmonSensorSamples("c", "beep_enable0", {{"", "1"}}, &errors);
  ASSERT_EQ(beep.size(), 1u);
  EXPECT_EQ(beep[0].name, "node_hwmon_beep_enabled");
  EXPECT_EQ(beep[0].value, 1);
  EXPECT_EQ(HwmonSensorSamples("c", "beep_enable0", {{"", "yes"}}, &errors)[0].value, 0);
  EXPECT_EQ(HwmonSensorSamples("c", "vrm0", {{"", "9.1"}}, &errors)[0].value, 9.1);
  auto interval = HwmonSensorSamples("c", "update_interval0", {{"", "1000"}}, &errors);
  EXPECT_EQ(interval[0].name, "node_hwmon_update_interval_seconds");
  EXPECT_EQ(interval[0].value, 1);
  // A GPU clock is labelled by its clock name in place of the sensor, and only with a label.
  auto freq = Samples(HwmonSensorSamples("c", "freq1", {{"input", "214000000"}, {"label", "sclk"}}, &errors));
  EXPECT_EQ(freq["node_hwmon_freq_freq_mhz{sclk}"], 214);
  EXPECT_TRUE(HwmonSensorSamples("c", "freq2", {{"input", "300000000"}}, &errors).empty());
  EXPECT_EQ(errors, 0u);
}

TEST(HwmonSamplesTest, SkipsAndCountsValuesGoCannotParse) {
  std::uint64_t errors = 0;
  auto s = HwmonSensorSamples("c", "temp1", {{"input", "garbage"}, {"max", " 80000"}, {"crit", "100000"}}, &errors);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].name, "node_hwmon_temp_crit_celsius");
  EXPECT_EQ(errors, 2u);
  EXPECT_TRUE(HwmonSensorSamples("c", "vrm0", {{"x", "1"}}, &errors).empty());
  EXPECT_EQ(errors, 3u);
}

TEST(HwmonNamingTest, BaseNameFromDeviceThenNameFileThenDirectory) {
  EXPECT_EQ(HwmonBaseName({"/sys/devices/platform/coretemp.0", "coretemp\n", "/sys/x/hwmon0"}), "platform_coretemp_0");
  EXPECT_EQ(HwmonBaseName({std::nullopt, "Coretemp\n", "/sys/x/hwmon0"}), "coretemp");
  EXPECT_EQ(HwmonBaseName({"/___", "", "/sys/x/hwmon3"}), "hwmon3");
  EXPECT_EQ(HwmonBaseName({std::nullopt, std::nullopt, "/sys/x/hwmon4"}), "hwmon4");
  EXPECT_EQ(HwmonBaseName({std::nullopt, std::nullopt, std::nullopt}), std::nullopt);
  EXPECT_EQ(HwmonHumanName("nct6779\n"), "nct6779");
  EXPECT_EQ(HwmonHumanName("\n"), std::nullopt);
}

TEST(HwmonNamingTest, CollidingChipsGetNameFileOrDirectorySuffix) {
  std::vector<std::string> labels = HwmonChipLabels({{"hwmon0", "platform_coretemp_0", "coretemp"},
                                                     {"hwmon6", "platform_asus_nb_wmi", "asus"},
                                                     {"hwmon7", "platform_asus_nb_wmi", "asus_wmi_sensors"},
                                                     {"hwmon8", "phy0", "mt"},
                                                     {"hwmon9", "phy0", "mt"},
                                                     {"hwmon10", "phy0", ""}});
  EXPECT_EQ(labels, (std::vector<std::string>{"platform_coretemp_0", "platform_asus_nb_wmi_asus",
                                              "platform_asus_nb_wmi_asus_wmi_sensors", "phy0_hwmon8", "phy0_hwmon9",
                                              "phy0_hwmon10"}));
}

// A sysfs-like tree with the links real hwmon nodes have, built per test so that
// no copy of the repository can lose the links.
class HwmonTree {
 public:
  HwmonTree() {
    dir_.Write("sys/devices/platform/coretemp.0/hwmon/hwmon0/name", "coretemp\n");
    dir_.Write("sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_input", "55000\n");
    dir_.Write("sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_label", "Package id 0\n");
    dir_.Write("sys/devices/platform/coretemp.0/hwmon/hwmon0/temp2_input", "54000\n");
    dir_.Write("sys/devices/platform/asus-nb-wmi/hwmon/hwmon6/name", "asus\n");
    dir_.Write("sys/devices/platform/asus-nb-wmi/hwmon/hwmon6/pwm1_enable", "2\n");
    dir_.Write("sys/devices/platform/asus-nb-wmi/hwmon/hwmon7/name", "asus_wmi_sensors\n");
    dir_.Write("sys/devices/platform/asus-nb-wmi/hwmon/hwmon7/fan1_input", "1200\n");
    // An old driver: values in the device directory, no name file.
    dir_.Write("sys/devices/platform/applesmc.768/fan1_input", "1998\n");
    dir_.Write("sys/devices/platform/applesmc.768/hwmon/hwmon2/uevent", "");
    dir_.Write("sys/class/hwmon/hwmon4/temp1_input", "30000\n");  // a plain directory: named hwmon4
    dir_.Write("sys/class/hwmon/not_a_chip", "");
    Link("hwmon0", "coretemp.0");
    Link("hwmon6", "asus-nb-wmi");
    Link("hwmon7", "asus-nb-wmi");
    Link("hwmon2", "applesmc.768");
    fs::create_symlink("../../devices/gone/hwmon/hwmon9", Sys("class/hwmon/hwmon9"));  // dangling: skipped
  }
  std::string Sys(const std::string& rel) const { return dir_.path() + "/sys/" + rel; }
  void Write(const std::string& rel, const std::string& content) const { dir_.Write("sys/" + rel, content); }
  ProcFs Fs() const { return testing::FixtureFs({.sysfs = dir_.path() + "/sys"}); }

 private:
  void Link(const std::string& hwmon, const std::string& device) const {
    const std::string node = "devices/platform/" + device + "/hwmon/" + hwmon;
    fs::create_symlink("../..", Sys(node + "/device"));
    fs::create_symlink("../../" + node, Sys("class/hwmon/" + hwmon));
  }
  testing::TempDir dir_;
};

TEST(HwmonCollectorTest, NamesChipsAsUpstream) {
  HwmonTree tree;
  testing::CollectorRun run = testing::RunCollectorOnce("hwmon", tree.Fs());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, R"(node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"})"), 55);
  EXPECT_EQ(testing::Sample(run.text, R"(node_hwmon_chip_names{chip="platform_coretemp_0",chip_name="coretemp"})"), 1);
  EXPECT_EQ(testing::Sample(
                run.text, R"(node_hwmon_sensor_label{chip="platform_coretemp_0",label="Package id 0",sensor="temp1"})"),
            1);
  EXPECT_EQ(testing::Sample(run.text, R"(node_hwmon_pwm_enable{chip="platform_asus_nb_wmi_asus",sensor="pwm1"})"), 2);
  EXPECT_EQ(
      testing::Sample(run.text, R"(node_hwmon_fan_rpm{chip="platform_asus_nb_wmi_asus_wmi_sensors",sensor="fan1"})"),
      1200);
  EXPECT_EQ(testing::Sample(run.text, R"(node_hwmon_fan_rpm{chip="platform_applesmc_768",sensor="fan1"})"), 1998);
  EXPECT_EQ(testing::Sample(run.text, R"(node_hwmon_temp_celsius{chip="hwmon4",sensor="temp1"})"), 30);
  EXPECT_EQ(run.text.find("chip_name=\"\""), std::string::npos);  // no name file, no chip_names series
  EXPECT_EQ(run.parse_errors, 0u);
}

TEST(HwmonCollectorTest, ChipAndSensorFiltersSeeFinalLabels) {
  HwmonTree tree;
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("hwmon", "chip-include", "asus_wmi_sensors|coretemp").ok());
  ASSERT_TRUE(options.Set("hwmon", "sensor-exclude", "^platform_coretemp_0;temp2$").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("hwmon", tree.Fs(), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_TRUE(testing::Sample(run.text, R"(node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"})"));
  EXPECT_FALSE(testing::Sample(run.text, R"(node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp2"})"));
  EXPECT_TRUE(
      testing::Sample(run.text, R"(node_hwmon_fan_rpm{chip="platform_asus_nb_wmi_asus_wmi_sensors",sensor="fan1"})"));
  EXPECT_EQ(run.text.find("chip=\"platform_asus_nb_wmi_asus\""), std::string::npos);
  EXPECT_EQ(run.text.find("chip=\"hwmon4\""), std::string::npos);
  options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("hwmon", "chip-exclude", "^hwmon4$").ok());
  run = testing::RunCollectorOnce("hwmon", tree.Fs(), options);
  EXPECT_EQ(run.text.find("chip=\"hwmon4\""), std::string::npos);
  EXPECT_NE(run.text.find("chip=\"platform_coretemp_0\""), std::string::npos);
}

TEST(HwmonCollectorTest, BadRegexStopsStartup) {
  CollectorOptions options = DefaultCollectorOptions();
  EXPECT_FALSE(options.Set("hwmon", "sensor-include", "(").ok());
}

TEST(HwmonCollectorTest, ConflictingHelpAndRepeatedSeriesAreDroppedAsGoDoes) {
  HwmonTree tree;
  // coretemp's in0 has only the bare value file, hwmon4's only in0_input: both make
  // node_hwmon_in_volts, with HELP "()" and "(input)". Go keeps the first chip's
  // (hwmon0 before hwmon4) and drops the other's sample.
  tree.Write("devices/platform/coretemp.0/hwmon/hwmon0/in0", "1000\n");
  tree.Write("class/hwmon/hwmon4/in0_input", "2000\n");
  // Two freq sensors with one clock label make the same series twice.
  tree.Write("class/hwmon/hwmon4/freq1_input", "1000000\n");
  tree.Write("class/hwmon/hwmon4/freq1_label", "sclk\n");
  tree.Write("class/hwmon/hwmon4/freq2_input", "2000000\n");
  tree.Write("class/hwmon/hwmon4/freq2_label", "sclk\n");
  testing::CollectorRun run = testing::RunCollectorOnce("hwmon", tree.Fs());
  EXPECT_NE(run.text.find("# HELP node_hwmon_in_volts Hardware monitor for voltage ()\n"), std::string::npos);
  EXPECT_TRUE(testing::Sample(run.text, R"(node_hwmon_in_volts{chip="platform_coretemp_0",sensor="in0"})"));
  EXPECT_FALSE(testing::Sample(run.text, R"(node_hwmon_in_volts{chip="hwmon4",sensor="in0"})"));
  EXPECT_EQ(testing::Sample(run.text, R"(node_hwmon_freq_freq_mhz{chip="hwmon4",sensor="sclk"})"), 1);
  EXPECT_EQ(run.parse_errors, 2u);
}

TEST(HwmonCollectorTest, DeviceThatIsNotADirectoryFailsButKeepsOtherChips) {
  HwmonTree tree;
  tree.Write("class/hwmon/hwmon4/device", "not a directory\n");
  testing::CollectorRun run = testing::RunCollectorOnce("hwmon", tree.Fs());
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_TRUE(testing::Sample(run.text, R"(node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"})"));
}

TEST(HwmonCollectorTest, NoHwmonClassIsNoData) {
  testing::TempDir empty;
  testing::CollectorRun run = testing::RunCollectorOnce("hwmon", testing::FixtureFs({.sysfs = empty.path()}));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

TEST(HwmonCollectorTest, MatchesGoldenOutputOnOwnFixture) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("hwmon", testing::FixtureFs({.sysfs = testing::FixturePath("hwmon/sys")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, testing::ReadFixture("hwmon/expected.prom"));
}

}  // namespace
}  // namespace hostwatch
