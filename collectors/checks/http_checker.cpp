#include "collectors/checks/http_checker.h"

#include <algorithm>
#include <utility>

#include "collectors/checks/check_metrics.h"
#include "collectors/checks/http/blocking_probe.h"
#include "collectors/checks/http/http_probe.h"
#include "collectors/checks/http/redact_url.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// When no check is scheduled the thread sleeps this long between looks (Update wakes it).
constexpr milliseconds kIdleWait{60000};

}  // namespace

struct HttpChecker::CheckState {
  CheckState(std::shared_ptr<const HttpCheckConfig> c, std::shared_ptr<const CheckDescs> d)
      : config(std::move(c)), descs(std::move(d)), history(config->latency_buckets) {}

  std::shared_ptr<const HttpCheckConfig> config;  // shared with the runs in flight
  std::shared_ptr<const CheckDescs> descs;        // for labels: check, target, then static labels
  std::vector<std::string> label_values;          // match descs->base
  Clock::time_point slot;                         // the aligned schedule slot this run belongs to
  Clock::time_point next_due;                     // slot + jitter
  bool running = false;
  std::uint64_t skipped = 0;
  RunHistory history;
};

struct HttpChecker::InFlight {
  std::string check;
  std::string fingerprint;
  std::shared_ptr<const HttpCheckConfig> config;  // the run's: a reload may replace the state's
  std::unique_ptr<ProbeRun> run;
};

std::chrono::milliseconds CheckOffset(const std::string& name, std::chrono::milliseconds interval) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  if (interval.count() <= 0) {
    return milliseconds(0);
  }
  return milliseconds(static_cast<long long>(hash % static_cast<std::uint64_t>(interval.count())));
}

HttpChecker::HttpChecker(HttpChecksConfig config, ResultListener listener) : listener_(std::move(listener)) {
  delay_bucket_counts_.assign(ScheduleDelayBuckets().size() + 1, 0);
  Update(std::move(config));
}

HttpChecker::~HttpChecker() { Stop(); }

void HttpChecker::Update(HttpChecksConfig config) {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (stop_) {
    return;
  }
  const bool has_checks = !config.checks.empty();
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = std::move(config);
    if (multi_ == nullptr) {
      // No scheduler thread yet, so nothing runs: apply it here, and the
      // checks are known (for /probe) before the thread starts.
      ApplyPendingConfig(Clock::now());
    }
  }
  if (multi_ == nullptr && has_checks) {
    StartScheduler();
  }
  if (multi_ != nullptr) {
    curl_->multi_wakeup(static_cast<CURLM*>(multi_));
  }
}

void HttpChecker::StartScheduler() {
  std::string error;
  const CurlApi* curl = LoadCurl(&error);
  CURLM* multi = curl != nullptr ? curl->multi_init() : nullptr;
  if (multi == nullptr) {
    // The configuration validated its URLs with libcurl, so this is a libcurl
    // that vanished or broke since; /probe answers with the reason.
    std::lock_guard<std::mutex> lock(mu_);
    unavailable_reason_ = curl == nullptr ? error : "curl_multi_init failed";
    return;
  }
  curl_ = curl;
  multi_ = multi;
  thread_ = std::thread([this] { SchedulerLoop(); });
}

void HttpChecker::Stop() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (stop_.exchange(true) || multi_ == nullptr) {
    return;
  }
  curl_->multi_wakeup(static_cast<CURLM*>(multi_));
  if (thread_.joinable()) {
    thread_.join();
  }
  curl_->multi_cleanup(static_cast<CURLM*>(multi_));
  multi_ = nullptr;
}

void HttpChecker::SchedulerLoop() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  while (!stop_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      Clock::time_point now = Clock::now();
      ApplyPendingConfig(now);
      StartDueRuns(now);
    }
    int running = 0;
    curl_->multi_perform(multi, &running);
    HandleFinishedTransfers();
    WaitForWork(multi);
  }
  for (auto& [handle, run] : runs_) {
    curl_->multi_remove_handle(multi, handle);
  }
  runs_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_ = 0;
}

