// Prometheus text exposition format 0.0.4, read: the parser beside
// text_format.h (the writer). It accepts what Go's expfmt.TextParser accepts
// for the textfile collector: HELP, TYPE, labels with \\ \" \n escapes,
// counter/gauge/untyped/summary/histogram, and samples of one family that
// need not be contiguous. Client-side timestamps are rejected, as
// node_exporter's textfile collector rejects them.
//
// Pure functions on a string_view: no I/O, no locale, no shared state, so any
// thread may call them concurrently.
#pragma once

#include <prometheus/metric_family.h>

#include <optional>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

// One family as read from a text: help is empty when the text had none (or an
// empty one), and has_help says which, so that a caller can fill in its own
// default (the textfile collector's "Metric read from <files>").
struct ParsedFamily {
  prometheus::MetricFamily family;
  bool has_help = false;
};

// Parses a whole exposition text. On success returns the families that have
// at least one sample, in order of first appearance (a HELP or TYPE without
// samples yields nothing); summary and histogram series are grouped by their
// labels without quantile/le. On failure returns an Error "line N: reason" for
// the first syntax error, duplicate HELP/TYPE, TYPE after samples, unknown
// type, bad quantile/le/count, or a sample carrying a timestamp; nothing of
// the text is returned then.
Result<std::vector<ParsedFamily>> ParseTextExposition(std::string_view text);

// A sample value the way the format spells it (Go's strconv.ParseFloat): a
// decimal or exponent number with an optional sign, NaN, and (+|-)Inf or
// Infinity in any case. nullopt for anything else, including surrounding blanks.
std::optional<double> ParseExpositionValue(std::string_view s);

}  // namespace hostwatch
