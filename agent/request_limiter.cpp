#include "agent/request_limiter.h"

#include <cstdint>

#include "collectors/core/metric_sink.h"

namespace hostwatch {
namespace {

const MetricDesc kScrapesInFlight{
    "hostwatch_scrapes_in_flight", "Scrapes of the metrics endpoint being served.", MetricType::Gauge, {}};

}  // namespace

RequestLimiter::Ticket::Ticket(RequestLimiter& limiter, Kind kind) : limiter_(limiter), kind_(kind) {
  if (kind_ == Kind::kScrape) {
    ++limiter_.scrapes_in_flight_;
  }
  const int in_flight = ++limiter_.in_flight_;  // counted even without a limit: the destructor gives it back
  admitted_ = limiter_.max_in_flight_ == kNoLimit || in_flight <= limiter_.max_in_flight_;
  if (admitted_) {
    return;
  }
  if (std::uint64_t suppressed = 0; limiter_.refused_log_.Allow(std::chrono::steady_clock::now(), &suppressed)) {
    logging::Warn(kind_ == Kind::kScrape ? "too many concurrent scrapes, refusing"
                                         : "too many concurrent scrapes, refusing a status page view",
                  {{"limit", limiter_.max_in_flight_}, {"refused_unlogged_since_last_warning", suppressed}});
  }
}

RequestLimiter::Ticket::~Ticket() {
  --limiter_.in_flight_;
  if (kind_ == Kind::kScrape) {
    --limiter_.scrapes_in_flight_;
  }
}

void RequestLimiter::Collect(MetricSink& sink) const { sink.Add(kScrapesInFlight, scrapes_in_flight_.load()); }

}  // namespace hostwatch
