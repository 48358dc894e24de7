// textfile collector: serves the metrics of every *.prom file in
// --collector.textfile.directory (node_exporter's textfile collector), plus
// node_textfile_mtime_seconds{file} for each file read and
// node_textfile_scrape_error (1 if any directory or file could not be read or
// parsed). An empty directory option means no files: only scrape_error 0.
// Files are parsed by ParseTextExposition (collectors/core/text_parser.h).
//
// Collect() always returns OK, as node_exporter's collector does: a problem
// is a MetricSink::Warn naming the file (the scrape wrapper logs it) and sets
// scrape_error to 1. A file is all or nothing: a syntax error or a client-side
// timestamp rejects the whole file (no metrics, no mtime; also counted as a
// parse error), and so does a file of ProcFs::kMaxFileBytes or more, which
// ProcFs would have cut short. A family whose HELP or TYPE conflicts with the
// same family from an earlier file is dropped from that file and every later
// one: the first file's family is served unchanged, and the later file's other
// families and its mtime are still served. Families without HELP get "Metric read from
// <files>"; series missing a label name the family uses get it as "".
//
// Thread safety: as for every Collector (collectors/core/collector.h).
#pragma once

#include "collectors/core/collector.h"

namespace hostwatch {

CollectorSpec TextfileCollectorSpec();

}  // namespace hostwatch
