#include "collectors/checks/http_checker.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "collectors/core/collector_options.h"
#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Label = prometheus::ClientMetric::Label;
using prometheus::MetricType;

// blackbox_exporter's date for "no verified chain" (Go's zero time.Time in unix seconds).
constexpr double kGoZeroTimeUnix = -62135596800.0;
// When no check is scheduled the thread sleeps this long between looks (Update wakes it).
constexpr milliseconds kIdleWait{60000};

const std::vector<double> kScheduleDelayBuckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};

// Collects families by name so that every check adds to the same family.
class FamilyBuilder {
 public:
  prometheus::MetricFamily& Family(const std::string& name, const std::string& help, MetricType type) {
    auto [it, inserted] = index_.emplace(name, families_.size());
    if (inserted) {
      prometheus::MetricFamily f;
      f.name = name;
      f.help = help;
      f.type = type;
      families_.push_back(std::move(f));
    }
    return families_[it->second];
  }

  void Add(const std::string& name, const std::string& help, MetricType type, const std::vector<Label>& labels,
           double value) {
    prometheus::ClientMetric m;
    m.label = labels;
    if (type == MetricType::Counter) {
      m.counter.value = value;
    } else {
      m.gauge.value = value;
    }
    Family(name, help, type).metric.push_back(std::move(m));
  }
  void Gauge(const std::string& name, const std::string& help, const std::vector<Label>& labels, double value) {
    Add(name, help, MetricType::Gauge, labels, value);
  }

  void MoveTo(std::vector<prometheus::MetricFamily>* out) {
    for (auto& f : families_) {
      out->push_back(std::move(f));
    }
    families_.clear();
    index_.clear();
  }

 private:
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, std::size_t> index_;
};

std::vector<Label> With(std::vector<Label> base, const std::string& name, const std::string& value) {
  base.push_back(Label{name, value});
  return base;
}

// The blackbox_exporter series of one result, with blackbox's names and HELP texts.
void AppendResultFamilies(const ProbeResult& r, const std::vector<Label>& base, FamilyBuilder* b) {
  b->Gauge("probe_success", "Displays whether or not the probe was a success", base, r.success ? 1 : 0);
  b->Gauge("probe_duration_seconds", "Returns how long the probe took to complete in seconds", base,
           r.duration_seconds);
  b->Gauge("probe_timeout_seconds", "Returns how long the probe timeout is in seconds", base, r.timeout_seconds);
  b->Gauge("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", base,
           r.dns_lookup_seconds);
  b->Gauge("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6", base, r.ip_protocol);
  if (r.resolved) {
    b->Gauge("probe_ip_addr_hash", "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
             base, r.ip_addr_hash);
  }
  for (int i = 0; i < static_cast<int>(kPhaseNames.size()); ++i) {
    b->Gauge("probe_http_duration_seconds", "Duration of http request by phase, summed over all redirects",
             With(base, "phase", kPhaseNames[i]), PhaseValue(r.phases, i));
  }
  b->Gauge("probe_http_status_code", "Response HTTP status code", base, static_cast<double>(r.status_code));
  b->Gauge("probe_http_version", "Returns the version of HTTP of the probe response", base, r.http_version);
  b->Gauge("probe_http_content_length", "Length of http content response", base, static_cast<double>(r.content_length));
  b->Gauge("probe_http_uncompressed_body_length", "Length of uncompressed response body", base,
           static_cast<double>(r.uncompressed_body_length));
  b->Gauge("probe_http_redirects", "The number of redirects", base, r.redirects);
  b->Gauge("probe_http_ssl", "Indicates if SSL was used for the final redirect", base, r.ssl ? 1 : 0);
  b->Gauge("probe_failed_due_to_regex", "Indicates if probe failed due to regex", base, r.failed_due_to_regex ? 1 : 0);
  if (r.last_modified >= 0) {
    b->Gauge("probe_http_last_modified_timestamp_seconds", "Returns the Last-Modified HTTP response header in unixtime",
             base, r.last_modified);
  }
  if (r.tls.present) {
    // Kept when verification failed (an expired certificate still shows its date), unlike blackbox.
    b->Gauge("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime", base,
             r.tls.earliest_cert_expiry);
    b->Gauge("probe_ssl_last_chain_expiry_timestamp_seconds", "Returns last SSL chain expiry in timestamp", base,
             r.tls.verified ? r.tls.last_chain_expiry : kGoZeroTimeUnix);
  }
  if (r.tls.last_chain_leaf) {
    const CertificateInfo& leaf = *r.tls.last_chain_leaf;
    std::vector<Label> labels = base;
    labels.push_back(Label{"fingerprint_sha256", leaf.fingerprint_sha256});
    labels.push_back(Label{"subject", leaf.subject});
    labels.push_back(Label{"issuer", leaf.issuer});
    labels.push_back(Label{"subjectalternative", leaf.subjectalternative});
    b->Gauge("probe_ssl_last_chain_info", "Contains SSL leaf certificate information", labels, 1);
  }
  if (!r.tls.version.empty()) {
    b->Gauge("probe_tls_version_info", "Returns the TLS version used or NaN when unknown",
             With(base, "version", r.tls.version), 1);
    b->Gauge("probe_tls_cipher_info", "Returns the TLS cipher negotiated during handshake",
             With(base, "cipher", r.tls.cipher), 1);
  }
}

