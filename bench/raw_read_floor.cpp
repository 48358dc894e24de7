// raw_read_floor: the CPU floor of one scrape. Reads the same /proc and /sys
// files that a set of collectors reads, statfs()s the same mounts and makes the
// same syscalls, and does nothing else: no parsing, no metric model, no HTTP.
// The agent cannot spend less than this per scrape, so bench/compare.py
// reports hostwatch's CPU per scrape as a multiple of it.
//
//   raw_read_floor --collectors=cpu,loadavg --iterations=1000 [--path.procfs=/proc ...]
//   raw_read_floor --list
// prints one key=value line: iterations, cpu_seconds, cpu_ms_per_iteration,
// files, bytes, statfs, missing (paths absent on this host; normal).
//
// To extend: add rows to kReads for a new collector (what node_exporter's
// collector of that name reads on Linux, see its *_linux.go). Paths may hold
// '*' wildcards, expanded with glob(3) on every iteration because collectors
// list those directories on every scrape too. A final "/{a,b,c}" reads those
// files in every directory the wildcard part matched, listing once, as a
// collector reading several attributes per device does.
//
// Deliberately uses no hostwatch code and no C++ streams.
#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {
namespace {

enum class Root {
  kProc,    // path under --path.procfs
  kSys,     // path under --path.sysfs
  kRootfs,  // path under --path.rootfs
  kStatfs,  // statfs() every real mount point listed in this mountinfo file (under --path.procfs)
  kListDir, // list the entries of this directory under --path.procfs (e.g. open fds)
  kSysBlock, // this file under --path.sysfs/block/<dev>/ for every device node_exporter's default
             // device-exclude keeps (no loop, ram, fd or partitions), listed once at startup
  kSyscall, // path names a syscall: "uname", "adjtimex", "clock_gettime"
};

struct Read {
  const char* collector;
  Root root;
  const char* path;
};

// What each collector reads per scrape. Keep grouped by collector, sorted.
constexpr Read kReads[] = {
    {"arp", Root::kProc, "net/arp"},
    {"bcache", Root::kSys, "fs/bcache/*/bdev*/stats_total/*"},
    {"bonding", Root::kSys, "class/net/bonding_masters"},
    {"btrfs", Root::kSys, "fs/btrfs/*/allocation/*/*"},
    {"conntrack", Root::kProc, "sys/net/netfilter/nf_conntrack_count"},
    {"conntrack", Root::kProc, "sys/net/netfilter/nf_conntrack_max"},
    {"conntrack", Root::kProc, "net/stat/nf_conntrack"},
    {"cpu", Root::kProc, "stat"},
    {"cpu", Root::kSys,
     "devices/system/cpu/cpu[0-9]*/{topology/physical_package_id,topology/core_id,"
     "thermal_throttle/core_throttle_count,thermal_throttle/package_throttle_count,online}"},
    {"cpu", Root::kSys, "devices/system/cpu/isolated"},
    {"cpufreq", Root::kSys,
     "devices/system/cpu/cpu*/cpufreq/{scaling_cur_freq,scaling_max_freq,scaling_min_freq,scaling_governor}"},
    {"diskstats", Root::kProc, "diskstats"},
    {"diskstats", Root::kSysBlock, "queue/rotational"},
    {"dmi", Root::kSys, "class/dmi/id/*"},
    {"edac", Root::kSys, "devices/system/edac/mc/mc*/*_count"},
    {"entropy", Root::kProc, "sys/kernel/random/entropy_avail"},
    {"entropy", Root::kProc, "sys/kernel/random/poolsize"},
    {"fibrechannel", Root::kSys, "class/fc_host/*/statistics/*"},
    {"filefd", Root::kProc, "sys/fs/file-nr"},
    {"filesystem", Root::kProc, "1/mountinfo"},
    {"filesystem", Root::kStatfs, "1/mountinfo"},
    {"hwmon", Root::kSys, "class/hwmon/*/*_input"},
    {"infiniband", Root::kSys, "class/infiniband/*/ports/*/counters/*"},
    {"ipvs", Root::kProc, "net/ip_vs_stats"},
    {"loadavg", Root::kProc, "loadavg"},
    {"mdadm", Root::kProc, "mdstat"},
    {"mdadm", Root::kSys, "block/md*/md/{raid_disks,degraded}"},
    {"meminfo", Root::kProc, "meminfo"},
    {"netclass", Root::kSys,
     "class/net/*/{addr_assign_type,address,broadcast,carrier,carrier_changes,carrier_down_count,"
     "carrier_up_count,dev_id,dormant,duplex,flags,ifalias,ifindex,iflink,link_mode,mtu,name_assign_type,"
     "netdev_group,operstate,speed,tx_queue_len,type}"},
    {"netdev", Root::kProc, "net/dev"},
    {"netstat", Root::kProc, "net/netstat"},
    {"netstat", Root::kProc, "net/snmp"},
    {"netstat", Root::kProc, "net/snmp6"},
    {"nfs", Root::kProc, "net/rpc/nfs"},
    {"nfsd", Root::kProc, "net/rpc/nfsd"},
    {"nvme", Root::kSys, "class/nvme/*/state"},
    {"os", Root::kRootfs, "etc/os-release"},
    {"powersupplyclass", Root::kSys, "class/power_supply/*/*"},
    {"pressure", Root::kProc, "pressure/cpu"},
    {"pressure", Root::kProc, "pressure/io"},
    {"pressure", Root::kProc, "pressure/memory"},
    {"pressure", Root::kProc, "pressure/irq"},
    {"rapl", Root::kSys, "class/powercap/*/energy_uj"},
    {"schedstat", Root::kProc, "schedstat"},
    {"selinux", Root::kSys, "fs/selinux/enforce"},
    // Not a collector: the process_* self metrics every agent adds to each scrape.
    {"self", Root::kProc, "self/stat"},
    {"self", Root::kProc, "self/limits"},
    {"self", Root::kListDir, "self/fd"},
    {"sockstat", Root::kProc, "net/sockstat"},
    {"sockstat", Root::kProc, "net/sockstat6"},
    {"softnet", Root::kProc, "net/softnet_stat"},
    {"stat", Root::kProc, "stat"},
    {"tapestats", Root::kSys, "class/scsi_tape/*/stats/*"},
    {"textfile", Root::kRootfs, "var/lib/prometheus/node-exporter/*.prom"},  // Debian's default directory
    {"thermal_zone", Root::kSys, "class/thermal/thermal_zone*/{temp,type,policy}"},
    {"time", Root::kSyscall, "clock_gettime"},
    {"time", Root::kSys, "devices/system/clocksource/clocksource*/{available_clocksource,current_clocksource}"},
    {"timex", Root::kSyscall, "adjtimex"},
    {"udp_queues", Root::kProc, "net/udp"},
    {"udp_queues", Root::kProc, "net/udp6"},
    {"uname", Root::kSyscall, "uname"},
    {"vmstat", Root::kProc, "vmstat"},
    {"xfs", Root::kSys, "fs/xfs/*/stats/stats"},
    {"zfs", Root::kProc, "spl/kstat/zfs/*"},
};

struct Options {
  std::vector<std::string> collectors;
  long iterations = 1000;
  double max_seconds = 60;  // stop early if the loop runs longer than this
  std::string procfs = "/proc", sysfs = "/sys", rootfs = "/";
  bool list = false;
};

struct Counts {
  long files = 0;
  long bytes = 0;
  long statfs = 0;
  long missing = 0;
};

std::string JoinPath(const std::string& root, std::string_view rel) {
  std::string out = root;
  if (out.empty() || out.back() != '/') {
    out.push_back('/');
  }
  out.append(rel);
  return out;
}

// open + read to EOF + close, into a reused buffer: what any reader must pay.
void ReadWholeFile(const char* path, Counts* counts) {
  static char buf[1 << 16];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ++counts->missing;
    return;
  }
  ++counts->files;
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    counts->bytes += n;
  }
  close(fd);
}

