#include "collectors/host/filesystem.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kNodeExporterTree = HOSTWATCH_NODE_EXPORTER_FIXTURES;

// Compares with a golden file; HOSTWATCH_UPDATE_GOLDEN=1 rewrites it instead
// (review the diff before committing).
void ExpectGolden(const std::string& actual, const std::string& rel) {
  if (std::getenv("HOSTWATCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(testing::FixturePath(rel)) << actual;
    return;
  }
  EXPECT_EQ(actual, testing::ReadFixture(rel));
}

TEST(MountInfoParserTest, ParsesFieldsAroundOptionalFieldsAndSeparator) {
  std::uint64_t errors = 0;
  std::vector<MountInfo> m = ParseMountInfo(
      "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n"
      "37 35 0:5 / /run rw - tmpfs tmpfs\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].major, 98u);
  EXPECT_EQ(m[0].minor, 0u);
  EXPECT_EQ(m[0].mount_point, "/mnt2");
  EXPECT_EQ(m[0].mount_options, "rw,noatime");
  EXPECT_EQ(m[0].fs_type, "ext3");
  EXPECT_EQ(m[0].device, "/dev/root");
  EXPECT_EQ(m[0].super_options, "rw,errors=continue");
  EXPECT_EQ(m[1].super_options, "");  // very old kernels omit them
}

TEST(MountInfoParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {"garbage\n", "1 2 3:4 / /x rw no-separator ext4 /dev/x rw\n",
                       "1 2 x:y / /x rw - ext4 /dev/x rw\n", "1 2 3:4 / /x rw - ext4\n"};
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    EXPECT_TRUE(ParseMountInfo(line, &errors).empty()) << line;
    EXPECT_EQ(errors, 1u) << line;
  }
}

TEST(MountInfoParserTest, UnescapesOctalEscapesInMountPoints) {
  EXPECT_EQ(UnescapeMountPath("/mnt/my\\040disk"), "/mnt/my disk");
  EXPECT_EQ(UnescapeMountPath("/a\\011b\\012c\\134d"), "/a\tb\nc\\d");
  EXPECT_EQ(UnescapeMountPath("/trailing\\04"), "/trailing\\04");
  EXPECT_EQ(UnescapeMountPath("/other\\101"), "/other\\101");
}

TEST(MountInfoParserTest, ParsesNodeExporterFixtureWithEscapes) {
  ProcFs fs = testing::FixtureFs({.procfs = kNodeExporterTree + "/proc"});
  Result<std::string> text = fs.ReadProc("1/mountinfo");
  if (!text.ok()) {
    GTEST_SKIP() << "node_exporter fixture tree not found at " << kNodeExporterTree;
  }
  std::uint64_t errors = 0;
  std::vector<MountInfo> m = ParseMountInfo(text.value(), &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(m.size(), 32u);
  bool space = false, tab = false;
  for (const MountInfo& e : m) {
    space |= e.mount_point.find("[vsanDatastore] bafb9e5a") != std::string::npos;
    tab |= e.mount_point.find("[vsanDatastore]\tbafb9e5a") != std::string::npos;
  }
  EXPECT_TRUE(space);
  EXPECT_TRUE(tab);
}

TEST(RootfsPrefixTest, StripsOnlyWholePathPrefixes) {
  EXPECT_EQ(StripRootfsPrefix("/host", "/host"), "/");
  EXPECT_EQ(StripRootfsPrefix("/host/media/volume1", "/host"), "/media/volume1");
  EXPECT_EQ(StripRootfsPrefix("/host/media/volume1", "/host/"), "/media/volume1");
  EXPECT_EQ(StripRootfsPrefix("/hostile", "/host"), "/hostile");
  EXPECT_EQ(StripRootfsPrefix("/dev/shm", "/host"), "/dev/shm");
  EXPECT_EQ(StripRootfsPrefix("/anything", "/"), "/anything");
  EXPECT_EQ(StripRootfsPrefix("/anything", ""), "/anything");
}

TEST(ReadOnlyTest, MountOrSuperblockOptions) {
  MountInfo m;
  m.mount_options = "rw,relatime";
  m.super_options = "rw";
  EXPECT_FALSE(IsReadOnlyMount(m));
  m.mount_options = "ro,relatime";
  EXPECT_TRUE(IsReadOnlyMount(m));
  m.mount_options = "rw";
  m.super_options = "rw,emergency_ro";
  EXPECT_TRUE(IsReadOnlyMount(m));
  m.super_options = "errors=remount-ro";  // not read-only yet
  EXPECT_FALSE(IsReadOnlyMount(m));
}

// A statfs stand-in: fixed numbers per path, errno for some, blocking for others.
struct FakeFs {
  std::map<std::string, int> errors;
  std::set<std::string> hung;
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  std::vector<std::string> calls;  // guarded by mu
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};

  StatfsResult Call(const std::string& path) {
    int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      calls.push_back(path);
      if (hung.count(path) != 0) {
        cv.wait(lock, [&] { return released; });
      }
    }
    --in_flight;
    StatfsResult r;
    if (auto it = errors.find(path); it != errors.end()) {
      r.error = it->second;
      return r;
    }
    r.size_bytes = 1e9;
    r.free_bytes = 4e8;
    r.avail_bytes = 3.5e8;
    r.files = 65536;
    r.files_free = 60000;
    return r;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
    cv.notify_all();
  }
  bool WaitIdle() {
    for (int i = 0; i < 500 && in_flight.load() > 0; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return in_flight.load() == 0;
  }
  // The paths statfs was called with, sorted (helper threads run in any order).
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::string> sorted = calls;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
};

struct ScrapeRun {
  Status status;
  std::string text;
  std::uint64_t parse_errors = 0;
};

ScrapeRun Scrape(Collector& c) {
  MetricSink sink;
  Status s = c.Collect(sink);
  ScrapeRun r{s, "", sink.parse_errors()};
  r.text = SerializeText(sink.TakeFamilies());
  return r;
}

CollectorPtr MakeWithFake(const ProcFs& fs, const CollectorOptions& options, const std::shared_ptr<FakeFs>& fake) {
  Result<CollectorPtr> c =
      MakeFilesystemCollector(CollectorContext{fs, options}, [fake](const std::string& p) { return fake->Call(p); });
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c).value() : nullptr;
}

