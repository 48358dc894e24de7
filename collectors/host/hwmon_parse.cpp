// The pure half of the hwmon collector (hwmon.h): names, values and the
// samples of one sensor, each rule as node_exporter 1.12.1's hwmon_linux.go has it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "collectors/core/strings.h"
#include "collectors/host/hwmon.h"

namespace hostwatch {
namespace {

// node_exporter's hwmonSensorTypes: files of other types are not read.
const std::set<std::string, std::less<>> kSensorTypes = {
    "vrm", "beep_enable", "update_interval", "in",       "cpu",       "fan",  "pwm",
    "temp", "curr",       "power",           "energy",   "humidity", "intrusion", "freq",
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decodes one UTF-8 rune at s[i] the way Go's utf8.DecodeRuneInString does:
// returns its length, or 0 for an invalid sequence (Go then steps one byte).
std::size_t RuneLength(std::string_view s, std::size_t i, char32_t* rune) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) {
    *rune = c;
    return 1;
  }
  const std::size_t n = c >= 0xF5 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || i + n > s.size()) {
    return 0;
  }
  // The second byte's range excludes overlong forms, surrogates and > U+10FFFF.
  const unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
  const unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  if (b(1) < lo || b(1) > hi) {
    return 0;
  }
  char32_t r = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    if (k > 1 && (b(k) < 0x80 || b(k) > 0xBF)) {
      return 0;
    }
    r = (r << 6) | (b(k) & 0x3F);
  }
  *rune = r;
  return n;
}

// Go's special(): [+-]inf, [+-]infinity, nan (no sign), any case; the whole string.
std::optional<double> GoSpecialFloat(std::string_view s) {
  double sign = 1;
  std::string_view rest = s;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    sign = rest[0] == '-' ? -1 : 1;
    rest.remove_prefix(1);
  }
  std::string lower;
  for (char c : rest) {
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (lower == "inf" || lower == "infinity") {
    return sign * std::numeric_limits<double>::infinity();
  }
  if (lower == "nan" && rest.size() == s.size()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return std::nullopt;
}

// Whether a number from_chars called out of range was too small (Go returns
// 0 for it) rather than too large (Go's ErrRange): the decimal or binary
// exponent of its first significant digit is negative.
bool IsUnderflow(std::string_view digits, bool hex) {
  std::size_t e = digits.find_first_of(hex ? "pP" : "eE");
  long long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view ev = digits.substr(e + 1);
    if (!ev.empty() && ev[0] == '+') {
      ev.remove_prefix(1);
    }
    std::from_chars(ev.data(), ev.data() + ev.size(), exponent);
  }
  std::string_view mantissa = digits.substr(0, e);
  const std::size_t dot = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t first = mantissa.find_first_not_of("0.");
  if (first == std::string_view::npos) {
    return true;
  }
  const long long position = first < dot ? static_cast<long long>(dot - first) : -static_cast<long long>(first - dot);
  return position * (hex ? 4 : 1) + exponent <= 0;
}

}  // namespace

std::optional<HwmonSensorFile> ParseHwmonSensorFile(std::string_view name) {
  // The pattern's type ([^0-9]+) is greedy, but backs off to a shorter type
  // when only then "_<property>" can follow: "temp_x1y" is type "temp",
  // property "x1y". Try the longest type first, as the regexp engine does.
  std::size_t type_end = 0;
  while (type_end < name.size() && !IsDigit(name[type_end])) {
    ++type_end;
  }
  for (std::size_t t = type_end; t >= 1; --t) {
    std::size_t id_end = t;
    while (id_end < name.size() && IsDigit(name[id_end])) {
      ++id_end;
    }
    std::string_view rest = name.substr(id_end);
    // "(_(.+))?$": nothing left, or "_" and at least one character; "." does not match '\n'.
    const bool tail_ok = rest.empty() || (rest.size() >= 2 && rest[0] == '_' && rest.find('\n') == std::string_view::npos);
    if (!tail_ok) {
      // A shorter id leaves a digit where "_" would have to be; only a shorter type can still match.
      continue;
    }
    std::string_view type = name.substr(0, t);
    std::string_view id = name.substr(t, id_end - t);
    std::int64_t num = 0;
    if (!id.empty()) {
      auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), num);
      if (ec != std::errc()) {
        return std::nullopt;  // Go's Atoi fails: the file is not a sensor
      }
    }
    if (!kSensorTypes.contains(type)) {
      return std::nullopt;
    }
    return HwmonSensorFile{std::string(type), std::string(type) + std::to_string(num),
                           std::string(rest.empty() ? "" : rest.substr(1))};
  }
  return std::nullopt;
}

