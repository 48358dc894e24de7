#include "collectors/checks/run_history.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

ProbeResult Completed(double start, double duration, bool success, FailureReason reason = FailureReason::kNone) {
  ProbeResult r;
  r.start_unix = start;
  r.duration_seconds = duration;
  r.success = success;
  r.reason = success ? FailureReason::kNone : reason;
  r.status_code = success ? 200 : 0;
  return r;
}

TEST(RunHistoryTest, CountsRunsIntoBucketsAndKeepsTheNewestRecords) {
  RunHistory h({0.1, 1});
  EXPECT_FALSE(h.has_result());
  h.Record(Completed(10, 0.05, true), 2);
  h.Record(Completed(20, 0.5, false, FailureReason::kTimeout), 2);
  h.Record(Completed(30, 5, false, FailureReason::kTimeout), 2);
  ASSERT_TRUE(h.has_result());
  EXPECT_EQ(h.last().start_unix, 30);
  EXPECT_EQ(h.runs(), 3u);
  EXPECT_EQ(h.successes(), 1u);
  EXPECT_EQ(h.failures(FailureReason::kTimeout), 2u);
  EXPECT_EQ(h.bucket_counts(), (std::vector<std::uint64_t>{1, 1, 1}));  // <=0.1, <=1, +Inf
  EXPECT_DOUBLE_EQ(h.duration_sum(), 5.55);
  EXPECT_EQ(h.last_success_unix(), 10);
  EXPECT_EQ(h.last_run_unix(), 30);
  EXPECT_EQ(h.consecutive_failures(), 2u);
  ASSERT_EQ(h.records().size(), 2u);  // history_size 2: the oldest went
  EXPECT_EQ(h.records().front().start_unix, 20);
  h.Record(Completed(40, 0.01, true), 2);
  EXPECT_EQ(h.consecutive_failures(), 0u);
}

TEST(RunHistoryTest, SummaryBeforeAnyRunHasOnlyNameAndTarget) {
  RunHistory h({1});
  CheckSummary s = h.Summarize("a", "http://h/", 0);
  EXPECT_EQ(s.name, "a");
  EXPECT_EQ(s.target, "http://h/");
  EXPECT_FALSE(s.has_run);
  EXPECT_FALSE(s.availability_ratio.has_value());
  EXPECT_FALSE(s.p95_seconds.has_value());
}

TEST(RunHistoryTest, SummaryHasAvailabilityP95AndCertificateDays) {
  RunHistory h({1});
  for (int i = 1; i <= 20; ++i) {
    h.Record(Completed(i, i / 10.0, i % 4 != 0, FailureReason::kStatusCode), 20);
  }
  ProbeResult last = Completed(21, 0.1, false, FailureReason::kTlsVerify);
  last.tls.present = true;
  last.tls.earliest_cert_expiry = 1000 + 86400 * 3;
  h.Record(last, 20);
  CheckSummary s = h.Summarize("a", "t", 1000);
  EXPECT_TRUE(s.has_run);
  EXPECT_FALSE(s.up);
  EXPECT_EQ(s.last_failure_reason, "tls_verify");
  EXPECT_DOUBLE_EQ(*s.cert_days_left, 3);
  // Kept: runs 2..21; failed: 4, 8, 12, 16, 20 and 21.
  EXPECT_DOUBLE_EQ(*s.availability_ratio, 14.0 / 20);
  EXPECT_DOUBLE_EQ(*s.p95_seconds, 1.9);  // rank ceil(0.95 * 20) = 19 of 0.1 (run 21), 0.2 .. 2.0
}

TEST(RunHistoryTest, NearestRankP95) {
  EXPECT_FALSE(NearestRankP95({}).has_value());
  EXPECT_EQ(NearestRankP95({7}), 7);
  EXPECT_EQ(NearestRankP95({3, 1, 2}), 3);
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) {
    hundred.push_back(i);
  }
  EXPECT_EQ(NearestRankP95(hundred), 95);
}

}  // namespace
}  // namespace hostwatch
