#include "collectors/core/text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace hostwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

}  // namespace

void AppendGoFloat(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  // Small integers (most gauges and many counters) print as themselves: Go's
  // shortest 'g' form only switches to an exponent from 1e+06 on.
  if (std::abs(v) < 1e6 && v == std::trunc(v)) {
    char buf[16];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<long long>(v));
    (void)ec;  // 16 bytes always suffice for |v| < 1e6.
    out->append(buf, static_cast<std::size_t>(end - buf));
    return;
  }
  // Shortest round-trip digits in scientific form: "-d.ddde+XX". Everything
  // below works on stack buffers: this runs once per sample.
  char sci[64];
  auto [sci_end, ec] = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
  (void)ec;  // 64 bytes always suffice for a double.
  const char* p = sci;
  if (*p == '-') {
    out->push_back('-');
    ++p;
  }
  char digits[32];  // significant digits without the point (at most 17)
  std::size_t nd = 0;
  while (p < sci_end && *p != 'e') {
    if (*p != '.') {
      digits[nd++] = *p;
    }
    ++p;
  }
  ++p;  // the 'e'
  if (p < sci_end && *p == '+') {
    ++p;  // from_chars takes '-' but not '+'
  }
  int exponent = 0;
  std::from_chars(p, sci_end, exponent);
  // strconv/ftoa.go uses %e when exp < -4 || exp >= eprec, and eprec is 6
  // for the shortest format: FormatFloat(1e6, 'g', -1, 64) == "1e+06".
  if (exponent < -4 || exponent >= 6) {
    out->push_back(digits[0]);
    if (nd > 1) {
      out->push_back('.');
      out->append(digits + 1, nd - 1);
    }
    out->push_back('e');
    out->push_back(exponent < 0 ? '-' : '+');
    int abs_exp = std::abs(exponent);
    char exp_digits[4];  // Go prints at least two exponent digits; a double has at most three.
    std::size_t ne = 0;
    if (abs_exp >= 100) {
      exp_digits[ne++] = static_cast<char>('0' + abs_exp / 100);
    }
    exp_digits[ne++] = static_cast<char>('0' + abs_exp / 10 % 10);
    exp_digits[ne++] = static_cast<char>('0' + abs_exp % 10);
    out->append(exp_digits, ne);
    return;
  }
  // %f with the shortest digits.
  if (exponent < 0) {
    out->append("0.");
    out->append(static_cast<std::size_t>(-exponent - 1), '0');
    out->append(digits, nd);
    return;
  }
  std::size_t int_digits = static_cast<std::size_t>(exponent) + 1;
  if (nd <= int_digits) {
    out->append(digits, nd);
    out->append(int_digits - nd, '0');
  } else {
    out->append(digits, int_digits);
    out->push_back('.');
    out->append(digits + int_digits, nd - int_digits);
  }
}

std::string FormatGoFloat(double v) {
  std::string s;
  AppendGoFloat(v, &s);
  return s;
}

namespace {

void AppendEscaped(std::string_view s, bool escape_quote, std::string* out) {
  // Almost no value needs escaping: copy runs of plain characters in one
  // append instead of one push_back per character.
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char* escaped = c == '\\' ? "\\\\" : c == '\n' ? "\\n" : (c == '"' && escape_quote) ? "\\\"" : nullptr;
    if (escaped != nullptr) {
      out->append(s.data() + run_start, i - run_start);
      out->append(escaped, 2);
      run_start = i + 1;
    }
  }
  out->append(s.data() + run_start, s.size() - run_start);
}

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    default:
      return "untyped";
  }
}

bool LabelValuesLess(const ClientMetric& a, const ClientMetric& b) {
  std::size_t n = std::min(a.label.size(), b.label.size());
  for (std::size_t i = 0; i < n; ++i) {
    int c = a.label[i].value.compare(b.label[i].value);
    if (c != 0) {
      return c < 0;
    }
  }
  return a.label.size() < b.label.size();
}