std::string CleanHwmonName(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t r = 0;
    std::size_t n = RuneLength(s, i, &r);
    i += n == 0 ? 1 : n;
    // Go's unicode.ToLower maps two non-ASCII runes into ASCII: KELVIN SIGN
    // and LATIN CAPITAL I WITH DOT ABOVE.
    if (n != 0 && r == 0x212A) {
      r = 'k';
    } else if (n != 0 && r == 0x130) {
      r = 'i';
    } else if (n != 0 && r >= 'A' && r <= 'Z') {
      r = r - 'A' + 'a';
    }
    const bool keep = n != 0 && ((r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == ':' || r == '_');
    out += keep ? static_cast<char>(r) : '_';
  }
  const std::size_t first = out.find_first_not_of('_');
  if (first == std::string::npos) {
    return "";
  }
  return out.substr(first, out.find_last_not_of('_') - first + 1);
}

std::optional<double> ParseGoFloat(std::string_view s) {
  if (std::optional<double> special = GoSpecialFloat(s)) {
    return special;
  }
  bool negative = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  const bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  if (hex) {
    body.remove_prefix(2);
  }
  // from_chars would take "nan", "inf" and signs here; Go's grammar has none of them.
  // (Go also allows "_" between digits after a 0x prefix; no hwmon driver writes that.)
  const std::string_view allowed = hex ? "0123456789abcdefABCDEF.pP+-" : "0123456789.eE+-";
  if (body.empty() || body.find_first_not_of(allowed) != std::string_view::npos || body[0] == '+' ||
      body[0] == '-' || (hex && body.find_first_of("pP") == std::string_view::npos)) {
    return std::nullopt;
  }
  double v = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v,
                                 hex ? std::chars_format::hex : std::chars_format::general);
  if (p != body.data() + body.size()) {
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) {
    if (!IsUnderflow(body, hex)) {
      return std::nullopt;
    }
    v = 0;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return negative ? -v : v;
}

void AddHwmonValue(const HwmonSensorFile& file, std::string_view raw, HwmonSensors* sensors) {
  raw = raw.substr(0, kHwmonMaxValueBytes);
  const std::size_t first = raw.find_first_not_of('\n');
  raw = first == std::string_view::npos ? std::string_view() : raw.substr(first, raw.find_last_not_of('\n') - first + 1);
  (*sensors)[file.sensor][file.property] = std::string(raw);
}

namespace {

// The name, HELP text, scale and type node_exporter gives property `element`
// of a sensor of type `type` whose metric name so far is `name`
// (node_hwmon_<type>[_<element>]).
struct Shape {
  std::string name, help;
  double scale = 1;                // multiplied by, as Go does (0.001 for milli-units)
  bool divide_by_million = false;  // micro-units: divided by 1e6, as Go does (not times 1e-6)
  MetricType type = MetricType::Gauge;
};

Shape ShapeFor(const std::string& type, std::string element, const std::string& name) {
  if (element == "fault" || element == "alarm") {
    return {name, "Hardware sensor " + element + " status (" + type + ")"};
  }
  if (element == "beep") {
    return {name + "_enabled", "Hardware monitor sensor has beeping enabled"};
  }
  if (type == "in" || type == "cpu") {
    return {name + "_volts", "Hardware monitor for voltage (" + element + ")", 0.001};
  }
  if (type == "temp" && element != "type") {
    if (element.empty()) {
      element = "input";
    }
    return {name + "_celsius", "Hardware monitor for temperature (" + element + ")", 0.001};
  }
  if (type == "curr") {
    return {name + "_amps", "Hardware monitor for current (" + element + ")", 0.001};
  }
  if (type == "energy") {
    return {name + "_joule_total", "Hardware monitor for joules used so far (" + element + ")", 1, true,
            MetricType::Counter};
  }
  if (type == "power" && element == "accuracy") {
    return {name, "Hardware monitor power meter accuracy, as a ratio", 1, true};
  }
  if (type == "power" &&
      (element == "average_interval" || element == "average_interval_min" || element == "average_interval_max")) {
    return {name + "_seconds", "Hardware monitor power usage update interval (" + element + ")", 0.001};
  }
  if (type == "power") {
    return {name + "_watt", "Hardware monitor for power usage in watts (" + element + ")", 1, true};
  }
  if (type == "humidity") {
    return {name,
            "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (" +
                element + ")",
            1, true};
  }
  if (type == "fan" && (element == "input" || element == "min" || element == "max" || element == "target")) {
    return {name + "_rpm", "Hardware monitor for fan revolutions per minute (" + element + ")"};
  }
  return {name, "Hardware monitor " + type + " element " + element};
}

// The sensors whose whole output is one family of their own.
std::optional<HwmonSample> WholeSensorSample(const std::string& type, const HwmonProperties& props,
                                             const std::vector<std::string>& labels, std::uint64_t* parse_errors) {
  auto own = props.find("");
  const std::string value = own == props.end() ? "" : own->second;
  if (type == "beep_enable") {
    return HwmonSample{"node_hwmon_beep_enabled", "Hardware beep enabled", MetricType::Gauge,
                       value == "1" ? 1.0 : 0.0, labels};
  }
  std::optional<double> v = ParseGoFloat(value);
  if (!v) {
    ++*parse_errors;
    return std::nullopt;
  }
  if (type == "vrm") {
    return HwmonSample{"node_hwmon_voltage_regulator_version", "Hardware voltage regulator", MetricType::Gauge, *v,
                       labels};
  }
  return HwmonSample{"node_hwmon_update_interval_seconds", "Hardware monitor update interval", MetricType::Gauge,
                     *v * 0.001, labels};
}

}  // namespace

