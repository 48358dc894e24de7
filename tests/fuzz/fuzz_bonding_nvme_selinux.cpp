// libFuzzer target: the parsers of the bonding, nvme and selinux collectors (sysfs attributes,
// /proc/filesystems, mountinfo, /etc/selinux/config) on arbitrary bytes must not crash, hang,
// leak or trip a sanitizer. One target for the three: each parser is small and takes the same
// kind of input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/bonding.h"
#include "collectors/host/nvme.h"
#include "collectors/host/selinux.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  (void)hostwatch::ParseBondingNames(text);
  (void)hostwatch::ParseBondingSlaveUp(text);
  (void)hostwatch::NvmeNamespaceId(text);
  (void)hostwatch::ParseNvmeCount(text, &parse_errors);
  (void)hostwatch::ParseSelinuxConfigMode(text);
  (void)hostwatch::ParseSelinuxEnforce(text);
  (void)hostwatch::SelinuxfsListed(text);
  (void)hostwatch::ParseSelinuxfsMounts(text);
  return 0;
}