ProcFs OwnFixture(const std::string& rootfs = "/") {
  return testing::FixtureFs({.procfs = testing::FixturePath("filesystem/proc"), .rootfs = rootfs});
}

TEST(FilesystemCollectorTest, MatchesGoldenOutputOnOwnFixture) {
  auto fake = std::make_shared<FakeFs>();
  fake->errors["/srv/nfs"] = EACCES;
  ProcFs fs = OwnFixture();
  CollectorPtr c = MakeWithFake(fs, DefaultCollectorOptions(), fake);
  ASSERT_NE(c, nullptr);
  ScrapeRun run = Scrape(*c);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 2u);
  ExpectGolden(run.text, "filesystem/expected.prom");
  // Default excludes: /sys (sysfs and the /sys prefix), /dev/shm, docker; the duplicate /mnt/dup once.
  std::vector<std::string> calls = fake->Calls();
  EXPECT_EQ(calls, (std::vector<std::string>{"/", "/boot", "/mnt/dup", "/mnt/old disk", "/srv/broken", "/srv/nfs"}));
}

TEST(FilesystemCollectorTest, RootfsPrefixIsStrippedAndStatfsUsesTheFullPath) {
  if (!ProcFs().ListDir(kNodeExporterTree + "/extra/fixtures_bindmount/proc/1").ok()) {
    GTEST_SKIP() << "node_exporter fixture tree not found at " << kNodeExporterTree;
  }
  ProcFs fs = testing::FixtureFs({.procfs = kNodeExporterTree + "/extra/fixtures_bindmount/proc", .rootfs = "/host"});
  auto fake = std::make_shared<FakeFs>();
  CollectorPtr c = MakeWithFake(fs, DefaultCollectorOptions(), fake);
  ScrapeRun run = Scrape(*c);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  for (const char* mp : {"/", "/media/volume1", "/media/volume2", "/dev/shm", "/run/lock"}) {
    std::string want = std::string("mountpoint=\"") + mp + "\"";
    if (std::string(mp) == "/dev/shm") {
      EXPECT_EQ(run.text.find(want), std::string::npos) << "default exclude drops /dev";
    } else {
      EXPECT_NE(run.text.find(want), std::string::npos) << mp << "\n" << run.text;
    }
  }
  EXPECT_EQ(run.text.find("/host"), std::string::npos);
  std::vector<std::string> calls = fake->Calls();
  EXPECT_EQ(calls, (std::vector<std::string>{"/host", "/host/media/volume1", "/host/media/volume2", "/host/run/lock"}));
}

TEST(FilesystemCollectorTest, FallsBackToSelfMountinfoWhenPid1IsHidden) {
  auto fake = std::make_shared<FakeFs>();
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("filesystem/hidepid/proc"), .rootfs = "/"});
  CollectorPtr c = MakeWithFake(fs, DefaultCollectorOptions(), fake);
  ScrapeRun run = Scrape(*c);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text,
                            "node_filesystem_avail_bytes{device=\"/dev/nvme0n1p2\",device_error=\"\",fstype=\"ext4\","
                            "mountpoint=\"/\"}"),
            3.5e+08)
      << run.text;
}

