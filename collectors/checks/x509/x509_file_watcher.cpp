#include "collectors/checks/x509/x509_file_watcher.h"

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <set>
#include <string_view>

#include "collectors/core/path_glob.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kCertLabels = {"file", "serial_no", "issuer_cn", "cn", "dnsnames", "ips", "emails", "ou"};

// HELP texts as ssl_exporter's file prober words them.
const MetricDesc kNotAfter{"ssl_file_cert_not_after",
                           "NotAfter expressed as a Unix Epoch Time for a certificate found in a file",
                           MetricType::Gauge, kCertLabels};
const MetricDesc kNotBefore{"ssl_file_cert_not_before",
                            "NotBefore expressed as a Unix Epoch Time for a certificate found in a file",
                            MetricType::Gauge, kCertLabels};
const MetricDesc kFileError{"hostwatch_x509_file_error",
                            "1 for each x509_files file (or pattern) that cannot be used now, by reason.",
                            MetricType::Gauge,
                            {"file", "reason"}};
const MetricDesc kErrorsTotal{"hostwatch_x509_file_errors_total",
                              "Problems with x509_files files, counted once per change of a file, by reason.",
                              MetricType::Counter,
                              {"reason"}};
const MetricDesc kRefreshStuck{"hostwatch_x509_refresh_stuck",
                               "1 when the x509_files refresh of this scrape did not finish in time (a file or "
                               "directory blocks, as on a hung mount): the values shown are from the last one that did.",
                               MetricType::Gauge,
                               {}};
const MetricDesc kReadsTotal{"hostwatch_x509_file_reads_total",
                             "x509_files files read and parsed; an unchanged file is not read again.",
                             MetricType::Counter,
                             {}};

// Every reason, so that each counter exists from the first scrape on.
constexpr std::array<std::string_view, 7> kReasons = {"empty",    "no_match",         "not_regular_file", "parse_error",
                                                      "read_error", "too_large", "too_many_matches"};


const char* ReadErrorReason(const Status& s) {
  switch (s.sys_errno()) {
    case EINVAL:
      return "not_regular_file";  // ReadRegularFile's errno for a FIFO, device or directory
    case EFBIG:
      return "too_large";
    default:
      return "read_error";
  }
}

}  // namespace

Result<FileIdentity> StatIdentity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return FileErrnoStatus("stat", path, errno);
  }
  return FileIdentity{st.st_dev, st.st_ino,
                      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      static_cast<std::int64_t>(st.st_size)};
}

PatternExpansion ExpandPatterns(const std::vector<std::string>& patterns, std::size_t max_per_pattern) {
  PatternExpansion out;
  std::set<std::string> files;
  for (const std::string& pattern : patterns) {
    std::vector<std::string> matches = GlobMatches(pattern);
    if (matches.empty()) {
      out.pattern_problems[pattern] = "no_match";
    } else if (matches.size() > max_per_pattern) {
      out.pattern_problems[pattern] = "too_many_matches";
      matches.resize(max_per_pattern);  // the first ones by name
    }
    files.insert(matches.begin(), matches.end());
  }
  out.files.assign(files.begin(), files.end());
  return out;
}

namespace {

struct FileState {
  FileIdentity identity;
  bool content_known = false;  // identity and certs come from a read; false after a read error
  std::vector<CertFacts> certs;
  std::string reason;
  std::string detail;
};

// What one refresh found; immutable once published, so a scrape exports it
// without holding any lock the refresh thread needs.
struct Snapshot {
  std::map<std::string, FileState> files;  // files and failing patterns
  std::map<std::string, std::uint64_t> errors_total;  // by reason
  std::uint64_t reads_total = 0;
};

}  // namespace

struct X509FileWatcher::Shared {
  Shared(EventFn e, Limits l) : on_event(std::move(e)), limits(l) {}
  const EventFn on_event;
  const Limits limits;
  const ProcFs fs;

  mutable std::mutex mu;
  std::vector<std::string> patterns;                                          // Guarded by mu.
  std::shared_ptr<const Snapshot> snapshot = std::make_shared<Snapshot>();  // Guarded by mu.

