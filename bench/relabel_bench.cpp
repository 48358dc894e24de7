// write_relabel_configs on the data path: ~2000 series (about what one gather of a busy host
// pushes) through three typical rules: drop by __name__ regex, labeldrop, replace.
//
//   build/bench/hostwatch_microbench --benchmark_filter=Relabel
//
// Relabel rewrites its labels in place, so each iteration first restores the series from a
// template (copy-assigning into vectors of the same shape reuses their strings: no allocation).
// BM_RelabelRestoreOnly times that restore alone; the rules cost the difference. Both report
// items_per_second with one item = one series.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "agent/remote_write/relabel.h"
#include "collectors/core/config_diagnostics.h"
#include "collectors/core/config_reader.h"

namespace hostwatch::remote_write {
namespace {

constexpr int kSeries = 2000;

// node_exporter-like series: 20 families x 100 series each, every one with instance and job
// (external labels) and two labels of its own.
std::vector<Labels> MakeSeries() {
  static const char* kFamilies[] = {
      "node_cpu_seconds_total",      "node_disk_read_bytes_total",       "node_disk_written_bytes_total",
      "node_network_receive_bytes_total", "node_network_transmit_bytes_total", "node_filesystem_avail_bytes",
      "node_filesystem_size_bytes",  "node_memory_MemFree_bytes",        "node_scrape_collector_success",
      "node_scrape_collector_duration_seconds", "node_interrupts_total", "node_softnet_processed_total",
      "node_hwmon_temp_celsius",     "node_schedstat_running_seconds_total", "node_netstat_Tcp_InSegs",
      "node_vmstat_pgfault",         "node_disk_io_time_seconds_total",  "node_network_up",
      "probe_success",               "probe_duration_seconds"};
  std::vector<Labels> out;
  for (int i = 0; i < kSeries; ++i) {
    const std::string n = std::to_string(i % 100);
    out.push_back(Labels{{"__name__", kFamilies[i / 100]},
                         {"cpu", n},
                         {"device", "sd" + std::string(1, static_cast<char>('a' + i % 26)) + n},
                         {"instance", "web-1.example.org:9100"},
                         {"job", "node"}});
  }
  return out;
}

std::vector<RelabelRule> TypicalRules() {
  ConfigDiagnostics diag("bench.yml");
  ConfigReader r(&diag);
  std::vector<RelabelRule> rules;
  ParseRelabelConfigs(r, YAML::Load(R"(
- source_labels: [__name__]
  regex: node_scrape_.*|node_schedstat_.*
  action: drop
- regex: cpu
  action: labeldrop
- source_labels: [device]
  regex: (sd[a-z]+)\d*
  target_label: disk
  replacement: $1
)"),
                      "write_relabel_configs", &rules);
  return rules;
}

void BM_RelabelRestoreOnly(benchmark::State& state) {
  const std::vector<Labels> templates = MakeSeries();
  std::vector<Labels> series = templates;
  for (auto _ : state) {
    for (int i = 0; i < kSeries; ++i) {
      series[i] = templates[i];
    }
    benchmark::DoNotOptimize(series.data());
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}
BENCHMARK(BM_RelabelRestoreOnly);

void BM_Relabel3Rules(benchmark::State& state) {
  const std::vector<RelabelRule> rules = TypicalRules();
  if (rules.size() != 3) {
    state.SkipWithError("rules did not parse");
    return;
  }
  const std::vector<Labels> templates = MakeSeries();
  std::vector<Labels> series = templates;
  int kept = 0;
  for (auto _ : state) {
    kept = 0;
    for (int i = 0; i < kSeries; ++i) {
      series[i] = templates[i];
      kept += Relabel(rules, series[i]) ? 1 : 0;
    }
    benchmark::DoNotOptimize(kept);
  }
  state.counters["kept"] = kept;
  state.SetItemsProcessed(state.iterations() * kSeries);
}
BENCHMARK(BM_Relabel3Rules);

}  // namespace
}  // namespace hostwatch::remote_write
