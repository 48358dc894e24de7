// Small, locale-independent helpers shared by the /proc and /sys parsers.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace hostwatch {

// Splits text into lines without the trailing '\n'; a final empty line is dropped.
std::vector<std::string_view> SplitLines(std::string_view text);

// Splits on runs of spaces and tabs, dropping empty fields.
std::vector<std::string_view> SplitFields(std::string_view line);

// Whole-string numeric parses; nullopt unless every character was consumed.
std::optional<double> ParseDouble(std::string_view s);
std::optional<std::uint64_t> ParseUint(std::string_view s);
// Go's strconv.ParseUint(s, 16, 64): hex digits only, no prefix or sign (procfs's hex columns).
std::optional<std::uint64_t> ParseHexUint(std::string_view s);
std::optional<std::int64_t> ParseInt(std::string_view s);
// Go's strconv.ParseUint(s, 0, 64): a 0x, 0o, 0b or 0 prefix picks the base
// (sysfs counters such as fc_host/statistics/* are printed in hex). No sign.
std::optional<std::uint64_t> ParseGoUint(std::string_view s);
// Go's strconv.ParseInt(s, 0, 64): an optional sign, then as ParseGoUint, within int64.
std::optional<std::int64_t> ParseGoInt(std::string_view s);

std::string_view TrimSpace(std::string_view s);

// The content of a value file that holds one unsigned number (a /proc/sys or sysfs
// attribute such as entropy_avail or md/raid_disks), surrounding whitespace allowed,
// as a sample value; nullopt for anything else.
std::optional<double> ParseUintValue(std::string_view text);

}  // namespace hostwatch
