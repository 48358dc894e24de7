#include "collectors/checks/http/redact_url.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

TEST(RedactUrlTest, RedactsPasswordsInUrls) {
  EXPECT_EQ(RedactUrl("https://user:secret@host/p?q=1"), "https://user:xxxxx@host/p?q=1");
  EXPECT_EQ(RedactUrl("https://user@host/"), "https://user@host/");
  EXPECT_EQ(RedactUrl("http://host:8080/a@b"), "http://host:8080/a@b");
  EXPECT_EQ(RedactUrl("http://host/"), "http://host/");
}

// Issue 16 item 6: ?token=abc was shown in the target label, the status page, /probe?debug=true and logs.
TEST(RedactUrlTest, RedactsValuesOfSecretQueryParameters) {
  struct Case {
    std::string url;
    std::string shown;
  };
  const std::vector<Case> cases = {
      {"https://api.example/health?token=abc", "https://api.example/health?token=xxxxx"},
      {"https://api.example/health?x=1&token=abc&y=2", "https://api.example/health?x=1&token=xxxxx&y=2"},
      // Every name issue 16 lists, case-insensitively.
      {"http://h/?Token=a&KEY=b&apikey=c&Api_Key=d&secret=e&password=f&passwd=g&auth=h&signature=i&sig=j",
       "http://h/?Token=xxxxx&KEY=xxxxx&apikey=xxxxx&Api_Key=xxxxx&secret=xxxxx&password=xxxxx&passwd=xxxxx&"
       "auth=xxxxx&signature=xxxxx&sig=xxxxx"},
      // OAuth and presigned-URL names.
      {"http://h/?access_token=a&client_secret=b&X-Amz-Signature=c&X-Goog-Signature=d",
       "http://h/?access_token=xxxxx&client_secret=xxxxx&X-Amz-Signature=xxxxx&X-Goog-Signature=xxxxx"},
      // ';' separates parameters for some servers: redact after it too.
      {"http://h/?a=1;token=abc", "http://h/?a=1;token=xxxxx"},
      // A percent-encoded name is the same name to the server.
      {"http://h/?%74oken=abc", "http://h/?%74oken=xxxxx"},
      // The fragment is shown too (OAuth implicit flow puts access_token there).
      {"http://h/cb?state=1#access_token=abc&x=2", "http://h/cb?state=1#access_token=xxxxx&x=2"},
      {"http://h/#token=abc", "http://h/#token=xxxxx"},
      // Password and query together.
      {"https://u:pw@h/?token=abc", "https://u:xxxxx@h/?token=xxxxx"},
      // Whole names only: these are not secrets.
      {"http://h/?tokenizer=v2&monkey=1&keys=3&signal=4", "http://h/?tokenizer=v2&monkey=1&keys=3&signal=4"},
      // Nothing to redact: no value, an empty value, no query, a path that looks like one.
      {"http://h/?token", "http://h/?token"},
      {"http://h/?token=&a=1", "http://h/?token=&a=1"},
      {"http://h/token=abc", "http://h/token=abc"},
      {"http://h/?", "http://h/?"},
      {"http://h/?&&token=a&", "http://h/?&&token=xxxxx&"},
      // Not a URL we show as one.
      {"token=abc", "token=abc"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RedactUrl(c.url), c.shown) << c.url;
  }
}

TEST(RedactUrlTest, ChecksAddNamesCaseInsensitively) {
  const std::vector<std::string> extra = {"session", "X-Tenant-Secret"};
  EXPECT_EQ(RedactUrl("http://h/?Session=abc&x-tenant-secret=def&token=ghi&other=1", extra),
            "http://h/?Session=xxxxx&x-tenant-secret=xxxxx&token=xxxxx&other=1");
  // The defaults stay in force whatever a check adds.
  EXPECT_EQ(RedactUrl("http://h/?session=abc"), "http://h/?session=abc");
}

TEST(RedactUrlTest, DefaultNamesAreLowerCaseAndUnique) {
  const std::vector<std::string_view>& names = DefaultSecretQueryParams();
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (char c : names[i]) {
      EXPECT_FALSE(c >= 'A' && c <= 'Z') << names[i];
    }
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      EXPECT_NE(names[i], names[j]);
    }
  }
}

}  // namespace
}  // namespace hostwatch
