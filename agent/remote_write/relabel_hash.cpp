#include "agent/remote_write/relabel_hash.h"

#include <openssl/evp.h>

#include <memory>

namespace hostwatch::remote_write {
namespace {

// Fetched once (OpenSSL 3 otherwise looks the algorithm up on every digest); never freed.
const EVP_MD* Md5() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

bool Md5Available() { return Md5() != nullptr; }

std::uint64_t HashMod(std::string_view value, std::uint64_t modulus) {
  // One context per thread, reused: EVP_Digest would allocate one per call.
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE] = {};
  unsigned int size = 0;
  if (!ctx || Md5() == nullptr || EVP_DigestInit_ex2(ctx.get(), Md5(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), value.data(), value.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1 || size != 16) {
    return 0;  // not reached: rules with hashmod are refused at load time without MD5
  }
  std::uint64_t v = 0;
  for (int i = 8; i < 16; ++i) {
    v = (v << 8) | digest[i];
  }
  return v % modulus;
}

}  // namespace hostwatch::remote_write
