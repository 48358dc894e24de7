// CachedFile and CachedFiles: re-read kernel files through a descriptor kept
// open between scrapes instead of open/read/close on every scrape.
//
// A procfs or sysfs file regenerates its content on every read at offset 0
// (seq_file restarts its iterator there, sysctl and sysfs handlers format
// anew), so pread(fd, ..., 0) on a descriptor opened once returns the same
// bytes as a fresh open would. That saves an openat (the path walk is most of
// its cost) and a close per file per scrape.
//
// Only files on procfs or sysfs (fstatfs f_type, checked once at the first
// open) are kept open. Anything else, such as a --path.procfs fixture tree on
// ext4 or tmpfs whose files tests replace in place or by rename, is opened
// afresh on every read, so it always shows the current file.
//
// A kept descriptor is dropped when a read through it says the file is gone
// (ENODEV or ESRCH when the device or task behind it went away), and the file
// is opened again at once, which reports its current state (NoData when it
// is gone). Other read errors (EINVAL from the speed of a link that is down)
// are the file's answer for this read and keep the descriptor.
// Descriptors follow their collector's lifetime: a config reload builds new
// collectors (with the new --path.* roots) and the old ones close theirs.
//
// Not thread-safe: one collector instance uses its files at a time (see
// collectors/collector.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collectors/core/proc_fs.h"
#include "collectors/core/status.h"

namespace hostwatch {

class CachedFile {
 public:
  // kFile: read to the end, like ProcFs::ReadFile; kAttribute: one read,
  // trailing newline stripped, like ProcFs::ReadAttribute (see FileKind).
  using Kind = FileKind;

  // path: absolute for Read(), relative to the directory for ReadIn().
  explicit CachedFile(std::string path, Kind kind = Kind::kFile) : path_(std::move(path)), kind_(kind) {}
  ~CachedFile();
  CachedFile(CachedFile&& other) noexcept;
  CachedFile& operator=(CachedFile&& other) = delete;
  CachedFile(const CachedFile&) = delete;
  CachedFile& operator=(const CachedFile&) = delete;

  const std::string& path() const { return path_; }

  // The whole file (same errors and size cap as ProcFs).
  Result<std::string> Read();

  // The same for the file path() in dir, opened relative to it when no
  // descriptor is kept. With may_keep false no descriptor is kept (a caller
  // that bounds how many it holds).
  Result<std::string> ReadIn(const DirHandle& dir, bool may_keep);

  // For files whose poll() flags a change with POLLPRI (/proc/<pid>/mountinfo
  // signals every mount, unmount and remount in its mount namespace): false
  // only when a descriptor is kept and poll reports no change since it was
  // opened or last asked, so the last Read's content is still current. True
  // otherwise (nothing kept, as for a fixture tree: read again).
  bool MayHaveChanged() const;

  // Whether a descriptor is held for the next read.
  bool holds_descriptor() const { return fd_ >= 0; }

 private:
  enum class Mode { kUnknown, kKeepOpen, kReopen };

  int ReadOpened(int fd, bool may_keep, std::string* data);
  int ReadKept(std::string* data);
  void Close();

  std::string path_;
  Kind kind_;
  int fd_ = -1;
  Mode mode_ = Mode::kUnknown;  // decided at the first successful open
};

// A collector's set of kernel files, looked up by name. At most max_files
// are kept as CachedFile; further names are read the plain way, so the number
// of descriptors a collector holds stays bounded whatever names it asks for
// (a host with hundreds of CPUs, say).
class CachedFiles {
 public:
  static constexpr std::size_t kMaxFiles = 8;

  explicit CachedFiles(const ProcFs& fs, std::size_t max_files = kMaxFiles) : fs_(fs), max_files_(max_files) {}

  // ProcFs::ReadProc(rel), through a kept descriptor where possible.
  Result<std::string> ReadProc(std::string_view rel);

  // The single unsigned number in a /proc value file such as sys/kernel/random/poolsize: the
  // read's own error when the file cannot be read (NoData when it is missing), an error naming
  // the file and its content when that is not one number, which also counts in *parse_errors
  // (nullptr when the caller counts failures itself).
  Result<double> ReadProcUint(std::string_view rel, std::uint64_t* parse_errors);

  // ProcFs::ReadFile(path), through a kept descriptor where possible.
  Result<std::string> ReadFile(const std::string& path);

  // ProcFs::ReadAttribute(path), through a kept descriptor where possible.
  Result<std::string> ReadAttribute(const std::string& path);

 private:
  Result<std::string> ReadPath(const std::string& path, CachedFile::Kind kind);

  // Key: rel for ReadProc, the absolute path for ReadFile and ReadAttribute
  // (a collector uses one kind per path).
  std::unordered_map<std::string, CachedFile> files_;
  const ProcFs& fs_;
  const std::size_t max_files_;
};

}  // namespace hostwatch
