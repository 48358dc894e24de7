#include "collectors/checks/http/redact_url.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

TEST(HttpProbeUtilTest, RedactsPasswordsInUrls) {
  EXPECT_EQ(RedactUrl("https://user:secret@host/p?q=1"), "https://user:xxxxx@host/p?q=1");
  EXPECT_EQ(RedactUrl("https://user@host/"), "https://user@host/");
  EXPECT_EQ(RedactUrl("http://host:8080/a@b"), "http://host:8080/a@b");
  EXPECT_EQ(RedactUrl("http://host/"), "http://host/");
}

}  // namespace
}  // namespace hostwatch
