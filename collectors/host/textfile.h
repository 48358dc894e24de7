// textfile collector: serves the metrics of every *.prom file in
// --collector.textfile.directory (node_exporter's textfile collector), plus
// node_textfile_mtime_seconds{file} for each file read and
// node_textfile_scrape_error (1 if any directory or file could not be read,
// was skipped or did not parse). An empty directory option means no files:
// only scrape_error 0.
// Files are parsed by ParseTextExposition (collectors/core/text_parser.h).
//
// Collect() always returns OK, as node_exporter's collector does: a problem
// is a MetricSink::Warn naming the file (the scrape wrapper logs it; each
// problem once while it lasts, not on every scrape) and sets scrape_error to
// 1. A file is all or nothing: a syntax error or a client-side timestamp
// rejects the whole file (no metrics, no mtime; also counted as a parse
// error). A family whose HELP or TYPE conflicts with the same family from an
// earlier file is dropped from that file and every later one: the first
// file's family is served unchanged, and the later file's other families and
// its mtime are still served. Families without HELP get "Metric read from
// <files>"; series missing a label name the family uses get it as "".
//
// Bounds, because anything may be dropped into the directory (each skipped
// file counted by reason in hostwatch_textfile_skipped_files{reason}, a gauge
// of this scrape, and skipped whole):
//   not_regular_file  only regular files are read (ProcFs::ReadRegularFile):
//                     a FIFO, device, directory or socket named *.prom, or a
//                     symbolic link to one, is never opened for reading;
//   too_large         a file over --collector.textfile.max-file-bytes
//                     (default 4 MiB) is not read, and at most that many
//                     bytes plus one are read from any file;
//   series_limit      files are read in name order; one whose sample lines
//                     would take the total past --collector.textfile.max-series
//                     (default 100,000) is skipped before it is parsed, and
//                     later files are still tried.
// The files' families are foreign families (MetricSink::AddForeignFamily):
// the agent serves them only when it does not produce the family itself.
//
// Thread safety: as for every Collector (collectors/core/collector.h).
#pragma once

#include "collectors/core/collector.h"

namespace hostwatch {

CollectorSpec TextfileCollectorSpec();

}  // namespace hostwatch
