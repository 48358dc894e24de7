#include "agent/web/basic_auth.h"

#include <crypt.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace hostwatch {
namespace {

// bcrypt("secret") at cost 4 (fast enough for unit tests), made with Python's crypt module
// (libxcrypt) in both the $2b$ and the $2y$ (htpasswd) spelling.
constexpr char kSecret2b[] = "$2b$04$Dou7PLfgexf9l35tCujxluySOeOkTh4m5n3sR7FfgPkd.m4MNlCWO";
constexpr char kSecret2y[] = "$2y$04$Dou7PLfgexf9l35tCujxluySOeOkTh4m5n3sR7FfgPkd.m4MNlCWO";

std::string Basic(const std::string& b64) { return "Basic " + b64; }

// The Authorization header for user:password.
std::string Header(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string b64(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  b64.resize(static_cast<std::size_t>(n));
  return "Basic " + b64;
}

// A real bcrypt hash of password at cost, made with libxcrypt as htpasswd -B would.
std::string BcryptHash(const std::string& password, unsigned cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof(setting)), nullptr);
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_rn(password.c_str(), setting, data.get(), sizeof(crypt_data));
  EXPECT_NE(hash, nullptr);
  return hash ? hash : "";
}

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  BasicAuthOptions Options() {
    BasicAuthOptions o;
    o.now = [this] { return now; };
    return o;
  }
};

// Runs fn(i) on n threads that start together.
template <typename Fn>
void OnThreads(int n, Fn fn) {
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      fn(i);
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
}

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

TEST(BasicAuthenticatorTest, AtMostOneBcryptRunsAtOnce) {
  // Issue 16: 24 wrong passwords at once used 156% CPU of 2 cores. Every one of these requests
  // needs a bcrypt (all passwords differ), and all arrive together.
  BasicAuthenticator auth(std::map<std::string, std::string>{{"alice", BcryptHash("secret", 5)}});
  constexpr int kThreads = 12;
  constexpr int kEach = 3;
  std::atomic<int> accepted{0};
  OnThreads(kThreads, [&](int i) {
    for (int j = 0; j < kEach; ++j) {
      accepted += auth.Check(Header("alice", "wrong-" + std::to_string(i) + "-" + std::to_string(j)));
    }
  });
  EXPECT_EQ(accepted.load(), 0);
  EXPECT_EQ(auth.stats().bcrypt_runs, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(BcryptPeakConcurrency(), 1);
}

TEST(BasicAuthenticatorTest, OldAndNewConfigurationShareTheOneAtATimeBound) {
  // After a reload, requests still holding the old authenticator run beside the new one.
  const std::map<std::string, std::string> users{{"alice", BcryptHash("secret", 5)}};
  BasicAuthenticator old_auth(users);
  BasicAuthenticator new_auth(users);
  OnThreads(8, [&](int i) {
    const BasicAuthenticator& auth = i % 2 ? old_auth : new_auth;
    auth.Check(Header("alice", "wrong-" + std::to_string(i)));
  });
  EXPECT_EQ(old_auth.stats().bcrypt_runs + new_auth.stats().bcrypt_runs, 8u);
  EXPECT_EQ(BcryptPeakConcurrency(), 1);
}

TEST(BasicAuthenticatorTest, RepeatedWrongPasswordRunsBcryptOncePerWindow) {
  FakeClock clock;
  BasicAuthenticator auth(std::map<std::string, std::string>{{"alice", kSecret2y}}, clock.Options());
  EXPECT_FALSE(auth.Check(Header("alice", "wrong")));
  EXPECT_EQ(auth.stats().bcrypt_runs, 1u);
  clock.now += std::chrono::seconds(9);
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(auth.Check(Header("alice", "wrong")));
  }
  EXPECT_EQ(auth.stats().bcrypt_runs, 1u);
  EXPECT_EQ(auth.stats().cached_failure_answers, 5u);
  // The cache answers only the same pair: the right password is still checked and accepted.
  EXPECT_TRUE(auth.Check(Header("alice", "secret")));
  EXPECT_TRUE(auth.Check(Header("alice", "secret")));  // a success stays cached as before
  EXPECT_EQ(auth.stats().bcrypt_runs, 2u);
  // After the window the wrong password costs one bcrypt again.
  clock.now += std::chrono::seconds(1);
  EXPECT_FALSE(auth.Check(Header("alice", "wrong")));
  EXPECT_EQ(auth.stats().bcrypt_runs, 3u);
}

