// X509FileWatcher: the certificate files of `x509_files:` as a metric source
// (docs/x509-files.md). Each scrape asks for a refresh: the patterns are
// expanded and each matched file statted; a file is read and parsed again only
// when its identity (device, inode, size, mtime) changed since its last read,
// so an unchanged bundle costs one stat per scrape, never a parse.
//
// The refresh runs on a thread of the watcher (BackgroundRefresh), never on the
// scrape's: a pattern on a hung NFS mount blocks stat(2) forever, and that must
// not hang /metrics. A scrape waits for its refresh at most kRefreshWait, then
// exports the last refresh that finished, with hostwatch_x509_refresh_stuck 1.
//
// Exports, per certificate, ssl_exporter's file-prober families
// ssl_file_cert_not_after / ssl_file_cert_not_before {file, serial_no,
// issuer_cn, cn, dnsnames, ips, emails, ou} (labels as cert_file_parser.h),
// and about itself:
//   hostwatch_x509_file_error{file, reason}   1 per file (or pattern) with a problem now
//   hostwatch_x509_file_errors_total{reason}  problems seen, counted once per change of a file
//   hostwatch_x509_file_reads_total           files read and parsed
//   hostwatch_x509_refresh_stuck              1 while a refresh is blocked (the values are older)
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
// may run concurrently; refreshes run one at a time, on the watcher's thread.
// Events are reported on that thread, and never after the watcher is gone.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/checks/x509/background_refresh.h"
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

// stat(2) of path (following a link) as the FileIdentity ReadRegularFile gives:
// the cheap "changed since the last read?" check made before reading a file again.
Result<FileIdentity> StatIdentity(const std::string& path);

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

  // How long a scrape waits for its refresh before it exports the last one
  // that finished. A healthy refresh (a stat per file, a parse per changed
  // file) takes milliseconds; one that takes a second is blocked on a mount,
  // and Prometheus' default scrape timeout (10 s) must still be met.
  static constexpr std::chrono::milliseconds kRefreshWait{1000};

  explicit X509FileWatcher(EventFn on_event) : X509FileWatcher(std::move(on_event), Limits{}) {}
  X509FileWatcher(EventFn on_event, Limits limits);
  // Does not wait for a refresh blocked in the kernel (see BackgroundRefresh).
  ~X509FileWatcher() override;
  X509FileWatcher(const X509FileWatcher&) = delete;
  X509FileWatcher& operator=(const X509FileWatcher&) = delete;
  X509FileWatcher(X509FileWatcher&&) = delete;
  X509FileWatcher& operator=(X509FileWatcher&&) = delete;

  // Replaces the patterns (a reload). Files still matched keep their parsed
  // state; the next refresh drops the others. Starts the refresh thread when
  // there are patterns, stops it when there are none. No I/O here.
  void Update(std::vector<std::string> patterns);

  // Asks for a refresh, waits for it at most kRefreshWait, and adds the
  // families of the last refresh that finished to sink.
  void Collect(MetricSink& sink) const override;

  // What the last finished refresh found, sorted by file; no I/O.
  std::vector<X509FileSummary> Summaries() const;

  // The state the refresh thread shares with the watcher, which it may outlive
  // (defined in the .cpp).
  struct Shared;

 private:
  const std::shared_ptr<Shared> shared_;
  mutable BackgroundRefresh refresh_;  // after shared_: stopped before it is released
};

}  // namespace hostwatch
