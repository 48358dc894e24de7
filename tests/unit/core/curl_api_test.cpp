#include "collectors/core/curl_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hostwatch {
namespace {

using ::testing::HasSubstr;

TEST(CurlApiTest, MissingLibraryIsReportedByName) {
  CurlApi api;
  std::string error;
  EXPECT_FALSE(ResolveCurlApi("libhostwatch-no-such-curl.so.4", &api, &error));
  EXPECT_THAT(error, HasSubstr("libhostwatch-no-such-curl.so.4"));
  EXPECT_EQ(api.easy_init, nullptr);  // the table is left untouched
}

TEST(CurlApiTest, LibraryWithoutCurlSymbolsNamesTheFirstMissingOne) {
  // zlib is a real library (the agent links it) that has none of libcurl's functions.
  CurlApi api;
  std::string error;
  EXPECT_FALSE(ResolveCurlApi("libz.so.1", &api, &error));
  EXPECT_THAT(error, HasSubstr("curl_global_init"));
  EXPECT_EQ(api.global_init, nullptr);
}

TEST(CurlApiTest, ResolvesEveryFunctionFromTheRealLibcurl) {
  CurlApi api;
  std::string error;
  ASSERT_TRUE(ResolveCurlApi(kCurlSoname, &api, &error)) << error;
  EXPECT_NE(api.multi_poll, nullptr);
  EXPECT_NE(api.url_get, nullptr);
  EXPECT_NE(api.free, nullptr);
}

TEST(CurlApiTest, LoadCurlLoadsOnceAndTheTableWorks) {
  std::string error;
  const CurlApi* first = LoadCurl(&error);
  ASSERT_NE(first, nullptr) << error;
  EXPECT_EQ(LoadCurl(), first);
  EXPECT_TRUE(CurlLoaded());
  CURLU* url = first->url();
  ASSERT_NE(url, nullptr);
  ASSERT_EQ(first->url_set(url, CURLUPART_URL, "http://Example.ORG:8080/x", 0), CURLUE_OK);
  char* port = nullptr;
  ASSERT_EQ(first->url_get(url, CURLUPART_PORT, &port, 0), CURLUE_OK);
  EXPECT_STREQ(port, "8080");
  first->free(port);
  first->url_cleanup(url);
}

}  // namespace
}  // namespace hostwatch
