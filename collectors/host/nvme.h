// nvme collector: NVMe controllers and their namespaces from /sys/class/nvme
// (node_nvme_info and node_nvme_namespace_*), read and computed as
// node_exporter 1.12.1 does with procfs' sysfs.NVMeClass. Without
// /sys/class/nvme (no NVMe driver) there is no data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One namespace, /sys/class/nvme/<controller>/<nvmeXnY>/.
struct NvmeNamespace {
  std::string id;                       // Y of nvmeXnY
  std::uint64_t used_blocks = 0;        // nuse
  std::uint64_t size_blocks = 0;        // size
  std::uint64_t logical_block_size = 0; // queue/logical_block_size
  std::string ana_state = "unknown";    // ana_state, when the file exists
};

// One controller, /sys/class/nvme/<name>/ (attribute values trimmed).
struct NvmeController {
  std::string name, firmware_rev, model, serial, state, cntlid;
  std::vector<NvmeNamespace> namespaces;
};

// The namespace id of an entry of a controller's directory: procfs takes
// every entry where nvme\d+n(\d+) matches anywhere in the name ("nvme0n1" ->
// "1") and skips the rest (attributes, "power", "ng0n1", ...).
std::optional<std::string> NvmeNamespaceId(std::string_view entry);

// A block count or size attribute. procfs reads a value that is not a
// decimal uint64 as 0; so does this, counting it in *parse_errors.
std::uint64_t ParseNvmeCount(std::string_view value, std::uint64_t* parse_errors);

CollectorSpec NvmeCollectorSpec();

}  // namespace hostwatch
