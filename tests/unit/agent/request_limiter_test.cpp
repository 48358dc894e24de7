#include "agent/request_limiter.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(RequestLimiterTest, ScrapesAndStatusPageViewsShareTheLimit) {
  RequestLimiter limiter(2);
  RequestLimiter::Ticket scrape = limiter.Enter(RequestLimiter::Kind::kScrape);
  RequestLimiter::Ticket page = limiter.Enter(RequestLimiter::Kind::kStatusPage);
  EXPECT_TRUE(scrape.admitted());
  EXPECT_TRUE(page.admitted());
  {
    RequestLimiter::Ticket third = limiter.Enter(RequestLimiter::Kind::kScrape);
    EXPECT_FALSE(third.admitted());
    RequestLimiter::Ticket fourth = limiter.Enter(RequestLimiter::Kind::kStatusPage);
    EXPECT_FALSE(fourth.admitted());
  }
}

TEST(RequestLimiterTest, PlacesComeBackWhenTicketsEnd) {
  RequestLimiter limiter(1);
  {
    RequestLimiter::Ticket a = limiter.Enter(RequestLimiter::Kind::kStatusPage);
    EXPECT_TRUE(a.admitted());
    RequestLimiter::Ticket b = limiter.Enter(RequestLimiter::Kind::kStatusPage);
    EXPECT_FALSE(b.admitted());
  }
  RequestLimiter::Ticket c = limiter.Enter(RequestLimiter::Kind::kScrape);
  EXPECT_TRUE(c.admitted());
}

TEST(RequestLimiterTest, GaugeCountsScrapesOnly) {
  RequestLimiter limiter(4);
  EXPECT_EQ(testing::Sample(testing::CollectText(limiter), "hostwatch_scrapes_in_flight"), 0)
      << testing::CollectText(limiter);
  RequestLimiter::Ticket page = limiter.Enter(RequestLimiter::Kind::kStatusPage);
  EXPECT_EQ(testing::Sample(testing::CollectText(limiter), "hostwatch_scrapes_in_flight"), 0);
  RequestLimiter::Ticket scrape = limiter.Enter(RequestLimiter::Kind::kScrape);
  EXPECT_EQ(testing::Sample(testing::CollectText(limiter), "hostwatch_scrapes_in_flight"), 1);
}

}  // namespace
}  // namespace hostwatch
