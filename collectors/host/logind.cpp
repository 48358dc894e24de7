#include "collectors/host/logind.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "collectors/host/systemd_bus.h"

namespace hostwatch {
namespace {

const MetricDesc kSessions{"node_logind_sessions", "Number of sessions registered in logind.", MetricType::Gauge,
                           {"seat", "remote", "type", "class"}};

// node_exporter's value lists (logind as of systemd v229), "other" first as there.
constexpr std::string_view kRemoteValues[] = {"true", "false"};
constexpr std::string_view kTypeValues[] = {"other", "unspecified", "tty", "x11", "wayland", "mir", "web"};
constexpr std::string_view kClassValues[] = {"other", "user", "greeter", "lock-screen", "background"};

template <std::size_t N>
std::string_view KnownOrOther(std::string_view value, const std::string_view (&known)[N]) {
  return std::find(std::begin(known), std::end(known), value) != std::end(known) ? value : "other";
}

// Same budget and reason as the systemd collector's: fail here, with a reason,
// before the scraper's collector deadline abandons the thread.
constexpr std::chrono::milliseconds kBusBudget{5000};
constexpr const char* kSessionInterface = "org.freedesktop.login1.Session";
constexpr const char* kLogindService = "org.freedesktop.login1";

class LogindCollector : public Collector {
 public:
  Status Collect(MetricSink& sink) override {
    Status st = bus_.Begin(kBusBudget);
    if (!st.ok()) {
      return Status::NoData("logind: " + st.message(), st.sys_errno());
    }
    Result<std::vector<std::string>> seats = bus_.ListLogindSeats();
    Result<std::vector<LogindSessionRow>> rows =
        seats.ok() ? bus_.ListLogindSessions() : Result<std::vector<LogindSessionRow>>(seats.status());
    Result<std::vector<LogindSession>> sessions = rows.ok() ? Sessions(rows.value()) : Result<std::vector<LogindSession>>(rows.status());
    if (!sessions.ok()) {
      bus_.Reset();  // a fresh connection next scrape (dbus-daemon or logind may have restarted)
      return sessions.status();
    }
    RenderLogind(seats.value(), sessions.value(), sink);
    return Status::OK();
  }

 private:
  // Each session's Remote, Type and Class, read in one pipelined batch. A
  // session whose properties cannot all be read (it ended meanwhile) is left
  // out, as node_exporter does.
  Result<std::vector<LogindSession>> Sessions(const std::vector<LogindSessionRow>& rows) {
    std::vector<PropertyRequest> requests;
    for (const LogindSessionRow& r : rows) {
      requests.push_back({r.object_path, kSessionInterface, "Remote", 'b', kLogindService});
      requests.push_back({r.object_path, kSessionInterface, "Type", 's', kLogindService});
      requests.push_back({r.object_path, kSessionInterface, "Class", 's', kLogindService});
    }
    Result<PropertyReads> reads = bus_.Get(requests);
    if (!reads.ok()) {
      return Status::Error("logind: " + reads.status().message());
    }
    std::vector<LogindSession> sessions;
    const std::vector<PropertyValue>& v = reads.value().values;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto* remote = std::get_if<std::uint64_t>(&v[3 * i]);
      const auto* type = std::get_if<std::string>(&v[3 * i + 1]);
      const auto* klass = std::get_if<std::string>(&v[3 * i + 2]);
      if (remote != nullptr && type != nullptr && klass != nullptr) {
        sessions.push_back({rows[i].seat, *remote != 0, *type, *klass});
      }
    }
    return sessions;
  }

  SystemdBus bus_{BusChoice::kSystemBusOnly};  // logind is not on systemd's private socket
};

}  // namespace

void RenderLogind(const std::vector<std::string>& seats, const std::vector<LogindSession>& sessions,
                  MetricSink& sink) {
  std::map<std::tuple<std::string, std::string_view, std::string_view, std::string_view>, double> counts;
  for (const LogindSession& s : sessions) {
    ++counts[{s.seat, s.remote ? "true" : "false", KnownOrOther(s.type, kTypeValues),
              KnownOrOther(s.klass, kClassValues)}];
  }
  std::vector<std::string> all_seats = seats;
  all_seats.push_back("");  // remote sessions (ssh) have no seat
  for (std::string_view remote : kRemoteValues) {
    for (std::string_view type : kTypeValues) {
      for (std::string_view klass : kClassValues) {
        for (const std::string& seat : all_seats) {
          auto it = counts.find({seat, remote, type, klass});
          sink.Add(kSessions, it == counts.end() ? 0.0 : it->second, {seat, remote, type, klass});
        }
      }
    }
  }
}

CollectorSpec LogindCollectorSpec() {
  return {"logind",
          false,
          "Exposes the sessions systemd-logind knows, over the system bus: node_logind_sessions{seat,remote,type,class}.",
          {},
          [](const CollectorContext&) -> Result<CollectorPtr> { return CollectorPtr(std::make_unique<LogindCollector>()); }};
}

}  // namespace hostwatch
