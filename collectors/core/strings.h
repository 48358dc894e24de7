// Small string and clock helpers that several rooms need, so that each does
// not grow its own copy: ASCII lower-casing, joining, and the wall clock as
// seconds. Trimming is TrimSpace in parse_util.h.
//
// Locale-independent (ASCII only, never std::tolower's locale); no shared
// state, so any thread may call them concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

// s with 'A'..'Z' mapped to 'a'..'z'; every other byte (UTF-8 included) unchanged.
std::string AsciiToLower(std::string_view s);

// Whether a and b are equal ignoring ASCII case.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// The items with sep between them: Join({"a", "b"}, ", ") is "a, b"; no items give "".
std::string Join(const std::vector<std::string>& items, std::string_view sep);
std::string Join(const std::vector<std::string_view>& items, std::string_view sep);

// The candidate closest to word by edit distance (insertions, deletions,
// substitutions, adjacent swaps), when close enough to be a likely typo: at
// most a third of word's length, and at least 1. "" when none is.
std::string_view ClosestSpelling(std::string_view word, const std::vector<std::string_view>& candidates);

// node_exporter's SanitizeMetricName: every run of characters outside [0-9A-Za-z_], together
// with the underscores around it, becomes one "_" ("fs.file-nr" -> "fs_file_nr",
// "Queue[0] AllocFails" -> "Queue_0_AllocFails"). Each byte counts as one character.
std::string SanitizeMetricName(std::string_view name);

// Prometheus' (legacy) label name rule, [a-zA-Z_][a-zA-Z0-9_]*: the names hostwatch writes and
// Prometheus 2 accepts. IsLabelNameChar is one character of it (first: the name's first).
bool IsLabelNameChar(char c, bool first);
bool IsLabelName(std::string_view name);

// Replaces each run of bytes that is not valid UTF-8 with U+FFFD, like Go's
// strings.ToValidUTF8: label values must be UTF-8, what the kernel reports (mount paths,
// DMI strings, sensor labels) need not be.
std::string ToValidUtf8(std::string_view s);

// Wall-clock time now, in seconds since the epoch with nanosecond resolution
// (clock_gettime(CLOCK_REALTIME)): what node_time_seconds exports and what
// *_timestamp_seconds metrics compare against. Not monotonic: it steps when
// the clock is set, so measure durations with std::chrono::steady_clock.
double WallClockSeconds();

}  // namespace hostwatch