// Expands a pattern with '*' (glob(3)); a pattern without one is itself.
std::vector<std::string> Expand(const std::string& pattern, Counts* counts) {
  if (pattern.find('*') == std::string::npos) {
    return {pattern};
  }
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    out.assign(g.gl_pathv, g.gl_pathv + g.gl_pathc);
  } else {
    ++counts->missing;
  }
  globfree(&g);
  return out;
}

void ReadPattern(const std::string& pattern, Counts* counts) {
  std::size_t brace = pattern.find("/{");
  if (brace == std::string::npos) {
    for (const std::string& path : Expand(pattern, counts)) {
      ReadWholeFile(path.c_str(), counts);
    }
    return;
  }
  std::string_view names(pattern);
  names = names.substr(brace + 2, names.size() - brace - 3);  // a,b,c
  for (const std::string& dir : Expand(pattern.substr(0, brace), counts)) {
    std::string_view rest = names;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string path = dir + "/" + std::string(rest.substr(0, comma));
      ReadWholeFile(path.c_str(), counts);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
}

void ListDir(const char* path, Counts* counts) {
  DIR* d = opendir(path);
  if (d == nullptr) {
    ++counts->missing;
    return;
  }
  while (readdir(d) != nullptr) {
  }
  closedir(d);
}

void DoSyscall(std::string_view name) {
  if (name == "uname") {
    utsname u{};
    uname(&u);
  } else if (name == "adjtimex") {
    timex t{};
    adjtimex(&t);
  } else {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
  }
}

// Mount points of a mountinfo file that node_exporter's filesystem collector
// statfs()s with its default excludes (pseudo filesystems and /dev, /proc,
// /sys, /run/credentials, container storage). Worked out once: the per-scrape
// matching is parsing, which the floor leaves out.
std::vector<std::string> StatfsTargets(const std::string& mountinfo_path, const std::string& rootfs) {
  static const char* kExcludedTypes[] = {
      "autofs",   "binfmt_misc", "bpf",       "cgroup",  "cgroup2",     "configfs",   "debugfs",  "devpts",
      "devtmpfs", "fusectl",     "hugetlbfs", "iso9660", "mqueue",      "nsfs",       "overlay",  "proc",
      "procfs",   "pstore",      "rpc_pipefs", "securityfs", "selinuxfs", "squashfs", "sysfs",    "tracefs"};
  static const char* kExcludedPrefixes[] = {"/dev", "/proc", "/sys", "/run/credentials/", "/var/lib/docker/",
                                            "/var/lib/containers/storage/"};
  std::vector<std::string> out;
  FILE* f = std::fopen(mountinfo_path.c_str(), "re");
  if (f == nullptr) {
    return out;
  }
  char line[4096];
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    // Fields: id parent major:minor root mountpoint options [optional...] - fstype source superopts
    char* save = nullptr;
    std::vector<std::string> fields;
    for (char* tok = strtok_r(line, " \n", &save); tok != nullptr; tok = strtok_r(nullptr, " \n", &save)) {
      fields.emplace_back(tok);
    }
    std::string fstype;
    for (std::size_t i = 6; i + 1 < fields.size(); ++i) {
      if (fields[i] == "-") {
        fstype = fields[i + 1];
        break;
      }
    }
    if (fields.size() < 5 || fstype.empty()) {
      continue;
    }
    const std::string& mount_point = fields[4];
    bool excluded = false;
    for (const char* t : kExcludedTypes) {
      excluded = excluded || fstype == t;
    }
    for (const char* p : kExcludedPrefixes) {
      std::string_view prefix(p);
      bool dir_prefix = prefix.back() != '/';  // "/dev" matches "/dev" and "/dev/..."
      if (dir_prefix) {
        excluded = excluded || mount_point == prefix || mount_point.starts_with(std::string(prefix) + "/");
      } else {
        excluded = excluded || mount_point.starts_with(prefix);
      }
    }
    if (!excluded) {
      out.push_back(JoinPath(rootfs, mount_point.substr(1)));
    }
  }
  std::fclose(f);
  return out;
}