// Sleeps until a run is due, a transfer needs attention, or Update/Stop wake the multi handle.
void HttpChecker::WaitForWork(CURLM* multi) {
  milliseconds wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wait = TimeToNextDue(Clock::now());
  }
  if (!runs_.empty()) {
    long curl_wait = -1;
    curl_->multi_timeout(multi, &curl_wait);
    if (curl_wait >= 0) {
      wait = std::min(wait, milliseconds(curl_wait));
    }
  }
  if (wait.count() > 0) {
    curl_->multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
}

void HttpChecker::ApplyPendingConfig(Clock::time_point now) {
  if (!pending_) {
    return;
  }
  HttpChecksConfig next = std::move(*pending_);
  pending_.reset();
  std::map<std::string, std::unique_ptr<CheckState>> states;
  std::vector<std::shared_ptr<const CheckDescs>> descs;
  for (const auto& [name, s] : checks_) {
    descs.push_back(s->descs);
  }
  const auto wall_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (HttpCheckConfig& c : next.checks) {
    auto old = checks_.find(c.name);
    if (old != checks_.end() && old->second->config->fingerprint == c.fingerprint) {
      states[c.name] = std::move(old->second);  // unchanged: counters and history carry on
      checks_.erase(old);
      continue;
    }
    std::string name = c.name;
    states[name] = NewCheckState(std::make_shared<const HttpCheckConfig>(std::move(c)), now, wall_ms, descs);
  }
  // Whatever is left was removed or changed: abort its run, drop its series.
  std::vector<CURL*> abort;
  for (const auto& [handle, run] : runs_) {
    auto it = states.find(run->check);
    if (it == states.end() || it->second->config->fingerprint != run->fingerprint) {
      abort.push_back(handle);
    }
  }
  for (CURL* h : abort) {
    AbortRun(h);
  }
  checks_ = std::move(states);
  max_concurrency_ = next.max_concurrency;
  history_size_ = next.history_size;
  probe_targets_ = std::make_shared<const ProbeTargetsConfig>(std::move(next.probe_targets));
  in_flight_ = static_cast<int>(runs_.size());
  UpdateEarliestDue();
}

std::unique_ptr<HttpChecker::CheckState> HttpChecker::NewCheckState(
    std::shared_ptr<const HttpCheckConfig> c, Clock::time_point now, long long wall_ms,
    std::vector<std::shared_ptr<const CheckDescs>>& known_descs) {
  std::vector<std::string> names = {"check", "target"};
  std::vector<std::string> values = {c->name, RedactUrl(c->url, c->redact_query_params)};
  for (const auto& [k, v] : c->labels) {
    names.push_back(k);
    values.push_back(v);
  }
  // Checks with the same label names share descriptors (most configurations have one set).
  std::shared_ptr<const CheckDescs> descs;
  for (const std::shared_ptr<const CheckDescs>& d : known_descs) {
    if (d->base == names) {
      descs = d;
      break;
    }
  }
  if (!descs) {
    descs = std::make_shared<const CheckDescs>(std::move(names));
    known_descs.push_back(descs);
  }
  auto s = std::make_unique<CheckState>(std::move(c), std::move(descs));
  s->label_values = std::move(values);
  // Align to wall-clock multiples of the interval plus the stable offset, as
  // Prometheus spreads scrape targets, so a restart keeps each check's phase.
  const long long interval = s->config->interval.count();
  const long long offset = CheckOffset(s->config->name, s->config->interval).count();
  const long long until = ((offset - wall_ms % interval) % interval + interval) % interval;
  s->slot = now + milliseconds(until);
  s->next_due = s->slot;
  return s;
}

void HttpChecker::AbortRun(CURL* handle) {
  curl_->multi_remove_handle(static_cast<CURLM*>(multi_), handle);
  runs_.erase(handle);
}

void HttpChecker::StartDueRuns(Clock::time_point now) {
  if (now < earliest_due_) {
    return;  // nothing is due yet
  }
  std::vector<CheckState*> due;
  for (auto& [name, s] : checks_) {
    if (s->next_due <= now) {
      due.push_back(s.get());
    }
  }
  std::sort(due.begin(), due.end(), [](const CheckState* a, const CheckState* b) { return a->next_due < b->next_due; });
  for (CheckState* s : due) {
    if (s->running) {
      // The previous run is still going: skip every slot that passed meanwhile.
      while (s->next_due <= now) {
        ++s->skipped;
        s->slot += s->config->interval;
        s->next_due = s->slot;
      }
      continue;
    }
    if (in_flight_ >= max_concurrency_) {
      break;  // stays due; starts when a run finishes (its delay shows in the histogram)
    }
    StartRun(*s, now);
  }
  UpdateEarliestDue();
}

