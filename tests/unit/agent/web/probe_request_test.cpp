#include "agent/web/probe_request.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

TEST(ProbeRequestTest, DecodesModuleTargetAndDebug) {
  Result<ProbeRequest> r =
      ParseProbeRequest("module=home+page&target=https%3A%2F%2Fh%3A8443%2Fx%3Fa%3Db&debug=true", "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().module, "home page");
  EXPECT_EQ(r.value().target, "https://h:8443/x?a=b");
  EXPECT_TRUE(r.value().debug);
  EXPECT_FALSE(r.value().scrape_timeout_seconds.has_value());
  EXPECT_EQ(r.value().hostname, "");
}

TEST(ProbeRequestTest, DecodesHostname) {
  Result<ProbeRequest> r = ParseProbeRequest("module=a&target=10.0.0.1&hostname=api.example.org%3A8443", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().hostname, "api.example.org:8443");
}

TEST(ProbeRequestTest, FirstOccurrenceWinsAndDebugNeedsExactlyTrue) {
  Result<ProbeRequest> r = ParseProbeRequest("module=a&module=b&debug=TRUE", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().module, "a");
  EXPECT_FALSE(r.value().debug);
}

TEST(ProbeRequestTest, ModuleIsRequired) {
  for (const char* query : {"", "target=x", "module=", "modulex=a"}) {
    Result<ProbeRequest> r = ParseProbeRequest(query, "");
    ASSERT_FALSE(r.ok()) << query;
    EXPECT_NE(r.status().message().find("module parameter is required"), std::string::npos);
  }
}

TEST(ProbeRequestTest, ScrapeTimeoutHeaderMustBeAPositiveFiniteNumber) {
  Result<ProbeRequest> ok = ParseProbeRequest("module=a", "9.5");
  ASSERT_TRUE(ok.ok());
  EXPECT_DOUBLE_EQ(*ok.value().scrape_timeout_seconds, 9.5);
  for (const char* bad : {"0", "-1", "abc", "5s", "1e309", "nan", "inf", " 5x"}) {
    Result<ProbeRequest> r = ParseProbeRequest("module=a", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("Failed to parse timeout"), std::string::npos) << bad;
  }
}

TEST(ProbeRequestTest, QueryParamValueIsEmptyForUndecodableOrAbsentValues) {
  EXPECT_EQ(QueryParamValue("a=%41%42", "a"), "AB");
  EXPECT_EQ(QueryParamValue("a=1", "b"), "");
  EXPECT_EQ(QueryParamValue("", "a"), "");
}

}  // namespace
}  // namespace hostwatch
