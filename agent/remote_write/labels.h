#pragma once
// A series' label set as remote_write sends it and write_relabel_configs rewrites it:
// sorted by name, with the metric name as the `__name__` label (Prometheus' model).
#include <string>
#include <vector>

namespace hostwatch::remote_write {

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
};

using Labels = std::vector<Label>;

}  // namespace hostwatch::remote_write