// sysfs/block/<dev>/<rel> for the devices node_exporter's default
// --collector.diskstats.device-exclude keeps. Matching is parsing, so it is
// done once here, not per iteration.
std::vector<std::string> BlockDeviceFiles(const std::string& sysfs, std::string_view rel) {
  static const std::regex kExcluded(R"(^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$)");
  std::vector<std::string> out;
  std::string dir = JoinPath(sysfs, "block");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    return out;
  }
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != ".." && !std::regex_match(name, kExcluded)) {
      out.push_back(dir + "/" + name + "/" + std::string(rel));
    }
  }
  closedir(d);
  return out;
}

// One expanded row of kReads for the chosen collectors, prepared up front.
struct Step {
  Root root;
  std::string path;                  // absolute, or the syscall name
  std::vector<std::string> targets;  // kStatfs: mount points
};

std::vector<Step> PlanSteps(const Options& o, std::vector<std::string>* unknown) {
  std::vector<Step> steps;
  for (const std::string& c : o.collectors) {
    bool known = false;
    for (const Read& r : kReads) {
      if (c != r.collector) {
        continue;
      }
      known = true;
      Step s{r.root, r.path, {}};
      switch (r.root) {
        case Root::kProc:
          s.path = JoinPath(o.procfs, r.path);
          break;
        case Root::kSys:
          s.path = JoinPath(o.sysfs, r.path);
          break;
        case Root::kRootfs:
          s.path = JoinPath(o.rootfs, r.path);
          break;
        case Root::kStatfs:
          s.targets = StatfsTargets(JoinPath(o.procfs, r.path), o.rootfs);
          break;
        case Root::kListDir:
          s.path = JoinPath(o.procfs, r.path);
          break;
        case Root::kSysBlock:
          s.targets = BlockDeviceFiles(o.sysfs, r.path);
          break;
        case Root::kSyscall:
          break;
      }
      steps.push_back(std::move(s));
    }
    if (!known) {
      unknown->push_back(c);
    }
  }
  return steps;
}

