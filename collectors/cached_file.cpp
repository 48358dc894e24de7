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

// The file from offset 0 (up to ProcFs::kMaxFileBytes) into *data, leaving
// fd open; returns 0 or the errno of the failed read.
// A short read does not end a /proc file (seq_file returns whole records per
// read), so a kFile is read until pread returns 0, as ProcFs::ReadFile does;
// a sysfs attribute comes whole in one read (see ProcFs::ReadAttribute).
int ReadFromStart(int fd, CachedFile::Kind kind, std::string* out) {
  std::string& data = *out;
  data.clear();
  constexpr std::size_t kChunk = 8192;
  char buf[kChunk];
  for (;;) {
    ssize_t n = ::pread(fd, buf, kChunk, static_cast<off_t>(data.size()));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno;
    }
    data.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || data.size() >= ProcFs::kMaxFileBytes ||
        (kind == CachedFile::Kind::kAttribute && static_cast<std::size_t>(n) < kChunk)) {
      break;
    }
  }
  if (kind == CachedFile::Kind::kAttribute) {
    while (!data.empty() && (data.back() == '\n' || data.back() == ' ')) {
      data.pop_back();
    }
  }
  return 0;
}

}  // namespace

CachedFile::~CachedFile() { Close(); }

CachedFile::CachedFile(CachedFile&& other) noexcept
    : path_(std::move(other.path_)), kind_(other.kind_), fd_(other.fd_), mode_(other.mode_) {
  other.fd_ = -1;
}

void CachedFile::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

// Reads through the kept descriptor. On failure the descriptor is dropped:
// the file behind it is gone or broken, and what a fresh open says is the
// answer for this read.
bool CachedFile::ReadKept(std::string* data) {
  if (ReadFromStart(fd_, kind_, data) != 0) {
    Close();
    return false;
  }
  return true;
}

// Reads the freshly opened fd and keeps it when its filesystem allows;
// returns 0 or the errno of the failed read.
int CachedFile::ReadOpened(int fd, bool may_keep, std::string* data) {
  if (mode_ == Mode::kUnknown) {
    mode_ = IsKernelFs(fd) ? Mode::kKeepOpen : Mode::kReopen;
  }
  int err = ReadFromStart(fd, kind_, data);
  if (mode_ == Mode::kKeepOpen && may_keep && err == 0) {
    fd_ = fd;
  } else {
    ::close(fd);
  }
  return err;
}

Result<std::string> CachedFile::Read() {
  std::string data;
  if (fd_ >= 0 && ReadKept(&data)) {
    return data;
  }
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileErrnoStatus("open", path_, errno);
  }
  if (int err = ReadOpened(fd, /*may_keep=*/true, &data); err != 0) {
    return FileErrnoStatus("read", path_, err);
  }
  return data;
}

Result<std::string> CachedFile::ReadIn(const DirHandle& dir, bool may_keep) {
  std::string data;
  if (fd_ >= 0 && ReadKept(&data)) {
    return data;
  }
  std::string path_for_errors;
  Status error;
  int fd = dir.OpenAt(path_, O_RDONLY, &path_for_errors, &error);
  if (fd < 0) {
    return error;
  }
  if (int err = ReadOpened(fd, may_keep, &data); err != 0) {
    return FileErrnoStatus("read", ProcFs::Join(dir.path(), path_), err);
  }
  return data;
}
Result<std::string> CachedFiles::ReadProc(std::string_view rel) {
  std::string key(rel);
  if (auto it = files_.find(key); it != files_.end()) {
    return it->second.Read();
  }
  if (files_.size() >= max_files_) {
    return fs_.ReadProc(rel);
  }
  std::string path = fs_.ProcPath(rel);
  return files_.emplace(std::move(key), CachedFile(std::move(path))).first->second.Read();
}

Result<std::string> CachedFiles::ReadAttribute(const std::string& path) {
  if (auto it = files_.find(path); it != files_.end()) {
    return it->second.Read();
  }
  if (files_.size() >= max_files_) {
    return fs_.ReadAttribute(path);
  }
  return files_.emplace(path, CachedFile(path, CachedFile::Kind::kAttribute)).first->second.Read();
}

}  // namespace hostwatch