prometheus::ClientMetric HistogramMetric(const std::vector<Label>& labels, const std::vector<double>& bounds,
                                         const std::vector<std::uint64_t>& counts, double sum, std::uint64_t count) {
  prometheus::ClientMetric m;
  m.label = labels;
  m.histogram.sample_count = count;
  m.histogram.sample_sum = sum;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    m.histogram.bucket.push_back({cumulative, bounds[i]});
  }
  return m;
}

// Index of the first bucket whose upper bound holds v (bounds.size() = +Inf only).
std::size_t BucketIndex(const std::vector<double>& bounds, double v) {
  return static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
}

std::string RedactedConfigText(const HttpCheckConfig& c) {
  std::string out = "name: " + c.name + "\nurl: " + RedactUrl(c.url) + "\nmethod: " + c.method +
                    "\ninterval: " + FormatDuration(c.interval) + "\ntimeout: " + FormatDuration(c.timeout) +
                    "\nfollow_redirects: " + (c.follow_redirects ? "true" : "false") +
                    "\nmax_redirects: " + std::to_string(c.max_redirects) +
                    "\npreferred_ip_protocol: " + c.preferred_ip_protocol + "\n";
  if (!c.headers.empty()) {
    out += "headers:\n";
    for (const auto& [k, v] : c.headers) {
      out += "  " + k + ": <secret>\n";  // header values often carry credentials
    }
  }
  if (c.basic_auth) {
    out += "basic_auth: {username: " + c.basic_auth->username + ", password: <secret>}\n";
  }
  if (!c.bearer_token.empty()) {
    out += "bearer_token: <secret>\n";
  }
  return out;
}

}  // namespace

std::string RenderProbeText(const ProbeResult& result);

namespace {

// blackbox's debug=true page: the run's log, its metrics, the module (secrets redacted).
std::string DebugText(const ProbeResult& r, const HttpCheckConfig& c) {
  std::string out = "Logs for the probe:\n";
  for (const std::string& line : r.log) {
    out += line + "\n";
  }
  out += "\n\n\nMetrics that would have been returned:\n" + RenderProbeText(r);
  out += "\n\n\nModule configuration:\n" + RedactedConfigText(c);
  return out;
}

ProbeResponse Refuse(int status, std::string why) {
  ProbeResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(why) + "\n";
  return r;
}

}  // namespace

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

std::string RenderProbeText(const ProbeResult& result) {
  FamilyBuilder b;
  AppendResultFamilies(result, {}, &b);
  std::vector<prometheus::MetricFamily> families;
  b.MoveTo(&families);
  return SerializeText(std::move(families));
}

struct HttpChecker::CheckState {
  HttpCheckConfig config;
  std::vector<Label> labels;   // check, target, then static labels
  Clock::time_point slot;      // the aligned schedule slot this run belongs to
  Clock::time_point next_due;  // slot + jitter
  bool running = false;

  bool has_result = false;
  ProbeResult last;  // with its log, for /probe?debug=true
  // Compact past runs (no logs): 1,000 checks x 20 entries stay around a megabyte.
  struct HistoryEntry {
    double start_unix = 0;
    double duration_seconds = 0;
    long status_code = 0;
    bool success = false;
    FailureReason reason = FailureReason::kNone;
  };
  std::deque<HistoryEntry> history;
  std::vector<std::uint64_t> bucket_counts;  // per bound, not cumulative
  double duration_sum = 0;
  std::uint64_t runs = 0;
  std::uint64_t successes = 0;
  std::array<std::uint64_t, kFailureReasonCount> failures{};
  double last_success = 0;
  double last_run = 0;
  std::uint64_t consecutive_failures = 0;
  std::uint64_t skipped = 0;
  PhaseDurations phase_totals;
};

