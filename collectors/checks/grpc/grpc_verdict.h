// The verdict of a gRPC health check: from what the call returned (the HTTP/2
// response's status, content type, grpc-status and grpc-message from its
// headers or trailers, and its body) to success or one FailureReason, with
// the gRPC status code a gRPC client would report (blackbox's
// probe_grpc_status_code) and the serving status, as grpc-go and blackbox
// 0.28's prober/grpc.go decide them.
//
// Pure functions on values: no I/O, safe on any thread; unit-tested and
// fuzzed (tests/fuzz/fuzz_grpc_response.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collectors/checks/http/probe_result.h"

namespace hostwatch {

// What came back from the call.
struct GrpcResponse {
  bool http2 = false;
  long http_status = 0;
  std::string content_type;                // "" when absent
  std::optional<std::string> grpc_status;  // as sent, from the headers or the trailers (the last one)
  std::string grpc_message;                // as sent (percent-encoded)
  std::string_view body;
};

struct GrpcOutcome {
  FailureReason reason = FailureReason::kNone;
  long long code = 0;                         // the call's gRPC status code
  std::optional<long long> serving_status;    // from a HealthCheckResponse, when one was read
  std::string why;                            // one line; "" on success
};

// In order: not HTTP/2 (protocol, UNAVAILABLE); an HTTP status other than
// 200 (grpc_status, the code gRPC maps it to); a content type other than
// application/grpc[+...|;...], no grpc-status or one that is not a number
// (protocol, INTERNAL); a grpc-status other than 0 (grpc_status, that code,
// with grpc-message); a body that is not one HealthCheckResponse (protocol,
// INTERNAL); a serving status other than SERVING (not_serving, code OK).
GrpcOutcome EvaluateGrpcResponse(const GrpcResponse& r);

}  // namespace hostwatch
