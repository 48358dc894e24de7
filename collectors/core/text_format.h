// Prometheus text exposition format 0.0.4, written the way node_exporter
// (Go client_golang + expfmt) writes it, byte for byte:
//   - families sorted by name; families sharing a name are merged (first HELP/TYPE wins),
//   - label pairs sorted by name, series sorted by label values as strings,
//   - values formatted like Go's strconv.FormatFloat(v, 'g', -1, 64),
//   - HELP escapes \ and newline; label values escape \, " and newline.
// Stateless and thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

// Appends v formatted like Go's strconv.FormatFloat(v, 'g', -1, 64):
// shortest round-trip digits, exponent form when the decimal exponent is
// < -4 or >= 6, e.g. 26442, 1e+06, 1.418183276e+09, 0.21, 1e-05, NaN, +Inf.
void AppendGoFloat(double v, std::string* out);
std::string FormatGoFloat(double v);

// Sorts and merges families in place (see above), so the result can be
// compared or serialized deterministically.
void NormalizeFamilies(std::vector<prometheus::MetricFamily>* families);

// Serializes already-normalized families, appending to *out.
void WriteTextFormat(const std::vector<prometheus::MetricFamily>& families, std::string* out);

// NormalizeFamilies + WriteTextFormat.
std::string SerializeText(std::vector<prometheus::MetricFamily> families);

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace hostwatch
