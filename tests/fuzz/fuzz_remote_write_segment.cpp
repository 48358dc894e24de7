// libFuzzer target: the remote_write segment reader (ScanSegment, then DecodeWriteRequest on every intact
// record, as the sender reads a segment after a crash) on arbitrary bytes must not crash, hang, leak or
// trip a sanitizer, nor allocate what a record's length claims beyond the bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/remote_write/segment_format.h"
#include "agent/remote_write/segment_log.h"
#include "agent/remote_write/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hostwatch::remote_write::SegmentLog;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const hostwatch::remote_write::SegmentScan scan = hostwatch::remote_write::ScanSegment(bytes);
  for (std::uint64_t at = 0; at < scan.valid_end;) {
    const std::uint32_t len = hostwatch::remote_write::segment_format::Get32(bytes, at);
    hostwatch::remote_write::DecodeWriteRequest(bytes.substr(at + SegmentLog::kRecordHeaderBytes, len));
    at += SegmentLog::kRecordHeaderBytes + len;
  }
  return 0;
}
