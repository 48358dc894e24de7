// The systemd collector's parts that need no bus: unit selection, which
// properties are read, the version, and the families rendered from a unit
// list. tests/integration/test_systemd_collector.py runs it against a real systemd.
#include "collectors/host/systemd.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

constexpr const char* kDefaultExclude = R"(.+\.(automount|device|mount|scope|slice))";

SystemdUnit Unit(std::string name, std::string active, std::string load = "loaded") {
  SystemdUnit u;
  u.name = std::move(name);
  u.active_state = std::move(active);
  u.load_state = std::move(load);
  return u;
}

UnitFilter Filter(std::string_view include = ".+", std::string_view exclude = kDefaultExclude) {
  Result<UnitFilter> f = UnitFilter::Make(include, exclude);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return std::move(f).value();
}

std::string Render(const SystemdState& state, const SystemdMetricOptions& options = {},
                   const UnitFilter& filter = Filter()) {
  MetricSink sink;
  RenderSystemd(state, filter, options, sink);
  return SerializeText(sink.TakeFamilies());
}

TEST(SystemdFilterTest, DefaultsSelectLoadedUnitsButNotMountsDevicesScopesSlices) {
  UnitFilter f = Filter();
  EXPECT_TRUE(f.Selected(Unit("cron.service", "active")));
  EXPECT_TRUE(f.Selected(Unit("dbus.socket", "active")));
  EXPECT_TRUE(f.Selected(Unit("apt-daily.timer", "active")));
  for (const char* excluded :
       {"home.mount", "dev-sda.device", "session-1.scope", "system.slice", "proc-sys-fs-binfmt_misc.automount"}) {
    EXPECT_FALSE(f.Selected(Unit(excluded, "active"))) << excluded;
  }
  EXPECT_FALSE(f.Selected(Unit("gone.service", "inactive", "not-found")));
  EXPECT_FALSE(f.Selected(Unit("off.service", "inactive", "masked")));
}

TEST(SystemdFilterTest, PatternsAreAnchoredAtBothEnds) {
  UnitFilter f = Filter("cron", "");
  EXPECT_FALSE(f.Selected(Unit("cron.service", "active")));  // node_exporter wraps in ^(?:...)$
  EXPECT_TRUE(Filter("cron\\.service", "").Selected(Unit("cron.service", "active")));
  EXPECT_TRUE(Filter(".+", "cron").Selected(Unit("anacron", "active")));
  EXPECT_TRUE(Filter("a|b", "").Selected(Unit("b", "active")));  // alternation stays inside the anchors
  EXPECT_FALSE(Filter("a|b", "").Selected(Unit("ab", "active")));
}

TEST(SystemdFilterTest, BadPatternIsAnErrorNamingTheOption) {
  Result<UnitFilter> f = UnitFilter::Make("(", "");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("unit-include"), std::string::npos) << f.status().message();
  Result<UnitFilter> g = UnitFilter::Make(".+", "[z-a]");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("unit-exclude"), std::string::npos) << g.status().message();
}

TEST(SystemdVersionTest, ParsesLikeNodeExporter) {
  EXPECT_DOUBLE_EQ(ParseSystemdVersion("252.39-1~deb12u1"), 252.39);
  EXPECT_DOUBLE_EQ(ParseSystemdVersion("252"), 252);
  EXPECT_DOUBLE_EQ(ParseSystemdVersion("v255.4-1ubuntu8"), 255.4);
  EXPECT_DOUBLE_EQ(ParseSystemdVersion("systemd 99"), 0);  // needs three digits
  EXPECT_DOUBLE_EQ(ParseSystemdVersion(""), 0);
}

bool Has(const std::vector<UnitProperty>& props, UnitProperty p) {
  return std::find(props.begin(), props.end(), p) != props.end();
}

