#include "collectors/host/pcidevice.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "collectors/core/parse_util.h"
#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

namespace fs = std::filesystem;

TEST(PcideviceParserTest, LocationsAreHexFields) {
  std::optional<PciLocation> l = ParsePciLocation("0000:45:1f.3");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->bus, 0x45u);
  EXPECT_EQ(l->device, 0x1fu);
  EXPECT_EQ(l->Labels(), (std::vector<std::string>{"0000", "45", "1f", "3"}));
  EXPECT_FALSE(ParsePciLocation("pci0000:00").has_value());
  EXPECT_FALSE(ParsePciLocation("0000:00:02").has_value());
  EXPECT_FALSE(ParsePciLocation("0000:00:02.1.2").has_value());
}

std::map<std::string, std::string> Required() {
  return {{"class", "0x010802\n"},          {"vendor", "0xc0a9"},          {"device", "0x540a"},
          {"subsystem_vendor", "0xc0a9"}, {"subsystem_device", "0x5021"}, {"revision", "0x01"}};
}

TEST(PcideviceParserTest, ParentFromTheLinkTargetAndOptionalFiles) {
  std::map<std::string, std::string> files = Required();
  files["max_link_speed"] = "16.0 GT/s PCIe";
  files["current_link_speed"] = "Unknown";
  files["max_link_width"] = "4";
  files["numa_node"] = "-1";
  files["sriov_totalvfs"] = "";
  files["power_state"] = "D3hot\n";
  std::uint64_t errors = 0;
  std::optional<PciDevice> d =
      ParsePciDevice("../../../devices/pci0000:00/0000:00:02.1/0000:01:00.0", files, &errors);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(errors, 0u);
  ASSERT_TRUE(d->parent.has_value());
  EXPECT_EQ(d->parent->function, 1u);
  EXPECT_EQ(d->class_id, 0x010802u);
  EXPECT_EQ(d->max_link_speed, 16.0);
  EXPECT_FALSE(d->current_link_speed.has_value());
  EXPECT_EQ(d->max_link_width, 4.0);
  EXPECT_EQ(d->numa_node, -1);
  EXPECT_FALSE(d->sriov_totalvfs.has_value());
  EXPECT_EQ(d->power_state, "D3hot");
  // Directly under the root complex: no parent device.
  EXPECT_FALSE(ParsePciDevice("../../../devices/pci0000:00/0000:00:02.1", files, &errors)->parent.has_value());
}

TEST(PcideviceParserTest, GarbageOrMissingRequiredValuesAreCounted) {
  std::uint64_t errors = 0;
  std::map<std::string, std::string> files = Required();
  files["max_link_speed"] = "8.0 GB/s";  // not the one unit the kernel prints
  EXPECT_FALSE(ParsePciDevice("pci0000:00/0000:00:02.1", files, &errors).has_value());
  files = Required();
  files.erase("revision");
  EXPECT_FALSE(ParsePciDevice("pci0000:00/0000:00:02.1", files, &errors).has_value());
  EXPECT_FALSE(ParsePciDevice("pci0000:00/not-a-location", Required(), &errors).has_value());
  EXPECT_EQ(errors, 3u);
}

TEST(PcideviceNamesTest, IdsTreeAndFallbacks) {
  PciIds ids = ParsePciIds(
      "# comment\n1022  AMD\n\t1634  Bridge\n\t\t17aa 5095  Lenovo bridge\n"
      "C 01  Mass storage controller\n\t08  Non-Volatile memory controller\n\t\t02  NVM Express\n");
  PciDevice d;
  d.vendor = 0x1022;
  d.device = 0x1634;
  d.subsystem_vendor = 0x17aa;
  d.subsystem_device = 0x5095;
  d.class_id = 0x010802;
  EXPECT_EQ(PciNameLabels(ids, d),
            (std::vector<std::string>{"AMD", "Bridge", "17aa", "Lenovo bridge", "NVM Express"}));
  d.device = 0xbeef;
  d.class_id = 0x010801;
  EXPECT_EQ(PciNameLabels(ids, d), (std::vector<std::string>{"AMD", "beef", "17aa", "5095",
                                                             "Non-Volatile memory controller"}));
  d.class_id = 0xff0000;
  EXPECT_EQ(PciNameLabels(ids, d)[4], "Unknown class (ff0000)");
}

