// ProcFs: the only code in hostwatch that opens files under /proc, /sys, the
// root filesystem and the udev database. Every path is rooted at a
// configurable directory (--path.procfs, --path.sysfs, --path.rootfs,
// --path.udev.data), which is what lets tests run collectors on fixture trees.
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace hostwatch {

struct FsRoots {
  std::string procfs = "/proc";           // --path.procfs
  std::string sysfs = "/sys";             // --path.sysfs
  std::string rootfs = "/";               // --path.rootfs
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
  std::string UdevPath(std::string_view rel) const { return Join(roots_.udev_data, rel); }

  // Reads a whole file. A missing file gives a NoData status (the kernel does
  // not have that feature), any other failure an Error naming the path.
  Result<std::string> ReadFile(const std::string& path) const;
  Result<std::string> ReadProc(std::string_view rel) const { return ReadFile(ProcPath(rel)); }
  Result<std::string> ReadSys(std::string_view rel) const { return ReadFile(SysPath(rel)); }

  // Reads a small sysfs-style attribute file and strips the trailing newline.
  Result<std::string> ReadAttribute(const std::string& path) const;

  // Names in a directory (without "." and ".."), sorted. Missing dir: NoData.
  Result<std::vector<std::string>> ListDir(const std::string& path) const;

  // Target of a symbolic link.
  Result<std::string> ReadLink(const std::string& path) const;

  static std::string Join(std::string_view root, std::string_view rel);

 private:
  FsRoots roots_;
};

}  // namespace hostwatch