TEST(SystemdPropertiesTest, OnlyWhatTheUnitTypeAndFlagsNeed) {
  SystemdMetricOptions none;
  std::vector<UnitProperty> service = PropertiesFor(Unit("a.service", "active"), none, 252);
  EXPECT_EQ(service, std::vector<UnitProperty>{UnitProperty::kServiceType});
  EXPECT_EQ(PropertiesFor(Unit("a.target", "active"), none, 252), std::vector<UnitProperty>{});
  EXPECT_EQ(PropertiesFor(Unit("a.timer", "active"), none, 252),
            std::vector<UnitProperty>{UnitProperty::kLastTriggerUSec});
  EXPECT_EQ(PropertiesFor(Unit("a.timer", "active"), none, 211), std::vector<UnitProperty>{});
  EXPECT_EQ(PropertiesFor(Unit("a.socket", "active"), none, 252).size(), 3u);

  SystemdMetricOptions all{true, true, true};
  std::vector<UnitProperty> full = PropertiesFor(Unit("a.service", "active"), all, 252);
  for (UnitProperty p : {UnitProperty::kNRestarts, UnitProperty::kTasksCurrent, UnitProperty::kTasksMax,
                         UnitProperty::kActiveEnterTimestamp}) {
    EXPECT_TRUE(Has(full, p));
  }
  // An inactive unit's start time is 0 without a read; restarts and tasks are for services only.
  EXPECT_FALSE(Has(PropertiesFor(Unit("a.service", "failed"), all, 252), UnitProperty::kActiveEnterTimestamp));
  EXPECT_FALSE(Has(PropertiesFor(Unit("a.socket", "active"), all, 252), UnitProperty::kNRestarts));
}

SystemdState SampleState() {
  SystemdState s;
  s.version = "252.39-1~deb12u1";
  s.system_state = "degraded";
  s.virtualization = "";
  SystemdUnit failed = Unit("broken.service", "failed");
  failed.type = "oneshot";
  failed.n_restarts = 0;
  SystemdUnit flapping = Unit("flap.service", "activating");
  flapping.type = "simple";
  flapping.n_restarts = 7;
  flapping.tasks_current = std::numeric_limits<std::uint64_t>::max();  // not tracked: no series
  flapping.tasks_max = 4915;
  SystemdUnit sock = Unit("echo.socket", "active");
  sock.n_accepted = 3;
  sock.n_connections = 1;
  sock.n_refused = 2;
  sock.active_enter_usec = 1700000000500000;
  SystemdUnit timer = Unit("tick.timer", "active");
  timer.last_trigger_usec = 1700000001000000;
  s.units = {failed,
             flapping,
             sock,
             timer,
             Unit("home.mount", "active"),
             Unit("x.service", "inactive", "not-found"),
             Unit("m.service", "maintenance")};
  return s;
}

TEST(SystemdRenderTest, UnitStatesWithTypeAndSummaryOfAllUnits) {
  std::string text = Render(SampleState());
  using testing::Sample;
  EXPECT_EQ(Sample(text, R"(node_systemd_unit_state{name="broken.service",state="failed",type="oneshot"})"), 1);
  EXPECT_EQ(Sample(text, R"(node_systemd_unit_state{name="broken.service",state="active",type="oneshot"})"), 0);
  EXPECT_EQ(Sample(text, R"(node_systemd_unit_state{name="flap.service",state="activating",type="simple"})"), 1);
  EXPECT_EQ(Sample(text, R"(node_systemd_unit_state{name="tick.timer",state="active",type=""})"), 1);
  // Excluded and not loaded units have no per-unit series, but the summary counts them.
  EXPECT_EQ(text.find("home.mount"), std::string::npos);
  EXPECT_EQ(text.find("x.service"), std::string::npos);
  EXPECT_EQ(Sample(text, R"(node_systemd_units{state="active"})"), 3);
  EXPECT_EQ(Sample(text, R"(node_systemd_units{state="inactive"})"), 1);
  EXPECT_EQ(Sample(text, R"(node_systemd_units{state="failed"})"), 1);
  EXPECT_EQ(Sample(text, R"(node_systemd_units{state="deactivating"})"), 0);
  EXPECT_EQ(Sample(text, R"(node_systemd_units{state="maintenance"})"), 1);
  EXPECT_EQ(Sample(text, "node_systemd_system_running"), 0);
  EXPECT_EQ(Sample(text, R"(node_systemd_version{version="252.39-1~deb12u1"})"), 252.39);
  EXPECT_EQ(Sample(text, R"(node_systemd_virtualization_info{virtualization_type="none"})"), 1);
  EXPECT_NE(text.find("# HELP node_systemd_unit_state Systemd unit\n# TYPE node_systemd_unit_state gauge"),
            std::string::npos);
}

