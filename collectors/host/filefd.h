// filefd collector: node_filefd_allocated and node_filefd_maximum from
// /proc/sys/fs/file-nr ("allocated  unused  maximum", man 5 proc).
#pragma once

#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

struct FileNr {
  double allocated = 0;
  double maximum = 0;
};

// Parses the three numbers of file-nr. Error unless there are exactly three
// unsigned integers.
Result<FileNr> ParseFileNr(std::string_view text);

CollectorSpec FilefdCollectorSpec();

}  // namespace hostwatch
