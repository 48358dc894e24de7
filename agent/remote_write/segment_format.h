// The byte-level helpers of the segment log's record format (segment_log.h):
// little-endian u32 fields and the record CRC. Internal to segment_log*.cpp.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace hostwatch::remote_write::segment_format {

inline std::uint32_t Get32(std::string_view b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  }
  return v;
}

inline void Put32(std::uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

// CRC-32 (zlib) of the samples field's 4 bytes, then the payload.
inline std::uint32_t RecordCrc(std::string_view samples_field, std::string_view payload) {
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(samples_field.data()), static_cast<uInt>(samples_field.size()));
  crc = crc32(crc, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  return static_cast<std::uint32_t>(crc);
}

}  // namespace hostwatch::remote_write::segment_format