struct HttpChecker::InFlight {
  std::string check;
  std::string fingerprint;
  std::unique_ptr<HttpCheckConfig> config;  // the run's own copy: a reload may replace the state's
  std::unique_ptr<ProbeRun> run;
};

HttpChecker::HttpChecker(HttpChecksConfig config, ResultListener listener) : listener_(std::move(listener)) {
  delay_bucket_counts_.assign(kScheduleDelayBuckets.size() + 1, 0);
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
    Clock::time_point now = Clock::now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      ApplyPendingConfig(now);
      StartDueRuns(now);
    }
    int running = 0;
    curl_->multi_perform(multi, &running);
    HandleFinishedTransfers();

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
  for (auto& [handle, run] : runs_) {
    curl_->multi_remove_handle(multi, handle);
  }
  runs_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_ = 0;
}

void HttpChecker::ApplyPendingConfig(Clock::time_point now) {
  if (!pending_) {
    return;
  }
  HttpChecksConfig next = std::move(*pending_);
  pending_.reset();
  std::map<std::string, std::unique_ptr<CheckState>> states;
  const auto wall_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const HttpCheckConfig& c : next.checks) {
    auto old = checks_.find(c.name);
    if (old != checks_.end() && old->second->config.fingerprint == c.fingerprint) {
      states[c.name] = std::move(old->second);  // unchanged: counters and history carry on
      checks_.erase(old);
      continue;
    }
    auto s = std::make_unique<CheckState>();
    s->config = c;
    s->labels = {Label{"check", c.name}, Label{"target", RedactUrl(c.url)}};
    for (const auto& [k, v] : c.labels) {
      s->labels.push_back(Label{k, v});
    }
    s->bucket_counts.assign(c.latency_buckets.size() + 1, 0);
    // Align to wall-clock multiples of the interval plus the stable offset, as
    // Prometheus spreads scrape targets, so a restart keeps each check's phase.
    const long long interval = c.interval.count();
    const long long offset = CheckOffset(c.name, c.interval).count();
    const long long until = ((offset - wall_ms % interval) % interval + interval) % interval;
    s->slot = now + milliseconds(until);
    s->next_due = s->slot;
    states[c.name] = std::move(s);
  }
  // Whatever is left was removed or changed: abort its run, drop its series.
  std::vector<CURL*> abort;
  for (const auto& [handle, run] : runs_) {
    auto it = states.find(run->check);
    if (it == states.end() || it->second->config.fingerprint != run->fingerprint) {
      abort.push_back(handle);
    }
  }
  for (CURL* h : abort) {
    AbortRun(h);
  }
  checks_ = std::move(states);
  config_ = std::move(next);
  config_.checks.clear();  // the states hold them
  in_flight_ = static_cast<int>(runs_.size());
  UpdateEarliestDue();
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
        s->slot += s->config.interval;
        s->next_due = s->slot;
      }
      continue;
    }
    if (in_flight_ >= config_.max_concurrency) {
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
  ++delay_bucket_counts_[BucketIndex(kScheduleDelayBuckets, delay)];
  delay_sum_ += delay;
  ++delay_count_;

  auto flight = std::make_unique<InFlight>();
  flight->check = s.config.name;
  flight->fingerprint = s.config.fingerprint;
  flight->config = std::make_unique<HttpCheckConfig>(s.config);
  flight->run = std::make_unique<ProbeRun>(*flight->config, now);

  // Slots that passed while this run waited for a free slot (max_concurrency)
  // are skipped, so a saturated scheduler sheds runs instead of building a
  // backlog of ever-growing delay.
  s.slot += s.config.interval;
  while (s.slot <= now) {
    ++s.skipped;
    s.slot += s.config.interval;
  }
  s.next_due = s.slot;
  if (s.config.jitter.count() > 0) {
    rng_state_ ^= rng_state_ << 13;  // xorshift64: jitter needs spread, not quality
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    s.next_due +=
        milliseconds(static_cast<long long>(rng_state_ % static_cast<std::uint64_t>(s.config.jitter.count())));
  }

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
  if (it == checks_.end() || it->second->config.fingerprint != fingerprint) {
    return;  // the check was removed or changed while this run was going
  }
  CheckState& s = *it->second;
  s.running = false;
  ++s.runs;
  s.duration_sum += r.duration_seconds;
  ++s.bucket_counts[BucketIndex(s.config.latency_buckets, r.duration_seconds)];
  s.phase_totals += r.phases;
  s.last_run = r.start_unix;
  if (r.success) {
    ++s.successes;
    s.last_success = r.start_unix;
    s.consecutive_failures = 0;
  } else {
    ++s.failures[static_cast<int>(r.reason)];
    ++s.consecutive_failures;
  }
  s.history.push_back({r.start_unix, r.duration_seconds, r.status_code, r.success, r.reason});
  while (s.history.size() > static_cast<std::size_t>(config_.history_size)) {
    s.history.pop_front();
  }
  s.last = std::move(r);
  s.has_result = true;
}

