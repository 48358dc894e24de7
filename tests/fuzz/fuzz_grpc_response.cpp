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
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hostwatch::HeaderLine;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  hostwatch::GrpcResponse r;
  r.http2 = size % 7 != 0;
  r.http_status = size % 11 == 0 ? 503 : 200;
  // The head ends at the first empty line (libcurl hands the trailers over the same way, after the body).
  std::size_t head_end = input.find("\n\r\n");
  head_end = head_end == std::string_view::npos ? input.find("\n\n") : head_end;
  const std::string_view head = input.substr(0, head_end == std::string_view::npos ? input.size() : head_end + 1);
  for (std::string_view raw : hostwatch::SplitLines(head)) {
    const HeaderLine line = hostwatch::ParseHeaderLine(raw);
    if (line.kind != HeaderLine::Kind::kField) {
      continue;
    }
    const std::string name = hostwatch::AsciiToLower(line.name);
    if (name == "content-type") {
      r.content_type = std::string(line.value);
    } else if (name == "grpc-status") {
      r.grpc_status = std::string(line.value);
    } else if (name == "grpc-message") {
      r.grpc_message = std::string(line.value);
    }
  }
  const std::size_t body_start = input.find('\n', head.size());
  r.body = body_start == std::string_view::npos ? std::string_view() : input.substr(body_start + 1);
  hostwatch::EvaluateGrpcResponse(r);
  long long status = 0;
  std::string why;
  hostwatch::ParseHealthCheckResponse(input, &status, &why);
  hostwatch::DecodeHealthCheckResponse(input, &status, &why);
  hostwatch::ServingStatusName(status);
  hostwatch::DecodeGrpcMessage(input);
  return 0;
}
