// HttpChecker: runs the configured HTTP checks on a schedule and keeps their
// results for /metrics and /probe.
//
// One scheduler thread drives all runs through one libcurl multi handle. Each
// check runs every `interval` at a stable offset (FNV hash of its name, so
// restarts keep the phase and checks spread out) plus a random `jitter`, under
// the global max_concurrency. A run still going when the next one is due makes
// that next one skipped (counted); so does a run that waited for a free
// concurrency slot past its next due time, so a saturated scheduler sheds
// runs instead of queueing them with ever-growing delay. Results go into per-check state guarded by
// a mutex; Collect() and Probe() read it at scrape time.
//
// Thread-safety: every public method may be called from any thread.
// Update() on reload keeps the state of checks whose name and configuration
// are unchanged, starts changed ones afresh and drops removed ones (their
// series disappear). The destructor stops the thread.
#pragma once

#include <prometheus/metric_family.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/http/http_probe.h"

namespace hostwatch {

// The HTTP answer for /probe?module=<check>.
struct ProbeResponse {
  int status = 200;
  std::string content_type;
  std::string body;
};

// One check as a person sees it on the status page (computed over the kept history).
struct CheckSummary {
  std::string name;
  std::string target;  // password redacted
  bool has_run = false;
  bool up = false;
  double last_duration_seconds = 0;
  std::optional<double> availability_ratio;  // successes / runs in the history
  std::optional<double> p95_seconds;         // nearest-rank p95 of the history's durations
  std::optional<double> cert_days_left;      // earliest certificate expiry of the last run
  std::string last_failure_reason;           // "" when the last run succeeded
};

class HttpChecker {
 public:
  // Called on the scheduler thread after every completed run (the agent logs
  // failures with it); must be quick and must not call back into the checker.
  using ResultListener = std::function<void(const std::string& check, const ProbeResult& result)>;

  explicit HttpChecker(HttpChecksConfig config, ResultListener listener = nullptr);
  ~HttpChecker();
  HttpChecker(const HttpChecker&) = delete;
  HttpChecker& operator=(const HttpChecker&) = delete;
  HttpChecker(HttpChecker&&) = delete;
  HttpChecker& operator=(HttpChecker&&) = delete;

  // Applies a new configuration (see the class comment); returns at once.
  // The first configuration with a check loads libcurl and starts the
  // scheduler thread: without checks the agent needs neither (curl_api.h).
  void Update(HttpChecksConfig config);
  // Stops the scheduler, aborting runs in flight. Idempotent.
  void Stop();

  // Appends every check family (labels {check,target} + static labels) and
  // the scheduler's own families.
  void Collect(std::vector<prometheus::MetricFamily>* out) const;

  // blackbox-shaped output of the check's last run (no check/target labels);
  // with debug, the run's log, the metrics and the check's (redacted) config.
  // target may be empty or the check's own URL (so stock blackbox scrape
  // configs that pass target= work); any other target is refused, since
  // probing caller-chosen URLs is not enabled. 400 for an unknown check or a
  // foreign target, 503 before the check's first run.
  ProbeResponse Probe(const std::string& check, const std::string& target, bool debug) const;

  // /probe?module=<check>&target=<url> for a target that is not the check's
  // own URL: runs the module's settings against target now, on the calling
  // thread, and returns the blackbox-shaped result. Nothing is recorded: the
  // result appears in this response only, never on /metrics. Refused unless
  // http_checks.probe_targets.enabled: 400 (disabled, bad target, module with
  // proxy_url), 403 (target outside allowed_targets), 503 (max_concurrent
  // ad-hoc probes already running). The timeout is the module's, lowered by
  // scrape_timeout_seconds (X-Prometheus-Scrape-Timeout-Seconds) minus
  // timeout_offset as blackbox does. A target without a scheme gets http://.
  // The check's own URL (or an empty target) serves the cached result as Probe().
  ProbeResponse ProbeTarget(const std::string& check, const std::string& target,
                            std::optional<double> scrape_timeout_seconds, bool debug);

  // Makes running and future ProbeTarget probes end at once (shutdown: an
  // HTTP worker must not stay pinned for a probe's whole timeout).
  void AbortAdHocProbes() { ad_hoc_abort_ = true; }

  // Ad-hoc probes running now (ProbeTarget), for tests and the agent's metrics.
  int AdHocProbesInFlight() const { return ad_hoc_in_flight_.load(); }

  // Every configured check, sorted by name.
  std::vector<CheckSummary> Summaries() const;

  // Runs completed so far (all checks), for tests and the status page.
  std::uint64_t CompletedRunsForTest() const;

 private:
  struct CheckState;
  struct InFlight;

  void StartScheduler();  // lifecycle_mu_ held
  void SchedulerLoop();
  void ApplyPendingConfig(std::chrono::steady_clock::time_point now);
  void StartDueRuns(std::chrono::steady_clock::time_point now);
  void StartRun(CheckState& state, std::chrono::steady_clock::time_point now);
  void HandleFinishedTransfers();
  void RecordResult(const std::string& check, const std::string& fingerprint, ProbeResult result);
  void RecordResultLocked(const std::string& check, const std::string& fingerprint, ProbeResult result);
  void AbortRun(CURL* handle);
  std::chrono::milliseconds TimeToNextDue(std::chrono::steady_clock::time_point now) const;
  void UpdateEarliestDue();

  // Guarded by mu_.
  mutable std::mutex mu_;
  HttpChecksConfig config_;
  std::optional<HttpChecksConfig> pending_;  // applied by the scheduler thread
  std::map<std::string, std::unique_ptr<CheckState>> checks_;
  std::vector<std::uint64_t> delay_bucket_counts_;
  double delay_sum_ = 0;
  std::uint64_t delay_count_ = 0;
  std::uint64_t completed_runs_ = 0;
  int in_flight_ = 0;
  // No check's next_due is earlier than this; recomputed whenever a next_due
  // changes (starting runs, config). Most scheduler wake-ups are libcurl
  // socket events with nothing due: they compare against it instead of
  // walking every check (twice) as they did, which with 1,000 checks cost
  // ~2,000 map steps per wake-up, ~5 wake-ups per probe.
  std::chrono::steady_clock::time_point earliest_due_{};

  std::string unavailable_reason_;  // why checks cannot run (libcurl failed to load); "" normally

  // Serializes Update and Stop, which start and end the scheduler thread.
  std::mutex lifecycle_mu_;
  // Set (under lifecycle_mu_) before the scheduler thread starts, then fixed
  // until Stop() has joined it; null while no configuration had a check.
  const CurlApi* curl_ = nullptr;
  void* multi_ = nullptr;  // CURLM*

  // Scheduler thread only.
  std::map<CURL*, std::unique_ptr<InFlight>> runs_;
  std::uint64_t rng_state_ = 0x9E3779B97F4A7C15ull;

  std::atomic<int> ad_hoc_in_flight_{0};  // ProbeTarget calls running a probe
  std::atomic<bool> ad_hoc_abort_{false};

  const ResultListener listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The schedule's stable phase for a check: FNV-1a of the name modulo the interval.
std::chrono::milliseconds CheckOffset(const std::string& name, std::chrono::milliseconds interval);

// blackbox /probe exposition for one result (families sorted, blackbox HELP texts).
std::string RenderProbeText(const ProbeResult& result);

}  // namespace hostwatch
