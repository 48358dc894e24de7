// X509FileWatcher: the certificate files of `x509_files:` as a metric source
// (docs/x509-files.md). On every scrape it expands the patterns and stats each
// matched file; a file is read and parsed again only when its identity
// (device, inode, size, mtime) changed since its last read, so an unchanged
// bundle costs one stat per scrape, never a parse.
//
// Exports, per certificate, ssl_exporter's file-prober families
// ssl_file_cert_not_after / ssl_file_cert_not_before {file, serial_no,
// issuer_cn, cn, dnsnames, ips, emails, ou} (labels as cert_file_parser.h),
// and about itself:
//   hostwatch_x509_file_error{file, reason}   1 per file (or pattern) with a problem now
//   hostwatch_x509_file_errors_total{reason}  problems seen, counted once per change of a file
//   hostwatch_x509_file_reads_total           files read and parsed
// A file that cannot be read or parsed is never fatal: it is shown there and
// reported once per change through the event callback (the agent logs it).
// With no patterns configured it exports nothing.
//
// Bounded: files are read only if regular (ProcFs::ReadRegularFile: a FIFO or
// device is never opened) and at most Limits::max_file_bytes; each pattern
// contributes at most Limits::max_files_per_pattern files (the first in name
// order). Only parsed facts are kept; the bytes read are wiped before they are
// freed, since a PEM file may hold a private key beside its certificates.
//
// Thread-safe: Collect() (from several HTTP workers), Update() and Summaries()
// may run concurrently; scrapes refresh one at a time under the mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/checks/x509/cert_file_parser.h"
#include "collectors/core/metric_source.h"
#include "collectors/core/proc_fs.h"

namespace hostwatch {

// The files a list of patterns names now, and the patterns that named too few
// or too many.
struct PatternExpansion {
  std::vector<std::string> files;  // sorted, each once
  std::map<std::string, std::string> pattern_problems;  // pattern -> "no_match" | "too_many_matches"
};

// Expands each pattern with glob(3) (no ~ or {a,b}; a path without wildcards
// matches itself if it exists). A pattern that matches nothing is "no_match";
// one that matches more than max_per_pattern keeps the first max_per_pattern in
// name order and is "too_many_matches".
PatternExpansion ExpandPatterns(const std::vector<std::string>& patterns, std::size_t max_per_pattern);

// The state of one watched file (or failing pattern), for the status page.
struct X509FileSummary {
  std::string file;
  std::size_t certificates = 0;
  std::int64_t earliest_not_after = 0;  // unix seconds; 0 without certificates
  std::string reason;                   // "" when the file is fine
  std::string detail;                   // why, for people (the path, the errno text)
};

// Something changed for a file: it was (re)read, or its problem changed.
struct X509FileEvent {
  std::string file;
  std::string reason;  // "" after a good read
  std::string detail;
  std::size_t certificates = 0;
};

class X509FileWatcher : public MetricSource {
 public:
  struct Limits {
    std::size_t max_file_bytes = 4 << 20;     // a CA bundle is ~200 KiB; more is not a certificate file
    std::size_t max_files_per_pattern = 1000;  // bounds the stats per scrape and the series
  };
  using EventFn = std::function<void(const X509FileEvent&)>;

  explicit X509FileWatcher(EventFn on_event) : X509FileWatcher(std::move(on_event), Limits{}) {}
  X509FileWatcher(EventFn on_event, Limits limits) : on_event_(std::move(on_event)), limits_(limits) {}
  X509FileWatcher(const X509FileWatcher&) = delete;
  X509FileWatcher& operator=(const X509FileWatcher&) = delete;
  X509FileWatcher(X509FileWatcher&&) = delete;
  X509FileWatcher& operator=(X509FileWatcher&&) = delete;

  // Replaces the patterns (a reload). Files still matched keep their parsed
  // state; the next scrape drops the others. No I/O here.
  void Update(std::vector<std::string> patterns);

  // Refreshes (stat, and read what changed) and adds the families to sink.
  void Collect(MetricSink& sink) const override;

  // What the last scrape found, sorted by file; no I/O.
  std::vector<X509FileSummary> Summaries() const;

 private:
  struct FileState {
    FileIdentity identity;
    bool content_known = false;  // identity and certs come from a read; false after a read error
    std::vector<CertFacts> certs;
    std::string reason;
    std::string detail;
  };
  void RefreshLocked() const;
  FileState Refresh(const std::string& path, const FileState* old) const;
  FileState ReadAndParse(const std::string& path) const;
  void Report(const std::string& file, const FileState& now, const FileState* old, bool was_read) const;
  void AddFamilies(MetricSink& sink) const;

  const EventFn on_event_;
  const Limits limits_;
  const ProcFs fs_;

  mutable std::mutex mu_;
  std::vector<std::string> patterns_;              // Guarded by mu_.
  mutable std::map<std::string, FileState> files_;  // Guarded by mu_. Files and failing patterns.
  mutable std::map<std::string, std::uint64_t> errors_total_;  // Guarded by mu_. By reason.
  mutable std::uint64_t reads_total_ = 0;                      // Guarded by mu_.
};

}  // namespace hostwatch
