#include "collectors/core/metric_sink.h"

#include <algorithm>
#include <cassert>

namespace hostwatch {

std::size_t MetricSink::FamilyIndex(const MetricDesc& desc) {
  // Collectors add a family's samples together, so searching from the back
  // finds the family in one step almost always.
  for (std::size_t i = families_.size(); i-- > 0;) {
    if (family_desc_[i] == &desc) {
      return i;
    }
  }
  prometheus::MetricFamily& family = families_.emplace_back();
  family.name = desc.name;
  family.help = desc.help;
  family.type = desc.type;
  family_desc_.push_back(&desc);
  // The exposition lists labels sorted by name. Storing them in that order
  // here (the permutation is worked out once per family, not per sample)
  // lets the writer skip sorting every sample's labels.
  std::vector<std::size_t> order(desc.label_names.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    order[k] = k;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&desc](std::size_t a, std::size_t b) { return desc.label_names[a] < desc.label_names[b]; });
  label_order_.push_back(std::move(order));
  return families_.size() - 1;
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
  const std::size_t f = FamilyIndex(desc);
  prometheus::ClientMetric& m = families_[f].metric.emplace_back();
  m.label.reserve(label_values.size());
  const std::string_view* values = label_values.begin();
  for (std::size_t k : label_order_[f]) {
    m.label.push_back({desc.label_names[k], std::string(values[k])});
  }
  SetValue(m, desc.type, value);
}

void MetricSink::Add(const MetricDesc& desc, double value, const std::vector<std::string>& label_values) {
  assert(label_values.size() == desc.label_names.size());
  const std::size_t f = FamilyIndex(desc);
  prometheus::ClientMetric& m = families_[f].metric.emplace_back();
  m.label.reserve(label_values.size());
  for (std::size_t k : label_order_[f]) {
    m.label.push_back({desc.label_names[k], label_values[k]});
  }
  SetValue(m, desc.type, value);
}

void MetricSink::AddFamily(prometheus::MetricFamily family) {
  families_.push_back(std::move(family));
  family_desc_.push_back(nullptr);
  label_order_.emplace_back();
}

}  // namespace hostwatch
