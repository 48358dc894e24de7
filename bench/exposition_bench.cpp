// Micro-benchmarks for the serialization half of a scrape, on a realistic
// payload: node_exporter's expected e2e output (about 1,200 families and 3,000
// samples, ~370 KB of text), loaded back into prometheus-cpp MetricFamily
// values. The range argument replicates every sample k times (with an extra
// "replica" label) to show how the cost grows on a big host.
//
// Stages, so a profile can be matched to a row:
//   BM_SinkAdd         collectors building families through MetricSink::Add
//   BM_CopyFamilies    copying the families (baseline for the two below)
//   BM_Normalize       copy + sort/merge (NormalizeFamilies)
//   BM_WriteText       writing already-normalized families (WriteTextFormat)
//   BM_SerializeText   copy + normalize + write: what /metrics does
//   BM_PrometheusCppTextSerializer  prometheus-cpp's writer, for comparison
//   BM_Gzip            compressing the body (Prometheus asks for gzip)
//   BM_AppendGoFloat   the float formatter alone
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include <charconv>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/web/gzip.h"
#include "collectors/core/metric_sink.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/proc_fs.h"
#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

// ---- Loading e2e-output.txt (bench-only: trusts its well-formed input). ----

std::string Unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      out.push_back(s[i] == 'n' ? '\n' : s[i]);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

double ParseSampleValue(std::string_view s) {
  if (s == "+Inf") {
    return INFINITY;
  }
  if (s == "-Inf") {
    return -INFINITY;
  }
  return s == "NaN" ? NAN : ParseDouble(s).value_or(0);
}

// Splits `name{a="x",b="y"} value` into its parts.
struct SampleLine {
  std::string name;
  std::vector<ClientMetric::Label> labels;
  double value = 0;
};

SampleLine ParseSampleLine(std::string_view line) {
  SampleLine s;
  std::size_t name_end = line.find_first_of("{ ");
  s.name = std::string(line.substr(0, name_end));
  std::size_t pos = name_end;
  if (line[pos] == '{') {
    ++pos;
    while (line[pos] != '}') {
      std::size_t eq = line.find('=', pos);
      ClientMetric::Label label{std::string(line.substr(pos, eq - pos)), ""};
      std::size_t v = eq + 2;  // skip ="
      std::size_t end = v;
      while (line[end] != '"') {
        end += line[end] == '\\' ? 2 : 1;
      }
      label.value = Unescape(line.substr(v, end - v));
      s.labels.push_back(std::move(label));
      pos = end + 1;
      if (line[pos] == ',') {
        ++pos;
      }
    }
    ++pos;
  }
  s.value = ParseSampleValue(TrimSpace(line.substr(pos)));
  return s;
}

void AddSummarySample(MetricFamily& family, SampleLine sample, std::map<std::string, std::size_t>& series) {
  std::string suffix;
  if (sample.name.size() > family.name.size()) {
    suffix = sample.name.substr(family.name.size());
  }
  double quantile = -1;
  std::string key;
  std::vector<ClientMetric::Label> labels;
  for (auto& l : sample.labels) {
    if (l.name == "quantile") {
      quantile = ParseSampleValue(l.value);
    } else {
      key += l.name + "=" + l.value + ",";
      labels.push_back(std::move(l));
    }
  }
  auto [it, inserted] = series.try_emplace(key, family.metric.size());
  if (inserted) {
    family.metric.emplace_back().label = std::move(labels);
  }
  ClientMetric& m = family.metric[it->second];
  if (suffix == "_sum") {
    m.summary.sample_sum = sample.value;
  } else if (suffix == "_count") {
    m.summary.sample_count = static_cast<std::uint64_t>(sample.value);
  } else {
    m.summary.quantile.push_back({quantile, sample.value});
  }
}

