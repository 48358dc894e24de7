// HttpChecker: runs the configured checks (HTTP checks, and module checks of
// the probers in checks/<prober>/, see check_spec.h) on a schedule, keeps their
// results, exposes them as a MetricSource for /metrics, and answers the
// domain questions /probe and the status page ask (a check's last result, an
// ad-hoc probe of another target, per-check summaries). How those answers
// become HTTP (status codes, content types, debug pages) is the probe
// handler's business (agent/web/probe_handler.h), not this class's.
//
// One scheduler thread drives all runs: HTTP through one libcurl multi handle,
// the socket probers' runs (socket_run.h) through the same poll. Each
// check runs every `interval` at a stable offset (FNV hash of its name, so
// restarts keep the phase and checks spread out) plus a random `jitter`, under
// the global max_concurrency. A run still going when the next one is due makes
// that next one skipped (counted); so does a run that waited for a free
// concurrency slot past its next due time, so a saturated scheduler sheds
// runs instead of queueing them with ever-growing delay. Results go into
// per-check state guarded by a mutex; Collect() and the queries read it.
//
// Thread-safety: every public method may be called from any thread.
// Update() on reload keeps the state of checks whose name and configuration
// are unchanged, starts changed ones afresh and drops removed ones (their
// series disappear). The destructor stops the thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/check_spec.h"
#include "collectors/checks/curl_transfer.h"
#include "collectors/core/curl_api.h"
#include "collectors/checks/http/probe_result.h"
#include "collectors/checks/run_history.h"
#include "collectors/checks/socket_runner.h"
#include "collectors/core/metric_source.h"

namespace hostwatch {

struct CheckDescs;

// A configured check and what its scheduled runs left, as /probe shows it.
struct CheckResultView {
  std::shared_ptr<const CheckSpec> spec;
  std::shared_ptr<const HttpCheckConfig> config;  // spec->http: null for other probers
  std::optional<ProbeResult> last;  // nullopt before the first completed run
  std::vector<RunRecord> history;   // oldest first
  std::string unavailable_reason;   // why no check can run (libcurl failed to load); "" normally
};

// Why an ad-hoc probe is refused (see HttpChecker::PlanAdHoc).
enum class AdHocRefusal {
  kNone,
  kUnknownCheck,  // no check of that name
  kDisabled,      // http_checks.probe_targets.enabled is false
  kBadTarget,     // the target is not a URL we probe, or the check uses proxy_url
  kForbidden,     // the target is outside probe_targets.allowed_targets
};

// An ad-hoc probe, validated and ready to run, or the reason it may not run.
struct AdHocPlan {
  AdHocRefusal refusal = AdHocRefusal::kNone;
  // kBadTarget: the whole one-line explanation; kForbidden: why the policy refused it. Secrets redacted.
  std::string detail;
  // Without a refusal, an http module: the check's settings with the target's URL and the effective timeout.
  std::shared_ptr<const HttpCheckConfig> module;
  // Without a refusal, a module of another prober: the (module, target) check to run once, with
  // the effective timeout, and the allow-list's verdict on the target's host and port.
  std::shared_ptr<const CheckSpec> spec;
  TargetPolicy::Verdict verdict = TargetPolicy::Verdict::kDenied;
  // Without a refusal: the allow-list to hold every hop to, and max_concurrent.
  std::shared_ptr<const ProbeTargetsConfig> settings;
  // Without a refusal: the check's own URL (its credentials may go to that origin over http).
  std::string module_url;
  // /probe's hostname parameter ("" = none): the Host header on hops to the target's host.
  std::string host_header;
};

class HttpChecker : public MetricSource {
 public:
  // Called on the scheduler thread after every completed run (the agent logs
  // failures with it); must be quick and must not call back into the checker.
  using ResultListener = std::function<void(const std::string& check, const ProbeResult& result)>;

  explicit HttpChecker(HttpChecksConfig config, ResultListener listener = nullptr);
  ~HttpChecker() override;
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

  // Adds every check's families (labels {check,target} + static labels; none
  // before a check's first completed run, so no false probe_success 0 at
  // startup) and the scheduler's own families.
  void Collect(MetricSink& sink) const override;

  // The check's configuration and last result, and with_history its kept
  // history (copied under the checker's lock, so only when it is shown);
  // nullopt for an unknown check.
  std::optional<CheckResultView> LastResult(const std::string& check, bool with_history) const {
    return LastResult(check, "", with_history);
  }
  // The same for the check with that name whose target (or HTTP URL) is target;
  // without one, the first check of that name (HTTP check names are unique).
  std::optional<CheckResultView> LastResult(const std::string& check, const std::string& target,
                                            bool with_history) const;

  // Validates an ad-hoc probe of target (for an http module a URL; without a
  // scheme it gets http://; for the other probers a target of their form,
  // adhoc_module_run.h) with the settings of check. Refused unless
  // http_checks.probe_targets.enabled, for a check with proxy_url (the
  // allow-list could not be enforced through a proxy), for a target that does
  // not parse, or one outside allowed_targets. The timeout is the check's,
  // lowered to scrape_timeout_seconds (X-Prometheus-Scrape-Timeout-Seconds)
  // minus timeout_offset as blackbox does. A non-empty hostname (/probe's
  // parameter, probe_hostname.h) becomes the Host header and, unless the
  // check sets tls.server_name, the TLS server name; it is refused when it is
  // not a host[:port] or the check's headers set another Host. The target is
  // not compared with the check's own URL: callers decide which question they ask.
  AdHocPlan PlanAdHoc(const std::string& check, const std::string& target, const std::string& hostname,
                      std::optional<double> scrape_timeout_seconds) const;