void HttpChecker::UpdateEarliestDue() {
  earliest_due_ = Clock::time_point::max();
  for (const auto& [name, s] : checks_) {
    earliest_due_ = std::min(earliest_due_, s->next_due);
  }
}

void HttpChecker::StartRun(CheckState& s, Clock::time_point now) {
  double delay = std::chrono::duration<double>(now - s.next_due).count();
  ++delay_bucket_counts_[BucketIndex(ScheduleDelayBuckets(), delay)];
  delay_sum_ += delay;
  ++delay_count_;

  auto flight = std::make_unique<InFlight>();
  flight->check = s.config->name;
  flight->fingerprint = s.config->fingerprint;
  flight->config = s.config;
  flight->run = std::make_unique<ProbeRun>(*flight->config, now);
  AdvanceSchedule(s, now);

  CURL* handle = flight->run->handle();
  if (handle == nullptr) {
    // Setup failed: the run is already finished with its reason.
    RecordResultLocked(flight->check, flight->fingerprint, flight->run->TakeResult());
    return;
  }
  s.running = true;
  curl_->multi_add_handle(static_cast<CURLM*>(multi_), handle);
  runs_[handle] = std::move(flight);
  in_flight_ = static_cast<int>(runs_.size());
}

void HttpChecker::AdvanceSchedule(CheckState& s, Clock::time_point now) {
  // Slots that passed while this run waited for a free slot (max_concurrency)
  // are skipped, so a saturated scheduler sheds runs instead of building a
  // backlog of ever-growing delay.
  s.slot += s.config->interval;
  while (s.slot <= now) {
    ++s.skipped;
    s.slot += s.config->interval;
  }
  s.next_due = s.slot;
  if (s.config->jitter.count() > 0) {
    rng_state_ ^= rng_state_ << 13;  // xorshift64: jitter needs spread, not quality
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    s.next_due +=
        milliseconds(static_cast<long long>(rng_state_ % static_cast<std::uint64_t>(s.config->jitter.count())));
  }
}

void HttpChecker::HandleFinishedTransfers() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  int left = 0;
  while (CURLMsg* msg = curl_->multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) {
      continue;
    }
    // Copy before remove_handle: the message does not survive it.
    CURL* handle = msg->easy_handle;
    CURLcode code = msg->data.result;
    curl_->multi_remove_handle(multi, handle);
    auto it = runs_.find(handle);
    if (it == runs_.end()) {
      continue;
    }
    if (it->second->run->OnTransferDone(code)) {
      curl_->multi_add_handle(multi, handle);  // next redirect hop on the same handle (cookies persist)
      continue;
    }
    std::unique_ptr<InFlight> flight = std::move(it->second);
    runs_.erase(it);
    RecordResult(flight->check, flight->fingerprint, flight->run->TakeResult());
  }
}

void HttpChecker::RecordResult(const std::string& check, const std::string& fingerprint, ProbeResult r) {
  if (listener_) {
    listener_(check, r);
  }
  std::lock_guard<std::mutex> lock(mu_);
  RecordResultLocked(check, fingerprint, std::move(r));
}

void HttpChecker::RecordResultLocked(const std::string& check, const std::string& fingerprint, ProbeResult r) {
  in_flight_ = static_cast<int>(runs_.size());
  ++completed_runs_;
  auto it = checks_.find(check);
  if (it == checks_.end() || it->second->config->fingerprint != fingerprint) {
    return;  // the check was removed or changed while this run was going
  }
  CheckState& s = *it->second;
  s.running = false;
  s.history.Record(std::move(r), static_cast<std::size_t>(history_size_));
}