TEST(BasicAuthenticatorTest, BurstOfOneWrongPasswordRunsOneBcrypt) {
  // Requests queued for the gate with the same pair find the first one's answer in the cache.
  BasicAuthenticator auth(std::map<std::string, std::string>{{"alice", BcryptHash("secret", 5)}});
  OnThreads(12, [&](int) { EXPECT_FALSE(auth.Check(Header("alice", "wrong"))); });
  EXPECT_EQ(auth.stats().bcrypt_runs, 1u);
  EXPECT_EQ(auth.stats().cached_failure_answers, 11u);
}

TEST(BasicAuthenticatorTest, FailureCacheIsBoundedAndKeepsSuccesses) {
  FakeClock clock;
  BasicAuthOptions options = clock.Options();
  options.max_cached_failures = 4;
  BasicAuthenticator auth(std::map<std::string, std::string>{{"alice", kSecret2y}}, options);
  EXPECT_TRUE(auth.Check(Header("alice", "secret")));
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(auth.Check(Header("alice", "wrong-" + std::to_string(i))));
  }
  EXPECT_EQ(auth.stats().cached_failures, 4u);
  EXPECT_EQ(auth.stats().bcrypt_runs, 7u);
  EXPECT_TRUE(auth.Check(Header("alice", "secret")));     // still cached: no bcrypt
  EXPECT_FALSE(auth.Check(Header("alice", "wrong-5")));   // newest failure: cached
  EXPECT_EQ(auth.stats().bcrypt_runs, 7u);
  EXPECT_FALSE(auth.Check(Header("alice", "wrong-0")));   // oldest failure: dropped, checked again
  EXPECT_EQ(auth.stats().bcrypt_runs, 8u);
}

TEST(BasicAuthenticatorTest, UnknownUserRunsOneBcryptAtAConfiguredCost) {
  const std::map<std::string, std::string> users{{"alice", BcryptHash("a", 4)}, {"bob", BcryptHash("b", 5)}};
  BasicAuthenticator auth(users);
  EXPECT_EQ(auth.CostFor("alice"), 4u);
  EXPECT_EQ(auth.CostFor("bob"), 5u);
  // Unknown names fall into the same cost groups as the users (before, all ran at the highest
  // cost, so alice was the one name answered fast), each name always into the same one, also
  // in a new authenticator for the same users (a restart).
  BasicAuthenticator restarted(users);
  std::set<unsigned> costs;
  for (int i = 0; i < 64; ++i) {
    const std::string name = "user" + std::to_string(i);
    costs.insert(auth.CostFor(name));
    EXPECT_EQ(auth.CostFor(name), restarted.CostFor(name)) << name;
  }
  EXPECT_EQ(costs, (std::set<unsigned>{4, 5}));

  const unsigned cost = auth.CostFor("mallory");
  EXPECT_FALSE(auth.Check(Header("mallory", "b")));
  EXPECT_EQ(auth.stats().bcrypt_runs, 1u);
  EXPECT_EQ(auth.stats().runs_at_cost[cost], 1u);
  // A user's own password under an unknown name is refused too.
  EXPECT_FALSE(auth.Check(Header("mallory", "a")));
  EXPECT_EQ(auth.stats().bcrypt_runs, 2u);
}

TEST(BasicAuthenticatorTest, OneCostForAllUsersMeansOneCostForEveryName) {
  BasicAuthenticator auth(std::map<std::string, std::string>{{"alice", kSecret2y}, {"bob", kSecret2b}});
  for (const std::string name : {"alice", "bob", "carol", "mallory", ""}) {
    EXPECT_EQ(auth.CostFor(name), 4u) << name;
  }
  EXPECT_EQ(BasicAuthenticator(std::map<std::string, std::string>{}).CostFor("alice"), 0u);
}

}  // namespace
}  // namespace hostwatch
