// SegmentLog: remote_write's durable queue. Every gather is appended here
// (and fsync'ed) BEFORE any endpoint sends it, so an outage of a receiver and a
// crash or restart of the agent lose nothing up to max_bytes.
//
// On disk, in one directory:
//   <20-digit number>.seg   segments, oldest first. Each starts with the
//                           8-byte magic "HWRWLOG1" (format version 1), then
//                           records: u32 payload length, u32 samples, u32
//                           CRC-32 (zlib) of samples+payload, payload (little
//                           endian). A payload is one gather, a snappy
//                           WriteRequest (wire.h).
//   <reader>.pos            a reader's position, "<segment> <offset>\n",
//                           replaced atomically (write, fsync, rename).
//
// fsync policy: once per Append (one gather per interval, so one fsync every
// 15 s by default), and once per position commit. A power cut then loses at
// most the gather being written and re-sends at most one batch (receivers
// keep one copy of a sample they already have).
//
// Recovery (Open): a segment that does not start with the magic is set aside
// (counted). The newest segment is scanned; a torn or corrupt tail (short
// header, impossible length, CRC mismatch) is truncated and counted, never an
// error. A corrupt record in an older segment is found by a reader, which
// skips the rest of that segment and counts it.
//
// Past max_bytes the oldest segments are deleted (never the one being
// written); each reader that had not read them has their samples counted as
// dropped and moves on to the next segment. A segment every reader has read
// is deleted too.
//
// Thread-safety: every public method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch::remote_write {

struct LogPosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;  // of the next record to read
  friend bool operator==(const LogPosition&, const LogPosition&) = default;
};

struct LogRecord {
  std::uint32_t samples = 0;
  std::string payload;
  LogPosition next;  // where the reader goes after this record (Commit it once sent)
};

struct LogCounters {
  std::uint64_t corrupt_records = 0;  // torn tails truncated at Open and corrupt records skipped
  std::uint64_t bad_segments = 0;     // files without the magic, set aside at Open
  std::uint64_t dropped_segments = 0; // deleted past max_bytes with unread records
};

class SegmentLog {
 public:
  static constexpr char kMagic[] = "HWRWLOG1";
  static constexpr std::size_t kMagicBytes = 8;
  static constexpr std::size_t kRecordHeaderBytes = 12;
  static constexpr std::uint32_t kMaxRecordBytes = 64u << 20;  // larger is corruption (wire.h's bound)

  // Creates directory (and parents) when missing. segment_bytes: roll to a new segment past it.
  static Result<std::unique_ptr<SegmentLog>> Open(const std::string& directory, std::int64_t max_bytes,
                                                  std::int64_t segment_bytes);
  ~SegmentLog();
  SegmentLog(const SegmentLog&) = delete;
  SegmentLog& operator=(const SegmentLog&) = delete;

  // Appends one record and fsyncs it; then drops segments past max_bytes.
  Status Append(std::uint32_t samples, std::string_view payload);

  // A reader (an endpoint): its persisted position, or the end of the log for a new one.
  // id: [A-Za-z0-9_-] only (the caller hashes names and URLs into it).
  void AddReader(const std::string& id);
  void RemoveReader(const std::string& id);  // its position file is deleted too
  std::vector<std::string> Readers() const;

  // The record at the reader's position (not consumed until Commit). nullopt when it has read
  // everything. Skips (and counts) corrupt records and segments deleted under it.
  std::optional<LogRecord> Peek(const std::string& id);
  // Persists the reader's position (fsync'ed), then deletes segments every reader has passed.
  // samples: what the records between the old and the new position held (their LogRecord::samples).
  Status Commit(const std::string& id, LogPosition next, std::uint64_t samples);

  // Samples of this reader dropped past max_bytes so far (in this process).
  std::uint64_t DroppedSamples(const std::string& id) const;
  // Unread bytes and samples of the reader (its lag).
  std::uint64_t PendingBytes(const std::string& id) const;
  std::uint64_t PendingSamples(const std::string& id) const;
  LogCounters Counters() const;
  std::uint64_t TotalBytes() const;

 private:
  struct Reader {
    LogPosition pos;
    std::uint64_t dropped_samples = 0;
    std::uint64_t pending_samples = 0;
  };
  struct Segment {
    std::uint64_t number = 0;
    std::uint64_t bytes = 0;
  };
  SegmentLog(std::string directory, std::int64_t max_bytes, std::int64_t segment_bytes);
  Status Recover();
  Status StartSegment(std::uint64_t number);  // mu_ held
  void DropOldest();                          // mu_ held
  void DeleteReadSegments();                  // mu_ held
  void MoveToExistingSegment(Reader& r);      // mu_ held
  Status WritePosition(const std::string& id, LogPosition pos) const;  // write, fsync, rename
  std::uint64_t TotalBytesLocked() const;     // mu_ held
  std::string SegmentPath(std::uint64_t number) const;
  std::string PositionPath(const std::string& id) const;

  const std::string dir_;
  const std::int64_t max_bytes_;
  const std::int64_t segment_bytes_;
  mutable std::mutex mu_;
  std::vector<Segment> segments_;  // oldest first; the last is being written
  int fd_ = -1;                    // the last segment, open for append
  std::map<std::string, Reader> readers_;
  LogCounters counters_;
};

// Scans one segment's bytes (after the magic is checked by the caller): the offset where valid
// records end, and how many records are valid. Pure; the fuzz target's subject.
struct SegmentScan {
  std::uint64_t valid_end = 0;
  std::uint64_t records = 0;
  bool corrupt = false;  // stopped at a record that is not whole or not intact
};
SegmentScan ScanSegment(std::string_view bytes);

}  // namespace hostwatch::remote_write
