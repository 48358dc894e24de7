#include "collectors/host/os.h"

#include <chrono>
#include <vector>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// Label order of node_os_info (sorted, as node_exporter prints them) and the
// os-release keys they come from.
constexpr std::pair<const char*, const char*> kInfoLabels[] = {
    {"build_id", "BUILD_ID"},
    {"id", "ID"},
    {"id_like", "ID_LIKE"},
    {"image_id", "IMAGE_ID"},
    {"image_version", "IMAGE_VERSION"},
    {"name", "NAME"},
    {"pretty_name", "PRETTY_NAME"},
    {"variant", "VARIANT"},
    {"variant_id", "VARIANT_ID"},
    {"version", "VERSION"},
    {"version_codename", "VERSION_CODENAME"},
    {"version_id", "VERSION_ID"},
};

const MetricDesc kOsInfo{
    "node_os_info",
    "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, "
    "pretty_name, variant, variant_id, version, version_codename, version_id.",
    MetricType::Gauge,
    {"build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id",
     "version", "version_codename", "version_id"}};
const MetricDesc kOsVersion{"node_os_version",
                            "Metric containing the major.minor part of the OS version.",
                            MetricType::Gauge,
                            {"id", "id_like", "name"}};
const MetricDesc kSupportEnd{"node_os_support_end_timestamp_seconds",
                             "Metric containing the end-of-life date timestamp of the OS.",
                             MetricType::Gauge,
                             {}};

const char* const kOsReleasePaths[] = {"etc/os-release", "usr/lib/os-release"};

std::string Lookup(const std::map<std::string, std::string>& kv, const char* key) {
  auto it = kv.find(key);
  return it == kv.end() ? std::string() : it->second;
}

// Unquotes one os-release value; nullopt on an unterminated quote or trailing garbage.
std::optional<std::string> UnquoteValue(std::string_view v) {
  std::string out;
  std::size_t i = 0;
  while (i < v.size()) {
    char c = v[i];
    if (c == '\'') {
      std::size_t end = v.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return std::nullopt;
      }
      out.append(v.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < v.size()) {
        if (v[i] == '\\' && i + 1 < v.size()) {
          char next = v[i + 1];
          if (next == '"' || next == '\\' || next == '$' || next == '`') {
            out.push_back(next);
          } else {
            out.push_back('\\');
            out.push_back(next);
          }
          i += 2;
        } else if (v[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          out.push_back(v[i++]);
        }
      }
      if (!closed) {
        return std::nullopt;
      }
    } else if (c == '\\' && i + 1 < v.size()) {
      out.push_back(v[i + 1]);
      i += 2;
    } else if (c == ' ' || c == '\t') {
      // Unquoted whitespace ends the value; only a comment may follow.
      std::string_view rest = TrimSpace(v.substr(i));
      if (!rest.empty() && rest.front() != '#') {
        return std::nullopt;
      }
      break;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

bool IsValidKey(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) {
    return false;
  }
  for (char c : key) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

class OsCollector : public Collector {
 public:
  explicit OsCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = Status::NoData("");
    std::string tried;
    for (const char* rel : kOsReleasePaths) {
      text = fs_.ReadFile(fs_.RootPath(rel));
      if (text.ok() || !text.status().no_data()) {
        break;
      }
      tried += (tried.empty() ? "" : ", ") + fs_.RootPath(rel);
    }
    if (!text.ok()) {
      return text.status().no_data() ? Status::NoData("no os-release file (" + tried + ")") : text.status();
    }
    std::uint64_t errors = 0;
    std::map<std::string, std::string> kv = ParseOsRelease(text.value(), &errors);
    sink.CountParseError(errors);
    std::vector<std::string> info;
    for (const auto& [label, key] : kInfoLabels) {
      info.push_back(Lookup(kv, key));
    }
    sink.Add(kOsInfo, 1, info);
    sink.Add(kOsVersion, OsVersionNumber(Lookup(kv, "VERSION_ID")).value_or(0),
             {Lookup(kv, "ID"), Lookup(kv, "ID_LIKE"), Lookup(kv, "NAME")});
    if (auto it = kv.find("SUPPORT_END"); it != kv.end()) {
      if (std::optional<double> ts = ParseSupportEnd(it->second)) {
        sink.Add(kSupportEnd, *ts);
      } else {
        sink.CountParseError();
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
};

}  // namespace

std::map<std::string, std::string> ParseOsRelease(std::string_view text, std::uint64_t* parse_errors) {
  std::map<std::string, std::string> kv;
  for (std::string_view line : SplitLines(text)) {
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    std::size_t eq = line.find('=');
    std::string_view key = eq == std::string_view::npos ? std::string_view{} : line.substr(0, eq);
    std::optional<std::string> value =
        IsValidKey(key) ? UnquoteValue(line.substr(eq + 1)) : std::optional<std::string>{};
    if (!value) {
      ++*parse_errors;
      continue;
    }
    kv[std::string(key)] = std::move(*value);
  }
  return kv;
}

std::optional<double> OsVersionNumber(std::string_view version_id) {
  std::size_t i = 0;
  while (i < version_id.size() && version_id[i] >= '0' && version_id[i] <= '9') {
    ++i;
  }
  if (i == 0) {
    return std::nullopt;
  }
  if (i < version_id.size() && version_id[i] == '.') {
    ++i;
    while (i < version_id.size() && version_id[i] >= '0' && version_id[i] <= '9') {
      ++i;
    }
  }
  std::string_view number = version_id.substr(0, i);
  if (number.back() == '.') {
    number.remove_suffix(1);  // "12." parses as 12 in Go; from_chars wants digits after the dot
  }
  return ParseDouble(number);
}

std::optional<double> ParseSupportEnd(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
    return std::nullopt;
  }
  std::optional<std::uint64_t> y = ParseUint(date.substr(0, 4));
  std::optional<std::uint64_t> m = ParseUint(date.substr(5, 2));
  std::optional<std::uint64_t> d = ParseUint(date.substr(8, 2));
  if (!y || !m || !d) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(*y)),
                                  std::chrono::month(static_cast<unsigned>(*m)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return static_cast<double>(std::chrono::sys_days(ymd).time_since_epoch().count()) * 86400.0;
}

CollectorSpec OsCollectorSpec() {
  return {"os",
          true,
          "Exposes OS release information from <rootfs>/etc/os-release or <rootfs>/usr/lib/os-release: "
          "node_os_info, node_os_version.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<OsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
