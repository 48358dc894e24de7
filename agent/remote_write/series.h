// One gather of the agent's own /metrics content as remote_write series:
// what Prometheus would store had it scraped that content at that instant.
//
// Counters, gauges and untyped samples become one series each; a histogram
// becomes <name>_bucket{le=...} (one per bucket, +Inf included), <name>_sum and
// <name>_count, a summary <name>{quantile=...}, <name>_sum and <name>_count,
// with le and quantile spelled as the exposition spells them (text_format's Go
// float formatting), so the stored series are the scraped ones. Every sample
// has the gather's timestamp, as a scrape stores its own time (the exposition
// writes none).
//
// external_labels are added to a series only where it lacks a label of that
// name (Prometheus' semantics: the series' own label wins). Labels are sorted
// by name, __name__ included. Pure function.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <vector>

#include "agent/remote_write/labels.h"

namespace hostwatch::remote_write {

struct Sample {
  double value = 0;
  std::int64_t timestamp_ms = 0;
};

struct Series {
  Labels labels;
  Sample sample;
};

std::vector<Series> FamiliesToSeries(const std::vector<prometheus::MetricFamily>& families, std::int64_t gather_ms,
                                     const Labels& external_labels);

}  // namespace hostwatch::remote_write
