// The durable queue: what is appended survives a reopen, each reader keeps its
// own position, max_bytes drops the oldest and counts, a torn tail is cut.
#include "agent/remote_write/segment_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace hostwatch::remote_write {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<SegmentLog> OpenLog(const std::string& dir, std::int64_t max_bytes = 1 << 20,
                                    std::int64_t segment_bytes = 4096) {
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(dir, max_bytes, segment_bytes);
  EXPECT_TRUE(log.ok()) << log.status().message();
  return log.ok() ? std::move(log).value() : nullptr;
}

// Reads and commits everything the reader has not read; the payloads in order.
std::vector<std::string> Drain(SegmentLog& log, const std::string& id) {
  std::vector<std::string> out;
  while (std::optional<LogRecord> r = log.Peek(id)) {
    out.push_back(r->payload);
    EXPECT_TRUE(log.Commit(id, r->next, r->samples).ok());
  }
  return out;
}

std::vector<fs::path> Segments(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SegmentLogTest, ReadersKeepTheirOwnPositionsAcrossAReopen) {
  testing::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    log->AddReader("a");
    log->AddReader("b");
    ASSERT_TRUE(log->Append(1, "one").ok());
    ASSERT_TRUE(log->Append(2, "two").ok());
    std::optional<LogRecord> r = log->Peek("a");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->payload, "one");
    EXPECT_EQ(r->samples, 1u);
    ASSERT_TRUE(log->Commit("a", r->next, r->samples).ok());
    // Peek does not consume: without a commit, the same record again.
    EXPECT_EQ(log->Peek("a")->payload, "two");
  }  // the process ends without another commit
  auto log = OpenLog(dir.path());
  log->AddReader("a");
  log->AddReader("b");
  ASSERT_TRUE(log->Append(3, "three").ok());
  EXPECT_EQ(Drain(*log, "a"), (std::vector<std::string>{"two", "three"}));
  EXPECT_EQ(Drain(*log, "b"), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(log->PendingBytes("a"), 0u);
  EXPECT_EQ(log->PendingSamples("a"), 0u);
  EXPECT_EQ(log->PendingSamples("b"), 0u);
}

// A reader added before anything was sent still gets the backlog after a crash (its start is persisted).
TEST(SegmentLogTest, ANewReadersStartIsPersistedBeforeTheFirstAppend) {
  testing::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    log->AddReader("a");
    ASSERT_TRUE(log->Append(1, "gathered during the outage").ok());
  }
  auto log = OpenLog(dir.path());
  log->AddReader("a");
  EXPECT_EQ(log->PendingSamples("a"), 1u);
  EXPECT_EQ(Drain(*log, "a"), (std::vector<std::string>{"gathered during the outage"}));
}

TEST(SegmentLogTest, PastMaxBytesTheOldestSegmentsAreDroppedAndCountedPerReader) {
  testing::TempDir dir;
  // 1 KiB records, 4 KiB segments, 16 KiB cap.
  auto log = OpenLog(dir.path(), 16 << 10, 4 << 10);
  log->AddReader("slow");
  log->AddReader("fast");
  const std::string kib(1024, 'x');
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(log->Append(10, kib).ok());
    Drain(*log, "fast");
  }
  EXPECT_LE(log->TotalBytes(), 16u << 10);
  EXPECT_EQ(log->DroppedSamples("fast"), 0u);
  const std::vector<std::string> left = Drain(*log, "slow");
  // Every record is either still there or counted as dropped: nothing vanishes unaccounted.
  EXPECT_EQ(log->DroppedSamples("slow") + 10 * left.size(), 400u);
  EXPECT_GT(log->DroppedSamples("slow"), 0u);
  EXPECT_GT(log->Counters().dropped_segments, 0u);
}

TEST(SegmentLogTest, SegmentsEveryReaderPassedAreDeleted) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path(), 1 << 20, 4 << 10);
  log->AddReader("a");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(log->Append(1, std::string(1024, 'y')).ok());
  }
  EXPECT_GT(Segments(dir.path()).size(), 3u);
  Drain(*log, "a");
  EXPECT_EQ(Segments(dir.path()).size(), 1u);
}

// A power cut mid-write, then someone scribbling on the file: the agent opens, keeps the intact
// records, counts the cut, and appends after it.
TEST(SegmentLogTest, ATornAndScribbledTailIsTruncatedAndCounted) {
  testing::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    log->AddReader("a");
    ASSERT_TRUE(log->Append(1, "kept").ok());
    ASSERT_TRUE(log->Append(1, "torn away").ok());
  }
  const fs::path last = Segments(dir.path()).back();
  fs::resize_file(last, fs::file_size(last) - 3);
  {
    std::ofstream(last, std::ios::binary | std::ios::app) << "\x01garbage";
  }
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->Counters().corrupt_records, 1u);
  log->AddReader("a");
  ASSERT_TRUE(log->Append(1, "after").ok());
  EXPECT_EQ(Drain(*log, "a"), (std::vector<std::string>{"kept", "after"}));
}

TEST(SegmentLogTest, AFileWithoutTheMagicIsSetAsideNotParsed) {
  testing::TempDir dir;
  dir.Write("00000000000000000007.seg", "HWRWLOG9 a future version");
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->Counters().bad_segments, 1u);
  EXPECT_TRUE(fs::exists(dir.path() + "/00000000000000000007.seg.bad"));
  log->AddReader("a");
  ASSERT_TRUE(log->Append(1, "new").ok());
  EXPECT_EQ(Drain(*log, "a"), (std::vector<std::string>{"new"}));
}

TEST(SegmentLogTest, ScanStopsAtTheFirstRecordThatIsNotWhole) {
  EXPECT_FALSE(ScanSegment("").corrupt);
  EXPECT_TRUE(ScanSegment("short").corrupt);
  // A length of 4 GiB in an otherwise plausible header.
  EXPECT_TRUE(ScanSegment(std::string("\xff\xff\xff\xff\0\0\0\0\0\0\0\0", 12)).corrupt);
  EXPECT_EQ(ScanSegment("short").valid_end, 0u);
}

}  // namespace
}  // namespace hostwatch::remote_write
