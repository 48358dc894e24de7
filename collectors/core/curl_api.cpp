#include "collectors/core/curl_api.h"

#include <dlfcn.h>

#include <atomic>
#include <mutex>

#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// Resolves one symbol into a typed slot; false (and *error set) if absent.
template <typename Fn>
bool Resolve(void* library, const char* soname, const char* symbol, Fn* slot, std::string* error) {
  dlerror();  // clear any earlier error so the one we report is this lookup's
  void* address = dlsym(library, symbol);
  if (address == nullptr) {
    const char* why = dlerror();
    *error = std::string(soname) + ": " + (why != nullptr ? why : std::string("no symbol ") + symbol);
    return false;
  }
  *slot = reinterpret_cast<Fn>(address);
  return true;
}

struct ProcessCurl {
  std::once_flag once;
  CurlApi api;
  std::string error;                // set when loading failed
  std::atomic<bool> loaded{false};  // api is usable
};

ProcessCurl& TheCurl() {
  static ProcessCurl curl;  // never destroyed before exit handlers that may still call CleanupCurl
  return curl;
}

}  // namespace

bool ResolveCurlApi(const char* soname, CurlApi* api, std::string* error) {
  // RTLD_LOCAL: libcurl's symbols (and its dependencies') stay out of the
  // global namespace, so they cannot interpose on anything loaded later.
  void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    *error = why != nullptr ? why : std::string(soname) + ": cannot be loaded";
    return false;
  }
  CurlApi a;
  const bool all = Resolve(library, soname, "curl_global_init", &a.global_init, error) &&
                   Resolve(library, soname, "curl_global_cleanup", &a.global_cleanup, error) &&
                   Resolve(library, soname, "curl_easy_init", &a.easy_init, error) &&
                   Resolve(library, soname, "curl_easy_cleanup", &a.easy_cleanup, error) &&
                   Resolve(library, soname, "curl_easy_setopt", &a.easy_setopt_raw, error) &&
                   Resolve(library, soname, "curl_easy_getinfo", &a.easy_getinfo_raw, error) &&
                   Resolve(library, soname, "curl_easy_strerror", &a.easy_strerror, error) &&
                   Resolve(library, soname, "curl_easy_perform", &a.easy_perform, error) &&
                   Resolve(library, soname, "curl_multi_init", &a.multi_init, error) &&
                   Resolve(library, soname, "curl_multi_cleanup", &a.multi_cleanup, error) &&
                   Resolve(library, soname, "curl_multi_add_handle", &a.multi_add_handle, error) &&
                   Resolve(library, soname, "curl_multi_remove_handle", &a.multi_remove_handle, error) &&
                   Resolve(library, soname, "curl_multi_perform", &a.multi_perform, error) &&
                   Resolve(library, soname, "curl_multi_poll", &a.multi_poll, error) &&
                   Resolve(library, soname, "curl_multi_wakeup", &a.multi_wakeup, error) &&
                   Resolve(library, soname, "curl_multi_timeout", &a.multi_timeout, error) &&
                   Resolve(library, soname, "curl_multi_info_read", &a.multi_info_read, error) &&
                   Resolve(library, soname, "curl_slist_append", &a.slist_append, error) &&
                   Resolve(library, soname, "curl_slist_free_all", &a.slist_free_all, error) &&
                   Resolve(library, soname, "curl_url", &a.url, error) &&
                   Resolve(library, soname, "curl_url_cleanup", &a.url_cleanup, error) &&
                   Resolve(library, soname, "curl_url_set", &a.url_set, error) &&
                   Resolve(library, soname, "curl_url_get", &a.url_get, error) &&
                   Resolve(library, soname, "curl_free", &a.free, error);
  if (!all) {
    dlclose(library);  // nothing of it was used: safe to drop
    return false;
  }
  *api = a;
  return true;
}

const CurlApi* LoadCurl(std::string* error) {
  ProcessCurl& curl = TheCurl();
  std::call_once(curl.once, [&curl] {
    CurlApi api;
    if (!ResolveCurlApi(kCurlSoname, &api, &curl.error)) {
      curl.error = "cannot load libcurl: " + curl.error;
      return;
    }
    // Inside the once: curl_global_init is not thread-safe before curl 7.84,
    // and it must run before any other libcurl call.
    if (CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
      curl.error = std::string("curl_global_init failed: ") + api.easy_strerror(rc);
      return;
    }
    curl.api = api;
    curl.loaded.store(true, std::memory_order_release);
  });
  if (!curl.loaded.load(std::memory_order_acquire)) {
    if (error != nullptr) {
      *error = curl.error;
    }
    return nullptr;
  }
  return &curl.api;
}

bool CurlLoaded() { return TheCurl().loaded.load(std::memory_order_acquire); }

void CleanupCurl() {
  if (CurlLoaded()) {
    TheCurl().api.global_cleanup();
  }
}

std::string UrlHost(const CurlApi& curl, const std::string& url) { return UrlOriginOf(curl, url).host; }

UrlOrigin UrlOriginOf(const CurlApi& curl, const std::string& url) {
  UrlOrigin origin;
  CURLU* h = curl.url();
  if (h != nullptr && curl.url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    auto part = [&](CURLUPart which, unsigned flags, std::string* out) {
      char* text = nullptr;
      if (curl.url_get(h, which, &text, flags) == CURLUE_OK && text != nullptr) {
        *out = AsciiToLower(text);
      }
      curl.free(text);
    };
    part(CURLUPART_SCHEME, 0, &origin.scheme);
    part(CURLUPART_HOST, 0, &origin.host);
    part(CURLUPART_PORT, CURLU_DEFAULT_PORT, &origin.port);
  }
  curl.url_cleanup(h);
  return origin;
}

}  // namespace hostwatch
