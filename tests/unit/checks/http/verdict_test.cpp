#include "collectors/checks/http/verdict.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "collectors/checks/check_config.h"

namespace hostwatch {
namespace {

HttpCheckConfig ConfigFrom(const std::string& check_yaml) {
  ConfigDiagnostics diag("t.yml");
  YAML::Node root = YAML::Load("http_checks:\n  checks:\n    - " + check_yaml + "\n");
  HttpChecksConfig c = ParseHttpChecksConfig(root["http_checks"], &diag);
  EXPECT_TRUE(diag.ok()) << diag.ToString();
  return c.checks.at(0);
}

TEST(HttpProbeHeaderLineTest, ClassifiesStatusFieldAndOtherLines) {
  HeaderLine status = ParseHeaderLine("HTTP/1.1 301 Moved Permanently\r\n");
  EXPECT_EQ(status.kind, HeaderLine::Kind::kStatus);
  EXPECT_EQ(status.value, "HTTP/1.1 301 Moved Permanently");
  HeaderLine field = ParseHeaderLine("Location:  http://h/a:b \r\n");
  EXPECT_EQ(field.kind, HeaderLine::Kind::kField);
  EXPECT_EQ(field.name, "Location");
  EXPECT_EQ(field.value, "http://h/a:b");  // only the first colon splits
  HeaderLine empty_value = ParseHeaderLine("X-Empty:\r\n");
  EXPECT_EQ(empty_value.kind, HeaderLine::Kind::kField);
  EXPECT_EQ(empty_value.value, "");
  EXPECT_EQ(ParseHeaderLine("\r\n").kind, HeaderLine::Kind::kOther);
  EXPECT_EQ(ParseHeaderLine("no colon here\r\n").kind, HeaderLine::Kind::kOther);
  EXPECT_EQ(ParseHeaderLine("").kind, HeaderLine::Kind::kOther);
}

TEST(HttpProbeReasonTest, MapsCurlCodesToBoundedReasons) {
  EXPECT_EQ(ReasonForCurlCode(CURLE_OK, false), FailureReason::kNone);
  EXPECT_EQ(ReasonForCurlCode(CURLE_COULDNT_RESOLVE_HOST, false), FailureReason::kDns);
  EXPECT_EQ(ReasonForCurlCode(CURLE_COULDNT_CONNECT, false), FailureReason::kConnect);
  EXPECT_EQ(ReasonForCurlCode(CURLE_OPERATION_TIMEDOUT, false), FailureReason::kTimeout);
  EXPECT_EQ(ReasonForCurlCode(CURLE_SSL_CONNECT_ERROR, false), FailureReason::kTls);
  EXPECT_EQ(ReasonForCurlCode(CURLE_PEER_FAILED_VERIFICATION, false), FailureReason::kTlsVerify);
  EXPECT_EQ(ReasonForCurlCode(CURLE_WRITE_ERROR, true), FailureReason::kBodyTooLarge);
  EXPECT_EQ(ReasonForCurlCode(CURLE_WRITE_ERROR, false), FailureReason::kOther);
  EXPECT_EQ(ReasonForCurlCode(CURLE_FILESIZE_EXCEEDED, false), FailureReason::kBodyTooLarge);
  EXPECT_EQ(ReasonForCurlCode(CURLE_GOT_NOTHING, false), FailureReason::kProtocol);
  EXPECT_EQ(ReasonForCurlCode(CURLE_TOO_MANY_REDIRECTS, false), FailureReason::kRedirectLoop);
  EXPECT_STREQ(FailureReasonName(FailureReason::kBodyTooLarge), "body_too_large");
  EXPECT_STREQ(FailureReasonName(FailureReason::kOther), "other");
}

TEST(HttpProbeVerdictTest, DefaultStatusRangeIs2xx) {
  EXPECT_TRUE(StatusAccepted({}, 200));
  EXPECT_TRUE(StatusAccepted({}, 299));
  EXPECT_FALSE(StatusAccepted({}, 301));
  EXPECT_FALSE(StatusAccepted({}, 0));
  EXPECT_TRUE(StatusAccepted({{300, 399}, {404, 404}}, 404));
  EXPECT_FALSE(StatusAccepted({{300, 399}, {404, 404}}, 200));
}

TEST(HttpProbeVerdictTest, AppliesBlackboxChecksInOrder) {
  HttpCheckConfig c = ConfigFrom(
      "{name: a, url: 'http://x/', fail_if_body_not_matches_regexp: ['Welcome'], "
      "fail_if_header_matches: [{header: X-Debug, regexp: 'on', allow_missing: true}], "
      "valid_http_versions: ['HTTP/1.1'], fail_if_not_ssl: true}");
  ResponseFacts r;
  r.status_code = 200;
  r.http_version = "HTTP/1.1";
  r.ssl = true;
  r.body = "<h1>Welcome</h1>";
  std::string why;
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kNone) << why;

  r.status_code = 500;  // status first, even though other checks would fail too
  r.body = "nope";
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kStatusCode);
  EXPECT_EQ(why, "invalid HTTP response status code 500");

  r.status_code = 200;
  r.headers = {{"x-debug", "on"}};  // header names compare case-insensitively
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kRegex);
  EXPECT_EQ(why, "header X-Debug matched regular expression on");

  r.headers.clear();
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kRegex);
  EXPECT_EQ(why, "body did not match regular expression Welcome");

  r.body = "Welcome";
  r.http_version = "HTTP/1.0";
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kHttpVersion);

  r.http_version = "HTTP/1.1";
  r.ssl = false;
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kSslRequired);
}

TEST(HttpProbeVerdictTest, HeaderNotMatchesNeedsTheHeaderUnlessAllowedMissing) {
  HttpCheckConfig c = ConfigFrom(
      "{name: a, url: 'http://x/', fail_if_header_not_matches: "
      "[{header: Content-Type, regexp: 'json'}]}");
  ResponseFacts r;
  r.status_code = 200;
  std::string why;
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kRegex);
  EXPECT_EQ(why, "missing required header Content-Type");
  r.headers = {{"Content-Type", "text/html"}, {"Content-Type", "application/json"}};
  EXPECT_EQ(EvaluateResponse(c, r, &why), FailureReason::kNone);  // any value may match
  HttpCheckConfig ssl = ConfigFrom("{name: a, url: 'http://x/', fail_if_ssl: true}");
  r.ssl = true;
  EXPECT_EQ(EvaluateResponse(ssl, r, &why), FailureReason::kSslForbidden);
}

TEST(HttpProbeUtilTest, HttpVersions) {
  EXPECT_EQ(HttpVersionString(CURL_HTTP_VERSION_1_1), "HTTP/1.1");
  EXPECT_EQ(HttpVersionString(CURL_HTTP_VERSION_2_0), "HTTP/2.0");
  EXPECT_DOUBLE_EQ(HttpVersionNumber(CURL_HTTP_VERSION_1_0), 1.0);
  EXPECT_DOUBLE_EQ(HttpVersionNumber(CURL_HTTP_VERSION_1_1), 1.1);
  EXPECT_DOUBLE_EQ(HttpVersionNumber(CURL_HTTP_VERSION_2_0), 2);
  EXPECT_DOUBLE_EQ(HttpVersionNumber(0), 0);
}

}  // namespace
}  // namespace hostwatch
