// Status and Result<T>: error values for the data path, where nothing throws.
//
// A Status is either OK or carries a human-readable message. Result<T> holds a
// value or a non-OK Status. Both are cheap to move and safe to copy; they carry
// no shared state, so any thread may use its own instance freely.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace hostwatch {

class Status {
 public:
  Status() = default;  // OK.
  static Status OK() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), true); }
  // "Nothing to report here" (a file that does not exist on this kernel): like
  // node_exporter's ErrNoData, the scraper reports success 0 but logs it at debug
  // level only, since nothing is broken.
  static Status NoData(std::string message) {
    Status s(std::move(message), true);
    s.no_data_ = true;
    return s;
  }

  bool ok() const { return !failed_; }
  bool no_data() const { return no_data_; }
  const std::string& message() const { return message_; }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
  bool no_data_ = false;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design.
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  // The error; OK when the result holds a value.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hostwatch
