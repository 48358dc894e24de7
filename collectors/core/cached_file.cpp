#include "collectors/core/cached_file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "collectors/core/parse_util.h"

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

// Whether a read error means the file behind a descriptor is gone (a removed
// sysfs attribute gives ENODEV, a /proc/<pid> file of an exited task ESRCH),
// so that only a fresh open can tell what is there now. Other errors are the
// file's current answer (EINVAL from "speed" or "carrier" of a link that is
// down, EOPNOTSUPP from a disabled /proc/pressure): the descriptor stays good.
namespace {
bool FileIsGone(int err) { return err == ENODEV || err == ESRCH || err == ENOENT || err == ESTALE || err == EBADF; }
}  // namespace

// Reads through the kept descriptor: 0, or the errno of a read error that
// leaves the descriptor good, or -1 when the file is gone (the descriptor is
// dropped and the caller opens the file afresh).
int CachedFile::ReadKept(std::string* data) {
  int err = ReadFromStart(fd_, kind_, data);
  if (err != 0 && FileIsGone(err)) {
    Close();
    return -1;
  }
  return err;
}

// Reads the freshly opened fd and keeps it when its filesystem allows;
// returns 0 or the errno of the failed read.
int CachedFile::ReadOpened(int fd, bool may_keep, std::string* data) {
  if (mode_ == Mode::kUnknown) {
    mode_ = IsKernelFs(fd) ? Mode::kKeepOpen : Mode::kReopen;
  }
  int err = ReadFromStart(fd, kind_, data);
  if (mode_ == Mode::kKeepOpen && may_keep && !FileIsGone(err)) {
    fd_ = fd;
  } else {
    ::close(fd);
  }
  return err;
}

bool CachedFile::MayHaveChanged() const {
  if (fd_ < 0) {
    return true;
  }
  pollfd p{fd_, POLLPRI, 0};
  int n = ::poll(&p, 1, 0);
  if (n < 0) {
    return true;
  }
  return n > 0 && (p.revents & (POLLPRI | POLLERR | POLLNVAL)) != 0;
}

Result<std::string> CachedFile::Read() {
  std::string data;
  if (fd_ >= 0) {
    if (int err = ReadKept(&data); err == 0) {
      return data;
    } else if (err > 0) {
      return FileErrnoStatus("read", path_, err);
    }
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
  if (fd_ >= 0) {
    if (int err = ReadKept(&data); err == 0) {
      return data;
    } else if (err > 0) {
      return FileErrnoStatus("read", ProcFs::Join(dir.path(), path_), err);
    }
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

Result<double> CachedFiles::ReadProcUint(std::string_view rel, std::uint64_t* parse_errors) {
  Result<std::string> text = ReadProc(rel);
  if (!text.ok()) {
    return text.status();
  }
  std::optional<double> v = ParseUintValue(text.value());
  if (!v) {
    if (parse_errors != nullptr) {
      ++*parse_errors;
    }
    return Status::Error("unexpected content in " + fs_.ProcPath(rel) + ": \"" + std::string(TrimSpace(text.value())) +
                         "\"");
  }
  return *v;
}

Result<std::string> CachedFiles::ReadFile(const std::string& path) { return ReadPath(path, CachedFile::Kind::kFile); }

Result<std::string> CachedFiles::ReadAttribute(const std::string& path) {
  return ReadPath(path, CachedFile::Kind::kAttribute);
}

Result<std::string> CachedFiles::ReadPath(const std::string& path, CachedFile::Kind kind) {
  if (auto it = files_.find(path); it != files_.end()) {
    return it->second.Read();
  }
  if (files_.size() >= max_files_) {
    return kind == CachedFile::Kind::kAttribute ? fs_.ReadAttribute(path) : fs_.ReadFile(path);
  }
  return files_.emplace(path, CachedFile(path, kind)).first->second.Read();
}

}  // namespace hostwatch
