// The systemd collector itself: one scrape reads the manager, lists the units
// once and reads only the properties the selected units and the flags need
// (systemd.h), all through SystemdBus (systemd_bus.h).
#include <chrono>
#include <string>
#include <utility>

#include "collectors/host/systemd.h"
#include "collectors/host/systemd_bus.h"

namespace hostwatch {
namespace {

// node_exporter's flags and defaults (all three enable-* flags are off there too).
constexpr RegexOption kUnitInclude{"systemd", "unit-include", ".+",
                                   "Regexp of systemd units to include. Units must both match include and not match "
                                   "exclude to be included."};
constexpr RegexOption kUnitExclude{"systemd", "unit-exclude", R"(.+\.(automount|device|mount|scope|slice))",
                                   "Regexp of systemd units to exclude. Units must both match include and not match "
                                   "exclude to be included."};
constexpr BoolOption kTaskMetrics{"systemd", "enable-task-metrics", false,
                                  "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max"};
constexpr BoolOption kRestartsMetrics{"systemd", "enable-restarts-metrics", false,
                                      "Enables service unit metric service_restart_total"};
constexpr BoolOption kPrivate{"systemd", "private", false,
                          "Establish a private, direct connection to systemd without dbus (Strongly discouraged since "
                          "it requires root. For testing purposes only)."};
constexpr BoolOption kStartTimeMetrics{"systemd", "enable-start-time-metrics", false,
                                       "Enables service unit metric unit_start_time_seconds"};

// All of one scrape's D-Bus traffic must finish within this, so that a slow
// or hung systemd fails the scrape here, with a reason, before the scraper's
// default 8s collector deadline abandons the thread.
constexpr std::chrono::milliseconds kBusBudget{5000};

constexpr const char* kUnitIface = "org.freedesktop.systemd1.Unit";
constexpr const char* kServiceIface = "org.freedesktop.systemd1.Service";

// Where each UnitProperty lives on the bus and which field of SystemdUnit receives it.
struct PropertySource {
  const char* interface;
  const char* property;
  char type;
  std::optional<std::uint64_t> SystemdUnit::*number;  // nullptr: the string goes to SystemdUnit::type
};

PropertySource SourceOf(UnitProperty p) {
  switch (p) {
    case UnitProperty::kServiceType:
      return {kServiceIface, "Type", 's', nullptr};
    case UnitProperty::kMountType:
      return {"org.freedesktop.systemd1.Mount", "Type", 's', nullptr};
    case UnitProperty::kNRestarts:
      return {kServiceIface, "NRestarts", 'u', &SystemdUnit::n_restarts};
    case UnitProperty::kTasksCurrent:
      return {kServiceIface, "TasksCurrent", 't', &SystemdUnit::tasks_current};
    case UnitProperty::kTasksMax:
      return {kServiceIface, "TasksMax", 't', &SystemdUnit::tasks_max};
    case UnitProperty::kActiveEnterTimestamp:
      return {kUnitIface, "ActiveEnterTimestamp", 't', &SystemdUnit::active_enter_usec};
    case UnitProperty::kNAccepted:
      return {"org.freedesktop.systemd1.Socket", "NAccepted", 'u', &SystemdUnit::n_accepted};
    case UnitProperty::kNConnections:
      return {"org.freedesktop.systemd1.Socket", "NConnections", 'u', &SystemdUnit::n_connections};
    case UnitProperty::kNRefused:
      return {"org.freedesktop.systemd1.Socket", "NRefused", 'u', &SystemdUnit::n_refused};
    case UnitProperty::kLastTriggerUSec:
      return {"org.freedesktop.systemd1.Timer", "LastTriggerUSec", 't', &SystemdUnit::last_trigger_usec};
  }
  return {kUnitIface, "Id", 's', nullptr};  // not reached: every enumerator is listed
}

std::optional<std::string> AsString(const PropertyValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    return *s;
  }
  return std::nullopt;
}

class SystemdCollector : public Collector {
 public:
  // private_socket: --collector.systemd.private, only /run/systemd/private
  // (without it: that socket as root, else the system bus; see systemd_bus.h).
  SystemdCollector(UnitFilter filter, SystemdMetricOptions options, bool private_socket)
      : filter_(std::move(filter)),
        options_(options),
        bus_(private_socket ? BusChoice::kPrivateOnly : BusChoice::kPrivateIfRoot) {}

  Status Collect(MetricSink& sink) override {
    SystemdState state;
    Status st = Read(&state);
    if (!st.ok()) {
      return st;
    }
    RenderSystemd(state, filter_, options_, sink);
    if (failed_reads_ > 0) {
      sink.Warn("systemd: " + std::to_string(failed_reads_) +
                " property reads refused, their series are missing: " + first_error_);
    }
    if (!state.system_state && ParseSystemdVersion(state.version.value_or("")) >= 212) {
      return Status::Error("systemd: cannot read the manager's SystemState");  // node_exporter fails here too
    }
    return Status::OK();
  }

