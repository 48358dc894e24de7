// The few bytes of gRPC a health check needs, by hand: the standard health
// service's two messages (grpc/health/v1/health.proto)
//
//   message HealthCheckRequest  { string service = 1; }
//   message HealthCheckResponse { ServingStatus status = 1; }
//
// in gRPC's length-prefixed framing (1 byte compressed flag, 4-byte
// big-endian length, the message), and the gRPC status vocabulary. No
// protobuf dependency: two fields do not need one.
//
// Pure functions on values, bounds-checked on every byte; safe on any
// thread; unit-tested and fuzzed (tests/fuzz/fuzz_grpc_response.cpp).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace hostwatch {

// The path a health check POSTs to.
inline constexpr const char* kHealthCheckPath = "/grpc.health.v1.Health/Check";

// HealthCheckResponse.ServingStatus values, by number (Go's
// HealthCheckResponse_ServingStatus_name): blackbox shows one
// probe_grpc_healthcheck_response series per name.
inline constexpr std::array<const char*, 4> kServingStatusNames = {"UNKNOWN", "SERVING", "NOT_SERVING",
                                                                   "SERVICE_UNKNOWN"};
inline constexpr int kServing = 1;

// The status's name, or its number in decimal for a value the enum does not
// have (what Go's generated String() prints, so the label is blackbox's).
std::string ServingStatusName(long long status);

// One gRPC frame holding HealthCheckRequest{service} (proto3: an empty
// service is the empty message).
std::string HealthCheckRequestFrame(std::string_view service);

// The message of a body that holds exactly one uncompressed gRPC frame (a
// unary response); false with *why otherwise (short, compressed, trailing
// bytes). *message points into body.
bool ParseGrpcFrame(std::string_view body, std::string_view* message, std::string* why);

// HealthCheckResponse.status of a protobuf message: unknown fields skipped as
// protobuf does, the last status wins, absent means 0 (UNKNOWN). False with
// *why on a malformed message (truncated, over-long varint, group or unknown
// wire type, field number 0).
bool DecodeHealthCheckResponse(std::string_view message, long long* status, std::string* why);

// Both of the above: the serving status in a response body.
bool ParseHealthCheckResponse(std::string_view body, long long* status, std::string* why);

// gRPC status codes used by name (google.golang.org/grpc/codes).
enum GrpcCode : int {
  kGrpcOk = 0,
  kGrpcUnknown = 2,
  kGrpcDeadlineExceeded = 4,
  kGrpcNotFound = 5,
  kGrpcInternal = 13,
  kGrpcUnavailable = 14,
};
// "NOT_FOUND" for 5; "CODE(<n>)" outside 0..16.
std::string GrpcCodeName(long long code);

// The code a gRPC client reports for a response without grpc-status, from
// its HTTP status (gRPC's documented mapping): 400 INTERNAL, 401
// UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504
// UNAVAILABLE, anything else UNKNOWN.
int GrpcCodeForHttpStatus(long http_status);

// grpc-message as sent (percent-encoded, as gRPC over HTTP/2 specifies) to its
// text; a malformed escape is kept as it is, control characters become '?'
// (the text goes into a one-line error). At most max_bytes of the result.
std::string DecodeGrpcMessage(std::string_view encoded, std::size_t max_bytes = 256);

}  // namespace hostwatch
