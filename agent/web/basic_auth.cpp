#include "agent/web/basic_auth.h"
#include "collectors/core/strings.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <initializer_list>
#include <memory>

namespace hostwatch {
namespace {

// The cost field of a "$2y$NN$..." hash or setting (ParseWebConfig validated the users' hashes).
unsigned BcryptCost(const std::string& hash) {
  if (hash.size() < 7) {
    return 0;
  }
  return static_cast<unsigned>((hash[4] - '0') * 10 + (hash[5] - '0'));
}

// One bcrypt at a time in the whole process, handed over in arrival order: with a plain mutex a
// newly arriving request may overtake the queue, so a real login could wait behind a flood
// indefinitely; here it waits for at most the requests that came before it. Leaving wakes only the
// next waiter (a condition variable each), not every queued thread, so a queue of hundreds does not
// become hundreds of runnable threads at each hand-over. Waiting holds no other lock. One gate for
// the process, not per authenticator, so requests still on the old configuration after a reload
// share it with the new one.
class BcryptGate {
 public:
  class Turn {
   public:
    explicit Turn(BcryptGate& gate) : gate_(gate) { gate_.Enter(); }
    ~Turn() { gate_.Leave(); }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    Turn(Turn&&) = delete;
    Turn& operator=(Turn&&) = delete;

   private:
    BcryptGate& gate_;
  };

 private:
  struct Waiter {
    std::condition_variable cv;
    bool granted = false;  // Guarded by mu_.
  };

  void Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!busy_) {
      busy_ = true;
      return;
    }
    Waiter me;
    queue_.push_back(&me);
    me.cv.wait(lock, [&] { return me.granted; });
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) {
      busy_ = false;
      return;
    }
    Waiter* next = queue_.front();
    queue_.pop_front();
    next->granted = true;  // busy_ stays true: the turn passes straight to the next in line
    // Under the lock: once the waiter can see granted it may return and destroy its cv.
    next->cv.notify_one();
  }

  std::mutex mu_;
  bool busy_ = false;            // Guarded by mu_.
  std::deque<Waiter*> queue_;    // Guarded by mu_: waiting requests, oldest first.
};

BcryptGate& Gate() {
  static BcryptGate* gate = new BcryptGate();  // never destroyed: workers may still wait at exit
  return *gate;
}

// bcrypt computations running now and the most ever seen at once (BcryptPeakConcurrency).
std::atomic<int> g_bcrypt_running{0};
std::atomic<int> g_bcrypt_peak{0};

std::array<unsigned char, 32> Sha256(std::initializer_list<std::string_view> parts) {
  std::array<unsigned char, 32> digest{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return digest;
  }
  for (std::string_view part : parts) {
    EVP_DigestUpdate(ctx.get(), part.data(), part.size());
  }
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &len);
  return digest;
}

std::string_view Bytes(const std::array<unsigned char, 32>& a) {
  return std::string_view(reinterpret_cast<const char*>(a.data()), a.size());
}

// The length of a field as 8 bytes, so that ("ab", "c") and ("a", "bc") hash differently.
std::string LengthPrefix(std::size_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  }
  return out;
}

// A fresh bcrypt setting ("$2b$NN$" and 22 characters of random salt) at cost: checking a password
// against it is the full work of that cost, and it never matches (the output is longer). The user's
// own hash if libxcrypt cannot make one: the same cost, and an unknown name's answer is ignored.
std::string DummySetting(unsigned cost, const std::string& fallback) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof(setting)) == nullptr) {
    return fallback;
  }
  return setting;
}

}  // namespace

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

int BcryptPeakConcurrency() { return g_bcrypt_peak.load(); }

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

BasicAuthenticator::BasicAuthenticator(std::map<std::string, std::string> users, BasicAuthOptions options)
    : users_(std::move(users)), options_(std::move(options)) {
  if (RAND_bytes(cache_key_.data(), static_cast<int>(cache_key_.size())) != 1) {
    // No randomness: the digests stay unsalted SHA-256 of (user, password, hash), as before the key.
    cache_key_.fill(0);
  }
  std::string all_hashes;
  for (const auto& [user, hash] : users_) {
    users_by_index_.push_back(&hash);
    all_hashes += hash;
    all_hashes += '\n';
    const unsigned cost = BcryptCost(hash);
    if (dummy_by_cost_.count(cost) == 0) {
      dummy_by_cost_[cost] = DummySetting(cost, hash);
    }
  }
  // Keyed with the configured hashes (secret to whoever probes names), so an unknown name gets the
  // same cost on every request and after a restart: a name whose time changed would be unknown.
  unknown_pick_key_ = Sha256({"hostwatch unknown user", all_hashes});
}

