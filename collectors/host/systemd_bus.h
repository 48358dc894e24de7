// SystemdBus: the D-Bus client of the systemd and logind collectors (sd-bus
// from libsystemd, loaded with dlopen() on first use).
//
// Why dlopen: linking libsystemd maps it and what it needs (libgcrypt, libzstd,
// liblzma, liblz4, libcap: about 1 MiB resident) into every agent, although
// the systemd collector is off by default (agent/systemd_notify.cpp loads it
// the same way, only under systemd). The sd-bus header still types every call.
//
// Contract, per scrape:
// - Connect(): by default, as root, systemd's private socket
//   /run/systemd/private (what systemctl uses as root: no dbus-daemon in the
//   path, so no hop and no bus policy); otherwise, or when that socket is
//   absent, the system bus. BusChoice::kPrivateOnly
//   (--collector.systemd.private) insists on the private socket,
//   kSystemBusOnly (logind, which only the bus reaches) on the bus. A
//   missing libsystemd or an unreachable bus is NoData: nothing to report on a
//   host without systemd. The connection is kept for the next scrape and
//   dropped after any error.
// - ListUnits(): ONE org.freedesktop.systemd1.Manager.ListUnits call.
// - Get(): many org.freedesktop.DBus.Properties.Get calls sent at once and
//   answered in one pass (pipelined), so a thousand units cost one round trip
//   of latency, not a thousand. A property that cannot be read (unknown to
//   this systemd version, unit gone meanwhile) is left empty, not an error.
// - Every call shares one deadline; past it the pending calls are cancelled
//   and the scrape fails with a timeout (before the scraper's own deadline
//   abandons the collector thread).
//
// Not thread-safe: one scrape at a time (the scraper's guarantee).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

// One row of ListUnits (the fields the collector reads).
struct ListedUnit {
  std::string name;          // "cron.service"
  std::string load_state;    // loaded, not-found, masked, ...
  std::string active_state;  // active, activating, deactivating, inactive, failed (reloading, maintenance)
  std::string object_path;   // /org/freedesktop/systemd1/unit/cron_2eservice
};

// One property to read: on object_path, interface.property. type is its D-Bus
// signature: 's', 'u' (uint32) or 't' (uint64).
struct PropertyRequest {
  std::string object_path;
  std::string interface;  // "org.freedesktop.systemd1.Service"
  std::string property;   // "NRestarts"
  char type = 's';         // also 'b' (read as 0 or 1)
  const char* service = "org.freedesktop.systemd1";  // the bus name to ask
};

// A property's value; monostate when it could not be read.
using PropertyValue = std::variant<std::monostate, std::string, std::uint64_t>;

// The answers to one batch of reads. failed counts the reads refused for a
// reason other than "no such property or unit" (dbus-daemon's limits, access
// denied, a per-call timeout): those are lost data, worth a warning.
struct PropertyReads {
  std::vector<PropertyValue> values;  // parallel to the requests
  std::size_t failed = 0;
  std::string first_error;  // "org.freedesktop.DBus.Error.LimitsExceeded: ..."
};

// Which socket Connect() uses (see the contract above).
enum class BusChoice { kPrivateIfRoot, kPrivateOnly, kSystemBusOnly };

// One row of logind's Manager.ListSessions (the fields the logind collector reads).
struct LogindSessionRow {
  std::string id;           // "3"
  std::string seat;         // "seat0", or "" for remote sessions
  std::string object_path;  // /org/freedesktop/login1/session/_33
};

class SystemdBus {
 public:
  explicit SystemdBus(BusChoice choice = BusChoice::kPrivateIfRoot);
  ~SystemdBus();
  SystemdBus(const SystemdBus&) = delete;
  SystemdBus& operator=(const SystemdBus&) = delete;

  // Starts this scrape's deadline (now + budget) and makes sure a connection
  // exists. NoData: no libsystemd, or no reachable bus (the message says which
  // and why). Error: none of these here (kept for symmetry with callers).
  Status Begin(std::chrono::milliseconds budget);

  // Manager.ListUnits. Error when the call fails or the deadline passes.
  Result<std::vector<ListedUnit>> ListUnits();

  // org.freedesktop.login1.Manager.ListSeats (seat ids) and ListSessions.
  // NoData when logind is not on the bus; Error when the call fails otherwise.
  Result<std::vector<std::string>> ListLogindSeats();
  Result<std::vector<LogindSessionRow>> ListLogindSessions();

  // Reads every request. Error only when the connection breaks or the
  // deadline passes; a read systemd refuses is an empty value (and counted in
  // failed unless the property or unit simply does not exist).
  Result<PropertyReads> Get(const std::vector<PropertyRequest>& requests);

  // After an Error: drop the connection so the next scrape reconnects.
  void Reset();

  // Whether a connection from an earlier scrape is open (it may have gone
  // stale since: systemd re-executed, dbus-daemon restarted).
  bool Connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The object path of the systemd manager, for Manager properties.
inline constexpr const char* kSystemdManagerPath = "/org/freedesktop/systemd1";
inline constexpr const char* kSystemdManagerInterface = "org.freedesktop.systemd1.Manager";

}  // namespace hostwatch
