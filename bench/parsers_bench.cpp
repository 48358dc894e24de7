// Micro-benchmarks for the /proc and /sys parsers and for each registered
// collector run against node_exporter's fixture tree (and the live host).
//
// Adding a parser is one function: read its input once with FixtureText() or
// generate it, then hand a lambda to RunParser(). Collectors need nothing at
// all: every entry of the registry table (collectors/registry.cpp) gets a
// BM_Collect/<name>/fixture and BM_Collect/<name>/host benchmark automatically.
//
//   build/bench/hostwatch_microbench --benchmark_filter=Parse
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"
#include "collectors/host/cpu.h"
#include "collectors/host/loadavg.h"
#include "collectors/core/proc_fs.h"
#include "collectors/core/proc_stat.h"
#include "collectors/registry.h"

namespace hostwatch {
namespace {

// node_exporter's fixture tree, laid out as its end-to-end test uses it.
// node_exporter's fixture tree; HOSTWATCH_BENCH_FIXTURES overrides it with a copy whose symlinks
// are real links again (bench/collector_costs.py makes one, as the conformance test does), since
// some copies of the tree store links as plain files and sysfs collectors then see too little.
FsRoots FixtureRoots() {
  const char* repaired = std::getenv("HOSTWATCH_BENCH_FIXTURES");
  const std::string dir = repaired != nullptr ? repaired : HOSTWATCH_NODE_EXPORTER_FIXTURES;
  return {dir + "/proc", dir + "/sys", dir, dir + "/udev/data"};
}

// Text of a file under the fixture tree ("proc/stat"), or empty when absent
// (the benchmark then reports an error instead of timing nothing).
std::string FixtureText(std::string_view rel) {
  ProcFs fs(FixtureRoots());
  Result<std::string> text = fs.ReadFile(ProcFs::Join(HOSTWATCH_NODE_EXPORTER_FIXTURES, rel));
  return text.ok() ? text.value() : std::string();
}

// Times parse(input) and reports throughput. parse returns whatever the
// parser returns; DoNotOptimize keeps the compiler from dropping the call.
template <typename Parse>
void RunParser(benchmark::State& state, const std::string& input, Parse parse) {
  if (input.empty()) {
    state.SkipWithError("input missing (is HOSTWATCH_NODE_EXPORTER_FIXTURES set?)");
    return;
  }
  for (auto _ : state) {
    auto result = parse(std::string_view(input));
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}

// /proc/stat of a host with n CPUs (a big host has hundreds), with the
// non-cpu lines a real kernel writes after them.
std::string ProcStatWithCpus(int n) {
  std::string text = "cpu  301854 612 111922 8979004 3552 2 3944 0 44 36\n";
  for (int i = 0; i < n; ++i) {
    text += "cpu" + std::to_string(i) + " 44490 19 21045 1087069 220 1 3410 0 2 1\n";
  }
  text +=
      "intr 8885917 17 0 0 0 0 0 0 0 1 79281 0 0 0 0 0 0 0 231237 0 0 0 0 250586 103 0 0 0 0\n"
      "ctxt 38014093\nbtime 1418183276\nprocesses 26442\nprocs_running 2\nprocs_blocked 1\n"
      "softirq 5057579 250191 1481983 1647 211099 186066 0 1783454 622196 12499 510844\n";
  return text;
}

// ---- Parsers: one function each. -------------------------------------------

void BM_ParseProcStatCpus_Fixture(benchmark::State& state) {
  static const std::string input = FixtureText("proc/stat");
  RunParser(state, input, [](std::string_view text) { return ParseProcStat(text); });
}
BENCHMARK(BM_ParseProcStatCpus_Fixture);

void BM_ParseProcStatCpus_ManyCpus(benchmark::State& state) {
  const std::string input = ProcStatWithCpus(static_cast<int>(state.range(0)));
  RunParser(state, input, [](std::string_view text) { return ParseProcStat(text); });
  state.SetItemsProcessed(state.iterations() * state.range(0));  // CPUs per second
}
BENCHMARK(BM_ParseProcStatCpus_ManyCpus)->Arg(2)->Arg(64)->Arg(512);

void BM_ParseLoadavg(benchmark::State& state) {
  static const std::string input = FixtureText("proc/loadavg");
  RunParser(state, input, [](std::string_view text) { return ParseLoadavg(text); });
}
BENCHMARK(BM_ParseLoadavg);

// ---- Collectors: registered from the registry table. -----------------------

// Runs one collector's Collect() (read + parse + building samples) per
// iteration on a long-lived instance, as the scraper does.
// fixture_tree: on the fixture row, node_exporter's tree, for the collectors that read
// upstream's own fixture files instead of the kernel (qdisc, wifi: option "fixtures"),
// set to <tree>/<name> as node_exporter's end-to-end test does; "" on the other rows.
void RunCollector(benchmark::State& state, const CollectorSpec* spec, FsRoots roots, std::string fixture_tree) {
  const ProcFs fs(std::move(roots));
  CollectorOptions options = DefaultCollectorOptions();
  if (!fixture_tree.empty() && spec->FindOption("fixtures") != nullptr) {
    (void)options.Set(spec->name, "fixtures", fixture_tree + "/" + spec->name);
  }
  Result<CollectorPtr> collector = spec->make(CollectorContext{fs, options});
  if (!collector.ok()) {
    state.SkipWithError(collector.status().message().c_str());
    return;
  }
  std::size_t samples = 0;
  for (auto _ : state) {
    MetricSink sink;
    Status status = collector.value()->Collect(sink);
    if (!status.ok()) {
      state.SkipWithError(status.message().c_str());
      break;
    }
    std::vector<prometheus::MetricFamily> families = sink.TakeFamilies();
    samples = 0;
    for (const prometheus::MetricFamily& f : families) {
      samples += f.metric.size();
    }
    benchmark::DoNotOptimize(families);
  }
  state.counters["samples"] = static_cast<double>(samples);
}

[[maybe_unused]] const bool kCollectorBenchmarksRegistered = [] {
  for (const CollectorSpec& spec : AllCollectors()) {
    benchmark::RegisterBenchmark(("BM_Collect/" + spec.name + "/fixture").c_str(), RunCollector, &spec,
                                 FixtureRoots(), FixtureRoots().rootfs);
    benchmark::RegisterBenchmark(("BM_Collect/" + spec.name + "/host").c_str(), RunCollector, &spec, FsRoots{},
                                 std::string());
    // A generated tree such as bench/compare.py's big host (its
    // build-release/bench-cache/bighost-1000), to see what each collector
    // costs there: HOSTWATCH_BENCH_TREE=<dir with proc/ sys/ rootfs/>,
    // optionally HOSTWATCH_BENCH_UDEV=<udev data dir>.
    if (const char* tree = std::getenv("HOSTWATCH_BENCH_TREE")) {
      const char* udev = std::getenv("HOSTWATCH_BENCH_UDEV");
      FsRoots roots{std::string(tree) + "/proc", std::string(tree) + "/sys", std::string(tree) + "/rootfs",
                    udev != nullptr ? udev : "/run/udev/data"};
      benchmark::RegisterBenchmark(("BM_Collect/" + spec.name + "/tree").c_str(), RunCollector, &spec, roots,
                                   std::string());
    }
  }
  return true;
}();

}  // namespace
}  // namespace hostwatch
