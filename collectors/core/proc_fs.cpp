#include "collectors/core/proc_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <limits>

namespace hostwatch {

Status FileErrnoStatus(std::string_view what, const std::string& path, int err) {
  Status s = Status::FromErrno(err, std::string(what) + " " + path);
  if (err == ENOENT || err == ENOTDIR) {
    return Status::NoData(s.message(), err);
  }
  return s;
}

int ReadFromStart(int fd, FileKind kind, std::string* out) {
  return ReadFromStart(fd, kind, out, ProcFs::kMaxFileBytes);
}

int ReadFromStart(int fd, FileKind kind, std::string* out, std::size_t max_bytes) {
  std::string& data = *out;
  data.clear();
  // Reading into a stack buffer first keeps small files (most sysfs
  // attributes) from zero-filling and allocating a chunk-sized string per read.
  constexpr std::size_t kChunk = 8192;
  char buf[kChunk];
  while (data.size() < max_bytes) {
    ssize_t n = ::pread(fd, buf, std::min(kChunk, max_bytes - data.size()), static_cast<off_t>(data.size()));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno;
    }
    data.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || (kind == FileKind::kAttribute && static_cast<std::size_t>(n) < kChunk)) {
      break;
    }
  }
  if (kind == FileKind::kAttribute) {
    while (!data.empty() && (data.back() == '\n' || data.back() == ' ')) {
      data.pop_back();
    }
  }
  return 0;
}

namespace {

// Reads fd from the start and closes it; errors name Join(dir, name), built
// only on failure.
Result<std::string> ReadAndClose(int fd, std::string_view dir, std::string_view name, FileKind kind) {
  std::string data;
  int err = ReadFromStart(fd, kind, &data);
  ::close(fd);
  if (err != 0) {
    return FileErrnoStatus("read", ProcFs::Join(dir, name), err);
  }
  return data;
}

// Reads the remaining entries of an open DIR stream and closes it.
std::vector<std::string> ListAndClose(DIR* dir) {
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) {
      continue;
    }
    names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// NUL-terminated copy of a relative name for the *at() calls, on the stack
// (a std::string would allocate for names over 15 characters).
bool CopyName(std::string_view name, char (&z)[PATH_MAX]) {
  if (name.size() >= PATH_MAX) {
    return false;
  }
  name.copy(z, name.size());
  z[name.size()] = '\0';
  return true;
}

FileIdentity IdentityOf(const struct stat& st) {
  return {st.st_dev, st.st_ino, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_size)};
}

Status TooLarge(const std::string& path, std::size_t max_bytes) {
  return Status::FromErrno(EFBIG, path + " is larger than " + std::to_string(max_bytes) + " bytes");
}

// What a file that is not regular is, for messages.
const char* FileTypeName(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO:
      return "a FIFO";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFDIR:
      return "a directory";
    case S_IFSOCK:
      return "a socket";
    default:
      return "a special file";
  }
}

// OK for a regular file of at most max_bytes; else ReadRegularFile's EINVAL or EFBIG error.
Status CheckRegularFile(const struct stat& st, const std::string& path, std::size_t max_bytes) {
  if (!S_ISREG(st.st_mode)) {
    return Status::FromErrno(EINVAL, path + " is " + FileTypeName(st.st_mode) + ", not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return TooLarge(path, max_bytes);
  }
  return Status::OK();
}

}  // namespace

ProcFs::ProcFs(FsRoots roots) : roots_(std::move(roots)) {}

std::string ProcFs::Join(std::string_view root, std::string_view rel) {
  std::string out(root);
  while (!rel.empty() && rel.front() == '/') {
    rel.remove_prefix(1);
  }
  if (rel.empty()) {
    return out;
  }
  if (out.empty() || out.back() != '/') {
    out.push_back('/');
  }
  out.append(rel);
  return out;
}

Result<std::string> ProcFs::ReadFile(const std::string& path) const {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileErrnoStatus("open", path, errno);
  }
  return ReadAndClose(fd, path, "", FileKind::kFile);
}

