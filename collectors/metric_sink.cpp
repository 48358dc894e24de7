#include "metric_sink.h"

#include <cassert>

namespace hostwatch {

prometheus::ClientMetric& MetricSink::NewSample(const MetricDesc& desc) {
  // Collectors add a family's samples together, so searching from the back
  // finds the family in one step almost always.
  for (std::size_t i = families_.size(); i-- > 0;) {
    if (family_desc_[i] == &desc) {
      return families_[i].metric.emplace_back();
    }
  }
  prometheus::MetricFamily& family = families_.emplace_back();
  family.name = desc.name;
  family.help = desc.help;
  family.type = desc.type;
  family_desc_.push_back(&desc);
  return family.metric.emplace_back();
}

void MetricSink::SetValue(prometheus::ClientMetric& m, MetricType type, double value) {
  switch (type) {
    case MetricType::Counter:
      m.counter.value = value;
      break;
    case MetricType::Gauge:
      m.gauge.value = value;
      break;
    default:
      m.untyped.value = value;
      break;
  }
}

void MetricSink::Add(const MetricDesc& desc, double value, std::initializer_list<std::string_view> label_values) {
  assert(label_values.size() == desc.label_names.size());
  prometheus::ClientMetric& m = NewSample(desc);
  m.label.reserve(label_values.size());
  std::size_t i = 0;
  for (std::string_view v : label_values) {
    m.label.push_back({desc.label_names[i++], std::string(v)});
  }
  SetValue(m, desc.type, value);
}

void MetricSink::Add(const MetricDesc& desc, double value, const std::vector<std::string>& label_values) {
  assert(label_values.size() == desc.label_names.size());
  prometheus::ClientMetric& m = NewSample(desc);
  m.label.reserve(label_values.size());
  for (std::size_t i = 0; i < label_values.size(); ++i) {
    m.label.push_back({desc.label_names[i], label_values[i]});
  }
  SetValue(m, desc.type, value);
}

void MetricSink::AddFamily(prometheus::MetricFamily family) {
  families_.push_back(std::move(family));
  family_desc_.push_back(nullptr);
}

}  // namespace hostwatch
