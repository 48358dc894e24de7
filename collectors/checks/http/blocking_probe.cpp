#include "collectors/checks/http/blocking_probe.h"

#include <chrono>
#include <mutex>
#include <vector>

#include "collectors/core/curl_api.h"
#include "collectors/checks/http/http_probe.h"

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;

// Multi handles of finished blocking probes, kept for the next ones. A new multi handle per
// probe cost libcurl a wake-up socketpair (socketpair, four fcntl, two close: 7 of an ad-hoc
// probe's ~31 syscalls) and its hash tables. Reuse carries nothing from one probe to the next:
// every run's easy handle forbids connection reuse and caches neither DNS answers nor TLS
// sessions (ProbeRun), and has left the multi handle before it is given back. At most kMaxIdle
// are kept (each holds its socketpair); ad-hoc probes at once are bounded by max_concurrent.
class IdleMultiHandles {
 public:
  CURLM* Take(const CurlApi& curl) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURLM* multi = idle_.back();
        idle_.pop_back();
        return multi;
      }
    }
    return curl.multi_init();
  }

  void Give(const CurlApi& curl, CURLM* multi) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.size() < kMaxIdle) {
        idle_.push_back(multi);
        return;
      }
    }
    curl.multi_cleanup(multi);
  }

 private:
  static constexpr std::size_t kMaxIdle = 4;
  std::mutex mu_;
  std::vector<CURLM*> idle_;  // Guarded by mu_.
};

// Never destroyed: libcurl is never unloaded, and cleaning up at exit would race probes that
// the shutdown aborts.
IdleMultiHandles& IdleMultis() {
  static IdleMultiHandles* const idle = new IdleMultiHandles;
  return *idle;
}

// Drives run on multi until it finishes, times out (give_up) or *abort is set.
// Returns true when the run finished; *aborted tells an abort from a timeout.
bool DriveRun(const CurlApi& curl, CURLM* multi, CurlRun& run, Clock::time_point give_up,
              const std::atomic<bool>* abort, bool* aborted) {
  CURL* easy = run.handle();
  curl.multi_add_handle(multi, easy);
  while (Clock::now() < give_up) {
    if (abort != nullptr && abort->load()) {
      *aborted = true;
      break;
    }
    int running = 0;
    curl.multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl.multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) {
        continue;
      }
      CURLcode code = msg->data.result;
      curl.multi_remove_handle(multi, easy);
      if (!run.OnTransferDone(code)) {
        return true;
      }
      curl.multi_add_handle(multi, easy);  // next redirect hop
      break;
    }
    curl.multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  curl.multi_remove_handle(multi, easy);
  return false;
}

}  // namespace

ProbeResult RunProbeBlocking(const HttpCheckConfig& config, const AdHocTargetRules* ad_hoc,
                             const std::atomic<bool>* abort) {
  ProbeRun run(config, Clock::now(), ad_hoc);
  return RunCurlBlocking(run, config.timeout, abort);
}

ProbeResult RunCurlBlocking(CurlRun& run, std::chrono::milliseconds timeout, const std::atomic<bool>* abort) {
  // A run with an easy handle has loaded libcurl (its constructor).
  const CurlApi* curl = run.handle() != nullptr ? LoadCurl() : nullptr;
  CURLM* multi = curl != nullptr ? IdleMultis().Take(*curl) : nullptr;
  if (multi == nullptr) {
    return run.TakeResult();  // setup failed or refused: already finished with its reason
  }
  // Each hop carries CURLOPT_TIMEOUT_MS from the run's deadline, so libcurl
  // ends the transfer in time; the wall-clock guard is a backstop only.
  const Clock::time_point give_up = Clock::now() + timeout + std::chrono::seconds(2);
  bool aborted = false;
  const bool finished = DriveRun(*curl, multi, run, give_up, abort, &aborted);
  IdleMultis().Give(*curl, multi);
  ProbeResult result = run.TakeResult();
  if (!finished) {
    result.success = false;
    result.reason = aborted ? FailureReason::kOther : FailureReason::kTimeout;
    result.error = aborted ? "aborted: the agent is shutting down" : "probe did not finish within its timeout";
  }
  return result;
}

}  // namespace hostwatch
