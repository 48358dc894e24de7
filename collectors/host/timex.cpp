#include "collectors/host/timex.h"

#include <sys/timex.h>

#include <cerrno>
#include <string>

namespace hostwatch {
namespace {

// adjtimex(2) return value when the clock is not synchronized.
constexpr int kTimeError = 5;
// STA_NANO: offset and jitter are in nanoseconds instead of microseconds.
constexpr std::int64_t kStaNano = 0x2000;
// freq, ppsfreq and stabil are scaled ppm with a 16-bit fraction (adjtimex(2) NOTES).
constexpr double kPpm16Frac = 1000000.0 * 65536.0;
constexpr double kMicro = 1000000.0;
constexpr double kNano = 1000000000.0;

struct TimexMetric {
  MetricDesc desc;
  double TimexValues::*value;
};

const TimexMetric kMetrics[] = {
    {{"node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).", MetricType::Gauge, {}},
     &TimexValues::sync_status},
    {{"node_timex_offset_seconds", "Time offset in between local system and reference clock.", MetricType::Gauge, {}},
     &TimexValues::offset_seconds},
    {{"node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.", MetricType::Gauge, {}},
     &TimexValues::frequency_adjustment_ratio},
    {{"node_timex_maxerror_seconds", "Maximum error in seconds.", MetricType::Gauge, {}},
     &TimexValues::maxerror_seconds},
    {{"node_timex_estimated_error_seconds", "Estimated error in seconds.", MetricType::Gauge, {}},
     &TimexValues::estimated_error_seconds},
    {{"node_timex_status", "Value of the status array bits.", MetricType::Gauge, {}}, &TimexValues::status},
    {{"node_timex_loop_time_constant", "Phase-locked loop time constant.", MetricType::Gauge, {}},
     &TimexValues::loop_time_constant},
    {{"node_timex_tick_seconds", "Seconds between clock ticks.", MetricType::Gauge, {}}, &TimexValues::tick_seconds},
    {{"node_timex_pps_frequency_hertz", "Pulse per second frequency.", MetricType::Gauge, {}},
     &TimexValues::pps_frequency_hertz},
    {{"node_timex_pps_jitter_seconds", "Pulse per second jitter.", MetricType::Gauge, {}},
     &TimexValues::pps_jitter_seconds},
    {{"node_timex_pps_shift_seconds", "Pulse per second interval duration.", MetricType::Gauge, {}},
     &TimexValues::pps_shift_seconds},
    {{"node_timex_pps_stability_hertz",
      "Pulse per second stability, average of recent frequency changes.",
      MetricType::Gauge,
      {}},
     &TimexValues::pps_stability_hertz},
    {{"node_timex_pps_jitter_total",
      "Pulse per second count of jitter limit exceeded events.",
      MetricType::Counter,
      {}},
     &TimexValues::pps_jitter_total},
    {{"node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.", MetricType::Counter, {}},
     &TimexValues::pps_calibration_total},
    {{"node_timex_pps_error_total", "Pulse per second count of calibration errors.", MetricType::Counter, {}},
     &TimexValues::pps_error_total},
    {{"node_timex_pps_stability_exceeded_total",
      "Pulse per second count of stability limit exceeded events.",
      MetricType::Counter,
      {}},
     &TimexValues::pps_stability_exceeded_total},
    {{"node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", MetricType::Gauge, {}},
     &TimexValues::tai_offset_seconds},
};

class TimexCollector : public Collector {
 public:
  Status Collect(MetricSink& sink) override {
    Result<RawTimex> raw = ReadTimex();
    if (!raw.ok()) {
      WarnOnceIfDenied(raw.status(), sink);
      return raw.status();
    }
    TimexValues v = ConvertTimex(raw.value());
    for (const TimexMetric& m : kMetrics) {
      sink.Add(m.desc, v.*m.value);
    }
    return Status::OK();
  }

