#include "cached_file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

namespace hostwatch {
namespace {

// Whether fd is on a filesystem whose files regenerate on a read at offset 0
// and keep their identity for as long as they exist.
bool IsKernelFs(int fd) {
  struct statfs sfs;
  if (::fstatfs(fd, &sfs) != 0) {
    return false;
  }
  return sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC;
}

// The whole file from offset 0 (or ProcFs::kMaxFileBytes), leaving fd open.
// A short read does not end a /proc file (seq_file returns whole records per
// read), so this reads until pread returns 0, as ProcFs::ReadFile does.
Result<std::string> ReadFromStart(int fd, const std::string& path) {
  std::string data;
  constexpr std::size_t kChunk = 8192;
  char buf[kChunk];
  for (;;) {
    ssize_t n = ::pread(fd, buf, kChunk, static_cast<off_t>(data.size()));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return FileErrnoStatus("read", path, errno);
    }
    data.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || data.size() >= ProcFs::kMaxFileBytes) {
      return data;
    }
  }
}

}  // namespace

CachedFile::~CachedFile() { Close(); }

CachedFile::CachedFile(CachedFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), mode_(other.mode_) {
  other.fd_ = -1;
}

void CachedFile::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Result<std::string> CachedFile::Read() {
  if (fd_ >= 0) {
    Result<std::string> kept = ReadFromStart(fd_, path_);
    if (kept.ok()) {
      return kept;
    }
    // The file behind the descriptor is gone or broken; what a fresh open
    // says is the answer for this scrape.
    Close();
  }
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileErrnoStatus("open", path_, errno);
  }
  if (mode_ == Mode::kUnknown) {
    mode_ = IsKernelFs(fd) ? Mode::kKeepOpen : Mode::kReopen;
  }
  Result<std::string> fresh = ReadFromStart(fd, path_);
  if (mode_ == Mode::kKeepOpen && fresh.ok()) {
    fd_ = fd;
  } else {
    ::close(fd);
  }
  return fresh;
}

Result<std::string> CachedFiles::ReadProc(std::string_view rel) {
  for (Entry& e : entries_) {
    if (e.rel == rel) {
      return e.file.Read();
    }
  }
  if (entries_.size() >= kMaxFiles) {
    return fs_.ReadProc(rel);
  }
  entries_.push_back(Entry{std::string(rel), CachedFile(fs_.ProcPath(rel))});
  return entries_.back().file.Read();
}

}  // namespace hostwatch
