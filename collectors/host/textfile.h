// textfile collector: serves the metrics of every *.prom file in
// --collector.textfile.directory (node_exporter's textfile collector), plus
// node_textfile_mtime_seconds{file} for each file read and
// node_textfile_scrape_error (1 if any directory or file could not be read or
// parsed). An empty directory option means no files: only scrape_error 0.
//
// A file is all or nothing: a syntax error or a client-side timestamp rejects
// the whole file (its metrics are not served, scrape_error is 1, the collector
// reports an Error naming the file so the scrape wrapper logs it). A family
// whose HELP or TYPE conflicts with the same family in an earlier file is
// dropped the same way. Families without HELP get "Metric read from <files>".
#pragma once

#include <prometheus/metric_family.h>

#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One family as read from a file: help is empty when the file had none (or an
// empty one), so that the collector can fill in node_exporter's default.
struct TextfileFamily {
  prometheus::MetricFamily family;
  bool has_help = false;
};

// Parses Prometheus text exposition format 0.0.4 (HELP, TYPE, labels with
// \\ \" \n escapes, counter/gauge/untyped/summary/histogram). Samples of a
// family need not be contiguous. Returns an Error quoting the line number on
// any syntax error, duplicate HELP/TYPE, TYPE after samples, or a sample that
// carries a timestamp (node_exporter rejects client-side timestamps).
Result<std::vector<TextfileFamily>> ParseTextExposition(std::string_view text);

CollectorSpec TextfileCollectorSpec();

}  // namespace hostwatch
