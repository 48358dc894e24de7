// HTTP Basic authentication against exporter-toolkit's basic_auth_users (bcrypt hashes).
//
// bcrypt is deliberately slow (about 1 ms at cost 4, 56 ms at cost 10), so whoever can reach the
// port could keep every core busy by sending wrong passwords. The work is bounded three ways:
//  - One bcrypt at a time in the whole process, as exporter-toolkit's bcryptMtx does. Requests
//    that need one queue for their turn in arrival order (so a flood cannot starve a real login),
//    and hold nothing else while they wait. A flood therefore costs at most one core.
//  - Results are cached under a keyed SHA-256 of (user, password, hash) with a random
//    per-authenticator key, never the password itself: a success until the users change (Prometheus
//    sends the same credentials on every scrape), a failure for failure_ttl, so repeating a wrong
//    password costs one bcrypt per window. Both caches are bounded, separately, so a flood of
//    distinct wrong passwords cannot push out a scraper's cached success.
//  - An unknown user name costs what a known one costs: one bcrypt at the cost of a configured user,
//    chosen for that name by a hash keyed with the configured hashes (so the choice is the same on
//    every request and across restarts). With one cost for all users (the usual case) every name
//    takes the same time; with mixed costs, the time of a name says which cost group it falls in,
//    known or not, but not whether the name exists.
// Thread-safe: Check() may be called from any HTTP worker.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/core/base64.h"

namespace hostwatch {

// Decodes an Authorization header value "Basic base64(user:password)". nullopt when the
// scheme is not Basic (case-insensitive), the base64 is invalid or there is no ':'.
std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(std::string_view header);

// True when crypt(password, hash) reproduces hash ($2a$/$2b$/$2y$ bcrypt through libxcrypt),
// compared in constant time. False for a malformed hash. Not bounded: BasicAuthenticator calls it
// only through the process-wide one-at-a-time gate.
bool VerifyBcrypt(std::string_view password, const std::string& hash);

// The most bcrypt computations BasicAuthenticator ever had running at the same moment in this
// process (over all authenticators, old and new across reloads): 1 by design, 0 before the first.
int BcryptPeakConcurrency();

struct BasicAuthOptions {
  // How long a wrong (user, password) pair is answered from the cache without another bcrypt.
  std::chrono::seconds failure_ttl{10};
  // Bounds of the two caches; past them the oldest failure is dropped, and the successes are
  // forgotten all at once (each costs one bcrypt to learn again).
  std::size_t max_cached_failures = 1024;
  std::size_t max_cached_successes = 1024;
  // The clock of the failure cache (tests pass their own).
  std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
};

// What an authenticator has done, for tests and diagnostics.
struct BasicAuthStats {
  std::uint64_t bcrypt_runs = 0;                  // bcrypt computations, known and unknown users
  std::array<std::uint64_t, 32> runs_at_cost{};   // the same, by bcrypt cost (4..31)
  std::uint64_t cached_failure_answers = 0;       // wrong passwords answered without bcrypt
  std::size_t cached_failures = 0;                // entries in the failure cache now
};

class BasicAuthenticator {
 public:
  // users: name -> bcrypt hash (as validated by ParseWebConfig). Runs no bcrypt.
  explicit BasicAuthenticator(std::map<std::string, std::string> users, BasicAuthOptions options = {});
  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;
  BasicAuthenticator(BasicAuthenticator&&) = delete;
  BasicAuthenticator& operator=(BasicAuthenticator&&) = delete;

  bool enabled() const { return !users_.empty(); }
  // True when the Authorization header carries a configured user and its password. May wait for
  // the bcrypt gate (behind at most the requests that arrived before it).
  bool Check(std::string_view authorization_header) const;

  // The bcrypt cost a Check for this user name runs at: the user's own, or for an unknown name
  // the cost of the configured user its keyed hash picks. 0 when no users are configured.
  unsigned CostFor(std::string_view user) const;

  BasicAuthStats stats() const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Failure {
    std::chrono::steady_clock::time_point expires;
    Digest digest;
  };

  const std::string& HashFor(std::string_view user, bool* known) const;
  Digest CacheKey(std::string_view user, std::string_view password, const std::string& hash) const;
  std::optional<bool> Cached(const Digest& digest) const;  // requires mu_ unheld
  void Remember(const Digest& digest, bool ok) const;      // requires mu_ unheld
  bool RunBcrypt(std::string_view password, const std::string& hash) const;

  const std::map<std::string, std::string> users_;
  const BasicAuthOptions options_;
  std::vector<const std::string*> users_by_index_;  // the hashes of users_, for the unknown-name pick
  // For each configured cost, a bcrypt setting ("$2b$NN$" and a random salt) that unknown names are
  // checked against: the same work as a real hash of that cost, and it can never match.
  std::map<unsigned, std::string> dummy_by_cost_;
  std::array<unsigned char, 32> cache_key_{};     // random, so cached digests say nothing elsewhere
  std::array<unsigned char, 32> unknown_pick_key_{};  // SHA-256 of the configured hashes

  mutable std::mutex mu_;
  mutable std::set<Digest> verified_;                 // Guarded by mu_.
  mutable std::map<Digest, std::chrono::steady_clock::time_point> failed_;  // Guarded by mu_.
  mutable std::deque<Failure> failed_order_;          // Guarded by mu_: failed_ in insertion order.
  mutable BasicAuthStats stats_;                      // Guarded by mu_.
};

}  // namespace hostwatch
