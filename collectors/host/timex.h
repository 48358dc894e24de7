// timex collector: the kernel clock discipline state from adjtimex(2), as
// node_exporter's node_timex_* families (offset, frequency adjustment, max
// and estimated error, status, PLL constant, tick, PPS values, TAI offset and
// node_timex_sync_status: 0 when the kernel reports TIME_ERROR).
#pragma once

#include <cstdint>

#include "collectors/core/collector.h"

namespace hostwatch {

// The raw adjtimex(2) fields node_exporter exports, plus its return value.
struct RawTimex {
  int state = 0;  // return value: TIME_OK, ..., TIME_ERROR (5)
  std::int64_t offset = 0, freq = 0, maxerror = 0, esterror = 0, status = 0, constant = 0, precision = 0, tick = 0,
               ppsfreq = 0, jitter = 0, shift = 0, stabil = 0, jitcnt = 0, calcnt = 0, errcnt = 0, stbcnt = 0, tai = 0;
};

// Calls adjtimex(2) read-only (modes = 0). NoData (sys_errno EPERM) when not
// permitted (some sandboxes forbid it even for reading), Error otherwise. The
// collector reports EPERM once at warn level (MetricSink::Warn) and then only
// as NoData, so a sandboxed agent says why node_timex_* is missing without
// repeating it on every scrape.
Result<RawTimex> ReadTimex();

// The exported values in node_exporter's units (seconds, ratios, hertz).
struct TimexValues {
  double sync_status = 0, offset_seconds = 0, frequency_adjustment_ratio = 0, maxerror_seconds = 0,
         estimated_error_seconds = 0, status = 0, loop_time_constant = 0, tick_seconds = 0, pps_frequency_hertz = 0,
         pps_jitter_seconds = 0, pps_shift_seconds = 0, pps_stability_hertz = 0, pps_jitter_total = 0,
         pps_calibration_total = 0, pps_error_total = 0, pps_stability_exceeded_total = 0, tai_offset_seconds = 0;
};
TimexValues ConvertTimex(const RawTimex& raw);

CollectorSpec TimexCollectorSpec();

}  // namespace hostwatch
