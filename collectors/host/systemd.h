// systemd collector (off by default, as in node_exporter 1.12.1): unit states
// and systemd's own state over D-Bus, with node_exporter's families, labels,
// help texts, types and flags:
//   node_systemd_unit_state{name,state,type}, node_systemd_units{state},
//   node_systemd_system_running, node_systemd_version{version},
//   node_systemd_virtualization_info{virtualization_type},
//   node_systemd_socket_{accepted_connections_total,current_connections,refused_connections_total}{name},
//   node_systemd_timer_last_trigger_seconds{name},
//   and behind their flags node_systemd_service_restart_total{name},
//   node_systemd_unit_start_time_seconds{name}, node_systemd_unit_tasks_{current,max}{name}.
//
// Cost: node_exporter makes one or more D-Bus round trips per unit and
// property (its issues #1535, #1970, #2966: seconds per scrape on big hosts).
// Here a scrape is ONE ListUnits call, then only the properties the units and
// flags need, all sent at once (systemd_bus.h), under one deadline.
//
// The parts that need no bus (which units, which properties, parsing the
// version, rendering) are plain functions below, unit-tested on their own.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// What systemd told us about one unit: ListUnits' fields, then the properties
// read for it (each empty when not asked for or not readable).
struct SystemdUnit {
  std::string name;          // "cron.service"
  std::string load_state;    // "loaded", "not-found", "masked", ...
  std::string active_state;  // "active", "failed", ...
  std::string object_path;
  std::string type;  // Service.Type of a .service, Mount.Type of a .mount; "" otherwise or unreadable
  std::optional<std::uint64_t> n_restarts;         // Service.NRestarts
  std::optional<std::uint64_t> tasks_current;      // Service.TasksCurrent
  std::optional<std::uint64_t> tasks_max;          // Service.TasksMax
  std::optional<std::uint64_t> active_enter_usec;  // Unit.ActiveEnterTimestamp (µs since the epoch)
  std::optional<std::uint64_t> n_accepted;         // Socket.NAccepted
  std::optional<std::uint64_t> n_connections;      // Socket.NConnections
  std::optional<std::uint64_t> n_refused;          // Socket.NRefused (systemd >= 239)
  std::optional<std::uint64_t> last_trigger_usec;  // Timer.LastTriggerUSec
};

// One scrape's view of systemd.
struct SystemdState {
  std::optional<std::string> version;         // Manager.Version ("252.39-1~deb12u1")
  std::optional<std::string> system_state;    // Manager.SystemState ("running", "degraded", ...)
  std::optional<std::string> virtualization;  // Manager.Virtualization ("" on bare metal)
  std::vector<SystemdUnit> units;             // every listed unit, in ListUnits order
};

// The collector's flags that change what is read and exported.
struct SystemdMetricOptions {
  bool task_metrics = false;        // --collector.systemd.enable-task-metrics
  bool restarts_metrics = false;    // --collector.systemd.enable-restarts-metrics
  bool start_time_metrics = false;  // --collector.systemd.enable-start-time-metrics
};

// node_exporter's unit selection: the name must match the include pattern and
// not the exclude pattern, both anchored at both ends (^(?:...)$), and the
// unit must be loaded. Immutable; safe to share.
class UnitFilter {
 public:
  // Error when a pattern is not valid RE2.
  static Result<UnitFilter> Make(std::string_view include, std::string_view exclude);
  bool Selected(const SystemdUnit& unit) const;

 private:
  std::shared_ptr<const re2::RE2> include_;
  std::shared_ptr<const re2::RE2> exclude_;
};

// A property the collector may read for a unit.
enum class UnitProperty {
  kServiceType,
  kMountType,
  kNRestarts,
  kTasksCurrent,
  kTasksMax,
  kActiveEnterTimestamp,
  kNAccepted,
  kNConnections,
  kNRefused,
  kLastTriggerUSec,
};

// The properties a selected unit needs for the enabled metrics: by its type
// (the name's suffix) and, for the start time, only while it is active (an
// inactive unit reports 0 without a read). Timers only from systemd 212, where
// LastTriggerUSec appeared.
std::vector<UnitProperty> PropertiesFor(const SystemdUnit& unit, const SystemdMetricOptions& options,
                                        double systemd_version);

// node_exporter's reading of Manager.Version: the first "NNN[.N]" in it
// ("252.39-1~deb12u1" gives 252.39), or 0 when there is none.
double ParseSystemdVersion(std::string_view version);

// Adds every family for state to sink. units are all listed units (the
// summary counts them all); the per-unit families cover those filter selects.
void RenderSystemd(const SystemdState& state, const UnitFilter& filter, const SystemdMetricOptions& options,
                   MetricSink& sink);

CollectorSpec SystemdCollectorSpec();

}  // namespace hostwatch