void RunSteps(const std::vector<Step>& steps, Counts* counts) {
  for (const Step& s : steps) {
    switch (s.root) {
      case Root::kStatfs:
        for (const std::string& t : s.targets) {
          struct statfs st {};
          statfs(t.c_str(), &st);
          ++counts->statfs;
        }
        break;
      case Root::kSyscall:
        DoSyscall(s.path);
        break;
      case Root::kListDir:
        ListDir(s.path.c_str(), counts);
        break;
      case Root::kSysBlock:
        for (const std::string& t : s.targets) {
          ReadWholeFile(t.c_str(), counts);
        }
        break;
      default:
        ReadPattern(s.path, counts);
    }
  }
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double WallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    std::size_t comma = s.find(',');
    if (comma != 0) {
      out.emplace_back(s.substr(0, comma));
    }
    if (comma == std::string_view::npos) {
      break;
    }
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Value of "--flag=value" if arg is that flag, else nullptr.
const char* FlagValue(const char* arg, std::string_view flag) {
  std::string_view a(arg);
  return a.size() > flag.size() && a.starts_with(flag) && a[flag.size()] == '=' ? arg + flag.size() + 1 : nullptr;
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::string_view(a) == "--list") {
      o->list = true;
    } else if (FlagValue(a, "--collectors")) {
      o->collectors = SplitComma(FlagValue(a, "--collectors"));
    } else if (FlagValue(a, "--iterations")) {
      o->iterations = std::atol(FlagValue(a, "--iterations"));
    } else if (FlagValue(a, "--max-seconds")) {
      o->max_seconds = std::atof(FlagValue(a, "--max-seconds"));
    } else if (FlagValue(a, "--path.procfs")) {
      o->procfs = FlagValue(a, "--path.procfs");
    } else if (FlagValue(a, "--path.sysfs")) {
      o->sysfs = FlagValue(a, "--path.sysfs");
    } else if (FlagValue(a, "--path.rootfs")) {
      o->rootfs = FlagValue(a, "--path.rootfs");
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a);
      return false;
    }
  }
  return o->list || (!o->collectors.empty() && o->iterations > 0);
}

int Main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: raw_read_floor --collectors=a,b,... [--iterations=1000] [--max-seconds=60]\n"
                 "                      [--path.procfs=/proc] [--path.sysfs=/sys] [--path.rootfs=/]\n"
                 "       raw_read_floor --list\n");
    return 2;
  }
  if (o.list) {
    for (const Read& r : kReads) {
      std::printf("%s\t%s\n", r.collector, r.path);
    }
    return 0;
  }
  std::vector<std::string> unknown;
  const std::vector<Step> steps = PlanSteps(o, &unknown);
  for (const std::string& c : unknown) {
    std::fprintf(stderr, "raw_read_floor: no read list for collector %s (floor undercounts; add it to kReads)\n",
                 c.c_str());
  }
  Counts counts;
  RunSteps(steps, &counts);  // warm the dentry and page caches, as a running agent has them
  counts = {};
  const double cpu0 = CpuSeconds();
  const double wall0 = WallSeconds();
  long done = 0;
  while (done < o.iterations && WallSeconds() - wall0 < o.max_seconds) {
    RunSteps(steps, &counts);
    ++done;
  }
  const double cpu = CpuSeconds() - cpu0;
  const auto per = [done](long v) { return static_cast<double>(v) / static_cast<double>(done); };
  std::printf(
      "iterations=%ld cpu_seconds=%.6f cpu_ms_per_iteration=%.6f files=%.1f bytes=%.0f statfs=%.1f missing=%.1f "
      "unknown_collectors=%zu\n",
      done, cpu, cpu * 1000.0 / static_cast<double>(done), per(counts.files), per(counts.bytes), per(counts.statfs),
      per(counts.missing), unknown.size());
  return 0;
}

}  // namespace
}  // namespace hostwatch

int main(int argc, char** argv) { return hostwatch::Main(argc, argv); }
