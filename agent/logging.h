// Structured logging on stderr through spdlog: one line per event, either
// logfmt (ts=... level=info msg="..." key=value) or JSON, with every value
// escaped so that a hostile string (a target's error text) cannot forge lines.
// Thread-safe after Init().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "collectors/core/status.h"

namespace hostwatch::logging {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kLogfmt, kJson };

// Parses "debug|info|warn|error" and "logfmt|json".
Result<Level> ParseLevel(std::string_view s);
Result<Format> ParseFormat(std::string_view s);

void Init(Level level, Format format);
bool Enabled(Level level);

// A key=value pair of context.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, double v);
  std::string_view key;
  std::string value;
};

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kDebug, msg, fields); }
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kInfo, msg, fields); }
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kWarn, msg, fields); }
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kError, msg, fields); }

// Lets one event through per interval and counts the others, so that an event a
// client can cause at will (a scrape storm's 503s: 24,000 warnings a second
// under wrk before this existed) cannot flood the journal. Lock-free and
// thread-safe.
class RateLimit {
 public:
  explicit RateLimit(std::chrono::milliseconds interval) : interval_ns_(interval.count() * 1000000) {}
  // True when the event should be logged now; *suppressed is then the number
  // of events refused since the last one let through.
  bool Allow(std::chrono::steady_clock::time_point now, std::uint64_t* suppressed);

 private:
  const std::int64_t interval_ns_;
  std::atomic<std::int64_t> next_ns_{INT64_MIN};
  std::atomic<std::uint64_t> suppressed_{0};
};

// Logs message at error level once per line of errors (a config with three
// problems gives three events, each with its file:line:column).
void LogEachLine(std::string_view msg, std::string_view errors);

// Formats one event line without the trailing newline (exposed for tests).
std::string FormatLine(Format format, Level level, std::string_view timestamp, std::string_view msg,
                       std::initializer_list<Field> fields);

}  // namespace hostwatch::logging
