#include "collectors/host/processes.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// A /proc/<pid>/stat line with the given command, state and num_threads.
std::string StatLine(const std::string& comm, const std::string& state, int threads) {
  return "1 (" + comm + ") " + state + " 0 1 1 0 -1 4194560 9061 9416027 94 2620 36 98 54406 13885 20 0 " +
         std::to_string(threads) + " 0 29 109604864 2507\n";
}

TEST(ProcessesParserTest, CountsFieldsFromTheLastParenthesis) {
  std::optional<PidStat> s = ParsePidStat(StatLine("a) S 9 (b", "R", 7));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, "R");
  EXPECT_EQ(s->threads, 7);
}

TEST(ProcessesParserTest, RejectsMalformedStat) {
  const char* bad[] = {"", "1 systemd S 0 1", "1 (systemd) S 0 1 1", "1 (x) S 0 1 1 0 -1 1 1 1 1 1 1 1 1 1 20 0 x 0\n"};
  for (const char* text : bad) {
    EXPECT_FALSE(ParsePidStat(text).has_value()) << '"' << text << '"';
  }
}

TEST(ProcessesCollectorTest, ExportsNodeExporterFamiliesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("processes/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("processes", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_pids"), 3);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_threads"), 3);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_state{state=\"I\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_state{state=\"S\"}"), 2);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_max_threads"), 7801);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_max_processes"), 123);
  EXPECT_EQ(run.text.find("node_processes_threads_state"), std::string::npos) << "no task dirs in this tree";
}

TEST(ProcessesCollectorTest, CountsThreadStatesAndSkipsMalformedStats) {
  testing::TempDir dir;
  dir.Write("proc/sys/kernel/threads-max", "100\n");
  dir.Write("proc/sys/kernel/pid_max", "4194304\n");
  dir.Write("proc/1/stat", StatLine("init", "S", 3));
  dir.Write("proc/1/task/1/stat", StatLine("init", "S", 3));
  dir.Write("proc/1/task/7/stat", StatLine("init", "R", 3));
  dir.Write("proc/1/task/8/stat", "garbage\n");
  dir.Write("proc/2/stat", StatLine("kworker/0:1 (x)", "D", 1));
  dir.Write("proc/3/stat", "3 (broken) S\n");
  dir.Write("proc/self/stat", StatLine("not a pid", "Z", 1));
  ProcFs fs = testing::FixtureFs({.procfs = dir.path() + "/proc"});
  testing::CollectorRun run = testing::RunCollectorOnce("processes", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 2u);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_pids"), 2);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_threads"), 4);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_state{state=\"D\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_state{state=\"Z\"}"), std::nullopt);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_threads_state{thread_state=\"S\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_processes_threads_state{thread_state=\"R\"}"), 1);
}

TEST(ProcessesCollectorTest, MissingLimitFails) {
  testing::TempDir dir;
  dir.Write("proc/1/stat", StatLine("init", "S", 1));
  ProcFs fs = testing::FixtureFs({.procfs = dir.path() + "/proc"});
  testing::CollectorRun run = testing::RunCollectorOnce("processes", fs);
  EXPECT_FALSE(run.status.ok());
}

}  // namespace
}  // namespace hostwatch
