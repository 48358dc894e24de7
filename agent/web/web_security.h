// WebSecurity: the --web.config.file in force (TLS material, basic-auth users, response
// headers), re-read when that file or a file it names changes, so renewed certificates
// and changed passwords apply without a restart. A change that fails to load is logged
// and the previous state stays in force (as a bad file at start is exit 2).
//
// Whether the listeners speak TLS is fixed at start (CivetWeb binds "port" or "port s"
// once); a reload that would switch TLS on or off is rejected with a reason.
//
// Thread-safe: Current() is called from every HTTP worker and TLS handshake; it stats the
// files at most once per kRecheckInterval and swaps an immutable State under a mutex.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/web/basic_auth.h"
#include "agent/web/tls_material.h"
#include "agent/web/web_config.h"
#include "collectors/core/status.h"

namespace hostwatch {

class WebSecurity {
 public:
  static constexpr std::chrono::milliseconds kRecheckInterval{1000};

  // One loaded configuration; immutable.
  struct State {
    WebConfig config;
    std::shared_ptr<const TlsMaterial> tls;  // null when TLS is off
    std::shared_ptr<const BasicAuthenticator> auth;

    // True when a request for path must carry valid credentials.
    bool RequiresAuth(const std::string& path) const;
  };

  // Loads path; "" means no web config file (plain HTTP, no auth). Error (exit 2 at start)
  // when the file or a certificate it names is invalid, and when the file sets nothing (empty or
  // only comments: `{}` is how a file says "no TLS, no auth" on purpose).
  static Result<std::unique_ptr<WebSecurity>> Load(const std::string& path);

  WebSecurity(const WebSecurity&) = delete;
  WebSecurity& operator=(const WebSecurity&) = delete;
  WebSecurity(WebSecurity&&) = delete;
  WebSecurity& operator=(WebSecurity&&) = delete;

  bool tls_enabled() const { return tls_enabled_; }
  const std::string& path() const { return path_; }

  // The state in force, after reloading if a watched file changed since the last check.
  std::shared_ptr<const State> Current();
  // Re-reads now (SIGHUP / POST /-/reload). On error (including a file that now sets nothing,
  // as one caught mid-write does) the old state stays, it is logged, last_reload_ok() turns false
  // and the error is returned.
  Status ReloadNow();

  // hostwatch_web_config_last_reload_successful (1 before any reload).
  bool last_reload_ok() const { return last_reload_ok_.load(); }

 private:
  struct Stamp {
    std::string file;
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  WebSecurity(std::string path, bool tls_enabled) : path_(std::move(path)), tls_enabled_(tls_enabled) {}

  // previous: the state in force (null at start); its authenticator is kept when the users are the same.
  static Result<std::shared_ptr<const State>> Build(const std::string& path, const State* previous);
  std::vector<Stamp> StampsFor(const State& state) const;
  Status ReloadLocked();  // requires reload_mu_

  const std::string path_;
  const bool tls_enabled_;
  std::atomic<std::int64_t> next_check_ns_{0};
  std::atomic<bool> last_reload_ok_{true};

  std::mutex reload_mu_;       // serializes reloads
  std::vector<Stamp> stamps_;  // Guarded by reload_mu_: files as of the last load attempt.
  mutable std::mutex state_mu_;
  std::shared_ptr<const State> state_;  // Guarded by state_mu_.
};

}  // namespace hostwatch
