#include "collectors/host/systemd.h"

#include <cstdlib>
#include <limits>
#include <utility>

namespace hostwatch {
namespace {

// node_exporter 1.12.1's families (collector/systemd_linux.go), help texts and types included.
const MetricDesc kUnitState{"node_systemd_unit_state", "Systemd unit", MetricType::Gauge, {"name", "state", "type"}};
const MetricDesc kUnitStartTime{"node_systemd_unit_start_time_seconds",
                                "Start time of the unit since unix epoch in seconds.",
                                MetricType::Gauge,
                                {"name"}};
const MetricDesc kTasksCurrent{
    "node_systemd_unit_tasks_current", "Current number of tasks per Systemd unit", MetricType::Gauge, {"name"}};
const MetricDesc kTasksMax{
    "node_systemd_unit_tasks_max", "Maximum number of tasks per Systemd unit", MetricType::Gauge, {"name"}};
const MetricDesc kSystemRunning{"node_systemd_system_running",
                                "Whether the system is operational (see 'systemctl is-system-running')",
                                MetricType::Gauge,
                                {}};
const MetricDesc kUnits{"node_systemd_units", "Summary of systemd unit states", MetricType::Gauge, {"state"}};
const MetricDesc kRestarts{
    "node_systemd_service_restart_total", "Service unit count of Restart triggers", MetricType::Counter, {"name"}};
const MetricDesc kTimerLastTrigger{
    "node_systemd_timer_last_trigger_seconds", "Seconds since epoch of last trigger.", MetricType::Gauge, {"name"}};
const MetricDesc kSocketAccepted{"node_systemd_socket_accepted_connections_total",
                                 "Total number of accepted socket connections",
                                 MetricType::Counter,
                                 {"name"}};
const MetricDesc kSocketCurrent{
    "node_systemd_socket_current_connections", "Current number of socket connections", MetricType::Gauge, {"name"}};
// A gauge in node_exporter despite its _total name; kept so queries and recording rules match.
const MetricDesc kSocketRefused{"node_systemd_socket_refused_connections_total",
                                "Total number of refused socket connections",
                                MetricType::Gauge,
                                {"name"}};
const MetricDesc kVersion{"node_systemd_version", "Detected systemd version", MetricType::Gauge, {"version"}};
const MetricDesc kVirtualization{"node_systemd_virtualization_info",
                                 "Detected virtualization technology",
                                 MetricType::Gauge,
                                 {"virtualization_type"}};

// The states node_systemd_unit_state and node_systemd_units always report.
constexpr const char* kUnitStates[] = {"active", "activating", "deactivating", "inactive", "failed"};

// SystemState and Timer.LastTriggerUSec appeared in systemd 212.
constexpr double kMinVersionSystemState = 212;

bool HasSuffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The systemd value for "no limit" / "not tracked" of TasksCurrent and TasksMax.
constexpr std::uint64_t kInfinity = std::numeric_limits<std::uint64_t>::max();

void AddUnitState(const SystemdUnit& u, MetricSink& sink) {
  for (const char* state : kUnitStates) {
    sink.Add(kUnitState, u.active_state == state ? 1 : 0, {u.name, state, u.type});
  }
}

void AddSummary(const std::vector<SystemdUnit>& units, MetricSink& sink) {
  std::vector<std::pair<std::string, double>> counts;
  for (const char* state : kUnitStates) {
    counts.emplace_back(state, 0);
  }
  for (const SystemdUnit& u : units) {
    auto it = counts.begin();
    while (it != counts.end() && it->first != u.active_state) {
      ++it;
    }
    if (it == counts.end()) {
      counts.emplace_back(u.active_state, 1);  // reloading, maintenance, ...: counted as node_exporter does
    } else {
      it->second += 1;
    }
  }
  for (const auto& [state, n] : counts) {
    sink.Add(kUnits, n, {state});
  }
}

// node_exporter skips the current and refused counts when the accepted count
// is unreadable, and the refused count when the current one is.
void AddSocket(const SystemdUnit& u, MetricSink& sink) {
  if (!u.n_accepted) {
    return;
  }
  sink.Add(kSocketAccepted, static_cast<double>(*u.n_accepted), {u.name});
  if (!u.n_connections) {
    return;
  }
  sink.Add(kSocketCurrent, static_cast<double>(*u.n_connections), {u.name});
  if (u.n_refused) {
    sink.Add(kSocketRefused, static_cast<double>(*u.n_refused), {u.name});
  }
}

void AddUnit(const SystemdUnit& u, const SystemdMetricOptions& options, double version, MetricSink& sink) {
  const bool service = HasSuffix(u.name, ".service");
  AddUnitState(u, sink);
  if (options.restarts_metrics && service && u.n_restarts) {
    sink.Add(kRestarts, static_cast<double>(*u.n_restarts), {u.name});
  }
  if (options.start_time_metrics) {
    if (u.active_state != "active") {
      sink.Add(kUnitStartTime, 0, {u.name});
    } else if (u.active_enter_usec) {
      sink.Add(kUnitStartTime, static_cast<double>(*u.active_enter_usec) / 1e6, {u.name});
    }
  }
  if (options.task_metrics && service) {
    if (u.tasks_current && *u.tasks_current != kInfinity) {
      sink.Add(kTasksCurrent, static_cast<double>(*u.tasks_current), {u.name});
    }
    if (u.tasks_max && *u.tasks_max != kInfinity) {
      sink.Add(kTasksMax, static_cast<double>(*u.tasks_max), {u.name});
    }
  }
  if (version >= kMinVersionSystemState && HasSuffix(u.name, ".timer") && u.last_trigger_usec) {
    sink.Add(kTimerLastTrigger, static_cast<double>(*u.last_trigger_usec) / 1e6, {u.name});
  }
  if (HasSuffix(u.name, ".socket")) {
    AddSocket(u, sink);
  }
}

}  // namespace

Result<UnitFilter> UnitFilter::Make(std::string_view include, std::string_view exclude) {
  UnitFilter f;
  RE2::Options opts;
  opts.set_log_errors(false);
  f.include_ = std::make_shared<const re2::RE2>("^(?:" + std::string(include) + ")$", opts);
  f.exclude_ = std::make_shared<const re2::RE2>("^(?:" + std::string(exclude) + ")$", opts);
  if (!f.include_->ok()) {
    return Status::Error("unit-include: " + f.include_->error());
  }
  if (!f.exclude_->ok()) {
    return Status::Error("unit-exclude: " + f.exclude_->error());
  }
  return f;
}

bool UnitFilter::Selected(const SystemdUnit& unit) const {
  return unit.load_state == "loaded" && RE2::FullMatch(unit.name, *include_) && !RE2::FullMatch(unit.name, *exclude_);
}

std::vector<UnitProperty> PropertiesFor(const SystemdUnit& unit, const SystemdMetricOptions& options,
                                        double systemd_version) {
  std::vector<UnitProperty> props;
  if (HasSuffix(unit.name, ".service")) {
    props.push_back(UnitProperty::kServiceType);
    if (options.restarts_metrics) {
      props.push_back(UnitProperty::kNRestarts);
    }
    if (options.task_metrics) {
      props.push_back(UnitProperty::kTasksCurrent);
      props.push_back(UnitProperty::kTasksMax);
    }
  } else if (HasSuffix(unit.name, ".mount")) {
    props.push_back(UnitProperty::kMountType);
  } else if (HasSuffix(unit.name, ".socket")) {
    props.insert(props.end(), {UnitProperty::kNAccepted, UnitProperty::kNConnections, UnitProperty::kNRefused});
  } else if (HasSuffix(unit.name, ".timer") && systemd_version >= kMinVersionSystemState) {
    props.push_back(UnitProperty::kLastTriggerUSec);
  }
  if (options.start_time_metrics && unit.active_state == "active") {
    props.push_back(UnitProperty::kActiveEnterTimestamp);
  }
  return props;
}

double ParseSystemdVersion(std::string_view version) {
  static const RE2 kVersionRe(R"(([0-9]{3,}(?:\.[0-9]+)?))");
  std::string number;
  if (!RE2::PartialMatch(version, kVersionRe, &number)) {
    return 0;
  }
  return std::strtod(number.c_str(), nullptr);
}

void RenderSystemd(const SystemdState& state, const UnitFilter& filter, const SystemdMetricOptions& options,
                   MetricSink& sink) {
  const double version = state.version ? ParseSystemdVersion(*state.version) : 0;
  sink.Add(kVersion, version, {version > 0 ? *state.version : std::string()});
  std::string virt = !state.virtualization ? "unknown" : state.virtualization->empty() ? "none" : *state.virtualization;
  sink.Add(kVirtualization, 1, {virt});
  AddSummary(state.units, sink);
  for (const SystemdUnit& u : state.units) {
    if (filter.Selected(u)) {
      AddUnit(u, options, version, sink);
    }
  }
  if (version >= kMinVersionSystemState && state.system_state) {
    sink.Add(kSystemRunning, *state.system_state == "running" ? 1 : 0);
  }
}

}  // namespace hostwatch
