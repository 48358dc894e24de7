#include "collectors/checks/http/http_probe.h"

#include <gtest/gtest.h>

#include <cmath>

#include "collectors/checks/http/probe_result.h"
#include "collectors/checks/http/redact_url.h"
#include "collectors/checks/http/verdict.h"

namespace hostwatch {
namespace {

HttpCheckConfig ConfigFrom(const std::string& check_yaml) {
  ConfigDiagnostics diag("t.yml");
  YAML::Node root = YAML::Load("http_checks:\n  checks:\n    - " + check_yaml + "\n");
  HttpChecksConfig c = ParseHttpChecksConfig(root["http_checks"], &diag);
  EXPECT_TRUE(diag.ok()) << diag.ToString();
  return c.checks.at(0);
}

TEST(HttpProbePhasesTest, HttpsHopSplitsIntoFivePhasesSummingToTotal) {
  // The verified example from the reference: 48+147+4891+43790+7421 us.
  CurlMarks m{48, 195, 5086, 48876, 56297};
  PhaseDurations p = PhasesFromMarks(m, true);
  EXPECT_DOUBLE_EQ(p.resolve, 48e-6);
  EXPECT_DOUBLE_EQ(p.connect, 147e-6);
  EXPECT_DOUBLE_EQ(p.tls, 4891e-6);
  EXPECT_DOUBLE_EQ(p.processing, 43790e-6);
  EXPECT_DOUBLE_EQ(p.transfer, 7421e-6);
  EXPECT_NEAR(p.Sum(), 56297e-6, 1e-12);
}

TEST(HttpProbePhasesTest, PlainHttpHasNoTlsPhase) {
  CurlMarks m{10, 30, 0, 100, 130};
  PhaseDurations p = PhasesFromMarks(m, false);
  EXPECT_EQ(p.tls, 0);
  EXPECT_DOUBLE_EQ(p.processing, 70e-6);
  EXPECT_NEAR(p.Sum(), 130e-6, 1e-12);
}

TEST(HttpProbePhasesTest, UnreachedMarkGetsTheRemainingTime) {
  struct Case {
    CurlMarks m;
    bool tls;
    int phase_in_progress;  // index into kPhaseNames
  } cases[] = {
      {{0, 0, 0, 0, 5000}, false, 0},       // DNS never answered
      {{20, 0, 0, 0, 1000000}, false, 1},   // connect hung (timeout)
      {{20, 40, 0, 0, 3000}, true, 2},      // TLS handshake failed
      {{20, 40, 0, 0, 2000000}, false, 3},  // server never answered
      {{20, 40, 90, 0, 2000000}, true, 3},  // TLS fine, no first byte
  };
  for (const Case& c : cases) {
    PhaseDurations p = PhasesFromMarks(c.m, c.tls);
    EXPECT_NEAR(p.Sum(), static_cast<double>(c.m.total) / 1e6, 1e-12);
    double in_progress = PhaseValue(p, c.phase_in_progress);
    EXPECT_GT(in_progress, 0) << kPhaseNames[c.phase_in_progress];
    for (int i = c.phase_in_progress + 1; i < 5; ++i) {
      EXPECT_EQ(PhaseValue(p, i), 0) << kPhaseNames[i];
    }
  }
}

TEST(HttpProbePhasesTest, HungTlsHandshakeIsChargedToTlsWithOurConnectMark) {
  // What libcurl 7.88 reports for https when the server accepts TCP and never
  // finishes the handshake: no connect mark at all (test_check_faults tls_*).
  CurlMarks curl{30, 0, 0, 0, 2000000};
  PhaseDurations without = PhasesFromMarks(curl, true);
  EXPECT_GT(without.connect, 1.9);  // the misattribution the stand-in mark fixes
  PhaseDurations with = PhasesFromMarks(WithTcpConnectMark(curl, 250), true);
  EXPECT_DOUBLE_EQ(with.connect, 220e-6);
  EXPECT_NEAR(with.tls, 2.0 - 250e-6, 1e-9);
  EXPECT_NEAR(with.Sum(), 2.0, 1e-12);
}

TEST(HttpProbePhasesTest, TcpConnectMarkLeavesRealMarksAloneAndIsClamped) {
  CurlMarks real{30, 200, 900, 1000, 1100};
  EXPECT_EQ(WithTcpConnectMark(real, 500).connect, 200);  // libcurl's own mark wins
  CurlMarks hung{30, 0, 0, 0, 1000};
  EXPECT_EQ(WithTcpConnectMark(hung, 0).connect, 0);        // TLS never set up: connect did hang
  EXPECT_EQ(WithTcpConnectMark(hung, 10).connect, 30);      // never before the lookup ended
  EXPECT_EQ(WithTcpConnectMark(hung, 5000).connect, 1000);  // never after the end
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

TEST(HttpProbePhasesTest, OutOfOrderMarksNeverGoNegative) {
  CurlMarks m{50, 40, 0, 30, 20};  // nonsense, clamped
  PhaseDurations p = PhasesFromMarks(m, false);
  for (int i = 0; i < 5; ++i) {
    EXPECT_GE(PhaseValue(p, i), 0);
  }
  EXPECT_NEAR(p.Sum(), 20e-6, 1e-12);
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

TEST(HttpProbeUtilTest, IpAddrHashIsFnv1aOverRawBytes) {
  // FNV-1a 32 of bytes 7f 00 00 01, computed by hand from the algorithm.
  std::uint32_t h = 2166136261u;
  for (unsigned char b : {0x7f, 0x00, 0x00, 0x01}) {
    h = (h ^ b) * 16777619u;
  }
  EXPECT_EQ(IpAddrHash("127.0.0.1"), h);
  EXPECT_NE(IpAddrHash("::1"), 0u);
  EXPECT_NE(IpAddrHash("::1"), IpAddrHash("127.0.0.1"));
  EXPECT_EQ(IpAddrHash("not an ip"), 0u);
}

TEST(HttpProbeUtilTest, RedactsPasswordsInUrls) {
  EXPECT_EQ(RedactUrl("https://user:secret@host/p?q=1"), "https://user:xxxxx@host/p?q=1");
  EXPECT_EQ(RedactUrl("https://user@host/"), "https://user@host/");
  EXPECT_EQ(RedactUrl("http://host:8080/a@b"), "http://host:8080/a@b");
  EXPECT_EQ(RedactUrl("http://host/"), "http://host/");
}

}  // namespace
}  // namespace hostwatch