// The families of a text exposition (counter, gauge, untyped, summary; the
// e2e output has no histograms).
std::vector<MetricFamily> LoadExposition(std::string_view text) {
  std::vector<MetricFamily> families;
  std::map<std::string, std::size_t> summary_series;
  for (std::string_view line : SplitLines(text)) {
    if (line.empty()) {
      continue;
    }
    if (line.starts_with("# HELP ")) {
      std::string_view rest = line.substr(7);
      std::size_t sp = rest.find(' ');
      MetricFamily& f = families.emplace_back();
      f.name = std::string(rest.substr(0, sp));
      f.help = sp == std::string_view::npos ? "" : Unescape(rest.substr(sp + 1));
      f.type = prometheus::MetricType::Untyped;
      summary_series.clear();
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      std::string_view type = line.substr(line.rfind(' ') + 1);
      MetricFamily& f = families.back();
      f.type = type == "counter"   ? prometheus::MetricType::Counter
               : type == "gauge"   ? prometheus::MetricType::Gauge
               : type == "summary" ? prometheus::MetricType::Summary
                                   : prometheus::MetricType::Untyped;
      continue;
    }
    if (line[0] == '#' || families.empty()) {
      continue;
    }
    MetricFamily& f = families.back();
    SampleLine sample = ParseSampleLine(line);
    if (f.type == prometheus::MetricType::Summary) {
      AddSummarySample(f, std::move(sample), summary_series);
      continue;
    }
    ClientMetric& m = f.metric.emplace_back();
    m.label = std::move(sample.labels);
    m.counter.value = m.gauge.value = m.untyped.value = sample.value;
  }
  return families;
}

// The e2e families with every sample replicated k times (label replica="i").
std::vector<MetricFamily> ScrapeFamilies(int k) {
  static const std::vector<MetricFamily> base = [] {
    ProcFs fs;
    Result<std::string> text = fs.ReadFile(std::string(HOSTWATCH_NODE_EXPORTER_FIXTURES) + "/e2e-output.txt");
    return text.ok() ? LoadExposition(text.value()) : std::vector<MetricFamily>();
  }();
  if (k <= 1) {
    return base;
  }
  std::vector<MetricFamily> out = base;
  for (MetricFamily& f : out) {
    std::vector<ClientMetric> replicated;
    replicated.reserve(f.metric.size() * static_cast<std::size_t>(k));
    for (int i = 0; i < k; ++i) {
      for (ClientMetric m : f.metric) {
        m.label.push_back({"replica", std::to_string(i)});
        replicated.push_back(std::move(m));
      }
    }
    f.metric = std::move(replicated);
  }
  return out;
}

std::size_t CountSamples(const std::vector<MetricFamily>& families) {
  std::size_t n = 0;
  for (const MetricFamily& f : families) {
    n += f.metric.size();
  }
  return n;
}

// Reports samples/s and bytes/s of exposition text, or an error when the
// fixture tree is missing.
bool Prepare(benchmark::State& state, const std::vector<MetricFamily>& families) {
  if (families.empty()) {
    state.SkipWithError("e2e-output.txt not found (is HOSTWATCH_NODE_EXPORTER_FIXTURES set?)");
    return false;
  }
  state.counters["samples"] = static_cast<double>(CountSamples(families));
  return true;
}

void Finish(benchmark::State& state, const std::vector<MetricFamily>& families, std::size_t text_bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * CountSamples(families)));
  if (text_bytes > 0) {
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text_bytes));
  }
}

// ---- Benchmarks. ------------------------------------------------------------

void BM_SinkAdd(benchmark::State& state) {
  const std::vector<MetricFamily> families = ScrapeFamilies(static_cast<int>(state.range(0)));
  if (!Prepare(state, families)) {
    return;
  }
  // One static descriptor per family and label-name list, as collectors
  // declare them (a few e2e families mix label sets; the writer merges them).
  std::map<std::string, std::size_t> desc_index;
  std::vector<MetricDesc> descs;
  struct Op {
    std::size_t desc;
    double value;
    std::vector<std::string> label_values;
  };
  std::vector<Op> ops;
  for (const MetricFamily& f : families) {
    if (f.type == prometheus::MetricType::Summary) {
      continue;  // collectors add summaries whole, with AddFamily
    }
    for (const ClientMetric& m : f.metric) {
      MetricDesc d{f.name, f.help, f.type, {}};
      Op op{0, m.gauge.value, {}};
      std::string key = f.name;
      for (const auto& l : m.label) {
        d.label_names.push_back(l.name);
        op.label_values.push_back(l.value);
        key += "," + l.name;
      }
      auto [it, inserted] = desc_index.try_emplace(key, descs.size());
      if (inserted) {
        descs.push_back(std::move(d));
      }
      op.desc = it->second;
      ops.push_back(std::move(op));
    }
  }
  for (auto _ : state) {
    MetricSink sink;
    for (const Op& op : ops) {
      sink.Add(descs[op.desc], op.value, op.label_values);
    }
    std::vector<MetricFamily> built = sink.TakeFamilies();
    benchmark::DoNotOptimize(built);
  }
  Finish(state, families, 0);
}
BENCHMARK(BM_SinkAdd)->Arg(1)->Arg(10);