std::vector<HwmonSample> HwmonSensorSamples(std::string_view chip, std::string_view sensor,
                                            const HwmonProperties& props, std::uint64_t* parse_errors) {
  std::vector<HwmonSample> out;
  std::optional<HwmonSensorFile> parsed = ParseHwmonSensorFile(sensor);
  if (!parsed) {
    return out;
  }
  const std::string& type = parsed->type;
  const std::vector<std::string> labels = {std::string(chip), std::string(sensor)};
  auto label = props.find("label");
  if (label != props.end()) {
    out.push_back({"node_hwmon_sensor_label", "Label for given chip and sensor", MetricType::Gauge, 1,
                   {std::string(chip), std::string(sensor), ToValidUtf8(label->second)}});
  }
  if (type == "beep_enable" || type == "vrm" || type == "update_interval") {
    if (std::optional<HwmonSample> s = WholeSensorSample(type, props, labels, parse_errors)) {
      out.push_back(std::move(*s));
    }
    return out;
  }
  const bool has_own_value = props.contains("");
  for (const auto& [element, value] : props) {
    if (element == "label") {
      continue;
    }
    std::string name = "node_hwmon_" + type;
    if (element == "input") {
      // "input" is the value itself, unless the sensor also has a file without property.
      name += has_own_value ? "_input" : "";
    } else if (!element.empty()) {
      name += "_" + CleanHwmonName(element);
    }
    std::optional<double> v = ParseGoFloat(value);
    if (!v) {
      ++*parse_errors;
      continue;
    }
    if (type == "freq") {
      // GPU clocks are labelled by their clock name (sclk, mclk) in place of the
      // sensor, and only when they have a label. (Upstream also rewrites the sensor
      // label of the sensor's later properties, in Go's random map order; here
      // they keep the sensor name, which is what upstream gives most of the time.)
      if (element == "input" && label != props.end()) {
        out.push_back({name + "_freq_mhz", "Hardware monitor for GPU frequency in MHz", MetricType::Gauge,
                       *v / 1000000.0, {std::string(chip), CleanHwmonName(label->second)}});
      }
      if (element == "input") {
        continue;
      }
    }
    Shape shape = ShapeFor(type, element, name);
    out.push_back({std::move(shape.name), std::move(shape.help), shape.type,
                   shape.divide_by_million ? *v / 1000000.0 : *v * shape.scale, labels});
  }
  return out;
}

std::optional<std::string> HwmonBaseName(const HwmonChipFacts& facts) {
  if (facts.device_path) {
    // filepath.Split: the last element, and the one before it.
    std::string_view path = *facts.device_path;
    const std::size_t slash = path.rfind('/');
    std::string_view dev_name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    std::string_view prefix = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
    while (!prefix.empty() && prefix.back() == '/') {
      prefix.remove_suffix(1);
    }
    std::string_view dev_type = prefix.substr(prefix.rfind('/') == std::string_view::npos ? 0 : prefix.rfind('/') + 1);
    const std::string name = CleanHwmonName(dev_name);
    const std::string type = CleanHwmonName(dev_type);
    if (!type.empty() && !name.empty()) {
      return type + "_" + name;
    }
    if (!name.empty()) {
      return name;
    }
  }
  if (std::optional<std::string> human = HwmonHumanName(facts.name_file)) {
    return human;
  }
  if (facts.real_dir) {
    const std::size_t slash = facts.real_dir->rfind('/');
    std::string name = CleanHwmonName(slash == std::string::npos ? *facts.real_dir : facts.real_dir->substr(slash + 1));
    if (!name.empty()) {
      return name;
    }
  }
  return std::nullopt;
}

std::optional<std::string> HwmonHumanName(const std::optional<std::string>& name_file) {
  if (!name_file) {
    return std::nullopt;
  }
  std::string clean = CleanHwmonName(*name_file);
  return clean.empty() ? std::nullopt : std::optional<std::string>(std::move(clean));
}

std::vector<std::string> HwmonChipLabels(const std::vector<HwmonChipEntry>& entries) {
  std::map<std::string, int> base_counts;
  std::map<std::pair<std::string, std::string>, int> name_counts;
  for (const HwmonChipEntry& e : entries) {
    ++base_counts[e.base_name];
    ++name_counts[{e.base_name, e.name_file}];
  }
  std::vector<std::string> labels;
  for (const HwmonChipEntry& e : entries) {
    if (base_counts[e.base_name] <= 1) {
      labels.push_back(e.base_name);
      continue;
    }
    std::string suffix = CleanHwmonName(e.name_file);
    if (suffix.empty() || name_counts[{e.base_name, e.name_file}] > 1) {
      suffix = CleanHwmonName(e.dir_name);
    }
    labels.push_back(e.base_name + "_" + suffix);
  }
  return labels;
}

}  // namespace hostwatch
