#include "collectors/checks/grpc/grpc_codec.h"

#include <cstdint>

namespace hostwatch {
namespace {

constexpr std::size_t kFrameHeader = 5;
// A varint is at most 10 bytes (64 bits, 7 per byte).
constexpr int kMaxVarintBytes = 10;

void AppendVarint(std::uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at *pos; false when it runs past the end or past 10 bytes.
bool ReadVarint(std::string_view in, std::size_t* pos, std::uint64_t* out) {
  std::uint64_t v = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    if (*pos >= in.size()) {
      return false;
    }
    const auto b = static_cast<unsigned char>(in[(*pos)++]);
    v |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

// Skips the value of a field of the given wire type; false when it cannot.
bool SkipField(std::string_view in, std::size_t* pos, unsigned wire, std::string* why) {
  std::uint64_t n = 0;
  switch (wire) {
    case 0:
      if (!ReadVarint(in, pos, &n)) {
        *why = "truncated or over-long varint";
        return false;
      }
      return true;
    case 1:
      n = 8;
      break;
    case 5:
      n = 4;
      break;
    case 2:
      if (!ReadVarint(in, pos, &n)) {
        *why = "truncated length";
        return false;
      }
      break;
    default:
      *why = "unsupported wire type " + std::to_string(wire);
      return false;
  }
  if (n > in.size() - *pos) {
    *why = "field runs past the end of the message";
    return false;
  }
  *pos += static_cast<std::size_t>(n);
  return true;
}

constexpr std::array<const char*, 17> kCodeNames = {
    "OK",        "CANCELED",         "UNKNOWN",          "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",        "DATA_LOSS",         "UNAUTHENTICATED"};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ServingStatusName(long long status) {
  if (status >= 0 && status < static_cast<long long>(kServingStatusNames.size())) {
    return kServingStatusNames[static_cast<std::size_t>(status)];
  }
  return std::to_string(status);
}

std::string HealthCheckRequestFrame(std::string_view service) {
  std::string message;
  if (!service.empty()) {
    message.push_back('\x0A');  // field 1, wire type 2 (length-delimited)
    AppendVarint(service.size(), &message);
    message.append(service);
  }
  std::string frame(kFrameHeader, '\0');  // flag 0: not compressed
  const auto n = static_cast<std::uint32_t>(message.size());
  frame[1] = static_cast<char>(n >> 24);
  frame[2] = static_cast<char>(n >> 16);
  frame[3] = static_cast<char>(n >> 8);
  frame[4] = static_cast<char>(n);
  return frame + message;
}

bool ParseGrpcFrame(std::string_view body, std::string_view* message, std::string* why) {
  if (body.size() < kFrameHeader) {
    *why = body.empty() ? "no response message" : "truncated gRPC frame header";
    return false;
  }
  const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(body[i])); };
  if (byte(0) != 0) {
    // We send no grpc-accept-encoding, so a server may not compress (and 2..255 are not flags at all).
    *why = byte(0) == 1 ? "compressed response message (none was accepted)" : "bad gRPC frame flag";
    return false;
  }
  const std::uint32_t n = byte(1) << 24 | byte(2) << 16 | byte(3) << 8 | byte(4);
  if (n > body.size() - kFrameHeader) {
    *why = "gRPC frame of " + std::to_string(n) + " bytes, " + std::to_string(body.size() - kFrameHeader) +
           " received";
    return false;
  }
  if (n != body.size() - kFrameHeader) {
    *why = "more than one response message";
    return false;
  }
  *message = body.substr(kFrameHeader, n);
  return true;
}

bool DecodeHealthCheckResponse(std::string_view message, long long* status, std::string* why) {
  std::size_t pos = 0;
  std::uint64_t value = 0;  // proto3: an absent field is 0
  while (pos < message.size()) {
    std::uint64_t key = 0;
    if (!ReadVarint(message, &pos, &key)) {
      *why = "truncated field key";
      return false;
    }
    const std::uint64_t field = key >> 3;
    const auto wire = static_cast<unsigned>(key & 7);
    if (field == 0) {
      *why = "field number 0";
      return false;
    }
    if (field == 1 && wire == 0) {
      if (!ReadVarint(message, &pos, &value)) {
        *why = "truncated status";
        return false;
      }
      continue;  // repeated: the last one wins, as protobuf merges
    }
    if (!SkipField(message, &pos, wire, why)) {
      return false;
    }
  }
  *status = static_cast<std::int32_t>(static_cast<std::uint32_t>(value));  // an enum is an int32
  return true;
}

bool ParseHealthCheckResponse(std::string_view body, long long* status, std::string* why) {
  std::string_view message;
  return ParseGrpcFrame(body, &message, why) && DecodeHealthCheckResponse(message, status, why);
}

std::string GrpcCodeName(long long code) {
  if (code >= 0 && code < static_cast<long long>(kCodeNames.size())) {
    return kCodeNames[static_cast<std::size_t>(code)];
  }
  return "CODE(" + std::to_string(code) + ")";
}

int GrpcCodeForHttpStatus(long http_status) {
  switch (http_status) {
    case 400:
      return kGrpcInternal;
    case 401:
      return 16;  // UNAUTHENTICATED
    case 403:
      return 7;  // PERMISSION_DENIED
    case 404:
      return 12;  // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return kGrpcUnavailable;
    default:
      return kGrpcUnknown;
  }
}

std::string DecodeGrpcMessage(std::string_view encoded, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < encoded.size() && out.size() < max_bytes; ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size() && HexDigit(encoded[i + 1]) >= 0 &&
        HexDigit(encoded[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(encoded[i + 1]) * 16 + HexDigit(encoded[i + 2])));
      i += 2;
    } else {
      out.push_back(encoded[i]);
    }
    const auto c = static_cast<unsigned char>(out.back());
    if (c < 0x20 || c == 0x7F) {
      out.back() = '?';  // the text goes into a one-line error
    }
  }
  return out;
}

}  // namespace hostwatch
