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

// Tickets cannot move, so the held ones live on the stack of this recursion: at the
// deepest call all `count` requests are in flight at once.
void EnterWhileHolding(RequestLimiter& limiter, int count, int scrapes_before) {
  if (count == 0) {
    EXPECT_EQ(testing::Sample(testing::CollectText(limiter), "hostwatch_scrapes_in_flight"), scrapes_before);
    return;
  }
  const bool scrape = count % 2 == 0;
  RequestLimiter::Ticket ticket =
      limiter.Enter(scrape ? RequestLimiter::Kind::kScrape : RequestLimiter::Kind::kStatusPage);
  EXPECT_TRUE(ticket.admitted()) << count << " requests still to enter";
  EnterWhileHolding(limiter, count - 1, scrapes_before + (scrape ? 1 : 0));
}

TEST(RequestLimiterTest, ZeroMeansNoLimitAndScrapesAreStillCounted) {
  RequestLimiter limiter(RequestLimiter::kNoLimit);
  EnterWhileHolding(limiter, 50, 0);
  EXPECT_EQ(testing::Sample(testing::CollectText(limiter), "hostwatch_scrapes_in_flight"), 0);
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
