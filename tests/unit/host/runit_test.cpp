#include "collectors/host/runit.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// go-runit's own fixture record: up since 2013-11-02T10:02:53Z, pid 123, wanted up.
const std::string kUpRecord("\x40\x00\x00\x00\x52\x74\xcd\xd7\x1c\x9d\x08\xfc\x7b\x00\x00\x00\x00\x75\x00\x01", 20);

TEST(RunitParserTest, ReadsTheTwentyByteRecord) {
  std::uint64_t errors = 0;
  std::optional<RunitStatus> s = ParseRunitStatus(kUpRecord, &errors);
  ASSERT_TRUE(s);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s->change_unix_seconds, 1383386573);
  EXPECT_EQ(s->pid, 123);
  EXPECT_EQ(s->want, 1);
  EXPECT_EQ(s->state, 1);
}

TEST(RunitParserTest, WantedDownAndUnknownWantsAreZero) {
  std::uint64_t errors = 0;
  std::string down = kUpRecord;
  down[17] = 'd';
  down[19] = 2;  // finish
  EXPECT_EQ(ParseRunitStatus(down, &errors)->want, 0);
  EXPECT_EQ(ParseRunitStatus(down, &errors)->state, 2);
  down[17] = 'x';
  EXPECT_EQ(ParseRunitStatus(down, &errors)->want, 0);
  EXPECT_EQ(errors, 0u);
}

// go-runit reads what is there and leaves the rest zero; only an empty file fails.
TEST(RunitParserTest, ShortRecordsAreZeroFilledAndCounted) {
  std::uint64_t errors = 0;
  std::optional<RunitStatus> s = ParseRunitStatus(kUpRecord.substr(0, 8), &errors);
  ASSERT_TRUE(s);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(s->change_unix_seconds, 1383386573);
  EXPECT_EQ(s->state, 0);
  EXPECT_FALSE(ParseRunitStatus("", &errors));
  EXPECT_EQ(errors, 2u);
  // Longer input: only the first 20 bytes count.
  EXPECT_EQ(ParseRunitStatus(kUpRecord + "extra", &errors)->state, 1);
}

CollectorOptions ServiceDir(const std::string& dir) {
  CollectorOptions options = DefaultCollectorOptions();
  EXPECT_TRUE(options.Set("runit", "servicedir", dir).ok());
  return options;
}

TEST(RunitCollectorTest, ExportsEveryServiceWithAStatus) {
  testing::CollectorRun run = testing::RunCollectorOnce(
      "runit", testing::FixtureFs({}), ServiceDir(testing::FixturePath("runit/service")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  const char* foo = "{service=\"foo\",supervisor=\"runit\"}";
  EXPECT_EQ(testing::Sample(run.text, std::string("node_service_state") + foo), 1);
  EXPECT_EQ(testing::Sample(run.text, std::string("node_service_desired_state") + foo), 1);
  EXPECT_EQ(testing::Sample(run.text, std::string("node_service_normal_state") + foo), 1);
  EXPECT_EQ(testing::Sample(run.text, std::string("node_service_state_last_change_timestamp_seconds") + foo),
            1383386573);
  // bar: down, wanted down, and supervise/down makes it normally down.
  const char* bar = "{service=\"bar\",supervisor=\"runit\"}";
  EXPECT_EQ(testing::Sample(run.text, std::string("node_service_state") + bar), 0);
  EXPECT_EQ(testing::Sample(run.text, std::string("node_service_desired_state") + bar), 0);
  EXPECT_EQ(testing::Sample(run.text, std::string("node_service_normal_state") + bar), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_service_state{service=\"finishing\",supervisor=\"runit\"}"), 2);
  // A symbolic link to a service directory is a service (as /etc/service's entries usually are).
  EXPECT_EQ(testing::Sample(run.text, "node_service_state_last_change_timestamp_seconds{service=\"linked\","
                                      "supervisor=\"runit\"}"),
            1600000000);
  EXPECT_EQ(testing::Sample(run.text, "node_service_state{service=\"short\",supervisor=\"runit\"}"), 0);
  // Skipped: an empty status (counted), no supervise directory yet, a plain file.
  EXPECT_EQ(run.parse_errors, 2u);  // short and empty
  for (const char* skipped : {"empty", "not-started", "README"}) {
    EXPECT_EQ(run.text.find(std::string("service=\"") + skipped), std::string::npos) << skipped;
  }
  EXPECT_NE(run.text.find("# HELP node_service_state State of runit service.\n# TYPE node_service_state gauge\n"),
            std::string::npos);
}

TEST(RunitCollectorTest, NoServiceDirectoryIsNoData) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("runit", testing::FixtureFs({}), ServiceDir(testing::FixturePath("runit/absent")));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

TEST(RunitCollectorTest, AnEmptyServiceDirectorySucceedsWithNothing) {
  testing::TempDir dir;
  testing::CollectorRun run = testing::RunCollectorOnce("runit", testing::FixtureFs({}), ServiceDir(dir.path()));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
