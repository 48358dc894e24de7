#include "collectors/host/selinux.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <charconv>
#include <optional>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kConfigMode{
    "node_selinux_config_mode", "Configured SELinux enforcement mode", MetricType::Gauge, {}};
const MetricDesc kCurrentMode{
    "node_selinux_current_mode", "Current SELinux enforcement mode", MetricType::Gauge, {}};
const MetricDesc kEnabled{
    "node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", MetricType::Gauge, {}};

class SelinuxCollector : public Collector {
 public:
  SelinuxCollector(const ProcFs& fs, SelinuxfsCheck is_selinuxfs) : fs_(fs), is_selinuxfs_(std::move(is_selinuxfs)) {}

  Status Collect(MetricSink& sink) override {
    if (!mount_) {
      mount_ = FindMount();
      enabled_ = !mount_->empty() && !PolicyNotLoaded();
    }
    if (!enabled_) {
      sink.Add(kEnabled, 0);
      return Status::OK();
    }
    sink.Add(kEnabled, 1);
    Result<std::string> config = fs_.ReadFile(fs_.RootPath("etc/selinux/config"));
    sink.Add(kConfigMode, ParseSelinuxConfigMode(config.ok() ? config.value() : ""));
    Result<std::string> enforce = fs_.ReadFile(ProcFs::Join(*mount_, "enforce"));
    sink.Add(kCurrentMode,
             static_cast<double>(enforce.ok() ? ParseSelinuxEnforce(enforce.value()) : kSelinuxDisabled));
    return Status::OK();
  }

 private:
  // The selinuxfs mount point, or "" when there is none (see selinux.h).
  std::string FindMount() const {
    if (std::string fast = fs_.SysPath("fs/selinux"); is_selinuxfs_(fast)) {
      return fast;
    }
    Result<std::string> filesystems = fs_.ReadProc("filesystems");
    if (!filesystems.ok() || !SelinuxfsListed(filesystems.value())) {
      return "";
    }
    Result<std::string> mountinfo = fs_.ReadProc("self/mountinfo");
    if (!mountinfo.ok()) {
      return "";
    }
    for (const std::string& point : ParseSelinuxfsMounts(mountinfo.value())) {
      if (std::string path = fs_.RootPath(point); is_selinuxfs_(path)) {
        return path;
      }
    }
    return "";
  }

  // The kernel labels its own threads "kernel" until a policy is loaded.
  bool PolicyNotLoaded() const {
    Result<std::string> label = fs_.ReadProc("thread-self/attr/current");
    if (!label.ok()) {
      return false;
    }
    std::string_view l = label.value();
    if (!l.empty() && l.back() == '\0') {
      l.remove_suffix(1);
    }
    return l == "kernel";
  }

  const ProcFs& fs_;
  const SelinuxfsCheck is_selinuxfs_;
  std::optional<std::string> mount_;  // decided at the first Collect
  bool enabled_ = false;
};

}  // namespace

int ParseSelinuxConfigMode(std::string_view config) {
  for (std::string_view raw : SplitLines(config)) {
    std::string_view line = TrimSpace(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      continue;
    }
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || line.substr(0, eq) != "SELINUX") {
      continue;
    }
    std::string_view value = line.substr(eq + 1);
    while (!value.empty() && value.front() == '"') {
      value.remove_prefix(1);
    }
    while (!value.empty() && value.back() == '"') {
      value.remove_suffix(1);
    }
    if (value == "enforcing") {
      return kSelinuxEnforcing;
    }
    return value == "permissive" ? kSelinuxPermissive : kSelinuxDisabled;
  }
  return kSelinuxDisabled;
}

std::int64_t ParseSelinuxEnforce(std::string_view enforce) {
  if (!enforce.empty() && enforce[0] == '+') {  // Atoi takes a sign; from_chars only '-'
    enforce.remove_prefix(1);
    if (!enforce.empty() && enforce[0] == '-') {
      return kSelinuxDisabled;
    }
  }
  std::int64_t v = 0;  // Go's int
  auto [p, ec] = std::from_chars(enforce.data(), enforce.data() + enforce.size(), v);
  if (enforce.empty() || ec != std::errc() || p != enforce.data() + enforce.size()) {
    return kSelinuxDisabled;
  }
  return v;
}

bool SelinuxfsListed(std::string_view proc_filesystems) {
  return proc_filesystems.find("\tselinuxfs\n") != std::string_view::npos;
}

std::vector<std::string> ParseSelinuxfsMounts(std::string_view mountinfo) {
  std::vector<std::string> points;
  for (std::string_view line : SplitLines(mountinfo)) {
    if (line.find(" - selinuxfs ") == std::string_view::npos) {
      continue;
    }
    // Fields are single-space separated (spaces in paths are written \040).
    std::size_t start = 0;
    for (int field = 0; field < 4 && start != std::string_view::npos; ++field) {
      start = line.find(' ', start);
      start = start == std::string_view::npos ? start : start + 1;
    }
    if (start == std::string_view::npos) {
      continue;
    }
    std::size_t end = line.find(' ', start);
    if (end == std::string_view::npos) {
      continue;  // the mount point must be followed by more fields
    }
    points.emplace_back(line.substr(start, end - start));
  }
  return points;
}

bool IsWritableSelinuxfs(const std::string& path) {
  struct statfs sfs {};
  int rc = 0;
  do {
    rc = ::statfs(path.c_str(), &sfs);
  } while (rc != 0 && (errno == EINTR || errno == EAGAIN));
  return rc == 0 && static_cast<std::uint32_t>(sfs.f_type) == SELINUX_MAGIC && (sfs.f_flags & ST_RDONLY) == 0;
}

CollectorPtr MakeSelinuxCollector(const ProcFs& fs, SelinuxfsCheck is_selinuxfs) {
  return std::make_unique<SelinuxCollector>(fs, std::move(is_selinuxfs));
}

CollectorSpec SelinuxCollectorSpec() {
  return {"selinux",
          true,
          "Exposes SELinux state (selinuxfs, /etc/selinux/config): node_selinux_enabled, node_selinux_config_mode, "
          "node_selinux_current_mode.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return MakeSelinuxCollector(ctx.fs, IsWritableSelinuxfs);
          }};
}

}  // namespace hostwatch