Result<RegularFile> ProcFs::ReadRegularFile(const std::string& path, std::size_t max_bytes) const {
  if (max_bytes == 0) {
    max_bytes = std::numeric_limits<std::size_t>::max() - 1;  // "no limit"; +1 below must not wrap
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return FileErrnoStatus("stat", path, errno);
  }
  if (Status s = CheckRegularFile(st, path, max_bytes); !s.ok()) {
    return s;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return FileErrnoStatus("open", path, errno);
  }
  RegularFile file;
  // Checked again on the descriptor: the name may have been replaced since the stat.
  Status s = ::fstat(fd, &st) == 0 ? CheckRegularFile(st, path, max_bytes) : FileErrnoStatus("stat", path, errno);
  int err = 0;
  if (s.ok()) {
    file.identity = IdentityOf(st);
    file.data.reserve(static_cast<std::size_t>(st.st_size) + 1);
    err = ReadFromStart(fd, FileKind::kFile, &file.data, max_bytes + 1);
  }
  ::close(fd);
  if (!s.ok()) {
    return s;
  }
  if (err != 0) {
    return FileErrnoStatus("read", path, err);
  }
  if (file.data.size() > max_bytes) {  // it grew after the fstat
    return TooLarge(path, max_bytes);
  }
  return file;
}

Result<std::string> ProcFs::ReadAttribute(const std::string& path) const {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileErrnoStatus("open", path, errno);
  }
  return ReadAndClose(fd, path, "", FileKind::kAttribute);
}

Result<DirHandle> ProcFs::OpenDir(const std::string& path) const {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return FileErrnoStatus("open", path, errno);
  }
  return DirHandle(fd, path);
}

Result<std::vector<std::string>> ProcFs::ListDir(const std::string& path) const {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    return FileErrnoStatus("opendir", path, errno);
  }
  return ListAndClose(dir);
}

DirHandle::~DirHandle() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

DirHandle::DirHandle(DirHandle&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }

DirHandle& DirHandle::operator=(DirHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

// openat relative to this directory; on failure sets *error (naming the
// full path, built only then) and returns -1.
int DirHandle::OpenAt(std::string_view name, int flags, std::string* path_for_errors, Status* error) const {
  char z[PATH_MAX];
  if (!CopyName(name, z)) {
    *error = Status::Error("name too long in " + path_);
    return -1;
  }
  int fd = ::openat(fd_, z, flags | O_CLOEXEC);
  if (fd < 0) {
    *path_for_errors = ProcFs::Join(path_, name);
    *error = FileErrnoStatus("open", *path_for_errors, errno);
  }
  return fd;
}

Result<DirHandle> DirHandle::OpenDir(std::string_view name) const {
  std::string path;
  Status error;
  int fd = OpenAt(name, O_RDONLY | O_DIRECTORY, &path, &error);
  if (fd < 0) {
    return error;
  }
  return DirHandle(fd, ProcFs::Join(path_, name));
}

Result<std::vector<std::string>> DirHandle::List() const {
  // A fresh open file description of "." so that listing twice starts at
  // the beginning each time (fdopendir takes over the descriptor).
  int fd = ::openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return FileErrnoStatus("open", path_, errno);
  }
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return FileErrnoStatus("opendir", path_, err);
  }
  return ListAndClose(dir);
}

Result<std::string> DirHandle::ReadAttribute(std::string_view name) const {
  std::string path;
  Status error;
  int fd = OpenAt(name, O_RDONLY, &path, &error);
  if (fd < 0) {
    return error;
  }
  return ReadAndClose(fd, path_, name, FileKind::kAttribute);
}

Result<std::string> DirHandle::ReadFile(std::string_view name) const {
  std::string path;
  Status error;
  int fd = OpenAt(name, O_RDONLY, &path, &error);
  if (fd < 0) {
    return error;
  }
  return ReadAndClose(fd, path_, name, FileKind::kFile);
}

Result<FileIdentity> DirHandle::Identity() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    return FileErrnoStatus("stat", path_, errno);
  }
  return IdentityOf(st);
}

Result<FileIdentity> DirHandle::StatFile(std::string_view name) const {
  char z[PATH_MAX];
  if (!CopyName(name, z)) {
    return Status::Error("name too long in " + path_);
  }
  struct stat st;
  if (::fstatat(fd_, z, &st, 0) != 0) {
    return FileErrnoStatus("stat", ProcFs::Join(path_, name), errno);
  }
  return IdentityOf(st);
}

Result<std::string> DirHandle::ReadLink(std::string_view name) const {
  char z[PATH_MAX];
  if (!CopyName(name, z)) {
    return Status::Error("name too long in " + path_);
  }
  char target[PATH_MAX];
  const ssize_t n = ::readlinkat(fd_, z, target, sizeof(target));
  if (n < 0) {
    return FileErrnoStatus("readlink", ProcFs::Join(path_, name), errno);
  }
  return std::string(target, static_cast<std::size_t>(n));
}

}  // namespace hostwatch