milliseconds HttpChecker::TimeToNextDue(Clock::time_point now) const {
  milliseconds wait = kIdleWait;
  const bool saturated = in_flight_ >= max_concurrency_;
  if (!saturated) {
    if (earliest_due_ != Clock::time_point::max()) {
      wait = std::min(wait, std::max(std::chrono::ceil<milliseconds>(earliest_due_ - now), milliseconds(0)));
    }
    return wait;
  }
  for (const auto& [name, s] : checks_) {
    if (saturated && !s->running && s->next_due <= now) {
      continue;  // waits for a free slot, which a finishing transfer wakes us for
    }
    auto until = std::chrono::ceil<milliseconds>(s->next_due - now);
    wait = std::min(wait, std::max(until, milliseconds(0)));
  }
  return wait;
}

void HttpChecker::Collect(MetricSink& out) const {
  // A sink of our own: its descriptors (CheckDescs) may be freed by a reload
  // once the lock is released, and the caller's sink would keep their addresses.
  MetricSink sink;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, s] : checks_) {
      if (s->history.has_result()) {
        AddCheckSeries(CheckSeries{name, *s->descs, s->label_values, s->history, s->skipped}, sink);
      }
    }
    AddSchedulerSeries(SchedulerSeries{in_flight_, delay_bucket_counts_, delay_sum_, delay_count_}, sink);
  }
  for (prometheus::MetricFamily& f : sink.TakeFamilies()) {
    out.AddFamily(std::move(f));
  }
}

std::optional<CheckResultView> HttpChecker::LastResult(const std::string& check, bool with_history) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = checks_.find(check);
  if (it == checks_.end()) {
    return std::nullopt;
  }
  const CheckState& s = *it->second;
  CheckResultView view;
  view.config = s.config;
  if (s.history.has_result()) {
    view.last = s.history.last();
  }
  if (with_history) {
    view.history.assign(s.history.records().begin(), s.history.records().end());
  }
  view.unavailable_reason = unavailable_reason_;
  return view;
}

AdHocPlan HttpChecker::PlanAdHoc(const std::string& check, const std::string& target,
                                 std::optional<double> scrape_timeout_seconds) const {
  AdHocPlan plan;
  std::shared_ptr<const HttpCheckConfig> module;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checks_.find(check);
    if (it == checks_.end()) {
      plan.refusal = AdHocRefusal::kUnknownCheck;
      return plan;
    }
    module = it->second->config;
    plan.settings = probe_targets_;
  }
  if (!plan.settings->enabled) {
    plan.refusal = AdHocRefusal::kDisabled;
    return plan;
  }
  if (!module->proxy_url.empty()) {
    // Through a proxy the connected address is the proxy's: the allow-list could not be enforced.
    plan.refusal = AdHocRefusal::kBadTarget;
    plan.detail = "Module \"" + check + "\" uses proxy_url; ad-hoc targets cannot be probed through a proxy";
    return plan;
  }
  std::string url = ProbeTargetUrl(target);
  std::string why;
  std::optional<TargetHost> host = ParseTargetUrl(url, &why);
  if (!host) {
    plan.refusal = AdHocRefusal::kBadTarget;
    plan.detail = "Invalid target \"" + RedactUrl(url, module->redact_query_params) + "\": " + why;
    return plan;
  }
  if (plan.settings->policy.CheckUrl(*host, &why) == TargetPolicy::Verdict::kDenied) {
    plan.refusal = AdHocRefusal::kForbidden;
    plan.detail = why;
    return plan;
  }
  plan.module_url = module->url;
  auto probe = std::make_shared<HttpCheckConfig>(*module);
  probe->url = std::move(url);
  probe->timeout = EffectiveProbeTimeout(module->timeout, scrape_timeout_seconds, plan.settings->timeout_offset);
  plan.module = std::move(probe);
  return plan;
}

ProbeResult HttpChecker::RunAdHoc(const AdHocPlan& plan) const {
  const AdHocTargetRules rules{&plan.settings->policy, plan.module_url};
  return RunProbeBlocking(*plan.module, &rules, &ad_hoc_abort_);
}

std::vector<CheckSummary> HttpChecker::Summaries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CheckSummary> out;
  const double now = WallClockSeconds();
  for (const auto& [name, s] : checks_) {
    out.push_back(s->history.Summarize(name, RedactUrl(s->config->url, s->config->redact_query_params), now));
  }
  return out;
}

std::uint64_t HttpChecker::CompletedRunsForTest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_runs_;
}

}  // namespace hostwatch
