// RequestLimiter: bounds how many costly requests (/metrics scrapes and status
// page views) are served at once, --web.max-requests in all. Excess requests are
// refused, not queued: a client that times out and retries must not pile work up
// behind a slow scrape. The handler answers a refused request 503 (counted by
// HttpServer in hostwatch_http_requests_total{code="503"}); the log says that it
// happens, at most once per 10 s.
//
// It is also the MetricSource of hostwatch_scrapes_in_flight: the /metrics
// requests holding a place (admitted or being refused) when the scrape runs.
//
// Thread-safe: Enter() and Collect() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>

#include "agent/logging.h"
#include "collectors/core/metric_source.h"

namespace hostwatch {

class RequestLimiter : public MetricSource {
 public:
  enum class Kind { kScrape, kStatusPage };

  // Holds one place from Enter() until destroyed, whether admitted or not, so
  // that a burst of refused requests is visible in the gauge as it was before
  // the limit was shared.
  class Ticket {
   public:
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    Ticket(Ticket&&) = delete;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();
    // False when the limit was reached: answer 503 and do no work.
    bool admitted() const { return admitted_; }

   private:
    friend class RequestLimiter;
    Ticket(RequestLimiter& limiter, Kind kind);
    RequestLimiter& limiter_;
    const Kind kind_;
    bool admitted_ = false;
  };

  // --web.max-requests=0 means no limit, as in node_exporter: every request is
  // admitted, and the gauge still counts scrapes.
  static constexpr int kNoLimit = 0;

  explicit RequestLimiter(int max_in_flight) : max_in_flight_(max_in_flight) {}
  RequestLimiter(const RequestLimiter&) = delete;
  RequestLimiter& operator=(const RequestLimiter&) = delete;
  RequestLimiter(RequestLimiter&&) = delete;
  RequestLimiter& operator=(RequestLimiter&&) = delete;

  // Takes a place for one request of kind; see Ticket::admitted(). A refusal
  // is logged (rate-limited) here.
  Ticket Enter(Kind kind) { return Ticket(*this, kind); }

  // Adds hostwatch_scrapes_in_flight.
  void Collect(MetricSink& sink) const override;

 private:
  const int max_in_flight_;
  std::atomic<int> in_flight_{0};          // every kind
  std::atomic<int> scrapes_in_flight_{0};  // Kind::kScrape only
  logging::RateLimit refused_log_{std::chrono::seconds(10)};
};

}  // namespace hostwatch
