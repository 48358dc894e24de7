// DeviceFilter: the include/exclude regular expression pair that the disk,
// network and filesystem collectors use to pick devices (node_exporter's
// device_filter.go). Patterns are RE2 and unanchored, like Go's MatchString:
// "^lo$" must be written with its anchors to match only "lo".
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "collectors/core/status.h"

namespace hostwatch {

class DeviceFilter {
 public:
  // A filter that ignores nothing.
  DeviceFilter() = default;

  // Builds a filter from an exclude and an include pattern; an empty pattern
  // is "not set". Error when a pattern is not valid RE2.
  static Result<DeviceFilter> Make(std::string_view exclude, std::string_view include);

  // True when name must be skipped: it matches the exclude pattern, or an
  // include pattern is set and name does not match it.
  bool Ignored(std::string_view name) const;

 private:
  std::shared_ptr<const re2::RE2> exclude_;
  std::shared_ptr<const re2::RE2> include_;
};

// How one collector spells its pair of filter options, and the default of the
// exclude option ("" when it has none).
struct FilterOptionNames {
  std::string_view exclude_key;  // "device-exclude"
  std::string_view include_key;  // "device-include"
  std::string_view default_exclude;
};

// Builds a DeviceFilter from a collector's option values with node_exporter's
// rules: the two options are mutually exclusive ("<exclude_key> &
// <include_key> are mutually exclusive", node_exporter's message), except that
// an exclude option still at its default is dropped when an include pattern is
// given, so `--collector.diskstats.device-include=^sd` works on its own.
// (node_exporter's diskstats rejects that combination because its exclude flag
// always has a value; its filesystem collector already behaves like this.)
Result<DeviceFilter> MakeDeviceFilter(const FilterOptionNames& names, std::string_view exclude,
                                      std::string_view include);

}  // namespace hostwatch
