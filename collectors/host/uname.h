// uname collector: node_uname_info{domainname,machine,nodename,release,
// sysname,version} 1, from uname(2).
#pragma once

#include <string>

#include "collectors/core/collector.h"

namespace hostwatch {

struct UnameInfo {
  std::string sysname, release, version, machine, nodename, domainname;
};

// Calls uname(2); Error with errno text on failure (never seen in practice).
Result<UnameInfo> ReadUname();

CollectorSpec UnameCollectorSpec();

}  // namespace hostwatch
