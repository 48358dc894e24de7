#include "collectors/checks/x509/x509_file_watcher.h"

#include <glob.h>
#include <openssl/crypto.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <set>
#include <string_view>

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
const MetricDesc kReadsTotal{"hostwatch_x509_file_reads_total",
                             "x509_files files read and parsed; an unchanged file is not read again.",
                             MetricType::Counter,
                             {}};

// Every reason, so that each counter exists from the first scrape on.
constexpr std::array<std::string_view, 7> kReasons = {"empty",    "no_match",         "not_regular_file", "parse_error",
                                                      "read_error", "too_large", "too_many_matches"};

// stat(2) of path (following a link) as the FileIdentity ReadRegularFile gives:
// the cheap "changed since the last read?" check made on every scrape.
Result<FileIdentity> StatIdentity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return FileErrnoStatus("stat", path, errno);
  }
  return FileIdentity{st.st_dev, st.st_ino,
                      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      static_cast<std::int64_t>(st.st_size)};
}

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

PatternExpansion ExpandPatterns(const std::vector<std::string>& patterns, std::size_t max_per_pattern) {
  PatternExpansion out;
  std::set<std::string> files;
  for (const std::string& pattern : patterns) {
    glob_t g{};
    // No GLOB_ERR: an unreadable directory on the way is one that matches nothing.
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    std::size_t n = rc == 0 ? g.gl_pathc : 0;
    if (n == 0) {
      out.pattern_problems[pattern] = "no_match";
    } else if (n > max_per_pattern) {
      out.pattern_problems[pattern] = "too_many_matches";
      n = max_per_pattern;  // glob(3) sorts its matches by name
    }
    for (std::size_t i = 0; i < n; ++i) {
      files.insert(g.gl_pathv[i]);
    }
    ::globfree(&g);
  }
  out.files.assign(files.begin(), files.end());
  return out;
}

void X509FileWatcher::Update(std::vector<std::string> patterns) {
  std::lock_guard<std::mutex> lock(mu_);
  patterns_ = std::move(patterns);
}

X509FileWatcher::FileState X509FileWatcher::ReadAndParse(const std::string& path) const {
  FileState st;
  Result<RegularFile> file = fs_.ReadRegularFile(path, limits_.max_file_bytes);
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
  ++reads_total_;
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

X509FileWatcher::FileState X509FileWatcher::Refresh(const std::string& path, const FileState* old) const {
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

void X509FileWatcher::Report(const std::string& file, const FileState& now, const FileState* old,
                             bool was_read) const {
  bool changed = old == nullptr || old->reason != now.reason || old->detail != now.detail;
  if (!changed && !was_read) {
    return;
  }
  if (!now.reason.empty()) {
    ++errors_total_[now.reason];
  }
  if (on_event_) {
    on_event_(X509FileEvent{file, now.reason, now.detail, now.certs.size()});
  }
}

void X509FileWatcher::RefreshLocked() const {
  PatternExpansion e = ExpandPatterns(patterns_, limits_.max_files_per_pattern);
  std::map<std::string, FileState> next;
  for (const std::string& path : e.files) {
    auto it = files_.find(path);
    const FileState* old = it == files_.end() ? nullptr : &it->second;
    std::uint64_t reads_before = reads_total_;
    FileState now = Refresh(path, old);
    Report(path, now, old, reads_total_ != reads_before);
    next[path] = std::move(now);
  }
  for (const auto& [pattern, reason] : e.pattern_problems) {
    FileState st;
    st.reason = reason;
    st.detail = reason == "no_match" ? "no file matches " + pattern
                                     : pattern + " matches more than " +
                                           std::to_string(limits_.max_files_per_pattern) + " files; the rest are left out";
    auto it = files_.find(pattern);
    Report(pattern, st, it == files_.end() ? nullptr : &it->second, false);
    next[pattern] = std::move(st);
  }
  files_ = std::move(next);
}

void X509FileWatcher::AddFamilies(MetricSink& sink) const {
  for (const auto& [file, st] : files_) {
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
    auto it = errors_total_.find(std::string(reason));
    sink.Add(kErrorsTotal, it == errors_total_.end() ? 0 : static_cast<double>(it->second), {reason});
  }
  sink.Add(kReadsTotal, static_cast<double>(reads_total_));
}

void X509FileWatcher::Collect(MetricSink& sink) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (patterns_.empty()) {
    files_.clear();
    return;
  }
  RefreshLocked();
  AddFamilies(sink);
}

std::vector<X509FileSummary> X509FileWatcher::Summaries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<X509FileSummary> out;
  for (const auto& [file, st] : files_) {
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