 private:
  // Connects if needed and reads this scrape's state. NoData when there is
  // no bus; on any other error the connection is dropped for the next scrape.
  Status Read(SystemdState* state) {
    failed_reads_ = 0;
    first_error_.clear();
    const bool reused = bus_.Connected();
    Status st = bus_.Begin(kBusBudget);
    if (!st.ok()) {
      return st;  // NoData: no libsystemd or no reachable bus
    }
    st = ReadManager(state);
    if (!st.ok() && reused) {
      // A kept connection that went stale (systemd re-executed, dbus-daemon
      // restarted) is not this scrape's failure: reconnect once.
      bus_.Reset();
      st = bus_.Begin(kBusBudget);
      if (!st.ok()) {
        return st;
      }
      st = ReadManager(state);
    }
    if (st.ok()) {
      st = ReadUnits(state);
    }
    if (!st.ok()) {
      bus_.Reset();
    }
    return st;
  }

  Status ReadManager(SystemdState* state) {
    std::vector<PropertyRequest> requests;
    for (const char* name : {"Version", "SystemState", "Virtualization"}) {
      requests.push_back({kSystemdManagerPath, kSystemdManagerInterface, name, 's'});
    }
    Result<PropertyReads> reads = bus_.Get(requests);
    if (!reads.ok()) {
      return reads.status();
    }
    Tally(reads.value());
    state->version = AsString(reads.value().values[0]);
    state->system_state = AsString(reads.value().values[1]);
    state->virtualization = AsString(reads.value().values[2]);
    return Status::OK();
  }

  // Adds a batch's refused reads to this scrape's count.
  void Tally(const PropertyReads& reads) {
    if (failed_reads_ == 0 && reads.failed > 0) {
      first_error_ = reads.first_error;
    }
    failed_reads_ += reads.failed;
  }

  // ListUnits, then one pipelined batch of the selected units' properties.
  Status ReadUnits(SystemdState* state) {
    Result<std::vector<ListedUnit>> listed = bus_.ListUnits();
    if (!listed.ok()) {
      return listed.status();
    }
    const double version = ParseSystemdVersion(state->version.value_or(""));
    std::vector<PropertyRequest> requests;
    std::vector<std::pair<std::size_t, PropertySource>> targets;  // parallel to requests
    for (ListedUnit& l : listed.value()) {
      SystemdUnit u;
      u.name = std::move(l.name);
      u.load_state = std::move(l.load_state);
      u.active_state = std::move(l.active_state);
      u.object_path = std::move(l.object_path);
      if (filter_.Selected(u)) {
        for (UnitProperty p : PropertiesFor(u, options_, version)) {
          PropertySource src = SourceOf(p);
          requests.push_back({u.object_path, src.interface, src.property, src.type});
          targets.emplace_back(state->units.size(), src);
        }
      }
      state->units.push_back(std::move(u));
    }
    Result<PropertyReads> reads = bus_.Get(requests);
    if (!reads.ok()) {
      return reads.status();
    }
    Tally(reads.value());
    for (std::size_t i = 0; i < targets.size(); ++i) {
      SystemdUnit& u = state->units[targets[i].first];
      const PropertyValue& v = reads.value().values[i];
      if (targets[i].second.number == nullptr) {
        u.type = AsString(v).value_or("");
      } else if (const auto* n = std::get_if<std::uint64_t>(&v)) {
        u.*(targets[i].second.number) = *n;
      }
    }
    return Status::OK();
  }

  const UnitFilter filter_;
  const SystemdMetricOptions options_;
  SystemdBus bus_;                // the connection, kept between scrapes
  std::size_t failed_reads_ = 0;  // this scrape's refused property reads (PropertyReads::failed)
  std::string first_error_;
};

}  // namespace

CollectorSpec SystemdCollectorSpec() {
  return {"systemd",
          false,
          "Exposes systemd's unit states and its own state over D-Bus (one ListUnits call per scrape): "
          "node_systemd_unit_state, node_systemd_units, node_systemd_system_running, node_systemd_version, "
          "node_systemd_virtualization_info, node_systemd_socket_*, node_systemd_timer_last_trigger_seconds; "
          "with their options node_systemd_service_restart_total, node_systemd_unit_start_time_seconds, "
          "node_systemd_unit_tasks_{current,max}.",
          {kUnitInclude.Spec(), kUnitExclude.Spec(), kTaskMetrics.Spec(), kRestartsMetrics.Spec(),
           kStartTimeMetrics.Spec(), kPrivate.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<UnitFilter> filter = UnitFilter::Make(ctx.options.Get(kUnitInclude), ctx.options.Get(kUnitExclude));
            if (!filter.ok()) {
              return filter.status();
            }
            SystemdMetricOptions options{ctx.options.Get(kTaskMetrics), ctx.options.Get(kRestartsMetrics),
                                         ctx.options.Get(kStartTimeMetrics)};
            return CollectorPtr(std::make_unique<SystemdCollector>(std::move(filter).value(), options,
                                                                       ctx.options.Get(kPrivate)));
          }};
}

}  // namespace hostwatch
