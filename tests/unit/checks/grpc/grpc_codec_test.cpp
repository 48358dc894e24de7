#include "collectors/checks/grpc/grpc_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace hostwatch {
namespace {

using namespace std::string_literals;

// What grpc-go and python's grpcio put on the wire for the same messages.
TEST(GrpcCodecTest, RequestFramesAsProtobufEncodesThem) {
  EXPECT_EQ(HealthCheckRequestFrame(""), "\0\0\0\0\0"s);  // proto3: the empty message
  EXPECT_EQ(HealthCheckRequestFrame("svc"), "\0\0\0\0\x05\x0a\x03svc"s);
  const std::string long_name(200, 'n');  // a length over 127 takes a two-byte varint
  EXPECT_EQ(HealthCheckRequestFrame(long_name), "\0\0\0\0\xcb\x0a\xc8\x01"s + long_name);
}

TEST(GrpcCodecTest, ReadsTheServingStatus) {
  long long status = -7;
  std::string why;
  ASSERT_TRUE(ParseHealthCheckResponse("\0\0\0\0\x02\x08\x01"s, &status, &why)) << why;
  EXPECT_EQ(status, 1);
  ASSERT_TRUE(ParseHealthCheckResponse("\0\0\0\0\x02\x08\x02"s, &status, &why)) << why;
  EXPECT_EQ(status, 2);
  // proto3 leaves out a zero field: the empty message is UNKNOWN.
  ASSERT_TRUE(ParseHealthCheckResponse("\0\0\0\0\0"s, &status, &why)) << why;
  EXPECT_EQ(status, 0);
  // Unknown fields of every wire type are skipped; a repeated field's last value wins.
  const std::string message = "\x08\x02\x10\x96\x01\x19\x01\x02\x03\x04\x05\x06\x07\x08\x22\x02hi\x2d\x01\x02\x03\x04\x08\x01"s;
  ASSERT_TRUE(DecodeHealthCheckResponse(message, &status, &why)) << why;
  EXPECT_EQ(status, 1);
  // An enum is an int32: a negative value arrives as ten bytes and reads back negative.
  ASSERT_TRUE(DecodeHealthCheckResponse("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s, &status, &why)) << why;
  EXPECT_EQ(status, -1);
}

TEST(GrpcCodecTest, RefusesMalformedFramesAndMessages) {
  const std::pair<std::string, std::string> cases[] = {
      {""s, "no response message"},
      {"\0\0\0"s, "truncated gRPC frame header"},
      {"\x01\0\0\0\x02\x08\x01"s, "compressed response message (none was accepted)"},
      {"\x07\0\0\0\x02\x08\x01"s, "bad gRPC frame flag"},
      {"\0\0\0\0\x03\x08\x01"s, "gRPC frame of 3 bytes, 2 received"},
      {"\0\xff\xff\xff\xff\x08\x01"s, "gRPC frame of 4294967295 bytes, 2 received"},
      {"\0\0\0\0\x02\x08\x01\0"s, "more than one response message"},
      {"\0\0\0\0\x01\x08"s, "truncated status"},
      {"\0\0\0\0\x01\x80"s, "truncated field key"},
      {"\0\0\0\0\x02\x00\x01"s, "field number 0"},
      {"\0\0\0\0\x01\x0b"s, "unsupported wire type 3"},
      {"\0\0\0\0\x03\x12\x05x"s, "field runs past the end of the message"},
      {"\0\0\0\0\x03\x19\x01\x02"s, "field runs past the end of the message"},
      {"\0\0\0\0\x0c\x08\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"s, "truncated status"},
  };
  for (const auto& [body, reason] : cases) {
    long long status = 99;
    std::string why;
    EXPECT_FALSE(ParseHealthCheckResponse(body, &status, &why)) << reason;
    EXPECT_EQ(why, reason);
    EXPECT_EQ(status, 99);
  }
}

TEST(GrpcCodecTest, NamesAsGoDoes) {
  EXPECT_EQ(ServingStatusName(0), "UNKNOWN");
  EXPECT_EQ(ServingStatusName(2), "NOT_SERVING");
  EXPECT_EQ(ServingStatusName(3), "SERVICE_UNKNOWN");
  EXPECT_EQ(ServingStatusName(7), "7");
  EXPECT_EQ(ServingStatusName(-1), "-1");
  EXPECT_EQ(GrpcCodeName(5), "NOT_FOUND");
  EXPECT_EQ(GrpcCodeName(16), "UNAUTHENTICATED");
  EXPECT_EQ(GrpcCodeName(17), "CODE(17)");
}

TEST(GrpcCodecTest, MapsHttpStatusesAsGrpcDoes) {
  EXPECT_EQ(GrpcCodeForHttpStatus(400), 13);
  EXPECT_EQ(GrpcCodeForHttpStatus(401), 16);
  EXPECT_EQ(GrpcCodeForHttpStatus(403), 7);
  EXPECT_EQ(GrpcCodeForHttpStatus(404), 12);
  EXPECT_EQ(GrpcCodeForHttpStatus(503), 14);
  EXPECT_EQ(GrpcCodeForHttpStatus(500), 2);
}

TEST(GrpcCodecTest, DecodesGrpcMessage) {
  EXPECT_EQ(DecodeGrpcMessage("unknown service: x"), "unknown service: x");
  EXPECT_EQ(DecodeGrpcMessage("caf%C3%A9 100%25"), "caf\xc3\xa9 100%");
  EXPECT_EQ(DecodeGrpcMessage("bad %zz %4"), "bad %zz %4");     // malformed escapes stay as sent
  EXPECT_EQ(DecodeGrpcMessage("two%0Alines\x01"), "two?lines?");  // one line in the error
  EXPECT_EQ(DecodeGrpcMessage(std::string(1000, 'a')).size(), 256u);
}

}  // namespace
}  // namespace hostwatch
