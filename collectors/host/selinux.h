// selinux collector: node_selinux_enabled, and when SELinux is enabled
// node_selinux_config_mode and node_selinux_current_mode, decided as
// node_exporter 1.12.1 decides them through opencontainers/selinux, with
// every path under our --path.* roots:
//
// - the selinuxfs mount: <sysfs>/fs/selinux when statfs says it is a writable
//   selinuxfs; else, when <procfs>/filesystems lists selinuxfs, the first
//   mount point of a " - selinuxfs " line of <procfs>/self/mountinfo (under
//   <rootfs>) that statfs says is a writable selinuxfs; else none;
// - enabled: a mount was found and <procfs>/thread-self/attr/current (this
//   thread's label) is not "kernel" (no policy loaded); a label that cannot
//   be read counts as enabled, as in opencontainers/selinux;
// - config mode: SELINUX= of <rootfs>/etc/selinux/config; current mode: the
//   mount's "enforce" file. Both 1 enforcing, 0 permissive, -1 disabled.
//
// SELinux is disabled (node_selinux_enabled 0) on a host without it: the
// collector always succeeds. Enabling or disabling SELinux takes a reboot,
// so, as opencontainers/selinux does once per process, the mount and the
// enabled state are decided once per collector (each reload builds a new
// one); the two modes are read on every scrape.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// SELinux's mode numbers (opencontainers/selinux's Enforcing, Permissive, Disabled).
inline constexpr int kSelinuxEnforcing = 1;
inline constexpr int kSelinuxPermissive = 0;
inline constexpr int kSelinuxDisabled = -1;

// The mode of SELINUX= in /etc/selinux/config: the first line (trimmed, not
// a '#' or ';' comment) whose text before '=' is exactly SELINUX, its value
// stripped of '"'; "enforcing" and "permissive" name those modes, anything
// else (or no such line) is disabled.
int ParseSelinuxConfigMode(std::string_view config);

// The selinuxfs enforce file: the whole content as a decimal int (Go's
// strconv.Atoi, no trimming), or -1 when it is not one.
std::int64_t ParseSelinuxEnforce(std::string_view enforce);

// Whether /proc/filesystems lists selinuxfs (the kernel has SELinux).
bool SelinuxfsListed(std::string_view proc_filesystems);

// The mount points (5th field, undecoded) of the selinuxfs lines of a
// mountinfo file, in file order.
std::vector<std::string> ParseSelinuxfsMounts(std::string_view mountinfo);

// Decides whether a directory is a usable selinuxfs mount.
using SelinuxfsCheck = std::function<bool(const std::string& path)>;

// The real check: statfs says SELINUX_MAGIC and not ST_RDONLY (container
// runtimes mount selinuxfs read-only to tell their processes that SELinux
// is not for them).
bool IsWritableSelinuxfs(const std::string& path);

// The collector with another mount check: fixture trees cannot carry a
// filesystem type, so unit tests pass a check that accepts their directory.
CollectorPtr MakeSelinuxCollector(const ProcFs& fs, SelinuxfsCheck is_selinuxfs);

CollectorSpec SelinuxCollectorSpec();

}  // namespace hostwatch
