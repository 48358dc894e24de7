#include "collectors/host/btrfs_ioctl.h"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "collectors/host/filesystem.h"

namespace hostwatch {
namespace {

// An open mount point, closed when it goes away.
class MountFd {
 public:
  explicit MountFd(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOATIME | O_CLOEXEC | O_NONBLOCK)) {
    if (fd_ < 0 && errno == EPERM) {  // O_NOATIME needs the file's owner (or CAP_FOWNER)
      fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    }
  }
  ~MountFd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  MountFd(const MountFd&) = delete;
  MountFd& operator=(const MountFd&) = delete;
  int get() const { return fd_; }

  // Open, and on btrfs: another filesystem mounted over the path since
  // mountinfo was read is left alone (dennwc/btrfs checks the same).
  bool IsBtrfs() const {
    struct statfs st {};
    return fd_ >= 0 && ::fstatfs(fd_, &st) == 0 && static_cast<unsigned long>(st.f_type) == BTRFS_SUPER_MAGIC;
  }

 private:
  int fd_;
};

std::string Hex(const std::uint8_t* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string BaseName(const char* path) {
  std::string_view p(path);
  const std::size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

// The devices of one mounted filesystem; false when an ioctl fails (other than
// ENODEV for a device id not in use: ids need not start at 0 nor be contiguous).
bool ReadDevices(int fd, const btrfs_ioctl_fs_info_args& info, std::vector<BtrfsIoctlDevice>* out) {
  for (std::uint64_t id = 0; id <= info.max_id; ++id) {
    btrfs_ioctl_dev_info_args dev{};
    dev.devid = id;
    if (::ioctl(fd, BTRFS_IOC_DEV_INFO, &dev) != 0) {
      if (errno == ENODEV) {
        continue;
      }
      return false;
    }
    btrfs_ioctl_get_dev_stats stats{};
    stats.devid = id;
    stats.nr_items = BTRFS_DEV_STAT_VALUES_MAX;
    if (::ioctl(fd, BTRFS_IOC_GET_DEV_STATS, &stats) != 0) {
      return false;
    }
    BtrfsIoctlDevice d;
    dev.path[sizeof(dev.path) - 1] = 0;
    d.name = BaseName(reinterpret_cast<const char*>(dev.path));
    d.uuid = BtrfsUuidString(dev.uuid);
    d.total_bytes = dev.total_bytes;
    d.bytes_used = dev.bytes_used;
    for (std::size_t i = 0; i < d.errors.size(); ++i) {
      d.errors[i] = stats.values[i];
    }
    out->push_back(std::move(d));
    if (out->size() == info.num_devices) {
      break;
    }
  }
  return true;
}

}  // namespace

std::string BtrfsUuidString(const std::uint8_t* uuid16) {
  bool zero = true;
  for (int i = 0; i < 16; ++i) {
    zero = zero && uuid16[i] == 0;
  }
  if (zero) {
    return "<zero>";
  }
  return Hex(uuid16, 4) + "-" + Hex(uuid16 + 4, 2) + "-" + Hex(uuid16 + 6, 2) + "-" + Hex(uuid16 + 8, 2) + "-" +
         Hex(uuid16 + 10, 6);
}

std::map<std::string, std::vector<BtrfsIoctlDevice>> ReadBtrfsIoctlStats(const ProcFs& fs) {
  std::map<std::string, std::vector<BtrfsIoctlDevice>> result;
  // Whatever fails here only means sysfs's device sizes are used instead;
  // node_exporter logs these at debug level.
  Result<std::string> text = fs.ReadProc("1/mountinfo");
  if (!text.ok() && text.status().no_data()) {
    text = fs.ReadProc("self/mountinfo");
  }
  if (!text.ok()) {
    return result;
  }
  std::uint64_t ignored_errors = 0;
  std::set<std::string> sources_done;
  for (const MountInfo& m : ParseMountInfo(text.value(), &ignored_errors)) {
    if (m.fs_type != "btrfs" || sources_done.contains(m.device)) {
      continue;
    }
    MountFd fd(ProcFs::Join(fs.roots().rootfs, m.mount_point));
    btrfs_ioctl_fs_info_args info{};
    if (!fd.IsBtrfs() || ::ioctl(fd.get(), BTRFS_IOC_FS_INFO, &info) != 0) {
      continue;  // not readable here; perhaps through another mount point
    }
    std::string fsid = Hex(info.fsid, sizeof(info.fsid));
    if (result.contains(fsid)) {
      continue;
    }
    std::vector<BtrfsIoctlDevice> devices;
    if (ReadDevices(fd.get(), info, &devices)) {
      sources_done.insert(m.device);
      result.emplace(std::move(fsid), std::move(devices));
    }
  }
  return result;
}

}  // namespace hostwatch
