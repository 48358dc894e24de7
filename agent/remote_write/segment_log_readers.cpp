// SegmentLog's readers: positions, reading, committing, and what deletes
// segments (every reader passed them, or max_bytes). See segment_log.h.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "agent/remote_write/segment_log.h"
#include "agent/remote_write/segment_format.h"

namespace hostwatch::remote_write {
namespace {

namespace fs = std::filesystem;
using segment_format::Get32;

bool ReadAt(int fd, std::uint64_t offset, std::size_t n, std::string* out) {
  out->resize(n);
  std::size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(r);
  }
  return true;
}

// The unread records' samples of a segment from offset on (for counting what a drop loses).
std::uint64_t SamplesFrom(const std::string& path, std::uint64_t offset) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (offset > bytes.size()) {
    return 0;
  }
  std::string_view rest = std::string_view(bytes).substr(offset);
  SegmentScan scan = ScanSegment(rest);
  std::uint64_t samples = 0;
  for (std::uint64_t at = 0; at < scan.valid_end;) {
    samples += Get32(rest, at + 4);
    at += SegmentLog::kRecordHeaderBytes + Get32(rest, at);
  }
  return samples;
}

}  // namespace

void SegmentLog::AddReader(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (readers_.count(id) != 0) {
    return;
  }
  Reader r;
  r.pos = {segments_.back().number, segments_.back().bytes};  // a new reader starts at the end
  std::ifstream in(PositionPath(id));
  unsigned long long seg = 0, off = 0;
  if (in >> seg >> off) {
    r.pos = {seg, off};
    MoveToExistingSegment(r);
    for (const Segment& s : segments_) {  // the backlog this reader has to send
      if (s.number >= r.pos.segment) {
        r.pending_samples += SamplesFrom(SegmentPath(s.number), s.number == r.pos.segment ? r.pos.offset : kMagicBytes);
      }
    }
  } else {
    // Persisted now, before anything is appended for it: a crash before its first send must
    // not make the restarted agent start this reader at the (new) end and skip the backlog.
    WritePosition(id, r.pos);
  }
  readers_[id] = r;
}

void SegmentLog::RemoveReader(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  readers_.erase(id);
  std::error_code ec;
  fs::remove(PositionPath(id), ec);
  DeleteReadSegments();
}

std::vector<std::string> SegmentLog::Readers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, r] : readers_) {
    out.push_back(id);
  }
  return out;
}

// A position in a segment that no longer exists (dropped, or set aside as bad) moves to the oldest
// existing segment after it; past the end of its segment, to the next one.
void SegmentLog::MoveToExistingSegment(Reader& r) {
  for (const Segment& s : segments_) {
    if (s.number == r.pos.segment) {
      if (r.pos.offset < kMagicBytes) {
        r.pos.offset = kMagicBytes;
      }
      return;
    }
    if (s.number > r.pos.segment) {
      r.pos = {s.number, kMagicBytes};
      return;
    }
  }
  r.pos = {segments_.back().number, segments_.back().bytes};
}

std::optional<LogRecord> SegmentLog::Peek(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readers_.find(id);
  if (it == readers_.end()) {
    return std::nullopt;
  }
  Reader& r = it->second;
  while (true) {
    MoveToExistingSegment(r);
    auto seg = std::find_if(segments_.begin(), segments_.end(),
                            [&](const Segment& s) { return s.number == r.pos.segment; });
    const bool last = seg + 1 == segments_.end();
    if (r.pos.offset >= seg->bytes) {
      if (last) {
        return std::nullopt;
      }
      r.pos = {(seg + 1)->number, kMagicBytes};
      continue;
    }
    int fd = ::open(SegmentPath(seg->number).c_str(), O_RDONLY | O_CLOEXEC);
    std::string header, payload;
    bool ok = fd >= 0 && ReadAt(fd, r.pos.offset, kRecordHeaderBytes, &header);
    const std::uint32_t len = ok ? Get32(header, 0) : 0;
    ok = ok && len <= kMaxRecordBytes && r.pos.offset + kRecordHeaderBytes + len <= seg->bytes &&
         ReadAt(fd, r.pos.offset + kRecordHeaderBytes, len, &payload);
    if (fd >= 0) {
      ::close(fd);
    }
    std::string whole = header + payload;
    if (!ok || ScanSegment(whole).corrupt) {
      // Corrupt in the middle of an older segment: skip the rest of it, counted.
      ++counters_.corrupt_records;
      if (last) {
        r.pos.offset = seg->bytes;
        return std::nullopt;
      }
      r.pos = {(seg + 1)->number, kMagicBytes};
      continue;
    }
    LogRecord rec;
    rec.samples = Get32(header, 4);
    rec.payload = std::move(payload);
    rec.next = {r.pos.segment, r.pos.offset + kRecordHeaderBytes + len};
    return rec;
  }
}

