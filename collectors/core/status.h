// Status and Result<T>: error values for the data path, where nothing throws.
//
// A Status is either OK or carries a human-readable message, and, when it
// comes from a failed system call, that call's errno (leveldb's Status keeps
// a code beside its message the same way). Code decides on the errno through
// sys_errno() or the Is...() predicates, never by reading the message: the
// message is for people and logs and may be reworded freely.
//
// Result<T> holds a value or a non-OK Status. Both are cheap to move and safe
// to copy; they carry no shared state, so any thread may use its own instance
// freely.
#pragma once

#include <cassert>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hostwatch {

class Status {
 public:
  Status() = default;  // OK.
  static Status OK() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), 0, false); }
  // An Error for a failed system call: message "<context>: <strerror(sys_errno)>"
  // and sys_errno() == sys_errno.
  static Status FromErrno(int sys_errno, std::string_view context) {
    return Status(WithStrerror(context, sys_errno), sys_errno, false);
  }
  // "Nothing to report here" (a file that does not exist on this kernel): like
  // node_exporter's ErrNoData, the scraper reports success 0 but logs it at debug
  // level only, since nothing is broken. sys_errno is the errno behind it, if any
  // (ENOENT for a missing file).
  static Status NoData(std::string message, int sys_errno = 0) { return Status(std::move(message), sys_errno, true); }

  bool ok() const { return !failed_; }
  bool no_data() const { return no_data_; }
  const std::string& message() const { return message_; }

  // The errno of the failed system call this status reports; 0 when it does
  // not come from one (and for OK).
  int sys_errno() const { return sys_errno_; }
  // The operation is not supported here (EOPNOTSUPP, which Linux also spells
  // ENOTSUP): e.g. a read of /proc/pressure/* on a kernel booted with psi=0.
  bool IsNotSupported() const { return sys_errno_ == EOPNOTSUPP; }
  // No such file or directory (ENOENT).
  bool IsNotFound() const { return sys_errno_ == ENOENT; }

 private:
  Status(std::string message, int sys_errno, bool no_data)
      : message_(std::move(message)), sys_errno_(sys_errno), failed_(true), no_data_(no_data) {}
  static std::string WithStrerror(std::string_view context, int sys_errno) {
    std::string m(context);
    m += ": ";
    m += std::strerror(sys_errno);
    return m;
  }

  std::string message_;
  int sys_errno_ = 0;
  bool failed_ = false;
  bool no_data_ = false;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                                              // NOLINT: implicit by design.
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