// A sysfs tree with node_exporter's three fixture PCI devices (their
// attribute files copied, the bus/pci/devices links made for real, since
// the shared fixture stores them as plain files).
void CopyNodeExporterPciTree(const std::string& ne, const std::string& sys) {
  for (const char* rel : {"pci0000:00/0000:00:02.1", "pci0000:00/0000:00:02.1/0000:01:00.0",
                          "pci0000:40/0000:40:01.3/0000:45:00.0"}) {
    const fs::path from = fs::path(ne) / "sys/devices" / rel;
    const fs::path to = fs::path(sys) / "devices" / rel;
    fs::create_directories(to);
    for (const fs::directory_entry& e : fs::directory_iterator(from)) {
      if (e.is_regular_file()) {
        fs::copy_file(e.path(), to / e.path().filename());
      }
    }
    fs::create_directories(fs::path(sys) / "bus/pci/devices");
    fs::create_symlink(fs::path("../../../devices") / rel, fs::path(sys) / "bus/pci/devices" / to.filename());
  }
}

TEST(PcideviceCollectorTest, NamesFromPciIdsMatchNodeExportersOutput) {
  const std::string ne = HOSTWATCH_NODE_EXPORTER_FIXTURES;
  if (ne.empty() || !fs::exists(ne + "/pci.ids")) {
    GTEST_SKIP() << "node_exporter fixture tree not available";
  }
  testing::TempDir dir;
  CopyNodeExporterPciTree(ne, dir.path());
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("pcidevice", "names", "true").ok());
  ASSERT_TRUE(options.Set("pcidevice", "idsfile", ne + "/pci.ids").ok());
  testing::CollectorRun run =
      testing::RunCollectorOnce("pcidevice", testing::FixtureFs({.sysfs = dir.path()}), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  int compared = 0;
  std::ifstream in(ne + "/pcidevice-names-output.txt");
  const std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::string_view line : SplitLines(expected)) {
    if (line.starts_with("node_")) {
      EXPECT_NE(run.text.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << run.text;
      ++compared;
    }
  }
  EXPECT_GT(compared, 3);
}

TEST(PcideviceCollectorTest, PowerStatesAndUnknownLinks) {
  testing::TempDir dir;
  for (const auto& [file, value] : Required()) {
    dir.Write("devices/pci0000:00/0000:00:1f.0/" + file, value);
  }
  dir.Write("devices/pci0000:00/0000:00:1f.0/power_state", "D0\n");
  dir.Write("devices/pci0000:00/0000:00:1f.0/numa_node", "-1\n");
  fs::create_directories(dir.path() + "/bus/pci/devices");
  fs::create_symlink("../../../devices/pci0000:00/0000:00:1f.0", dir.path() + "/bus/pci/devices/0000:00:1f.0");
  testing::CollectorRun run = testing::RunCollectorOnce("pcidevice", testing::FixtureFs({.sysfs = dir.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  const std::string loc = "bus=\"00\",device=\"1f\",function=\"0\",segment=\"0000\"";
  EXPECT_EQ(testing::Sample(run.text, "node_pcidevice_power_state{" + loc + ",state=\"D0\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_pcidevice_power_state{" + loc + ",state=\"D3cold\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_pcidevice_max_link_width{" + loc + "}"), -1);
  EXPECT_FALSE(testing::Sample(run.text, "node_pcidevice_numa_node{" + loc + "}").has_value());
  EXPECT_NE(run.text.find("parent_bus=\"*\""), std::string::npos) << run.text;
}

TEST(PcideviceCollectorTest, NoPciBusIsNoDataAndAMissingRequiredFileToo) {
  EXPECT_TRUE(testing::RunCollectorOnce("pcidevice", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("devices/pci0000:00/0000:00:1f.0/class", "0x060400\n");
  fs::create_directories(dir.path() + "/bus/pci/devices");
  fs::create_symlink("../../../devices/pci0000:00/0000:00:1f.0", dir.path() + "/bus/pci/devices/0000:00:1f.0");
  EXPECT_TRUE(testing::RunCollectorOnce("pcidevice", testing::FixtureFs({.sysfs = dir.path()})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
