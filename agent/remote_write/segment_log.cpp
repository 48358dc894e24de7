#include "agent/remote_write/segment_log.h"
#include "agent/remote_write/segment_format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hostwatch::remote_write {
namespace {

namespace fs = std::filesystem;
using segment_format::Get32;
using segment_format::Put32;
using segment_format::RecordCrc;

Status Errno(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno));
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Errno("cannot open", dir);
  }
  ::fsync(fd);
  ::close(fd);
  return Status::OK();
}

}  // namespace

SegmentScan ScanSegment(std::string_view bytes) {
  SegmentScan s;
  std::uint64_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < SegmentLog::kRecordHeaderBytes) {
      s.corrupt = true;
      break;
    }
    std::uint32_t len = Get32(bytes, at);
    std::uint32_t crc = Get32(bytes, at + 8);
    if (len > SegmentLog::kMaxRecordBytes || bytes.size() - at - SegmentLog::kRecordHeaderBytes < len ||
        RecordCrc(bytes.substr(at + 4, 4), bytes.substr(at + SegmentLog::kRecordHeaderBytes, len)) != crc) {
      s.corrupt = true;
      break;
    }
    at += SegmentLog::kRecordHeaderBytes + len;
    ++s.records;
  }
  s.valid_end = at;
  return s;
}

SegmentLog::SegmentLog(std::string directory, std::int64_t max_bytes, std::int64_t segment_bytes)
    : dir_(std::move(directory)), max_bytes_(max_bytes), segment_bytes_(segment_bytes) {}

SegmentLog::~SegmentLog() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::string SegmentLog::SegmentPath(std::uint64_t number) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(number));
  return dir_ + "/" + name;
}

std::string SegmentLog::PositionPath(const std::string& id) const { return dir_ + "/" + id + ".pos"; }

Result<std::unique_ptr<SegmentLog>> SegmentLog::Open(const std::string& directory, std::int64_t max_bytes,
                                                     std::int64_t segment_bytes) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) {
    return Status::Error("cannot create " + directory + ": " + ec.message());
  }
  std::unique_ptr<SegmentLog> log(new SegmentLog(directory, max_bytes, segment_bytes));
  if (Status s = log->Recover(); !s.ok()) {
    return s;
  }
  return log;
}

Status SegmentLog::Recover() {
  std::error_code ec;
  std::vector<std::uint64_t> numbers;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() == 24 && name.ends_with(".seg") &&
        name.find_first_not_of("0123456789") == 20) {
      numbers.push_back(std::stoull(name.substr(0, 20)));
    }
  }
  if (ec) {
    return Status::Error("cannot list " + dir_ + ": " + ec.message());
  }
  std::sort(numbers.begin(), numbers.end());
  for (std::uint64_t n : numbers) {
    std::string bytes;
    ReadFile(SegmentPath(n), &bytes);
    if (bytes.size() < kMagicBytes || bytes.compare(0, kMagicBytes, kMagic) != 0) {
      // Not ours, another version, or a segment torn before its magic: set aside, not parsed.
      fs::rename(SegmentPath(n), SegmentPath(n) + ".bad", ec);
      ++counters_.bad_segments;
      continue;
    }
    segments_.push_back({n, bytes.size()});
  }
  if (!segments_.empty()) {
    Segment& last = segments_.back();
    std::string bytes;
    ReadFile(SegmentPath(last.number), &bytes);
    SegmentScan scan = ScanSegment(std::string_view(bytes).substr(kMagicBytes));
    if (scan.corrupt) {
      // A torn tail (power cut mid-write) or scribbled bytes: keep what is intact.
      ++counters_.corrupt_records;
      last.bytes = kMagicBytes + scan.valid_end;
      if (::truncate(SegmentPath(last.number).c_str(), static_cast<off_t>(last.bytes)) != 0) {
        return Errno("cannot truncate", SegmentPath(last.number));
      }
    }
  }
  // Always write into a fresh segment: the last one's end is known good, and appending to a file
  // recovered from a crash would mix two writers' assumptions.
  std::lock_guard<std::mutex> lock(mu_);
  return StartSegment(segments_.empty() ? 0 : segments_.back().number + 1);
}

Status SegmentLog::StartSegment(std::uint64_t number) {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  const std::string path = SegmentPath(number);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    return Errno("cannot create", path);
  }
  if (::write(fd_, kMagic, kMagicBytes) != static_cast<ssize_t>(kMagicBytes) || ::fsync(fd_) != 0) {
    return Errno("cannot write", path);
  }
  segments_.push_back({number, kMagicBytes});
  return FsyncDir(dir_);
}

Status SegmentLog::Append(std::uint32_t samples, std::string_view payload) {
  std::string rec;
  rec.reserve(kRecordHeaderBytes + payload.size());
  Put32(static_cast<std::uint32_t>(payload.size()), &rec);
  Put32(samples, &rec);
  Put32(RecordCrc(std::string_view(rec).substr(4, 4), payload), &rec);
  rec.append(payload);
  std::lock_guard<std::mutex> lock(mu_);
  if (segments_.back().bytes > kMagicBytes &&
      segments_.back().bytes + rec.size() > static_cast<std::uint64_t>(segment_bytes_)) {
    if (Status s = StartSegment(segments_.back().number + 1); !s.ok()) {
      return s;
    }
  }
  const std::string path = SegmentPath(segments_.back().number);
  if (::write(fd_, rec.data(), rec.size()) != static_cast<ssize_t>(rec.size())) {
    // A short write leaves a torn record: the next Open truncates it; this segment is done.
    Status s = Errno("cannot write", path);
    StartSegment(segments_.back().number + 1);
    return s;
  }
  if (::fdatasync(fd_) != 0) {
    return Errno("cannot fsync", path);
  }
  segments_.back().bytes += rec.size();
  for (auto& [id, r] : readers_) {
    r.pending_samples += samples;
  }
  DropOldest();
  return Status::OK();
}

}  // namespace hostwatch::remote_write
