// libFuzzer target: the part of a grpc check that reads a server's answer.
// Input = the response's header and trailer lines, a blank line, then the
// body, as a hostile server sends them. Each line goes through ParseHeaderLine
// (the header callback's parser) and content-type / grpc-status /
// grpc-message are kept as the run keeps them; the facts then go through
// EvaluateGrpcResponse (grpc-status parsing, grpc-message decoding, the gRPC
// frame and HealthCheckResponse decoding), and the whole input once more
// through ParseHealthCheckResponse and DecodeGrpcMessage. Must not crash,
// hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/checks/grpc/grpc_codec.h"
#include "collectors/checks/grpc/grpc_verdict.h"
#include "collectors/checks/http/verdict.h"
#include "collectors/core/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hostwatch::HeaderLine;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  hostwatch::GrpcResponse r;
  r.http2 = size % 7 != 0;
  r.http_status = size % 11 == 0 ? 503 : 200;
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t end = input.find('\n', pos);
    end = end == std::string_view::npos ? input.size() : end + 1;
    const HeaderLine line = hostwatch::ParseHeaderLine(input.substr(pos, end - pos));
    pos = end;
    if (line.kind == HeaderLine::Kind::kField) {
      const std::string name = hostwatch::AsciiToLower(line.name);
      if (name == "content-type") {
        r.content_type = std::string(line.value);
      } else if (name == "grpc-status") {
        r.grpc_status = std::string(line.value);
      } else if (name == "grpc-message") {
        r.grpc_message = std::string(line.value);
      }
    } else if (line.kind == HeaderLine::Kind::kOther && line.value.empty()) {
      break;  // the blank line: the body follows
    }
  }
  r.body = input.substr(pos);
  hostwatch::EvaluateGrpcResponse(r);
  long long status = 0;
  std::string why;
  hostwatch::ParseHealthCheckResponse(input, &status, &why);
  hostwatch::DecodeHealthCheckResponse(input, &status, &why);
  hostwatch::ServingStatusName(status);
  hostwatch::DecodeGrpcMessage(input);
  return 0;
}
