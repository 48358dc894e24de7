// ProcFs: the only code in hostwatch that opens files under /proc, /sys, the
// root filesystem and the udev database. Every path is rooted at a
// configurable directory (--path.procfs, --path.sysfs, --path.rootfs,
// --path.udev.data), which is what lets tests run collectors on fixture trees.
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

// What fstat says about a file that tells one version of it from another:
// the same (dev, ino) with the same mtime and size is taken as unchanged.
// On 64-bit kernels a sysfs (kernfs) inode number carries a generation
// counter, so a directory that is removed and created again under the same
// name gets a new ino for the whole boot.
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t size = 0;
  bool operator==(const FileIdentity&) const = default;
};

// An open directory. Files opened relative to it (openat) skip the walk of
// every path component from the root, which the kernel otherwise repeats on
// each open: with ~20 attributes per network interface under /sys that walk
// is a large part of a sysfs read. Move-only; closes its descriptor when
// destroyed. Not thread-safe (one collector uses it at a time).
class DirHandle {
 public:
  DirHandle() = default;
  ~DirHandle();
  DirHandle(DirHandle&& other) noexcept;
  DirHandle& operator=(DirHandle&& other) noexcept;
  DirHandle(const DirHandle&) = delete;
  DirHandle& operator=(const DirHandle&) = delete;

  // The path it was opened with, for messages.
  const std::string& path() const { return path_; }

  // Opens the subdirectory `name`, following a symbolic link (the entries
  // of /sys/class/net are links). Missing, or not a directory (such as
  // /sys/class/net/bonding_masters): NoData; other failures: Error.
  Result<DirHandle> OpenDir(std::string_view name) const;

  // Names in the directory (without "." and ".."), sorted.
  Result<std::vector<std::string>> List() const;

  // ProcFs::ReadAttribute for the file `name` in this directory.
  Result<std::string> ReadAttribute(std::string_view name) const;

  // ProcFs::ReadFile for the file `name` in this directory.
  Result<std::string> ReadFile(std::string_view name) const;

  // fstat of the directory itself.
  Result<FileIdentity> Identity() const;

  // fstatat of `name` in this directory (following links). Missing: NoData.
  Result<FileIdentity> StatFile(std::string_view name) const;

  // The target of the symbolic link `name` in this directory (readlinkat), as
  // written: /sys/bus/pci/devices/<dev> -> ../../../devices/pci0000:00/<parent>/<dev>
  // is how the PCI topology is known. Missing: NoData; not a link: Error (EINVAL).
  Result<std::string> ReadLink(std::string_view name) const;

 private:
  friend class ProcFs;
  friend class CachedFile;
  DirHandle(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int OpenAt(std::string_view name, int flags, std::string* path_for_errors, Status* error) const;

  int fd_ = -1;
  std::string path_;
};

// How a file's content ends, for the read loop below.
enum class FileKind {
  // A /proc file (or any ordinary file): read until read() returns 0. A short
  // read does not end it, since seq_file hands out whole records per read.
  kFile,
  // A sysfs attribute: its whole value (at most one page) comes in one read, so
  // a read that does not fill the buffer ends it without the second read that
  // would only return 0; the trailing newline (and spaces) are stripped.
  kAttribute,
};

// The one read loop behind ProcFs and CachedFile: reads fd from offset 0 (with
// pread, so a descriptor kept open needs no lseek; a fresh one is at 0 anyway)
// into *out, up to max_bytes (ProcFs::kMaxFileBytes without it; never more),
// retrying EINTR. Leaves fd open.
// Returns 0, or the errno of the failed read (*out is unspecified then).
int ReadFromStart(int fd, FileKind kind, std::string* out);
int ReadFromStart(int fd, FileKind kind, std::string* out, std::size_t max_bytes);

// A file read by ProcFs::ReadRegularFile.
struct RegularFile {
  std::string data;
  FileIdentity identity;  // fstat of the descriptor the data was read from
};

// The status for a failed file operation: "<what> <path>: <strerror>" with
// sys_errno() == err; NoData for a missing file or directory (the kernel lacks
// that feature), else Error.
Status FileErrnoStatus(std::string_view what, const std::string& path, int err);

struct FsRoots {
  std::string procfs = "/proc";              // --path.procfs
  std::string sysfs = "/sys";                // --path.sysfs
  std::string rootfs = "/";                  // --path.rootfs
  std::string udev_data = "/run/udev/data";  // --path.udev.data
};

class ProcFs {
 public:
  // Files larger than this are truncated: no /proc or /sys file we parse comes
  // close, and the cap bounds memory if a path points somewhere unexpected.
  static constexpr std::size_t kMaxFileBytes = 16u << 20;

  explicit ProcFs(FsRoots roots = {});

  const FsRoots& roots() const { return roots_; }

  // Absolute paths under each root; rel has no leading slash ("net/dev").
  std::string ProcPath(std::string_view rel) const { return Join(roots_.procfs, rel); }
  std::string SysPath(std::string_view rel) const { return Join(roots_.sysfs, rel); }
  std::string RootPath(std::string_view rel) const { return Join(roots_.rootfs, rel); }

  // Reads a whole file. A missing file gives a NoData status (the kernel does
  // not have that feature), any other failure an Error naming the path.
  Result<std::string> ReadFile(const std::string& path) const;
  Result<std::string> ReadProc(std::string_view rel) const { return ReadFile(ProcPath(rel)); }

  // Reads a regular file of at most max_bytes (0: no limit), for a directory
  // that other programs write into (the textfile collector), where anything
  // may sit under a file's name. The name is stat'ed first (following a
  // symbolic link) and opened only if it is a regular file: opening a FIFO
  // blocks until a writer comes, and opening a device can act by itself (a
  // watchdog starts counting). The open adds O_NONBLOCK and O_NOCTTY and the
  // descriptor is checked again with fstat, in case the name was swapped in
  // between. At most max_bytes + 1 bytes are read, so a file that grows past
  // its stat size costs no more memory than the cap.
  // Missing: NoData. Not a regular file: Error with sys_errno() EINVAL;
  // larger than max_bytes: Error with sys_errno() EFBIG (the errnos the
  // kernel's own kernel_read_file() gives for these two cases). Other
  // failures: Error naming the path.
  Result<RegularFile> ReadRegularFile(const std::string& path, std::size_t max_bytes) const;

  // Reads a small sysfs-style attribute file (FileKind::kAttribute: one read,
  // trailing newline stripped). Meant for one-value files (sysfs attributes);
  // multi-record /proc files go through ReadFile.
  Result<std::string> ReadAttribute(const std::string& path) const;

  // Opens a directory for reads relative to it (see DirHandle). Missing or
  // not a directory: NoData; other failures: Error.
  Result<DirHandle> OpenDir(const std::string& path) const;

  // Names in a directory (without "." and ".."), sorted. Missing dir: NoData.
  Result<std::vector<std::string>> ListDir(const std::string& path) const;

  static std::string Join(std::string_view root, std::string_view rel);

 private:
  FsRoots roots_;
};

}  // namespace hostwatch
