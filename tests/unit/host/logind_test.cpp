#include "collectors/host/logind.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::map<std::string, double> Render(const std::vector<std::string>& seats,
                                     const std::vector<LogindSession>& sessions) {
  MetricSink sink;
  RenderLogind(seats, sessions, sink);
  std::map<std::string, double> out;
  const std::string text = SerializeText(sink.TakeFamilies());  // the lines below point into it
  for (std::string_view line : SplitLines(text)) {
    if (!line.empty() && !line.starts_with("#")) {
      const std::size_t space = line.rfind(' ');
      out[std::string(line.substr(0, space))] = ParseExpositionValue(line.substr(space + 1)).value_or(-1);
    }
  }
  return out;
}

// Series keys as the exposition writes them: labels sorted by name (as client_golang does).
TEST(LogindRenderTest, EveryKnownCombinationForEverySeatAndTheEmptyOne) {
  std::map<std::string, double> s = Render({"seat0"}, {});
  EXPECT_EQ(s.size(), 2u * 7u * 5u * 2u);  // remote x type x class x (seat0, "")
  for (const auto& [series, value] : s) {
    EXPECT_EQ(value, 0) << series;
  }
  EXPECT_TRUE(s.count(R"(node_logind_sessions{class="user",remote="true",seat="",type="tty"})"));
  EXPECT_TRUE(s.count(R"(node_logind_sessions{class="lock-screen",remote="false",seat="seat0",type="wayland"})"));
}

TEST(LogindRenderTest, SessionsAreCountedByTheirLabelsAndUnknownValuesAreOther) {
  std::map<std::string, double> s = Render(
      {"seat0"}, {{"", true, "tty", "user"},
                  {"", true, "tty", "user"},
                  {"seat0", false, "x11", "greeter"},
                  {"seat0", false, "teletype", "manager"},  // values logind may add later
                  {"seat9", false, "tty", "user"}});        // a seat ListSeats did not list: not written
  EXPECT_EQ((s[R"(node_logind_sessions{class="user",remote="true",seat="",type="tty"})"]), 2);
  EXPECT_EQ((s[R"(node_logind_sessions{class="greeter",remote="false",seat="seat0",type="x11"})"]), 1);
  EXPECT_EQ((s[R"(node_logind_sessions{class="other",remote="false",seat="seat0",type="other"})"]), 1);
  double total = 0;
  for (const auto& [series, value] : s) {
    total += value;
    EXPECT_EQ(series.find("seat9"), std::string::npos);
  }
  EXPECT_EQ(total, 4);
}

TEST(LogindRenderTest, HelpAndTypeAreNodeExporters) {
  MetricSink sink;
  RenderLogind({}, {}, sink);
  std::string text = SerializeText(sink.TakeFamilies());
  EXPECT_NE(text.find("# HELP node_logind_sessions Number of sessions registered in logind.\n"
                      "# TYPE node_logind_sessions gauge\n"),
            std::string::npos);
}

TEST(LogindCollectorTest, NoSystemBusIsNoDataNotAnError) {
  const char* old = getenv("DBUS_SYSTEM_BUS_ADDRESS");
  std::string saved = old != nullptr ? old : "";
  setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/hostwatch-test-bus", 1);
  testing::CollectorRun run = testing::RunCollectorOnce("logind", testing::FixtureFs({}));
  if (old != nullptr) {
    setenv("DBUS_SYSTEM_BUS_ADDRESS", saved.c_str(), 1);
  } else {
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  }
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_NE(run.status.message().find("logind: "), std::string::npos) << run.status.message();
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