void BM_CopyFamilies(benchmark::State& state) {
  const std::vector<MetricFamily> families = ScrapeFamilies(static_cast<int>(state.range(0)));
  if (!Prepare(state, families)) {
    return;
  }
  for (auto _ : state) {
    std::vector<MetricFamily> copy = families;
    benchmark::DoNotOptimize(copy);
  }
  Finish(state, families, 0);
}
BENCHMARK(BM_CopyFamilies)->Arg(1)->Arg(10);

void BM_Normalize(benchmark::State& state) {
  const std::vector<MetricFamily> families = ScrapeFamilies(static_cast<int>(state.range(0)));
  if (!Prepare(state, families)) {
    return;
  }
  for (auto _ : state) {
    std::vector<MetricFamily> copy = families;
    NormalizeFamilies(&copy);
    benchmark::DoNotOptimize(copy);
  }
  Finish(state, families, 0);
}
BENCHMARK(BM_Normalize)->Arg(1)->Arg(10);

void BM_WriteText(benchmark::State& state) {
  std::vector<MetricFamily> families = ScrapeFamilies(static_cast<int>(state.range(0)));
  if (!Prepare(state, families)) {
    return;
  }
  NormalizeFamilies(&families);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    WriteTextFormat(families, &out);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  Finish(state, families, bytes);
}
BENCHMARK(BM_WriteText)->Arg(1)->Arg(10);

void BM_SerializeText(benchmark::State& state) {
  const std::vector<MetricFamily> families = ScrapeFamilies(static_cast<int>(state.range(0)));
  if (!Prepare(state, families)) {
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = SerializeText(families);  // copies, as the agent hands over a fresh vector
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  Finish(state, families, bytes);
}
BENCHMARK(BM_SerializeText)->Arg(1)->Arg(10);

void BM_PrometheusCppTextSerializer(benchmark::State& state) {
  const std::vector<MetricFamily> families = ScrapeFamilies(static_cast<int>(state.range(0)));
  if (!Prepare(state, families)) {
    return;
  }
  const prometheus::TextSerializer serializer;
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = serializer.Serialize(families);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  Finish(state, families, bytes);
}
BENCHMARK(BM_PrometheusCppTextSerializer)->Arg(1)->Arg(10);

void BM_Gzip(benchmark::State& state) {
  const std::vector<MetricFamily> families = ScrapeFamilies(static_cast<int>(state.range(0)));
  if (!Prepare(state, families)) {
    return;
  }
  const std::string body = SerializeText(families);
  for (auto _ : state) {
    std::string compressed = GzipCompress(body);
    benchmark::DoNotOptimize(compressed);
  }
  Finish(state, families, body.size());
}
BENCHMARK(BM_Gzip)->Arg(1)->Arg(10);

void BM_AppendGoFloat(benchmark::State& state) {
  // The mix of a scrape: small integers, large counters, fractions, exponents.
  const double values[] = {0, 1, 26442, 1.418183276e+09, 0.21, 8.00037e+08, 1e-05, 123456789012.0, 3.5, NAN};
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (double v : values) {
      AppendGoFloat(v, &out);
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * std::size(values)));
}
BENCHMARK(BM_AppendGoFloat);

}  // namespace
}  // namespace hostwatch
