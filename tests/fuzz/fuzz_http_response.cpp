// libFuzzer target: the part of an HTTP check that reads a server's response.
// Input = raw response head and body as a hostile server sends it. Each line goes
// through ParseHeaderLine (the header callback's parser: status line, "Name: value"),
// a status line starting the header list over as libcurl's 1xx/redirect flow does;
// the facts then go through EvaluateResponse with header, body, status and version
// rules, and every Location value through RedactUrl and ParseTargetUrl (the
// redirect and /probe target paths). Must not crash, hang, leak or trip a sanitizer.
#include <strings.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/checks/check_config.h"
#include "collectors/checks/http/redact_url.h"
#include "collectors/checks/http/verdict.h"
#include "collectors/checks/target_policy.h"
#include "collectors/core/config_diagnostics.h"

namespace {

// Rules of every kind EvaluateResponse applies, so each is reached.
const char* const kCheckYaml = R"(
checks:
  - name: fuzz
    url: http://127.0.0.1/
    valid_status_codes: [200, "3xx", 404]
    valid_http_versions: ["HTTP/1.1", "HTTP/2.0"]
    fail_if_header_matches: [{header: X-Debug, regexp: "(?i)on|true", allow_missing: true}]
    fail_if_header_not_matches: [{header: Content-Type, regexp: "^text/(html|plain)(;.*)?$"}]
    fail_if_body_matches_regexp: ["(?i)error [0-9]+"]
    fail_if_body_not_matches_regexp: ["Welcome"]
)";

const hostwatch::HttpCheckConfig& Check() {
  static const hostwatch::HttpCheckConfig config = [] {
    hostwatch::ConfigDiagnostics diag("fuzz.yml");
    return hostwatch::ParseHttpChecksConfig(YAML::Load(kCheckYaml), &diag).checks.at(0);
  }();
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hostwatch::HeaderLine;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  hostwatch::ResponseFacts facts;
  facts.http_version = "HTTP/1.1";
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t end = input.find('\n', pos);
    end = end == std::string_view::npos ? input.size() : end + 1;
    const HeaderLine line = hostwatch::ParseHeaderLine(input.substr(pos, end - pos));
    pos = end;
    if (line.kind == HeaderLine::Kind::kStatus) {
      facts.headers.clear();
      // libcurl parses the code in the agent; here digits 10-12 of the line vary it for the verdict.
      facts.status_code =
          line.value.size() >= 12 ? std::strtol(std::string(line.value.substr(9, 3)).c_str(), nullptr, 10) : 0;
      facts.http_version = std::string(line.value.substr(0, line.value.find(' ')));
    } else if (line.kind == HeaderLine::Kind::kField) {
      facts.headers.emplace_back(std::string(line.name), std::string(line.value));
      if (strcasecmp(facts.headers.back().first.c_str(), "Location") == 0) {
        const std::string url = hostwatch::ProbeTargetUrl(facts.headers.back().second);
        std::string why;
        hostwatch::RedactUrl(url);
        hostwatch::ParseTargetUrl(url, &why);
      }
    } else if (line.value.empty() && !facts.headers.empty()) {
      break;  // the blank line: the body follows
    }
  }
  facts.body = input.substr(pos);
  facts.ssl = size % 2 == 1;
  std::string why;
  hostwatch::EvaluateResponse(Check(), facts, &why);
  return 0;
}
