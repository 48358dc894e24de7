#include "agent/web/web_security.h"

#include <algorithm>

#include "agent/logging.h"

namespace hostwatch {
namespace {

std::int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool WebSecurity::State::RequiresAuth(const std::string& request_path) const {
  if (!auth || !auth->enabled()) {
    return false;
  }
  const auto& open = config.unauthenticated_paths;
  return std::find(open.begin(), open.end(), request_path) == open.end();
}

Result<std::shared_ptr<const WebSecurity::State>> WebSecurity::Build(const std::string& path, const State* previous) {
  auto state = std::make_shared<State>();
  if (!path.empty()) {
    Result<WebConfig> config = LoadWebConfigFile(path);
    if (!config.ok()) {
      return config.status();
    }
    state->config = std::move(config).value();
  }
  if (state->config.tls) {
    Result<std::shared_ptr<const TlsMaterial>> tls = TlsMaterial::Load(*state->config.tls);
    if (!tls.ok()) {
      return Status::Error(path + ": tls_server_config: " + tls.status().message());
    }
    state->tls = tls.value();
  }
  if (previous != nullptr && previous->config.basic_auth_users == state->config.basic_auth_users) {
    // Same users (a renewed certificate, a new header): keep the authenticator, so a scraper's
    // cached login does not cost a bcrypt again, possibly queued behind a flood of wrong ones.
    state->auth = previous->auth;
  } else {
    state->auth = std::make_shared<const BasicAuthenticator>(state->config.basic_auth_users);
  }
  return std::shared_ptr<const State>(std::move(state));
}

Result<std::unique_ptr<WebSecurity>> WebSecurity::Load(const std::string& path) {
  Result<std::shared_ptr<const State>> state = Build(path, nullptr);
  if (!state.ok()) {
    return state.status();
  }
  std::unique_ptr<WebSecurity> security(new WebSecurity(path, state.value()->tls != nullptr));
  security->stamps_ = security->StampsFor(*state.value());
  security->state_ = state.value();
  security->next_check_ns_ = SteadyNowNs() + std::chrono::nanoseconds(kRecheckInterval).count();
  return security;
}

std::vector<WebSecurity::Stamp> WebSecurity::StampsFor(const State& state) const {
  std::vector<std::string> files;
  if (!path_.empty()) {
    files.push_back(path_);
  }
  if (state.config.tls) {
    files.push_back(state.config.tls->cert_file);
    files.push_back(state.config.tls->key_file);
    if (!state.config.tls->client_ca_file.empty()) {
      files.push_back(state.config.tls->client_ca_file);
    }
  }
  std::vector<Stamp> stamps;
  for (const std::string& f : files) {
    Stamp s;
    s.file = f;
    struct stat st {};
    if (stat(f.c_str(), &st) == 0) {
      s.exists = true;
      s.dev = st.st_dev;
      s.ino = st.st_ino;
      s.size = st.st_size;
      s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }
    stamps.push_back(std::move(s));
  }
  return stamps;
}

std::shared_ptr<const WebSecurity::State> WebSecurity::Current() {
  std::int64_t now = SteadyNowNs();
  std::int64_t due = next_check_ns_.load(std::memory_order_relaxed);
  // One caller per interval does the check; the others use the state as it is.
  if (!path_.empty() && now >= due &&
      next_check_ns_.compare_exchange_strong(due, now + std::chrono::nanoseconds(kRecheckInterval).count())) {
    std::unique_lock<std::mutex> lock(reload_mu_, std::try_to_lock);
    if (lock.owns_lock()) {
      std::shared_ptr<const State> current;
      {
        std::lock_guard<std::mutex> state_lock(state_mu_);
        current = state_;
      }
      if (StampsFor(*current) != stamps_) {
        ReloadLocked();
      }
    }
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  return state_;
}

Status WebSecurity::ReloadNow() {
  if (path_.empty()) {
    return Status::OK();
  }
  std::lock_guard<std::mutex> lock(reload_mu_);
  return ReloadLocked();
}

Status WebSecurity::ReloadLocked() {
  std::shared_ptr<const State> previous;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    previous = state_;
  }
  // A file that now sets nothing (truncated, mid-write) is refused by ParseWebConfig, so the
  // previous TLS and auth stay in force and last_reload_ok() says 0.
  Result<std::shared_ptr<const State>> next = Build(path_, previous.get());
  Status status;
  if (!next.ok()) {
    status = next.status();
  } else if ((next.value()->tls != nullptr) != tls_enabled_) {
    status = Status::Error(path_ + ": switching TLS " + (tls_enabled_ ? "off" : "on") +
                           " needs a restart (the listeners are bound once)");
  }
  if (!status.ok()) {
    // Remember what we looked at, so one bad edit is reported once, not every second;
    // the next change of any watched file triggers another attempt.
    stamps_ = StampsFor(*previous);
    last_reload_ok_ = false;
    logging::Error("web config reload failed, keeping the previous one", {{"file", path_}, {"err", status.message()}});
    return status;
  }
  stamps_ = StampsFor(*next.value());
  last_reload_ok_ = true;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    state_ = next.value();
  }
  logging::Info("web config reloaded", {{"file", path_}, {"tls", tls_enabled_ ? "on" : "off"}});
  return Status::OK();
}

}  // namespace hostwatch
