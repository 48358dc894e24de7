// CurlApi: libcurl loaded with dlopen() on first need instead of linked.
//
// Why: linking libcurl4-openssl maps its whole dependency chain (gnutls via
// librtmp/ldap, krb5, ldap, sasl, ssh2, nghttp2, idn2, psl, p11-kit, ...) into
// every agent, about 5 MiB of resident memory plus ~2 MiB for
// curl_global_init's OpenSSL set-up, although an agent without HTTP checks
// never makes a request. Now libcurl is loaded the first time something needs
// it: a configuration with http checks (URL validation uses curl_url), a
// check run, an ad-hoc /probe, or a scrape of the supervisord collector. It sits
// in core/ so that checks/ and host/ reach libcurl the same way.
//
// The curl headers are still used for types and constants (libcurl4-openssl-dev
// stays a build dependency); the functions are called through the table.
//
// Thread-safety: LoadCurl() may be called from any thread at any time; the
// table it returns is immutable and lives until the process exits (libcurl is
// never unloaded: its OpenSSL state and atexit handlers would dangle).
#pragma once

#include <curl/curl.h>

#include <string>
#include <type_traits>

namespace hostwatch {

// The soname we load: the ABI the headers we compiled against describe.
inline constexpr const char* kCurlSoname = "libcurl.so.4";

// Every libcurl function hostwatch calls, resolved by dlsym.
struct CurlApi {
  CURLcode (*global_init)(long flags) = nullptr;
  void (*global_cleanup)() = nullptr;

  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL* handle) = nullptr;
  CURLcode (*easy_setopt_raw)(CURL* handle, CURLoption option, ...) = nullptr;
  CURLcode (*easy_getinfo_raw)(CURL* handle, CURLINFO info, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode code) = nullptr;
  CURLcode (*easy_perform)(CURL* handle) = nullptr;  // one blocking transfer (the supervisord collector)

  CURLM* (*multi_init)() = nullptr;
  CURLMcode (*multi_cleanup)(CURLM* multi) = nullptr;
  CURLMcode (*multi_add_handle)(CURLM* multi, CURL* handle) = nullptr;
  CURLMcode (*multi_remove_handle)(CURLM* multi, CURL* handle) = nullptr;
  CURLMcode (*multi_perform)(CURLM* multi, int* running) = nullptr;
  CURLMcode (*multi_poll)(CURLM* multi, curl_waitfd* extra, unsigned extra_count, int timeout_ms, int* ready) = nullptr;
  CURLMcode (*multi_wakeup)(CURLM* multi) = nullptr;
  CURLMcode (*multi_timeout)(CURLM* multi, long* timeout_ms) = nullptr;
  CURLMsg* (*multi_info_read)(CURLM* multi, int* left) = nullptr;

  curl_slist* (*slist_append)(curl_slist* list, const char* text) = nullptr;
  void (*slist_free_all)(curl_slist* list) = nullptr;

  CURLU* (*url)() = nullptr;
  void (*url_cleanup)(CURLU* handle) = nullptr;
  CURLUcode (*url_set)(CURLU* handle, CURLUPart part, const char* content, unsigned flags) = nullptr;
  CURLUcode (*url_get)(CURLU* handle, CURLUPart part, char** content, unsigned flags) = nullptr;
  void (*free)(void* p) = nullptr;

  // curl_easy_setopt through a pointer loses curl's compile-time type checks
  // (a macro in curl/typecheck-gcc.h), and a plain int or bool passed to the
  // variadic call would leave the upper half of the long libcurl reads
  // undefined. So values are restricted to what libcurl's va_arg reads: long
  // (curl_off_t is long on LP64), object and function pointers, nullptr.
  template <typename T>
  CURLcode easy_setopt(CURL* handle, CURLoption option, T value) const {
    static_assert(
        std::is_same_v<T, long> || std::is_same_v<T, curl_off_t> || std::is_pointer_v<T> || std::is_null_pointer_v<T>,
        "curl_easy_setopt takes long, curl_off_t or a pointer: write 1L, not 1 or true");
    return easy_setopt_raw(handle, option, value);
  }
  // Every CURLINFO_* writes through a pointer.
  template <typename T>
  CURLcode easy_getinfo(CURL* handle, CURLINFO info, T* out) const {
    return easy_getinfo_raw(handle, info, out);
  }
};

// Loads soname and resolves every CurlApi function into *api; nothing else
// (no curl_global_init). Returns false with *error naming the library or the
// missing symbol when it cannot. Separate from LoadCurl() so the failure path
// can be tested with a name that does not exist.
bool ResolveCurlApi(const char* soname, CurlApi* api, std::string* error);

// The process's libcurl: the first call loads kCurlSoname, resolves the table
// and runs curl_global_init(CURL_GLOBAL_DEFAULT), exactly once whichever
// thread calls; later calls return the same outcome (a failure is not
// retried: the library will not appear while we run). Returns null when
// libcurl is unavailable; *error (if given) then holds a one-line reason
// such as "libcurl.so.4: cannot open shared object file: No such file or directory".
const CurlApi* LoadCurl(std::string* error = nullptr);

// Lower-case host part of url as libcurl's URL parser sees it; "" when it does not parse.
std::string UrlHost(const CurlApi& curl, const std::string& url);

// A URL's origin (RFC 6454): scheme, host and port, as libcurl's URL parser
// sees them (scheme and host in lower case, the port explicit or the scheme's
// default). Two URLs are the same origin when all three are equal; a URL that
// does not parse has an empty origin, equal to no parsed one.
struct UrlOrigin {
  std::string scheme;
  std::string host;
  std::string port;
  bool operator==(const UrlOrigin&) const = default;
};
UrlOrigin UrlOriginOf(const CurlApi& curl, const std::string& url);

// True once LoadCurl() has succeeded in this process (it never loads anything itself).
bool CurlLoaded();

// curl_global_cleanup() if libcurl was loaded, for a clean exit; nothing otherwise.
void CleanupCurl();

}  // namespace hostwatch