TEST(SystemdRenderTest, SocketsAndTimersAlwaysFlaggedMetricsOnlyWhenAsked) {
  std::string text = Render(SampleState());
  using testing::Sample;
  EXPECT_EQ(Sample(text, R"(node_systemd_socket_accepted_connections_total{name="echo.socket"})"), 3);
  EXPECT_EQ(Sample(text, R"(node_systemd_socket_current_connections{name="echo.socket"})"), 1);
  EXPECT_EQ(Sample(text, R"(node_systemd_socket_refused_connections_total{name="echo.socket"})"), 2);
  EXPECT_EQ(Sample(text, R"(node_systemd_timer_last_trigger_seconds{name="tick.timer"})"), 1700000001);
  EXPECT_NE(text.find("# TYPE node_systemd_socket_accepted_connections_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE node_systemd_socket_refused_connections_total gauge"), std::string::npos);
  EXPECT_EQ(text.find("node_systemd_service_restart_total"), std::string::npos);
  EXPECT_EQ(text.find("node_systemd_unit_start_time_seconds"), std::string::npos);
  EXPECT_EQ(text.find("node_systemd_unit_tasks"), std::string::npos);

  std::string all = Render(SampleState(), SystemdMetricOptions{true, true, true});
  EXPECT_EQ(Sample(all, R"(node_systemd_service_restart_total{name="flap.service"})"), 7);
  EXPECT_EQ(Sample(all, R"(node_systemd_service_restart_total{name="broken.service"})"), 0);
  EXPECT_NE(all.find("# TYPE node_systemd_service_restart_total counter"), std::string::npos);
  EXPECT_EQ(Sample(all, R"(node_systemd_unit_start_time_seconds{name="echo.socket"})"), 1700000000.5);
  EXPECT_EQ(Sample(all, R"(node_systemd_unit_start_time_seconds{name="broken.service"})"), 0);
  EXPECT_EQ(Sample(all, R"(node_systemd_unit_tasks_max{name="flap.service"})"), 4915);
  EXPECT_EQ(all.find("node_systemd_unit_tasks_current{"), std::string::npos);  // UINT64_MAX: untracked
}

TEST(SystemdRenderTest, UnreadableManagerPropertiesLikeNodeExporter) {
  SystemdState s = SampleState();
  s.version.reset();
  s.virtualization.reset();
  std::string text = Render(s);
  EXPECT_EQ(testing::Sample(text, R"(node_systemd_version{version=""})"), 0);
  EXPECT_EQ(testing::Sample(text, R"(node_systemd_virtualization_info{virtualization_type="unknown"})"), 1);
  // Before systemd 212 there is no SystemState nor LastTriggerUSec to report.
  EXPECT_EQ(text.find("node_systemd_system_running"), std::string::npos);
  EXPECT_EQ(text.find("node_systemd_timer_last_trigger_seconds"), std::string::npos);
}

TEST(SystemdCollectorTest, OffByDefaultWithNodeExporterFlags) {
  const CollectorSpec* spec = FindCollector("systemd");
  ASSERT_NE(spec, nullptr);
  EXPECT_FALSE(spec->enabled_by_default);
  const OptionSpec* include = spec->FindOption("unit-include");
  const OptionSpec* exclude = spec->FindOption("unit-exclude");
  ASSERT_NE(include, nullptr);
  ASSERT_NE(exclude, nullptr);
  EXPECT_EQ(include->default_value, ".+");
  EXPECT_EQ(exclude->default_value, kDefaultExclude);
  for (const char* key : {"enable-task-metrics", "enable-restarts-metrics", "enable-start-time-metrics"}) {
    const OptionSpec* o = spec->FindOption(key);
    ASSERT_NE(o, nullptr) << key;
    EXPECT_EQ(o->default_value, "false") << key;
  }
}

}  // namespace
}  // namespace hostwatch
