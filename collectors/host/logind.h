// logind collector (off by default, as in node_exporter 1.12.1): the sessions
// systemd-logind knows, counted by seat, remoteness, type and class, as
// node_logind_sessions{seat,remote,type,class}, read over the system bus with
// the systemd collector's client (systemd_bus.h): ListSeats, ListSessions,
// then each session's Remote, Type and Class properties, sent at once.
//
// As node_exporter, every combination of the known values is written (zeros
// included), for every listed seat and for the empty seat of remote sessions;
// a type or class logind adds later counts as "other". Without a system bus or
// without logind on it, the collector has no data (logged at debug).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One session's labels, as read from logind.
struct LogindSession {
  std::string seat;    // "" for sessions without a seat (ssh)
  bool remote = false;
  std::string type;    // "tty", "x11", "wayland", ... as logind says
  std::string klass;   // "user", "greeter", ... (Class)
};

// Adds node_logind_sessions for the seats logind listed (plus the empty
// seat) and every known remote/type/class value, counting sessions; unknown
// types and classes count as "other", sessions of unlisted seats are not counted.
void RenderLogind(const std::vector<std::string>& seats, const std::vector<LogindSession>& sessions,
                  MetricSink& sink);

CollectorSpec LogindCollectorSpec();

}  // namespace hostwatch
