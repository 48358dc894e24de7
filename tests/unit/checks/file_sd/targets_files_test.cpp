#include "collectors/checks/file_sd/targets_files.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using testing::CollectText;
using testing::Sample;
using testing::TempDir;

// Two modules of blackbox's example config, one per prober.
ModuleMap Modules() {
  ConfigDiagnostics diag("hw.yml");
  ModuleMap m = ParseModules(YAML::Load("{tcp_connect: {prober: tcp}, http_2xx: {prober: http}}"), &diag);
  EXPECT_TRUE(diag.ok()) << diag.ToString();
  return m;
}

std::vector<std::shared_ptr<const TargetsFilesEntry>> Entry(const std::string& module,
                                                            std::vector<std::string> patterns) {
  TargetsFilesEntry e{module, Modules().at(module), std::chrono::milliseconds(30000), {{"team", "ops"}},
                      std::move(patterns)};
  return {std::make_shared<const TargetsFilesEntry>(std::move(e))};
}

std::vector<std::string> Keys(const TargetsFiles& t) {
  std::vector<std::string> out;
  for (const auto& spec : t.Checks()) {
    out.push_back(spec->name + " " + spec->target);
  }
  return out;
}

// Polls every 20 ms; waits (at most 20 s, a hang guard, not a bound under test) for want.
bool WaitForKeys(const TargetsFiles& t, const std::vector<std::string>& want) {
  for (int i = 0; i < 1000 && Keys(t) != want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Keys(t) == want;
}

TEST(TargetsFilesTest, EachTargetOfEachFileIsACheckWithTheFilesLabels) {
  TempDir dir;
  dir.Write("a.yml", "- targets: ['db1:22', 'db2:22']\n  labels: {env: prod, team: db, __meta_x: y}\n");
  dir.Write("b.json", R"([{"targets": ["db3:22"]}])");
  dir.Write("notes.txt", "- targets: ['skipped:1']\n");
  TargetsFiles t(nullptr, nullptr);
  t.Update(Entry("tcp_connect", {dir.path() + "/*"}));
  ASSERT_EQ(Keys(t), (std::vector<std::string>{"tcp_connect db1:22", "tcp_connect db2:22", "tcp_connect db3:22"}));
  const CheckSpec& db1 = *t.Checks()[0];
  EXPECT_EQ(db1.prober, ProberKind::kTcp);
  EXPECT_EQ(db1.interval.count(), 30000);
  EXPECT_EQ(db1.labels, (std::map<std::string, std::string>{{"env", "prod"}, {"team", "db"}}));  // the file's win
  EXPECT_EQ(t.Checks()[2]->labels, (std::map<std::string, std::string>{{"team", "ops"}}));
  const std::string text = CollectText(t);
  EXPECT_EQ(Sample(text, "hostwatch_check_targets_file_targets{file=\"" + dir.path() + "/a.yml\"}"), 2);
}

// Files change while it runs: targets appear and disappear without an Update; a bad
// file keeps its previous targets and is counted.
TEST(TargetsFilesTest, FollowsChangesAndKeepsTheTargetsOfABadFile) {
  TempDir dir;
  dir.Write("a.yml", "- targets: ['http://127.0.0.1:1/']\n");
  std::atomic<int> changes{0};
  std::vector<TargetsFileEvent> events;
  std::mutex mu;
  TargetsFiles t([&] { ++changes; },
                 [&](const TargetsFileEvent& e) {
                   std::lock_guard<std::mutex> lock(mu);
                   events.push_back(e);
                 },
                 std::chrono::milliseconds(20));
  t.Update(Entry("http_2xx", {dir.path() + "/*.yml"}));
  ASSERT_EQ(Keys(t), std::vector<std::string>{"http_2xx http://127.0.0.1:1/"});
  ASSERT_NE(t.Checks()[0]->http, nullptr);
  EXPECT_EQ(t.Checks()[0]->http->url, "http://127.0.0.1:1/");

  dir.Write("b.yml", "- targets: ['127.0.0.1:2', 'http://127.0.0.1:3/x']\n");
  ASSERT_TRUE(WaitForKeys(t, {"http_2xx 127.0.0.1:2", "http_2xx http://127.0.0.1:1/", "http_2xx http://127.0.0.1:3/x"}));
  EXPECT_EQ(t.Checks()[0]->http->url, "http://127.0.0.1:2");  // blackbox's http:// for a target without a scheme

  dir.Write("b.yml", "- targets: ['127.0.0.1:2'\n");  // malformed: b keeps its two targets
  const std::string b_errors = "hostwatch_check_targets_file_errors_total{file=\"" + dir.path() + "/b.yml\"}";
  for (int i = 0; i < 1000 && Sample(CollectText(t), b_errors) != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Sample(CollectText(t), b_errors), 1);
  EXPECT_EQ(Keys(t).size(), 3u);
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().error.rfind(dir.path() + "/b.yml:2:", 0), 0u) << events.back().error;
  }

  std::filesystem::remove(dir.path() + "/a.yml");
  ASSERT_TRUE(WaitForKeys(t, {"http_2xx 127.0.0.1:2", "http_2xx http://127.0.0.1:3/x"}));
  EXPECT_GE(changes.load(), 2);
}

TEST(TargetsFilesTest, ATargetThatDoesNotSuitTheProberIsCountedAndSkipped) {
  TempDir dir;
  dir.Write("a.yml", "- targets: ['db1:22', 'no-port', '::1:22']\n");
  TargetsFiles t(nullptr, nullptr);
  t.Update(Entry("tcp_connect", {dir.path() + "/a.yml"}));
  EXPECT_EQ(Keys(t), std::vector<std::string>{"tcp_connect db1:22"});
  EXPECT_EQ(Sample(CollectText(t), "hostwatch_check_targets_file_errors_total{file=\"" + dir.path() + "/a.yml\"}"), 2);
}

TEST(TargetsFilesTest, StaticTargetsWinOverFileTargets) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig base;
  ParseModuleChecks(YAML::Load("{t: {prober: tcp}}"), YAML::Load("[{module: t, targets: ['h:1'], labels: {a: b}}]"),
                    &base, &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  const ModuleMap m = base.modules;
  HttpChecksConfig merged = WithFileChecks(base, {ModuleCheckSpec("t", *m.at("t"), "h:1", base.module_checks[0]->interval, {}),
                                                  ModuleCheckSpec("t", *m.at("t"), "h:2", base.module_checks[0]->interval, {})});
  ASSERT_EQ(merged.module_checks.size(), 2u);
  EXPECT_EQ(merged.module_checks[0]->labels.at("a"), "b");
  EXPECT_EQ(merged.module_checks[1]->target, "h:2");
}

}  // namespace
}  // namespace hostwatch