const std::string& BasicAuthenticator::HashFor(std::string_view user, bool* known) const {
  auto it = users_.find(std::string(user));
  *known = it != users_.end();
  if (*known) {
    return it->second;
  }
  const std::array<unsigned char, 32> pick = Sha256({Bytes(unknown_pick_key_), user});
  std::uint64_t n = 0;
  std::memcpy(&n, pick.data(), sizeof(n));
  const std::string& stand_in = *users_by_index_[n % users_by_index_.size()];
  return dummy_by_cost_.at(BcryptCost(stand_in));
}

unsigned BasicAuthenticator::CostFor(std::string_view user) const {
  if (users_.empty()) {
    return 0;
  }
  bool known = false;
  return BcryptCost(HashFor(user, &known));
}

BasicAuthenticator::Digest BasicAuthenticator::CacheKey(std::string_view user, std::string_view password,
                                                        const std::string& hash) const {
  return Sha256({Bytes(cache_key_), LengthPrefix(user.size()), user, LengthPrefix(password.size()), password, hash});
}

std::optional<bool> BasicAuthenticator::Cached(const Digest& digest) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (verified_.count(digest) > 0) {
    return true;
  }
  auto it = failed_.find(digest);
  if (it != failed_.end() && options_.now() < it->second) {
    ++stats_.cached_failure_answers;
    return false;
  }
  return std::nullopt;
}

void BasicAuthenticator::Remember(const Digest& digest, bool ok) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (ok) {
    if (verified_.size() >= options_.max_cached_successes) {
      verified_.clear();  // bounded: a burst of distinct passwords only costs re-verification
    }
    verified_.insert(digest);
    return;
  }
  // Every failure has the same lifetime, so insertion order is expiry order: drop from the front
  // what has expired, then what is over the bound.
  const auto now = options_.now();
  while (!failed_order_.empty() &&
         (failed_order_.front().expires <= now || failed_.size() >= options_.max_cached_failures)) {
    auto it = failed_.find(failed_order_.front().digest);
    if (it != failed_.end() && it->second == failed_order_.front().expires) {
      failed_.erase(it);
    }
    failed_order_.pop_front();
  }
  if (options_.max_cached_failures == 0) {
    return;
  }
  const auto expires = now + options_.failure_ttl;
  failed_[digest] = expires;
  failed_order_.push_back(Failure{expires, digest});
}

bool BasicAuthenticator::RunBcrypt(std::string_view password, const std::string& hash) const {
  const unsigned cost = BcryptCost(hash);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.bcrypt_runs;
    if (cost < stats_.runs_at_cost.size()) {
      ++stats_.runs_at_cost[cost];
    }
  }
  const int running = g_bcrypt_running.fetch_add(1) + 1;
  int peak = g_bcrypt_peak.load();
  while (running > peak && !g_bcrypt_peak.compare_exchange_weak(peak, running)) {
  }
  const bool ok = VerifyBcrypt(password, hash);
  g_bcrypt_running.fetch_sub(1);
  return ok;
}

bool BasicAuthenticator::Check(std::string_view authorization_header) const {
  if (users_.empty()) {
    return false;
  }
  std::optional<std::pair<std::string, std::string>> creds = ParseBasicAuthorization(authorization_header);
  if (!creds) {
    return false;
  }
  bool known = false;
  const std::string& hash = HashFor(creds->first, &known);
  const Digest digest = CacheKey(creds->first, creds->second, hash);
  std::optional<bool> answer = Cached(digest);
  if (!answer) {
    BcryptGate::Turn turn(Gate());
    // The same pair may have been answered while this request waited (24 requests with one wrong
    // password run one bcrypt, not 24), so look again before computing.
    answer = Cached(digest);
    if (!answer) {
      answer = RunBcrypt(creds->second, hash) && known;
      Remember(digest, *answer);
    }
  }
  OPENSSL_cleanse(creds->second.data(), creds->second.size());
  return *answer && known;
}

BasicAuthStats BasicAuthenticator::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  BasicAuthStats out = stats_;
  out.cached_failures = failed_.size();
  return out;
}

}  // namespace hostwatch