milliseconds HttpChecker::TimeToNextDue(Clock::time_point now) const {
  milliseconds wait = kIdleWait;
  const bool saturated = in_flight_ >= config_.max_concurrency;
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

void HttpChecker::Collect(std::vector<prometheus::MetricFamily>* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  FamilyBuilder b;
  std::vector<std::pair<std::string, prometheus::ClientMetric>> histograms;
  for (const auto& [name, sp] : checks_) {
    const CheckState& s = *sp;
    if (!s.has_result) {
      continue;  // no series before the first run: no false probe_success 0 at startup
    }
    AppendResultFamilies(s.last, s.labels, &b);
    b.Family("probe_all_duration_seconds", "Histogram of the duration of every run of the check, in seconds.",
             MetricType::Histogram)
        .metric.push_back(HistogramMetric(s.labels, s.config.latency_buckets, s.bucket_counts, s.duration_sum, s.runs));
    prometheus::ClientMetric success;
    success.label = s.labels;
    success.summary.sample_count = s.runs;
    success.summary.sample_sum = static_cast<double>(s.successes);
    b.Family("probe_all_success", "Successful runs (_sum) and all runs (_count) of the check.", MetricType::Summary)
        .metric.push_back(std::move(success));

    const std::vector<Label> check_label = {Label{"check", name}};
    for (int i = 1; i < kFailureReasonCount; ++i) {
      if (static_cast<FailureReason>(i) == FailureReason::kNotAllowed) {
        continue;  // only ad-hoc /probe targets fail so, and they never reach /metrics
      }
      b.Add("hostwatch_check_failures_total", "Failed runs of the check by reason.", MetricType::Counter,
            With(check_label, "reason", FailureReasonName(static_cast<FailureReason>(i))),
            static_cast<double>(s.failures[i]));
    }
    for (int i = 0; i < static_cast<int>(kPhaseNames.size()); ++i) {
      b.Add("hostwatch_check_phase_seconds_total", "Time spent in each HTTP phase over all runs of the check.",
            MetricType::Counter, With(check_label, "phase", kPhaseNames[i]), PhaseValue(s.phase_totals, i));
    }
    b.Gauge("hostwatch_check_last_success_timestamp_seconds",
            "Unix time the last successful run started; 0 if none succeeded since the check was loaded.", check_label,
            s.last_success);
    b.Gauge("hostwatch_check_last_run_timestamp_seconds", "Unix time the last completed run started.", check_label,
            s.last_run);
    b.Gauge("hostwatch_check_consecutive_failures", "Failed runs in a row since the last success.", check_label,
            static_cast<double>(s.consecutive_failures));
    b.Add("hostwatch_check_skipped_total",
          "Runs skipped because the previous run was still going or no concurrency slot freed before the next one was "
          "due.",
          MetricType::Counter, check_label, static_cast<double>(s.skipped));
  }
  b.Gauge("hostwatch_checks_in_flight", "HTTP check runs in progress.", {}, in_flight_);
  b.Family("hostwatch_check_schedule_delay_seconds",
           "Delay between a run's scheduled time and its start (concurrency limit, scheduler lag).",
           MetricType::Histogram)
      .metric.push_back(HistogramMetric({}, kScheduleDelayBuckets, delay_bucket_counts_, delay_sum_, delay_count_));
  b.MoveTo(out);
}

ProbeResponse HttpChecker::Probe(const std::string& check, const std::string& target, bool debug) const {
  std::lock_guard<std::mutex> lock(mu_);
  ProbeResponse resp;
  resp.content_type = "text/plain; charset=utf-8";
  auto it = checks_.find(check);
  if (it == checks_.end()) {
    resp.status = 400;
    resp.body = "Unknown module \"" + check + "\"\n";
    return resp;
  }
  const CheckState& s = *it->second;
  if (!target.empty() && target != s.config.url && target != RedactUrl(s.config.url)) {
    resp.status = 400;
    resp.body = "Probing arbitrary targets is not enabled: /probe?module=" + check +
                " serves the configured check's own target only (see http_checks.probe_targets)\n";
    return resp;
  }
  if (!s.has_result) {
    resp.status = 503;
    resp.body = unavailable_reason_.empty()
                    ? "Check \"" + check + "\" has not completed a run yet\n"
                    : "Check \"" + check + "\" cannot run: " + unavailable_reason_ + "\n";
    return resp;
  }
  if (!debug) {
    resp.content_type = std::string(kTextContentType);
    resp.body = RenderProbeText(s.last);
    return resp;
  }
  resp.body = DebugText(s.last, s.config);
  resp.body += "\n\n\nRecent runs (oldest first):\n";
  for (const CheckState::HistoryEntry& h : s.history) {
    char line[160];
    std::snprintf(line, sizeof(line), "start=%.3f success=%d reason=%s duration_seconds=%.6f status_code=%ld\n",
                  h.start_unix, h.success ? 1 : 0, FailureReasonName(h.reason), h.duration_seconds, h.status_code);
    resp.body += line;
  }
  return resp;
}

ProbeResponse HttpChecker::ProbeTarget(const std::string& check, const std::string& target,
                                       std::optional<double> scrape_timeout_seconds, bool debug) {
  HttpCheckConfig module;
  ProbeTargetsConfig settings;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checks_.find(check);
    if (it == checks_.end()) {
      return Refuse(400, "Unknown module \"" + check + "\"");
    }
    module = it->second->config;
    settings = config_.probe_targets;
  }
  if (target.empty() || target == module.url || target == RedactUrl(module.url)) {
    return Probe(check, target, debug);
  }
  if (!settings.enabled) {
    return Refuse(400, "Probing arbitrary targets is not enabled: /probe?module=" + check +
                           " serves the configured check's own target only (see http_checks.probe_targets)");
  }
  if (!module.proxy_url.empty()) {
    // Through a proxy the connected address is the proxy's: the allow-list could not be enforced.
    return Refuse(400, "Module \"" + check + "\" uses proxy_url; ad-hoc targets cannot be probed through a proxy");
  }
  std::string url = ProbeTargetUrl(target);
  std::string why;
  std::optional<TargetHost> host = ParseTargetUrl(url, &why);
  if (!host) {
    return Refuse(400, "Invalid target \"" + RedactUrl(url) + "\": " + why);
  }
  if (settings.policy.CheckUrl(*host, &why) == TargetPolicy::Verdict::kDenied) {
    return Refuse(403, "Target refused: " + why);
  }
  // Bounded: each ad-hoc probe pins an HTTP worker for up to its timeout.
  struct Slot {
    std::atomic<int>& n;
    const int value;
    explicit Slot(std::atomic<int>& c) : n(c), value(++c) {}
    ~Slot() { --n; }
  } slot(ad_hoc_in_flight_);
  if (slot.value > settings.max_concurrent) {
    return Refuse(503, "Too many concurrent ad-hoc probes (probe_targets.max_concurrent = " +
                           std::to_string(settings.max_concurrent) + "); try again later");
  }
  module.url = url;
  module.timeout = EffectiveProbeTimeout(module.timeout, scrape_timeout_seconds, settings.timeout_offset);
  ProbeResult result = RunProbeBlocking(module, &settings.policy, &ad_hoc_abort_);
  ProbeResponse resp;
  resp.content_type = debug ? "text/plain; charset=utf-8" : std::string(kTextContentType);
  resp.body = debug ? DebugText(result, module) : RenderProbeText(result);
  return resp;
}

