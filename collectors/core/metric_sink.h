// MetricSink: where a collector puts the samples of one scrape.
//
// Collectors describe each metric family once, as a static MetricDesc (name,
// HELP text, type, label names), and add samples against it. The sink groups
// samples into prometheus-cpp MetricFamily values; ordering and formatting are
// the exposition writer's job (text_format.h), so collectors never sort.
//
// A sink belongs to one collector run on one thread; it is not thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

using MetricType = prometheus::MetricType;

// Static description of one metric family. Help text is a full sentence and is
// printed verbatim (escaped) in the # HELP line.
struct MetricDesc {
  std::string name;
  std::string help;
  MetricType type;
  std::vector<std::string> label_names;
};

// A family read from outside the agent (a textfile), with where it came from.
struct ForeignFamily {
  prometheus::MetricFamily family;
  std::string origin;  // the file(s) it was read from, for messages
};

class MetricSink {
 public:
  MetricSink() = default;
  MetricSink(const MetricSink&) = delete;
  MetricSink& operator=(const MetricSink&) = delete;
  MetricSink(MetricSink&&) = default;
  MetricSink& operator=(MetricSink&&) = default;

  // Adds one sample. label_values must match desc.label_names in count and order.
  void Add(const MetricDesc& desc, double value, std::initializer_list<std::string_view> label_values = {});
  void Add(const MetricDesc& desc, double value, const std::vector<std::string>& label_values);

  // Adds a complete family (histograms, textfile input). Families with the
  // same name are merged by the exposition writer.
  void AddFamily(prometheus::MetricFamily family);

  // Adds a family the agent did not produce itself (textfile input). Kept
  // apart from the sink's own families: the agent adds them to a scrape only
  // after every source has added its own, and drops any whose name the agent
  // produces, so that a file cannot shadow the agent's series (Prometheus
  // keeps the first of two equal series).
  void AddForeignFamily(prometheus::MetricFamily family, std::string origin) {
    foreign_.push_back({std::move(family), std::move(origin)});
  }
  std::vector<ForeignFamily> TakeForeignFamilies() { return std::move(foreign_); }

  // Records that an input line was malformed and skipped. The scrape wrapper
  // exports the running total per collector.
  void CountParseError(std::uint64_t n = 1) { parse_errors_ += n; }
  std::uint64_t parse_errors() const { return parse_errors_; }

  // Reports a problem that degrades this collector's output without failing
  // it (node_exporter's textfile collector logs a bad file and still
  // succeeds). The scrape wrapper logs each warning at warn level.
  void Warn(std::string message) { warnings_.push_back(std::move(message)); }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The sink's own families (foreign ones are apart, see AddForeignFamily).
  bool empty() const { return families_.empty(); }
  const std::vector<prometheus::MetricFamily>& families() const { return families_; }
  std::vector<prometheus::MetricFamily> TakeFamilies() { return std::move(families_); }

 private:
  // Index of desc's family in families_, created on first use.
  std::size_t FamilyIndex(const MetricDesc& desc);
  static void SetValue(prometheus::ClientMetric& m, MetricType type, double value);

  std::vector<prometheus::MetricFamily> families_;
  std::vector<const MetricDesc*> family_desc_;  // parallel to families_
  // Parallel to families_: label indices in name order (empty for AddFamily).
  std::vector<std::vector<std::size_t>> label_order_;
  std::vector<ForeignFamily> foreign_;
  std::uint64_t parse_errors_ = 0;
  std::vector<std::string> warnings_;
};

}  // namespace hostwatch
