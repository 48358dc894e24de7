// Structured logging on stderr through spdlog: one line per event, either
// logfmt (ts=... level=info msg="..." key=value) or JSON, with every value
// escaped so that a hostile string (a target's error text) cannot forge lines.
// Thread-safe after Init().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "collectors/status.h"

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

// Logs message at error level once per line of errors (a config with three
// problems gives three events, each with its file:line:column).
void LogEachLine(std::string_view msg, std::string_view errors);

// Formats one event line without the trailing newline (exposed for tests).
std::string FormatLine(Format format, Level level, std::string_view timestamp, std::string_view msg,
                       std::initializer_list<Field> fields);

}  // namespace hostwatch::logging