TEST(FilesystemCollectorTest, NoMountinfoAtAllIsNoData) {
  auto fake = std::make_shared<FakeFs>();
  ProcFs fs = testing::FixtureFs({.rootfs = "/"});
  CollectorPtr c = MakeWithFake(fs, DefaultCollectorOptions(), fake);
  EXPECT_TRUE(Scrape(*c).status.no_data());
}

TEST(FilesystemCollectorTest, IncludeAloneReplacesDefaultExcludeAndBothIsAnError) {
  auto fake = std::make_shared<FakeFs>();
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("filesystem", "fs-types-include", "^sysfs$").ok());
  ASSERT_TRUE(options.Set("filesystem", "mount-points-include", "^/sys$").ok());
  ProcFs fs = OwnFixture();
  CollectorPtr c = MakeWithFake(fs, options, fake);
  ScrapeRun run = Scrape(*c);
  EXPECT_NE(run.text.find("mountpoint=\"/sys\""), std::string::npos) << run.text;
  EXPECT_EQ(fake->Calls(), std::vector<std::string>{"/sys"});

  ASSERT_TRUE(options.Set("filesystem", "mount-points-exclude", "^/boot").ok());
  Result<CollectorPtr> bad = MakeFilesystemCollector(CollectorContext{fs, options}, SystemStatfs);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("mount-points-exclude & mount-points-include are mutually exclusive"),
            std::string::npos);
}

TEST(FilesystemCollectorTest, HungMountDoesNotBlockTheScrapeAndIsSkippedUntilItAnswers) {
  auto fake = std::make_shared<FakeFs>();
  fake->hung.insert("/srv/nfs");
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("filesystem", "mount-timeout", "1s").ok());
  ASSERT_TRUE(options.Set("filesystem", "stat-workers", "2").ok());
  ProcFs fs = OwnFixture();
  CollectorPtr c = MakeWithFake(fs, options, fake);

  const std::string nfs_error =
      "node_filesystem_device_error{device=\"server:/export\",device_error=\"mountpoint timeout\",fstype=\"nfs4\","
      "mountpoint=\"/srv/nfs\"} 1\n";
  const std::string root_ok =
      "node_filesystem_size_bytes{device=\"/dev/dm-2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 1e+09\n";

  auto start = Clock::now();
  ScrapeRun first = Scrape(*c);
  auto took = Clock::now() - start;
  ASSERT_TRUE(first.status.ok());
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 4s) << "the scrape waited for the hung mount";
  EXPECT_NE(first.text.find(nfs_error), std::string::npos) << first.text;
  EXPECT_NE(first.text.find(root_ok), std::string::npos) << "other mounts are still reported";
  EXPECT_EQ(first.text.find("node_filesystem_size_bytes{device=\"server:/export\""), std::string::npos);

  // Later scrapes skip the hung mount at once, without another blocked call.
  for (int i = 0; i < 5; ++i) {
    start = Clock::now();
    ScrapeRun again = Scrape(*c);
    // Waiting again would take the whole 1 s mount timeout; anything under it did not wait.
    EXPECT_LT(Clock::now() - start, 1s) << "waited for the stuck mount again";
    EXPECT_NE(again.text.find(nfs_error), std::string::npos);
    EXPECT_NE(again.text.find(root_ok), std::string::npos);
  }
  std::vector<std::string> calls = fake->Calls();
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "/srv/nfs"), 1);
  EXPECT_LE(fake->max_in_flight.load(), 2) << "stat-workers bounds the threads";

  // The mount answers: it is reported normally again.
  fake->Release();
  ASSERT_TRUE(fake->WaitIdle());
  ScrapeRun recovered;
  for (int i = 0; i < 50; ++i) {
    recovered = Scrape(*c);
    if (recovered.text.find(nfs_error) == std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(testing::Sample(recovered.text,
                            "node_filesystem_size_bytes{device=\"server:/export\",device_error=\"\","
                            "fstype=\"nfs4\",mountpoint=\"/srv/nfs\"}"),
            1e+09)
      << recovered.text;
}

TEST(FilesystemCollectorTest, LiveHostRootFilesystemHasSaneNumbers) {
  // The real /proc and statfs(2): the root mount exists and avail <= size.
  ProcFs host;
  CollectorOptions defaults = DefaultCollectorOptions();
  Result<CollectorPtr> c = FindCollector("filesystem")->make(CollectorContext{host, defaults});
  ASSERT_TRUE(c.ok());
  ScrapeRun run = Scrape(*c.value());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_filesystem_avail_bytes{"), std::string::npos) << run.text;
}

}  // namespace
}  // namespace hostwatch