  // Whether modules: (or modules_file:) has a module of that name, scheduled or not.
  bool HasModule(const std::string& name) const;

  // Runs a plan without a refusal now, on the calling thread, and returns its
  // result. Nothing is recorded: the result never reaches /metrics. Callers
  // bound how many run at once (plan.settings->max_concurrent).
  ProbeResult RunAdHoc(const AdHocPlan& plan) const;

  // Makes running and future RunAdHoc probes end at once (shutdown: an HTTP
  // worker must not stay pinned for a probe's whole timeout).
  void AbortAdHocProbes() { ad_hoc_abort_ = true; }

  // Every configured check, sorted by name.
  std::vector<CheckSummary> Summaries() const;

  // Runs a transfer of another part of the agent on the scheduler's multi handle (curl_transfer.h),
  // loading libcurl and starting the scheduler if no check did. False (OnDone not called) when
  // libcurl cannot be loaded or the checker is stopped.
  bool StartTransfer(std::shared_ptr<CurlTransfer> transfer);

  // Runs completed so far (all checks), for tests.
  std::uint64_t CompletedRunsForTest() const;

 private:
  struct CheckState;
  struct InFlight;

  // PlanAdHoc's parts: an http module's, another prober's module's (module_plan), the hostname.
  static void PlanHttpAdHoc(const std::string& check, const HttpCheckConfig& module, const std::string& target,
                            const std::string& hostname, std::optional<double> scrape_timeout_seconds, AdHocPlan* plan);
  static void PlanModuleAdHoc(const std::string& check, const CheckModule& module, const std::string& target,
                              const std::string& hostname, std::optional<double> scrape_timeout_seconds,
                              AdHocPlan* plan);
  static bool ApplyHostname(const std::string& hostname, HttpCheckConfig* probe, AdHocPlan* plan);
  void StartScheduler();  // lifecycle_mu_ held
  void SchedulerLoop();
  void WaitForWork(CURLM* multi);
  void ApplyPendingConfig(std::chrono::steady_clock::time_point now);
  // known_descs: descriptors already built for this configuration (reused when the label names match; grows).
  std::unique_ptr<CheckState> NewCheckState(std::shared_ptr<const CheckSpec> spec,
                                            std::chrono::steady_clock::time_point now, long long wall_ms,
                                            std::vector<std::shared_ptr<const CheckDescs>>& known_descs);
  void StartDueRuns(std::chrono::steady_clock::time_point now);
  void StartRun(CheckState& state, std::chrono::steady_clock::time_point now);
  void AdvanceSchedule(CheckState& state, std::chrono::steady_clock::time_point now);
  void StartSocketRun(CheckState& state, std::chrono::steady_clock::time_point now);
  void HandleFinishedTransfers();
  void AdvanceSocketRuns(const std::vector<curl_waitfd>& polled);
  void RecordResult(const CheckKey& key, const std::string& fingerprint, ProbeResult result);
  void RecordResultLocked(const CheckKey& key, const std::string& fingerprint, ProbeResult result);
  const CheckState* FindCheck(const std::string& check, const std::string& target) const;  // mu_ held
  void AbortRun(CURL* handle);
  std::chrono::milliseconds TimeToNextDue(std::chrono::steady_clock::time_point now) const;
  void UpdateEarliestDue();

  // Guarded by mu_.
  mutable std::mutex mu_;
  int max_concurrency_ = 16;
  int history_size_ = 20;
  std::shared_ptr<const ProbeTargetsConfig> probe_targets_ = std::make_shared<const ProbeTargetsConfig>();
  std::optional<HttpChecksConfig> pending_;  // applied by the scheduler thread
  // modules: by name (PlanAdHoc); replaced with the configuration, at once.
  std::map<std::string, std::shared_ptr<const CheckModule>> modules_;
  std::map<CheckKey, std::unique_ptr<CheckState>> checks_;
  std::vector<std::uint64_t> delay_bucket_counts_;
  double delay_sum_ = 0;
  std::uint64_t delay_count_ = 0;
  std::uint64_t completed_runs_ = 0;
  int in_flight_ = 0;
  // No check's next_due is earlier than this; recomputed whenever a next_due
  // changes (starting runs, config). Most scheduler wake-ups are libcurl
  // socket events with nothing due: they compare against it instead of
  // walking every check.
  std::chrono::steady_clock::time_point earliest_due_{};

  std::string unavailable_reason_;  // why checks cannot run (libcurl failed to load); "" normally

  // Serializes Update and Stop, which start and end the scheduler thread.
  std::mutex lifecycle_mu_;
  // Set (under lifecycle_mu_) before the scheduler thread starts, then fixed
  // until Stop() has joined it; null while no configuration had a check.
  const CurlApi* curl_ = nullptr;
  void* multi_ = nullptr;  // CURLM*

  std::vector<std::shared_ptr<CurlTransfer>> new_transfers_;  // Guarded by mu_; added by the scheduler

  // Scheduler thread only.
  std::map<CURL*, std::unique_ptr<InFlight>> runs_;
  std::map<CURL*, std::shared_ptr<CurlTransfer>> transfers_;
  void AddNewTransfers();
  bool FinishTransfer(CURL* handle, CURLcode code);
  SocketRunner sockets_;
  std::uint64_t rng_state_ = 0x9E3779B97F4A7C15ull;

  std::atomic<bool> ad_hoc_abort_{false};

  const ResultListener listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The schedule's stable phase for a check: FNV-1a of the name modulo the interval.
std::chrono::milliseconds CheckOffset(const std::string& name, std::chrono::milliseconds interval);

}  // namespace hostwatch