// Writes "name{labels,extra="v"} value\n".
void WriteSample(std::string_view name, std::string_view suffix, const ClientMetric& m, std::string_view extra_name,
                 double extra_value, bool has_extra, double value, std::string* out) {
  out->append(name);
  out->append(suffix);
  if (!m.label.empty() || has_extra) {
    out->push_back('{');
    bool first = true;
    for (const auto& l : m.label) {
      if (!first) {
        out->push_back(',');
      }
      first = false;
      out->append(l.name);
      out->append("=\"");
      AppendEscaped(l.value, true, out);
      out->push_back('"');
    }
    if (has_extra) {
      if (!first) {
        out->push_back(',');
      }
      out->append(extra_name);
      out->append("=\"");
      AppendGoFloat(extra_value, out);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendGoFloat(value, out);
  out->push_back('\n');
}

void WriteMetric(const MetricFamily& f, const ClientMetric& m, std::string* out) {
  switch (f.type) {
    case MetricType::Counter:
      WriteSample(f.name, "", m, "", 0, false, m.counter.value, out);
      break;
    case MetricType::Gauge:
      WriteSample(f.name, "", m, "", 0, false, m.gauge.value, out);
      break;
    case MetricType::Summary:
      for (const auto& q : m.summary.quantile) {
        WriteSample(f.name, "", m, "quantile", q.quantile, true, q.value, out);
      }
      WriteSample(f.name, "_sum", m, "", 0, false, m.summary.sample_sum, out);
      WriteSample(f.name, "_count", m, "", 0, false, static_cast<double>(m.summary.sample_count), out);
      break;
    case MetricType::Histogram: {
      bool has_inf = false;
      for (const auto& b : m.histogram.bucket) {
        WriteSample(f.name, "_bucket", m, "le", b.upper_bound, true, static_cast<double>(b.cumulative_count), out);
        has_inf = has_inf || std::isinf(b.upper_bound);
      }
      if (!has_inf) {
        WriteSample(f.name, "_bucket", m, "le", INFINITY, true, static_cast<double>(m.histogram.sample_count), out);
      }
      WriteSample(f.name, "_sum", m, "", 0, false, m.histogram.sample_sum, out);
      WriteSample(f.name, "_count", m, "", 0, false, static_cast<double>(m.histogram.sample_count), out);
      break;
    }
    default:
      WriteSample(f.name, "", m, "", 0, false, m.untyped.value, out);
      break;
  }
}

// Stable sort by label values. A ClientMetric is a few hundred bytes, so the
// indices are sorted and each series is then moved once, instead of
// O(n log n) moves of whole series (a big host has thousands per family).
void SortSeries(std::vector<ClientMetric>* series) {
  std::vector<std::size_t> order(series->size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [series](std::size_t a, std::size_t b) { return LabelValuesLess((*series)[a], (*series)[b]); });
  std::vector<ClientMetric> sorted;
  sorted.reserve(series->size());
  for (std::size_t i : order) {
    sorted.push_back(std::move((*series)[i]));
  }
  *series = std::move(sorted);
}

bool SameLabels(const ClientMetric& a, const ClientMetric& b) {
  if (a.label.size() != b.label.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.label.size(); ++i) {
    if (a.label[i].name != b.label[i].name || a.label[i].value != b.label[i].value) {
      return false;
    }
  }
  return true;
}

// Two sources that emit the same series (netclass with-stats beside netdev)
// would make Prometheus reject the whole scrape; client_golang drops the
// repeat with an error. The first one collected is kept (SortSeries is stable).
void DropRepeatedSeries(std::vector<ClientMetric>* sorted) {
  auto last = std::unique(sorted->begin(), sorted->end(), SameLabels);
  sorted->erase(last, sorted->end());
}

}  // namespace

void NormalizeFamilies(std::vector<MetricFamily>* families) {
  // Families are large (two strings and a vector): sort their indices rather
  // than moving them around, then move each one once into its place.
  std::vector<std::size_t> order(families->size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [families](std::size_t a, std::size_t b) { return (*families)[a].name < (*families)[b].name; });
  // Merge runs of equal names into the first family of the run.
  std::vector<MetricFamily> merged;
  std::vector<bool> from_several;  // per merged family: only those can repeat a series
  merged.reserve(families->size());
  for (std::size_t idx : order) {
    MetricFamily& f = (*families)[idx];
    if (!merged.empty() && merged.back().name == f.name) {
      auto& dst = merged.back().metric;
      dst.insert(dst.end(), std::make_move_iterator(f.metric.begin()), std::make_move_iterator(f.metric.end()));
      from_several.back() = true;
    } else {
      merged.push_back(std::move(f));
      from_several.push_back(false);
    }
  }
  const auto label_name_less = [](const prometheus::ClientMetric::Label& a, const prometheus::ClientMetric::Label& b) {
    return a.name < b.name;
  };
  for (std::size_t i = 0; i < merged.size(); ++i) {
    auto& f = merged[i];
    // Collectors mostly emit labels and series already in order; checking is
    // linear and saves the sort (and stable_sort's buffer) in the common case.
    for (auto& m : f.metric) {
      if (m.label.size() > 1 && !std::is_sorted(m.label.begin(), m.label.end(), label_name_less)) {
        std::sort(m.label.begin(), m.label.end(), label_name_less);
      }
    }
    if (!std::is_sorted(f.metric.begin(), f.metric.end(), LabelValuesLess)) {
      SortSeries(&f.metric);
    }
    if (from_several[i]) {
      DropRepeatedSeries(&f.metric);
    }
  }
  *families = std::move(merged);
}

void WriteTextFormat(const std::vector<MetricFamily>& families, std::string* out) {
  for (const auto& f : families) {
    if (f.metric.empty()) {
      continue;
    }
    out->append("# HELP ");
    out->append(f.name);
    out->push_back(' ');
    AppendEscaped(f.help, false, out);
    out->append("\n# TYPE ");
    out->append(f.name);
    out->push_back(' ');
    out->append(TypeName(f.type));
    out->push_back('\n');
    for (const auto& m : f.metric) {
      WriteMetric(f, m, out);
    }
  }
}

std::string SerializeText(std::vector<MetricFamily> families) {
  NormalizeFamilies(&families);
  // Grow the buffer once instead of doubling through a ~100 KB exposition:
  // a sample line is rarely longer than 128 bytes.
  std::size_t samples = 0;
  for (const auto& f : families) {
    samples += f.metric.size() + 2;
  }
  std::string out;
  out.reserve(samples * 128);
  WriteTextFormat(families, &out);
  return out;
}

}  // namespace hostwatch
