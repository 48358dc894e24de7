#include "collectors/checks/grpc/grpc_verdict.h"

#include <gtest/gtest.h>

#include <string>

namespace hostwatch {
namespace {

using namespace std::string_literals;

const std::string kServingBody = "\0\0\0\0\x02\x08\x01"s;
const std::string kNotServingBody = "\0\0\0\0\x02\x08\x02"s;

GrpcResponse Answer(const std::string& body, const char* grpc_status = "0") {
  GrpcResponse r;
  r.http2 = true;
  r.http_status = 200;
  r.content_type = "application/grpc";
  r.grpc_status = grpc_status;
  r.body = body;
  return r;
}

TEST(GrpcVerdictTest, ServingSucceeds) {
  const GrpcOutcome o = EvaluateGrpcResponse(Answer(kServingBody));
  EXPECT_EQ(o.reason, FailureReason::kNone);
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.serving_status, 1);
  EXPECT_EQ(o.why, "");
}

TEST(GrpcVerdictTest, NotServingFailsWithItsReasonAndCodeOk) {
  const GrpcOutcome o = EvaluateGrpcResponse(Answer(kNotServingBody));
  EXPECT_EQ(o.reason, FailureReason::kNotServing);
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.serving_status, 2);
  EXPECT_EQ(o.why, "serving status NOT_SERVING");
}

TEST(GrpcVerdictTest, NonZeroGrpcStatusFailsWithTheCodeAndMessage) {
  GrpcResponse r = Answer("", "5");
  r.grpc_message = "unknown%20service: x";
  const GrpcOutcome o = EvaluateGrpcResponse(r);
  EXPECT_EQ(o.reason, FailureReason::kGrpcStatus);
  EXPECT_EQ(o.code, 5);
  EXPECT_FALSE(o.serving_status);
  EXPECT_EQ(o.why, "grpc-status 5 (NOT_FOUND): unknown service: x");
}

// Each way a peer is not a gRPC health service, in the verdict's order.
TEST(GrpcVerdictTest, WhatIsNotGrpcIsAProtocolFailure) {
  GrpcResponse h1 = Answer(kServingBody);
  h1.http2 = false;
  GrpcResponse http_503 = Answer(kServingBody);
  http_503.http_status = 503;
  GrpcResponse html = Answer(kServingBody);
  html.content_type = "text/html";
  GrpcResponse no_status = Answer(kServingBody);
  no_status.grpc_status.reset();
  const std::string short_frame = "\0\0\0\0\x03\x08\x01"s;  // the response's body is a view of it
  const struct {
    GrpcResponse r;
    FailureReason reason;
    long long code;
    const char* why;
  } cases[] = {
      {h1, FailureReason::kProtocol, 14, "the server did not answer over HTTP/2"},
      {http_503, FailureReason::kGrpcStatus, 14, "HTTP status 503 (UNAVAILABLE)"},
      {html, FailureReason::kProtocol, 13, "content-type \"text/html\" is not application/grpc"},
      {no_status, FailureReason::kProtocol, 13, "the response ended without grpc-status"},
      {Answer(kServingBody, "OK"), FailureReason::kProtocol, 13, "malformed grpc-status \"OK\""},
      {Answer(kServingBody, "99999999999"), FailureReason::kProtocol, 13, "malformed grpc-status \"99999999999\""},
      {Answer(short_frame), FailureReason::kProtocol, 13,
       "bad HealthCheckResponse: gRPC frame of 3 bytes, 2 received"},
  };
  for (const auto& c : cases) {
    const GrpcOutcome o = EvaluateGrpcResponse(c.r);
    EXPECT_EQ(o.reason, c.reason) << c.why;
    EXPECT_EQ(o.code, c.code) << c.why;
    EXPECT_EQ(o.why, c.why);
  }
}

TEST(GrpcVerdictTest, AcceptsGrpcContentTypeVariants) {
  for (const char* type : {"application/grpc", "application/grpc+proto", "Application/GRPC;charset=x"}) {
    GrpcResponse r = Answer(kServingBody);
    r.content_type = type;
    EXPECT_EQ(EvaluateGrpcResponse(r).reason, FailureReason::kNone) << type;
  }
  GrpcResponse r = Answer(kServingBody);
  r.content_type = "application/grpcx";
  EXPECT_EQ(EvaluateGrpcResponse(r).reason, FailureReason::kProtocol);
}

}  // namespace
}  // namespace hostwatch
