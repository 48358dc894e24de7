#include "collectors/host/slabinfo.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

constexpr const char* kHeader =
    "slabinfo - version: 2.1\n"
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
    "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";

TEST(SlabinfoParserTest, ReadsTheFirstFiveColumnsOfVersion21Lines) {
  std::uint64_t errors = 0;
  std::vector<Slab> slabs = ParseSlabinfo(
      std::string(kHeader) + "tw_sock_TCP          704    864    256   32    2 : tunables    0    0    0 : slabdata     27 "
                             "    27      0\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(slabs.size(), 1u);
  EXPECT_EQ(slabs[0].name, "tw_sock_TCP");
  EXPECT_EQ(slabs[0].active_objects, 704);
  EXPECT_EQ(slabs[0].objects, 864);
  EXPECT_EQ(slabs[0].object_size, 256);
  EXPECT_EQ(slabs[0].objects_per_slab, 32);
  EXPECT_EQ(slabs[0].pages_per_slab, 2);
}

TEST(SlabinfoParserTest, ShortLinesAndGarbageAreCountedAndSkipped) {
  std::uint64_t errors = 0;
  std::vector<Slab> slabs = ParseSlabinfo(std::string(kHeader) +
                                              "short 1 2 3\n"
                                              "bad 1 2 x 4 5 : tunables 0 0 0 : slabdata 1 1 0\n"
                                              "badtail 1 2 3 4 5 : tunables 0 0 0 : slabdata 1 1 z\n"
                                              "good 1 2 3 4 5 : tunables 0 0 0 : slabdata 1 1 0\n",
                                          &errors);
  EXPECT_EQ(errors, 3u);
  ASSERT_EQ(slabs.size(), 1u);
  EXPECT_EQ(slabs[0].name, "good");
}

TEST(SlabinfoCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("slabinfo/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("slabinfo", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_slabinfo_objects{slab=\"dmaengine-unmap-128\"}"), 1320);
  EXPECT_EQ(testing::Sample(run.text, "node_slabinfo_object_size_bytes{slab=\"kmalloc-8192\"}"), 8192);
  EXPECT_EQ(testing::Sample(run.text, "node_slabinfo_pages_per_slab{slab=\"kmem_cache\"}"), 2);
}

TEST(SlabinfoCollectorTest, IncludeAndExcludeApplyTogether) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("slabinfo/proc")});
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("slabinfo", "slabs-include", "^(kmalloc|kmem)").ok());
  ASSERT_TRUE(options.Set("slabinfo", "slabs-exclude", "cache").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("slabinfo", fs, options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("slab=\"kmalloc-8192\""), std::string::npos);
  EXPECT_EQ(run.text.find("slab=\"kmem_cache\""), std::string::npos);
  EXPECT_EQ(run.text.find("slab=\"tw_sock_TCP\""), std::string::npos);
}

TEST(SlabinfoCollectorTest, MissingFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("slabinfo", testing::FixtureFs({})).status.no_data());
}

// /proc/slabinfo is mode 0400 root: an unprivileged agent reports no data, not an error.
// Root reads any file, so the collector runs in a child that dropped to nobody.
TEST(SlabinfoCollectorTest, UnreadableFileIsNoData) {
  testing::TempDir dir;
  dir.Write("slabinfo", kHeader);
  ASSERT_EQ(::chmod((dir.path() + "/slabinfo").c_str(), 0400), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  ProcFs fs = testing::FixtureFs({.procfs = dir.path()});
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      ::_exit(3);
    }
    Status s = testing::RunCollectorOnce("slabinfo", fs).status;
    ::_exit(s.no_data() ? 0 : (s.ok() ? 1 : 2));
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: read as ok, 2: an error, 3: could not drop privileges";
}

}  // namespace
}  // namespace hostwatch