Status SegmentLog::Commit(const std::string& id, LogPosition next, std::uint64_t samples) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readers_.find(id);
  if (it == readers_.end()) {
    return Status::OK();  // removed meanwhile (reload)
  }
  it->second.pos = next;
  it->second.pending_samples -= std::min(samples, it->second.pending_samples);
  Status s = WritePosition(id, next);
  DeleteReadSegments();
  return s;
}

Status SegmentLog::WritePosition(const std::string& id, LogPosition pos) const {
  const std::string path = PositionPath(id), tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Error("cannot write " + tmp + ": " + std::strerror(errno));
  }
  const std::string text = std::to_string(pos.segment) + " " + std::to_string(pos.offset) + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Error("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::OK();
}

void SegmentLog::DeleteReadSegments() {
  while (segments_.size() > 1) {
    const std::uint64_t oldest = segments_.front().number;
    for (const auto& [id, r] : readers_) {
      if (r.pos.segment <= oldest) {
        return;
      }
    }
    std::error_code ec;
    fs::remove(SegmentPath(oldest), ec);
    segments_.erase(segments_.begin());
  }
}

void SegmentLog::DropOldest() {
  while (segments_.size() > 1 && static_cast<std::int64_t>(TotalBytesLocked()) > max_bytes_) {
    const Segment oldest = segments_.front();
    bool unread = false;
    for (auto& [id, r] : readers_) {
      if (r.pos.segment == oldest.number) {
        const std::uint64_t lost =
            SamplesFrom(SegmentPath(oldest.number), std::max<std::uint64_t>(r.pos.offset, kMagicBytes));
        r.dropped_samples += lost;
        r.pending_samples -= std::min(lost, r.pending_samples);
        r.pos = {segments_[1].number, kMagicBytes};
        unread = true;
      }
    }
    counters_.dropped_segments += unread ? 1 : 0;
    std::error_code ec;
    fs::remove(SegmentPath(oldest.number), ec);
    segments_.erase(segments_.begin());
  }
}

std::uint64_t SegmentLog::TotalBytesLocked() const {
  std::uint64_t total = 0;
  for (const Segment& s : segments_) {
    total += s.bytes;
  }
  return total;
}

std::uint64_t SegmentLog::TotalBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return TotalBytesLocked();
}

std::uint64_t SegmentLog::DroppedSamples(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readers_.find(id);
  return it == readers_.end() ? 0 : it->second.dropped_samples;
}

std::uint64_t SegmentLog::PendingBytes(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readers_.find(id);
  if (it == readers_.end()) {
    return 0;
  }
  std::uint64_t pending = 0;
  for (const Segment& s : segments_) {
    if (s.number == it->second.pos.segment) {
      pending += s.bytes > it->second.pos.offset ? s.bytes - it->second.pos.offset : 0;
    } else if (s.number > it->second.pos.segment) {
      pending += s.bytes - kMagicBytes;
    }
  }
  return pending;
}

std::uint64_t SegmentLog::PendingSamples(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readers_.find(id);
  return it == readers_.end() ? 0 : it->second.pending_samples;
}

LogCounters SegmentLog::Counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

}  // namespace hostwatch::remote_write
