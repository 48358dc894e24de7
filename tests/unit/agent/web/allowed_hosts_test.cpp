#include "agent/web/allowed_hosts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hostwatch {
namespace {

AllowedHosts List(const std::vector<std::string>& entries) {
  Result<AllowedHosts> r = AllowedHosts::Parse(entries);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : AllowedHosts();
}

TEST(AllowedHostsTest, EmptyListAllowsEveryHostAndNone) {
  AllowedHosts any = List({});
  EXPECT_TRUE(any.empty());
  for (const char* host : {"localhost", "attacker.example:80", "[::1]:9555", "", "not a host"}) {
    EXPECT_TRUE(any.Allows(host)) << host;
  }
  EXPECT_TRUE(any.Allows(nullptr));
}

TEST(AllowedHostsTest, MatchesTheHostPartIgnoringPortAndCase) {
  AllowedHosts list = List({"localhost", "Metrics.Example.org", "127.0.0.1", "::1", "[2001:db8::7]"});
  const std::vector<std::string> allowed = {
      "localhost", "localhost:9555", "LOCALHOST:9555", "metrics.example.org", "METRICS.example.ORG:443",
      "metrics.example.org.", "metrics.example.org.:9555", "127.0.0.1:9555", "127.0.0.1", "[::1]", "[::1]:9555",
      "[2001:db8::7]:1", " localhost:9555 ", "localhost:",
  };
  for (const std::string& host : allowed) {
    EXPECT_TRUE(list.Allows(host.c_str())) << host;
  }
}

TEST(AllowedHostsTest, RefusesOtherHostsAndMalformedOrMissingHeaders) {
  AllowedHosts list = List({"localhost", "::1"});
  const std::vector<std::string> refused = {
      "attacker.example", "attacker.example:9555", "localhost.attacker.example", "notlocalhost", "localhost:9555x",
      "localhost:http", "::1", "::1:9555", "[::1", "[::1]x", "[::2]:9555", "", ":9555", "[]:9555",
      "localhost:9555:1", "127.0.0.1",
  };
  for (const std::string& host : refused) {
    EXPECT_FALSE(list.Allows(host.c_str())) << host;
  }
  EXPECT_FALSE(list.Allows(nullptr));
}

TEST(AllowedHostsTest, BadEntriesAreRejectedWithTheReason) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "is empty"},
      {"[]", "is empty"},
      {"localhost,127.0.0.1", "has a comma"},
      {"localhost:9555", "has a port"},
      {"[::1]:9555", "has a port"},
      {"[::1", "unbalanced"},
      {"a]b", "unbalanced"},
      {"http://localhost/", "is not a host name"},
      {"local host", "is not a host name"},
      {"user@localhost", "is not a host name"},
  };
  for (const auto& [entry, reason] : bad) {
    Result<AllowedHosts> r = AllowedHosts::Parse({"localhost", entry});
    ASSERT_FALSE(r.ok()) << entry;
    EXPECT_NE(r.status().message().find("\"" + entry + "\""), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(reason), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace hostwatch
