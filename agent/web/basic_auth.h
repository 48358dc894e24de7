// HTTP Basic authentication against exporter-toolkit's basic_auth_users (bcrypt hashes).
//
// bcrypt is deliberately slow (tens of milliseconds at cost 10), and Prometheus sends the
// same credentials on every scrape, so a successful check is remembered by a SHA-256
// digest of (user, password, hash), never the password itself, as exporter-toolkit
// caches its results. Thread-safe: Check() may be called from any HTTP worker.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace hostwatch {

// Decodes an Authorization header value "Basic base64(user:password)". nullopt when the
// scheme is not Basic (case-insensitive), the base64 is invalid or there is no ':'.
std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(std::string_view header);

// Standard base64 (RFC 4648 §4, padding required); nullopt on any invalid input.
std::optional<std::string> DecodeBase64(std::string_view text);

// True when crypt(password, hash) reproduces hash ($2a$/$2b$/$2y$ bcrypt through libxcrypt),
// compared in constant time. False for a malformed hash.
bool VerifyBcrypt(std::string_view password, const std::string& hash);

class BasicAuthenticator {
 public:
  // Computes one bcrypt hash (at the highest cost among users) for the unknown-user check, so
  // construct on the control path.
  explicit BasicAuthenticator(std::map<std::string, std::string> users);
  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;
  BasicAuthenticator(BasicAuthenticator&&) = delete;
  BasicAuthenticator& operator=(BasicAuthenticator&&) = delete;

  bool enabled() const { return !users_.empty(); }
  // True when the Authorization header carries a configured user and its password.
  bool Check(std::string_view authorization_header) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static constexpr std::size_t kMaxCached = 1024;

  const std::map<std::string, std::string> users_;
  // A hash of a random password at the users' highest cost: unknown user names are checked
  // against it, so the response time does not reveal which names exist.
  std::string unknown_user_hash_;
  mutable std::mutex mu_;
  mutable std::set<Digest> verified_;  // Guarded by mu_.
};

}  // namespace hostwatch
