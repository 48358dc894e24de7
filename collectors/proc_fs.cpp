#include "proc_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hostwatch {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  std::string msg = std::string(what) + " " + path + ": " + std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) {
    return Status::NoData(std::move(msg));
  }
  return Status::Error(std::move(msg));
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
    return ErrnoStatus("open", path, errno);
  }
  // /proc files report size 0, so read in chunks until EOF. Reading into a
  // stack buffer first keeps small files (most sysfs attributes) from
  // zero-filling and allocating a chunk-sized string per read.
  std::string data;
  constexpr std::size_t kChunk = 8192;
  char buf[kChunk];
  for (;;) {
    ssize_t n = ::read(fd, buf, kChunk);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      int err = errno;
      ::close(fd);
      return ErrnoStatus("read", path, err);
    }
    data.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || data.size() >= kMaxFileBytes) {
      break;
    }
  }
  ::close(fd);
  return data;
}

Result<std::string> ProcFs::ReadAttribute(const std::string& path) const {
  Result<std::string> r = ReadFile(path);
  if (!r.ok()) {
    return r;
  }
  std::string s = std::move(r).value();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

Result<std::vector<std::string>> ProcFs::ListDir(const std::string& path) const {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    return ErrnoStatus("opendir", path, errno);
  }
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

Result<std::string> ProcFs::ReadLink(const std::string& path) const {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) {
    return ErrnoStatus("readlink", path, errno);
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace hostwatch
