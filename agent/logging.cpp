#include "agent/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "collectors/core/text_format.h"

namespace hostwatch::logging {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<Format> g_format{Format::kLogfmt};

std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("hostwatch", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");  // we format the whole line ourselves
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

bool NeedsQuoting(std::string_view v) {
  if (v.empty()) {
    return true;
  }
  for (unsigned char c : v) {
    if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f) {
      return true;
    }
  }
  return false;
}

void AppendQuoted(std::string_view v, std::string* out) {
  out->push_back('"');
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendLogfmtPair(std::string_view key, std::string_view value, std::string* out) {
  if (!out->empty()) {
    out->push_back(' ');
  }
  out->append(key);
  out->push_back('=');
  if (NeedsQuoting(value)) {
    AppendQuoted(value, out);
  } else {
    out->append(value);
  }
}

void AppendJsonPair(std::string_view key, std::string_view value, std::string* out) {
  if (out->size() > 1) {  // past the opening brace
    out->push_back(',');
  }
  AppendQuoted(key, out);
  out->push_back(':');
  AppendQuoted(value, out);
}

std::string Now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k), value(FormatGoFloat(v)) {}

Result<Level> ParseLevel(std::string_view s) {
  if (s == "debug") return Level::kDebug;
  if (s == "info") return Level::kInfo;
  if (s == "warn") return Level::kWarn;
  if (s == "error") return Level::kError;
  return Status::Error("unknown log level \"" + std::string(s) + "\" (want debug, info, warn or error)");
}

Result<Format> ParseFormat(std::string_view s) {
  if (s == "logfmt") return Format::kLogfmt;
  if (s == "json") return Format::kJson;
  return Status::Error("unknown log format \"" + std::string(s) + "\" (want logfmt or json)");
}

void Init(Level level, Format format) {
  g_level = level;
  g_format = format;
  Logger();
}

bool Enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

std::string FormatLine(Format format, Level level, std::string_view timestamp, std::string_view msg,
                       std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(128);
  if (format == Format::kJson) {
    line.push_back('{');
    AppendJsonPair("ts", timestamp, &line);
    AppendJsonPair("level", LevelName(level), &line);
    AppendJsonPair("msg", msg, &line);
    for (const Field& f : fields) {
      AppendJsonPair(f.key, f.value, &line);
    }
    line.push_back('}');
  } else {
    AppendLogfmtPair("ts", timestamp, &line);
    AppendLogfmtPair("level", LevelName(level), &line);
    AppendLogfmtPair("msg", msg, &line);
    for (const Field& f : fields) {
      AppendLogfmtPair(f.key, f.value, &line);
    }
  }
  return line;
}

void LogEachLine(std::string_view msg, std::string_view errors) {
  while (!errors.empty()) {
    std::size_t nl = errors.find('\n');
    Log(Level::kError, msg, {{"err", errors.substr(0, nl)}});
    if (nl == std::string_view::npos) {
      break;
    }
    errors.remove_prefix(nl + 1);
  }
}

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) {
    return;
  }
  std::string line = FormatLine(g_format.load(std::memory_order_relaxed), level, Now(), msg, fields);
  Logger()->info("{}", line);
}

bool RateLimit::Allow(std::chrono::steady_clock::time_point now, std::uint64_t* suppressed) {
  const std::int64_t t = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  std::int64_t next = next_ns_.load(std::memory_order_relaxed);
  // Of several threads arriving at once only the one whose exchange succeeds logs.
  if (t < next || !next_ns_.compare_exchange_strong(next, t + interval_ns_)) {
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  *suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
  return true;
}

}  // namespace hostwatch::logging