 private:
  // A read-only adjtimex needs no privilege, so EPERM means a sandbox forbids
  // the call itself (systemd's ProtectClock=yes, a SystemCallFilter without
  // @clock, a container's seccomp profile), on every scrape alike. The NoData
  // it returns is logged at debug only, which left node_timex_* silently
  // missing and the clock alerts unable to fire: say it once at warn, with
  // the way out, and not on every scrape after that.
  void WarnOnceIfDenied(const Status& s, MetricSink& sink) {
    if (s.sys_errno() != EPERM || denied_reported_) {
      return;
    }
    denied_reported_ = true;
    sink.Warn(s.message() +
              ": a seccomp filter forbids even reading the clock state (systemd: ProtectClock=yes, or a "
              "SystemCallFilter= without adjtimex and clock_adjtime), so node_timex_* are not exported; "
              "reported once, later scrapes log it at debug");
  }

  bool denied_reported_ = false;  // the scraper never runs one instance on two threads at once
};

}  // namespace

Result<RawTimex> ReadTimex() {
  struct timex tx {};  // modes = 0: read only, no privilege needed
  int state = ::adjtimex(&tx);
  if (state < 0) {
    const int err = errno;
    Status s = Status::FromErrno(err, "adjtimex");
    return err == EPERM ? Status::NoData(s.message(), err) : s;
  }
  RawTimex r;
  r.state = state;
  r.offset = tx.offset;
  r.freq = tx.freq;
  r.maxerror = tx.maxerror;
  r.esterror = tx.esterror;
  r.status = tx.status;
  r.constant = tx.constant;
  r.precision = tx.precision;
  r.tick = tx.tick;
  r.ppsfreq = tx.ppsfreq;
  r.jitter = tx.jitter;
  r.shift = tx.shift;
  r.stabil = tx.stabil;
  r.jitcnt = tx.jitcnt;
  r.calcnt = tx.calcnt;
  r.errcnt = tx.errcnt;
  r.stbcnt = tx.stbcnt;
  r.tai = tx.tai;
  return r;
}

TimexValues ConvertTimex(const RawTimex& raw) {
  const double divisor = (raw.status & kStaNano) != 0 ? kNano : kMicro;
  TimexValues v;
  v.sync_status = raw.state == kTimeError ? 0 : 1;
  v.offset_seconds = static_cast<double>(raw.offset) / divisor;
  v.frequency_adjustment_ratio = 1 + static_cast<double>(raw.freq) / kPpm16Frac;
  v.maxerror_seconds = static_cast<double>(raw.maxerror) / kMicro;
  v.estimated_error_seconds = static_cast<double>(raw.esterror) / kMicro;
  v.status = static_cast<double>(raw.status);
  v.loop_time_constant = static_cast<double>(raw.constant);
  v.tick_seconds = static_cast<double>(raw.tick) / kMicro;
  v.pps_frequency_hertz = static_cast<double>(raw.ppsfreq) / kPpm16Frac;
  v.pps_jitter_seconds = static_cast<double>(raw.jitter) / divisor;
  v.pps_shift_seconds = static_cast<double>(raw.shift);
  v.pps_stability_hertz = static_cast<double>(raw.stabil) / kPpm16Frac;
  v.pps_jitter_total = static_cast<double>(raw.jitcnt);
  v.pps_calibration_total = static_cast<double>(raw.calcnt);
  v.pps_error_total = static_cast<double>(raw.errcnt);
  v.pps_stability_exceeded_total = static_cast<double>(raw.stbcnt);
  v.tai_offset_seconds = static_cast<double>(raw.tai);
  return v;
}

CollectorSpec TimexCollectorSpec() {
  return {
      "timex",
      true,
      "Exposes the kernel clock synchronization state from adjtimex(2): node_timex_sync_status, "
      "node_timex_offset_seconds, node_timex_maxerror_seconds, ...",
      {},
      [](const CollectorContext&) -> Result<CollectorPtr> { return CollectorPtr(std::make_unique<TimexCollector>()); }};
}

}  // namespace hostwatch