std::vector<CheckSummary> HttpChecker::Summaries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CheckSummary> out;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& [name, sp] : checks_) {
    const CheckState& s = *sp;
    CheckSummary c;
    c.name = name;
    c.target = RedactUrl(s.config.url);
    c.has_run = s.has_result;
    if (s.has_result) {
      c.up = s.last.success;
      c.last_duration_seconds = s.last.duration_seconds;
      c.last_failure_reason = s.last.success ? "" : FailureReasonName(s.last.reason);
      if (s.last.tls.present && s.last.tls.earliest_cert_expiry > 0) {
        c.cert_days_left = (s.last.tls.earliest_cert_expiry - now) / 86400;
      }
      std::vector<double> durations;
      std::size_t ok = 0;
      for (const CheckState::HistoryEntry& r : s.history) {
        durations.push_back(r.duration_seconds);
        ok += r.success ? 1 : 0;
      }
      c.availability_ratio = static_cast<double>(ok) / static_cast<double>(s.history.size());
      std::sort(durations.begin(), durations.end());
      std::size_t rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(durations.size())));
      c.p95_seconds = durations[std::max<std::size_t>(rank, 1) - 1];
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::uint64_t HttpChecker::CompletedRunsForTest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_runs_;
}

}  // namespace hostwatch