  std::mutex event_mu;      // held while events are reported
  bool events_off = false;  // Guarded by event_mu. The watcher is gone: its callback may be too.
};

namespace {

// One refresh: the previous snapshot in, the next one and its events out.
class RefreshPass {
 public:
  RefreshPass(const X509FileWatcher::Shared& s, const Snapshot& old) : s_(s), old_(old) {
    next_.errors_total = old.errors_total;
    next_.reads_total = old.reads_total;
  }

  void Run(const std::vector<std::string>& patterns);
  Snapshot& next() { return next_; }
  const std::vector<X509FileEvent>& events() const { return events_; }

 private:
  FileState Refresh(const std::string& path, const FileState* old);
  FileState ReadAndParse(const std::string& path);
  void Report(const std::string& file, const FileState& now, const FileState* old, bool was_read);

  const X509FileWatcher::Shared& s_;
  const Snapshot& old_;
  Snapshot next_;
  std::vector<X509FileEvent> events_;
};

FileState RefreshPass::ReadAndParse(const std::string& path) {
  FileState st;
  Result<RegularFile> file = s_.fs.ReadRegularFile(path, s_.limits.max_file_bytes);
  if (!file.ok()) {
    st.reason = ReadErrorReason(file.status());
    st.detail = file.status().message();
    // Too large or not regular: decided by stat, so it stands until the file changes.
    st.content_known = st.reason != "read_error";
    if (st.content_known) {
      if (Result<FileIdentity> id = StatIdentity(path); id.ok()) {
        st.identity = id.value();
      }
    }
    return st;
  }
  ++next_.reads_total;
  RegularFile& f = file.value();
  CertFileContents contents = ParseCertificateFile(f.data);
  OPENSSL_cleanse(f.data.data(), f.data.size());  // it may hold a private key
  st.identity = f.identity;
  st.content_known = true;
  st.certs = std::move(contents.certs);
  if (contents.problem != CertFileContents::Problem::kNone) {
    st.reason = contents.problem == CertFileContents::Problem::kEmpty ? "empty" : "parse_error";
    st.detail = path + ": " + contents.detail;
  }
  return st;
}

FileState RefreshPass::Refresh(const std::string& path, const FileState* old) {
  Result<FileIdentity> id = StatIdentity(path);
  if (!id.ok()) {  // vanished since the glob, or a dangling link: try again next scrape
    FileState st;
    st.reason = "read_error";
    st.detail = id.status().message();
    return st;
  }
  if (old != nullptr && old->content_known && old->identity == id.value()) {
    return *old;  // unchanged since its last read
  }
  return ReadAndParse(path);
}

void RefreshPass::Report(const std::string& file, const FileState& now, const FileState* old, bool was_read) {
  bool changed = old == nullptr || old->reason != now.reason || old->detail != now.detail;
  if (!changed && !was_read) {
    return;
  }
  if (!now.reason.empty()) {
    ++next_.errors_total[now.reason];
  }
  events_.push_back(X509FileEvent{file, now.reason, now.detail, now.certs.size()});
}

void RefreshPass::Run(const std::vector<std::string>& patterns) {
  PatternExpansion e = ExpandPatterns(patterns, s_.limits.max_files_per_pattern);
  for (const std::string& path : e.files) {
    auto it = old_.files.find(path);
    const FileState* old = it == old_.files.end() ? nullptr : &it->second;
    std::uint64_t reads_before = next_.reads_total;
    FileState now = Refresh(path, old);
    Report(path, now, old, next_.reads_total != reads_before);
    next_.files[path] = std::move(now);
  }
  for (const auto& [pattern, reason] : e.pattern_problems) {
    FileState st;
    st.reason = reason;
    st.detail = reason == "no_match" ? "no file matches " + pattern
                                     : pattern + " matches more than " +
                                           std::to_string(s_.limits.max_files_per_pattern) +
                                           " files; the rest are left out";
    auto it = old_.files.find(pattern);
    Report(pattern, st, it == old_.files.end() ? nullptr : &it->second, false);
    next_.files[pattern] = std::move(st);
  }
}

// The refresh thread's job: all I/O happens here, with no lock held, so a
// blocked stat or read holds up nothing but this thread.
void RunRefresh(X509FileWatcher::Shared& s) {
  std::vector<std::string> patterns;
  std::shared_ptr<const Snapshot> old;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    patterns = s.patterns;
    old = s.snapshot;
  }
  if (patterns.empty()) {
    return;
  }
  RefreshPass pass(s, *old);
  pass.Run(patterns);
  {
    // Before the snapshot is published, so that a scrape that sees it sees its events reported.
    std::lock_guard<std::mutex> lock(s.event_mu);
    for (const X509FileEvent& e : pass.events()) {
      if (s.on_event && !s.events_off) {
        s.on_event(e);
      }
    }
  }
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.patterns.empty()) {  // none now: Update dropped the files, and this pass is stale
    s.snapshot = std::make_shared<const Snapshot>(std::move(pass.next()));
  }
}

