#include "collectors/checks/grpc/grpc_verdict.h"

#include "collectors/checks/grpc/grpc_codec.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// Shown values of what a peer sent are cut to this many bytes.
constexpr std::size_t kMaxShown = 128;

GrpcOutcome Fail(FailureReason reason, long long code, std::string why) {
  GrpcOutcome out;
  out.reason = reason;
  out.code = code;
  out.why = std::move(why);
  return out;
}

bool IsGrpcContentType(std::string_view type) {
  const std::string lower = AsciiToLower(type);
  constexpr std::string_view kGrpc = "application/grpc";
  if (lower.compare(0, kGrpc.size(), kGrpc) != 0) {
    return false;
  }
  return lower.size() == kGrpc.size() || lower[kGrpc.size()] == '+' || lower[kGrpc.size()] == ';';
}

std::string Shown(std::string_view s) { return std::string(s.substr(0, kMaxShown)); }

}  // namespace

GrpcOutcome EvaluateGrpcResponse(const GrpcResponse& r) {
  if (!r.http2) {
    return Fail(FailureReason::kProtocol, kGrpcUnavailable, "the server did not answer over HTTP/2");
  }
  if (r.http_status != 200) {
    const int code = GrpcCodeForHttpStatus(r.http_status);
    return Fail(FailureReason::kGrpcStatus, code,
                "HTTP status " + std::to_string(r.http_status) + " (" + GrpcCodeName(code) + ")");
  }
  if (!IsGrpcContentType(r.content_type)) {
    return Fail(FailureReason::kProtocol, kGrpcInternal,
                "content-type \"" + Shown(r.content_type) + "\" is not application/grpc");
  }
  if (!r.grpc_status) {
    return Fail(FailureReason::kProtocol, kGrpcInternal, "the response ended without grpc-status");
  }
  const std::optional<std::uint64_t> code = ParseUint(*r.grpc_status);
  if (!code || *code > 0x7FFFFFFF) {
    return Fail(FailureReason::kProtocol, kGrpcInternal, "malformed grpc-status \"" + Shown(*r.grpc_status) + "\"");
  }
  if (*code != kGrpcOk) {
    const auto c = static_cast<long long>(*code);
    std::string why = "grpc-status " + std::to_string(c) + " (" + GrpcCodeName(c) + ")";
    if (!r.grpc_message.empty()) {
      why += ": " + DecodeGrpcMessage(r.grpc_message);
    }
    return Fail(FailureReason::kGrpcStatus, c, std::move(why));
  }
  long long status = 0;
  std::string why;
  if (!ParseHealthCheckResponse(r.body, &status, &why)) {
    return Fail(FailureReason::kProtocol, kGrpcInternal, "bad HealthCheckResponse: " + why);
  }
  GrpcOutcome out;
  out.serving_status = status;
  if (status != kServing) {
    out.reason = FailureReason::kNotServing;
    out.why = "serving status " + ServingStatusName(status);
  }
  return out;
}

}  // namespace hostwatch
