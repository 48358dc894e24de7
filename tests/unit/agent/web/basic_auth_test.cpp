#include "agent/web/basic_auth.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace hostwatch {
namespace {

// bcrypt("secret") at cost 4 (fast enough for unit tests), made with Python's crypt module
// (libxcrypt) in both the $2b$ and the $2y$ (htpasswd) spelling.
constexpr char kSecret2b[] = "$2b$04$Dou7PLfgexf9l35tCujxluySOeOkTh4m5n3sR7FfgPkd.m4MNlCWO";
constexpr char kSecret2y[] = "$2y$04$Dou7PLfgexf9l35tCujxluySOeOkTh4m5n3sR7FfgPkd.m4MNlCWO";

std::string Basic(const std::string& b64) { return "Basic " + b64; }

TEST(Base64Test, DecodesStandardAlphabetWithPadding) {
  EXPECT_EQ(DecodeBase64("YWxpY2U6c2VjcmV0").value(), "alice:secret");
  EXPECT_EQ(DecodeBase64("YQ==").value(), "a");
  EXPECT_EQ(DecodeBase64("YWI=").value(), "ab");
  EXPECT_EQ(DecodeBase64("").value(), "");
  const std::vector<std::string> bad = {"YQ", "Y===", "YQ=a", "YW*j", "YQ==YQ=="};
  for (const std::string& b : bad) {
    EXPECT_FALSE(DecodeBase64(b).has_value()) << b;
  }
}

TEST(BasicAuthorizationTest, SplitsUserAndPasswordAtFirstColon) {
  auto creds = ParseBasicAuthorization(Basic("YWxpY2U6c2U6Y3JldA=="));  // alice:se:cret
  ASSERT_TRUE(creds.has_value());
  EXPECT_EQ(creds->first, "alice");
  EXPECT_EQ(creds->second, "se:cret");
  EXPECT_TRUE(ParseBasicAuthorization("basic YWxpY2U6c2VjcmV0").has_value());  // scheme is case-insensitive
  EXPECT_FALSE(ParseBasicAuthorization("Bearer YWxpY2U6c2VjcmV0").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Basic YWxpY2U=").has_value());  // "alice": no colon
  EXPECT_FALSE(ParseBasicAuthorization("").has_value());
}

TEST(VerifyBcryptTest, AcceptsRightPasswordInBothPrefixes) {
  EXPECT_TRUE(VerifyBcrypt("secret", kSecret2b));
  EXPECT_TRUE(VerifyBcrypt("secret", kSecret2y));
  EXPECT_FALSE(VerifyBcrypt("Secret", kSecret2y));
  EXPECT_FALSE(VerifyBcrypt("", kSecret2y));
  EXPECT_FALSE(VerifyBcrypt("secret", "$2y$04$short"));
  EXPECT_FALSE(VerifyBcrypt("secret", "plain"));
}

TEST(BasicAuthenticatorTest, ChecksUsersAndPasswords) {
  BasicAuthenticator auth(std::map<std::string, std::string>{{"alice", kSecret2y}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.Check(Basic("YWxpY2U6c2VjcmV0")));   // alice:secret
  EXPECT_TRUE(auth.Check(Basic("YWxpY2U6c2VjcmV0")));   // again, from the cache
  EXPECT_FALSE(auth.Check(Basic("YWxpY2U6d3Jvbmc=")));  // alice:wrong
  EXPECT_FALSE(auth.Check(Basic("Ym9iOnNlY3JldA==")));  // bob:secret (unknown user)
  EXPECT_FALSE(auth.Check(""));
  EXPECT_FALSE(BasicAuthenticator(std::map<std::string, std::string>{}).enabled());
}

}  // namespace
}  // namespace hostwatch