void AddFamilies(const Snapshot& snap, bool stuck, MetricSink& sink) {
  for (const auto& [file, st] : snap.files) {
    for (const CertFacts& c : st.certs) {
      std::vector<std::string> labels = {file, c.serial_no, c.issuer_cn, c.cn, c.dnsnames, c.ips, c.emails, c.ou};
      if (c.not_after != 0) {
        sink.Add(kNotAfter, static_cast<double>(c.not_after), labels);
      }
      if (c.not_before != 0) {
        sink.Add(kNotBefore, static_cast<double>(c.not_before), labels);
      }
    }
    if (!st.reason.empty()) {
      sink.Add(kFileError, 1, {file, st.reason});
    }
  }
  for (std::string_view reason : kReasons) {
    auto it = snap.errors_total.find(std::string(reason));
    sink.Add(kErrorsTotal, it == snap.errors_total.end() ? 0 : static_cast<double>(it->second), {reason});
  }
  sink.Add(kReadsTotal, static_cast<double>(snap.reads_total));
  sink.Add(kRefreshStuck, stuck ? 1 : 0);
}

}  // namespace

X509FileWatcher::X509FileWatcher(EventFn on_event, Limits limits)
    : shared_(std::make_shared<Shared>(std::move(on_event), limits)),
      refresh_([s = shared_] { RunRefresh(*s); }) {}

X509FileWatcher::~X509FileWatcher() {
  // A refresh blocked in the kernel outlives us (refresh_ detaches it); our
  // caller's event callback may not, so it must not be called any more.
  std::lock_guard<std::mutex> lock(shared_->event_mu);
  shared_->events_off = true;
}

void X509FileWatcher::Update(std::vector<std::string> patterns) {
  bool any = !patterns.empty();
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->patterns = std::move(patterns);
    if (!any) {
      shared_->snapshot = std::make_shared<const Snapshot>();
    }
  }
  if (any) {
    refresh_.Start();
  } else {
    refresh_.Stop();
  }
}

void X509FileWatcher::Collect(MetricSink& sink) const {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->patterns.empty()) {
      return;
    }
  }
  bool fresh = refresh_.RequestAndWait(kRefreshWait);
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->patterns.empty()) {
      return;  // an Update emptied the list meanwhile
    }
    snap = shared_->snapshot;
  }
  AddFamilies(*snap, !fresh, sink);
}

std::vector<X509FileSummary> X509FileWatcher::Summaries() const {
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    snap = shared_->snapshot;
  }
  std::vector<X509FileSummary> out;
  for (const auto& [file, st] : snap->files) {
    X509FileSummary s{file, st.certs.size(), 0, st.reason, st.detail};
    for (const CertFacts& c : st.certs) {
      if (c.not_after != 0 && (s.earliest_not_after == 0 || c.not_after < s.earliest_not_after)) {
        s.earliest_not_after = c.not_after;
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hostwatch
