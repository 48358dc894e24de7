#include "agent/web/basic_auth.h"
#include "collectors/core/strings.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace hostwatch {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Fallback for the unknown-user check when no salt can be generated: a valid cost-10 hash.
constexpr char kFallbackDummyHash[] = "$2b$10$oJvbAtmAk6XQxw7XiX.f9Oauu4CbgusYmcRoQ6oFGqZ3aPRAopg5i";

// The cost field of a validated "$2y$NN$..." hash.
unsigned long BcryptCost(const std::string& hash) {
  return static_cast<unsigned long>((hash[4] - '0') * 10 + (hash[5] - '0'));
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) {
        return std::nullopt;  // data after padding
      }
      v[j] = Base64Value(c);
      if (v[j] < 0) {
        return std::nullopt;
      }
    }
    unsigned n = (unsigned(v[0]) << 18) | (unsigned(v[1]) << 12) | (unsigned(v[2]) << 6) | unsigned(v[3]);
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() < kScheme.size()) {
    return std::nullopt;
  }
  if (!EqualsIgnoreAsciiCase(header.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view b64 = header.substr(kScheme.size());
  while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
  while (!b64.empty() && b64.back() == ' ') b64.remove_suffix(1);
  std::optional<std::string> decoded = DecodeBase64(b64);
  if (!decoded) {
    return std::nullopt;
  }
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

bool VerifyBcrypt(std::string_view password, const std::string& hash) {
  // crypt_rn: reentrant, and returns NULL instead of a "*0" string on a bad setting.
  // struct crypt_data is ~32 KiB: on the heap, not a worker's stack.
  auto data = std::make_unique<crypt_data>();
  std::string pw(password);
  const char* out = crypt_rn(pw.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  OPENSSL_cleanse(pw.data(), pw.size());
  if (out == nullptr) {
    return false;
  }
  std::string_view computed(out);
  const bool same = computed.size() == hash.size() && CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return same;
}

BasicAuthenticator::BasicAuthenticator(std::map<std::string, std::string> users) : users_(std::move(users)) {
  unsigned long cost = 0;
  for (const auto& [user, hash] : users_) {
    if (hash.size() > 6) {
      cost = std::max(cost, BcryptCost(hash));
    }
  }
  unknown_user_hash_ = kFallbackDummyHash;
  if (cost == 0) {
    return;
  }
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof(setting)) == nullptr) {
    return;
  }
  auto data = std::make_unique<crypt_data>();
  if (const char* hash = crypt_rn("hostwatch-unknown-user", setting, data.get(), sizeof(crypt_data))) {
    unknown_user_hash_ = hash;
  }
}

bool BasicAuthenticator::Check(std::string_view authorization_header) const {
  std::optional<std::pair<std::string, std::string>> creds = ParseBasicAuthorization(authorization_header);
  if (!creds) {
    return false;
  }
  auto it = users_.find(creds->first);
  const std::string& hash = it == users_.end() ? unknown_user_hash_ : it->second;

  Digest digest{};
  std::string material = creds->first + '\0' + creds->second + '\0' + hash;
  unsigned int len = 0;
  EVP_Digest(material.data(), material.size(), digest.data(), &len, EVP_sha256(), nullptr);
  OPENSSL_cleanse(material.data(), material.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (verified_.count(digest) > 0) {
      return it != users_.end();
    }
  }
  const bool ok = VerifyBcrypt(creds->second, hash) && it != users_.end();
  if (ok) {
    std::lock_guard<std::mutex> lock(mu_);
    if (verified_.size() >= kMaxCached) {
      verified_.clear();  // bounded: a burst of distinct passwords only costs re-verification
    }
    verified_.insert(digest);
  }
  return ok;
}

}  // namespace hostwatch
