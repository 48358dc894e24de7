// MetricSource: anything that contributes families to a scrape's document
// (prometheus-cpp's Collectable, with our MetricSink instead of a returned vector).
//
// The agent holds an ordered list of sources (the collectors' scraper with its
// node_scrape_* meta families, self metrics, the HTTP server's request
// counters, the reload state, the checks) and serves /metrics as: limit,
// Collect() every source into one sink, serialize. Order in the list is the
// order sources are asked; the exposition writer sorts families by name, so it
// does not change the document.
//
// Collect() may be called from several HTTP workers at once: an implementation
// must be safe to call concurrently with itself and with its own owner's
// updates. It must not block on I/O that can hang (collectors have the scraper
// and its deadlines for that).
#pragma once

#include "collectors/core/metric_sink.h"

namespace hostwatch {

class MetricSource {
 public:
  virtual ~MetricSource() = default;

  // Adds this source's families for one scrape to sink.
  virtual void Collect(MetricSink& sink) const = 0;
};

}  // namespace hostwatch
