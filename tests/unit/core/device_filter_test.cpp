#include "collectors/core/device_filter.h"

#include <gtest/gtest.h>

#include "collectors/host/diskstats.h"

namespace hostwatch {
namespace {

TEST(DeviceFilterTest, EmptyFilterIgnoresNothing) {
  DeviceFilter f;
  EXPECT_FALSE(f.Ignored("sda"));
  EXPECT_FALSE(f.Ignored(""));
}

TEST(DeviceFilterTest, ExcludeIsUnanchoredLikeGoMatchString) {
  Result<DeviceFilter> f = DeviceFilter::Make("lo", "");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(f.value().Ignored("lo"));
  EXPECT_TRUE(f.value().Ignored("veth-lo-1"));  // unanchored: substring match
  EXPECT_FALSE(f.value().Ignored("eth0"));
}

TEST(DeviceFilterTest, IncludeIgnoresEverythingElse) {
  Result<DeviceFilter> f = DeviceFilter::Make("", "^eth");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f.value().Ignored("eth0"));
  EXPECT_TRUE(f.value().Ignored("lo"));
}

TEST(DeviceFilterTest, InvalidRegexIsAnError) {
  Result<DeviceFilter> f = DeviceFilter::Make("(unclosed", "");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "invalid regular expression: missing closing )");  // never the pattern
  EXPECT_FALSE(DeviceFilter::Make("", "[z-a]").ok());
}

TEST(DeviceFilterTest, DiskstatsDefaultExcludeDropsPartitionsOnly) {
  Result<DeviceFilter> f = DeviceFilter::Make(kDiskstatsDefaultDeviceExclude, "");
  ASSERT_TRUE(f.ok());
  for (const char* ignored : {"sda1", "vdb2", "xvda1", "hda3", "nvme0n1p1", "loop0", "ram1", "zram0", "fd0"}) {
    EXPECT_TRUE(f.value().Ignored(ignored)) << ignored;
  }
  for (const char* kept : {"sda", "vdb", "nvme0n1", "dm-0", "md0", "mmcblk0", "mmcblk0p1", "sr0"}) {
    EXPECT_FALSE(f.value().Ignored(kept)) << kept;
  }
}

constexpr FilterOptionNames kDiskNames{"device-exclude", "device-include", kDiskstatsDefaultDeviceExclude};

TEST(MakeDeviceFilterTest, BothSetIsNodeExportersError) {
  Result<DeviceFilter> f = MakeDeviceFilter(kDiskNames, "^sd", "^nvme");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "device-exclude & device-include are mutually exclusive");
}

TEST(MakeDeviceFilterTest, IncludeAloneReplacesTheDefaultExclude) {
  // sda1 matches the default exclude but must pass: the include pattern wins.
  Result<DeviceFilter> f = MakeDeviceFilter(kDiskNames, kDiskstatsDefaultDeviceExclude, "^sd");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_FALSE(f.value().Ignored("sda1"));
  EXPECT_TRUE(f.value().Ignored("nvme0n1"));
}

TEST(MakeDeviceFilterTest, ExcludeWithoutDefaultAndEmptyIncludeWorks) {
  Result<DeviceFilter> f = MakeDeviceFilter({"device-exclude", "device-include", ""}, "^lo$", "");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.value().Ignored("lo"));
  EXPECT_FALSE(f.value().Ignored("eth0"));
}

}  // namespace
}  // namespace hostwatch
