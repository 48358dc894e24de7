#include "collectors/core/device_filter.h"

#include "collectors/core/config_reader.h"

namespace hostwatch {
namespace {

Result<std::shared_ptr<const re2::RE2>> Compile(std::string_view pattern) {
  if (pattern.empty()) {
    return std::shared_ptr<const re2::RE2>();
  }
  re2::RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    return Status::Error("invalid regular expression: " + RegexErrorReason(*re));
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

}  // namespace

Result<DeviceFilter> DeviceFilter::Make(std::string_view exclude, std::string_view include) {
  Result<std::shared_ptr<const re2::RE2>> ex = Compile(exclude);
  if (!ex.ok()) {
    return ex.status();
  }
  Result<std::shared_ptr<const re2::RE2>> in = Compile(include);
  if (!in.ok()) {
    return in.status();
  }
  DeviceFilter f;
  f.exclude_ = std::move(ex).value();
  f.include_ = std::move(in).value();
  return f;
}

bool DeviceFilter::Ignored(std::string_view name) const {
  re2::StringPiece s(name.data(), name.size());
  return (exclude_ != nullptr && re2::RE2::PartialMatch(s, *exclude_)) ||
         (include_ != nullptr && !re2::RE2::PartialMatch(s, *include_));
}

Result<DeviceFilter> MakeDeviceFilter(const FilterOptionNames& names, std::string_view exclude,
                                      std::string_view include) {
  if (!include.empty() && !names.default_exclude.empty() && exclude == names.default_exclude) {
    exclude = {};
  }
  if (!exclude.empty() && !include.empty()) {
    return Status::Error(std::string(names.exclude_key) + " & " + std::string(names.include_key) +
                         " are mutually exclusive");
  }
  return DeviceFilter::Make(exclude, include);
}

}  // namespace hostwatch
