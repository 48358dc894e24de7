// os collector: node_os_info{...} and node_os_version{id,id_like,name} from
// os-release(5), read under --path.rootfs from etc/os-release, falling back
// to usr/lib/os-release; node_os_support_end_timestamp_seconds when the file
// has SUPPORT_END.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// Parses os-release's shell-like KEY=value lines: values may be unquoted,
// "double quoted" (backslash escapes \" \\ \$ \`) or 'single quoted'. Blank
// lines and # comments are ignored; any other malformed line is skipped and
// counted in *parse_errors.
std::map<std::string, std::string> ParseOsRelease(std::string_view text, std::uint64_t* parse_errors);

// node_os_version's value: the leading "major[.minor]" of VERSION_ID as a
// number (node_exporter's ^[0-9]+\.?[0-9]*), or nullopt when there is none.
std::optional<double> OsVersionNumber(std::string_view version_id);

// SUPPORT_END ("YYYY-MM-DD") as a Unix timestamp at 00:00 UTC; nullopt when malformed.
std::optional<double> ParseSupportEnd(std::string_view date);

CollectorSpec OsCollectorSpec();

}  // namespace hostwatch
