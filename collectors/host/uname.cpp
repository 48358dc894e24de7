#include "collectors/host/uname.h"

#include <sys/utsname.h>

#include <cerrno>

namespace hostwatch {
namespace {

const MetricDesc kUnameInfo{"node_uname_info",
                            "Labeled system information as provided by the uname system call.",
                            MetricType::Gauge,
                            {"sysname", "release", "version", "machine", "nodename", "domainname"}};

class UnameCollector : public Collector {
 public:
  Status Collect(MetricSink& sink) override {
    Result<UnameInfo> u = ReadUname();
    if (!u.ok()) {
      return u.status();
    }
    const UnameInfo& i = u.value();
    sink.Add(kUnameInfo, 1, {i.sysname, i.release, i.version, i.machine, i.nodename, i.domainname});
    return Status::OK();
  }
};

}  // namespace

Result<UnameInfo> ReadUname() {
  struct utsname u {};
  if (::uname(&u) != 0) {
    return Status::FromErrno(errno, "uname");
  }
  // domainname is a GNU extension of struct utsname (NIS domain, "(none)" when unset).
  return UnameInfo{u.sysname, u.release, u.version, u.machine, u.nodename, u.domainname};
}

CollectorSpec UnameCollectorSpec() {
  return {
      "uname",
      true,
      "Exposes system information from uname(2): node_uname_info.",
      {},
      [](const CollectorContext&) -> Result<CollectorPtr> { return CollectorPtr(std::make_unique<UnameCollector>()); }};
}

}  // namespace hostwatch
