#include "collectors/checks/http_checker.h"

#include <algorithm>
#include <utility>

#include "collectors/checks/check_metrics.h"
#include "collectors/checks/checker_state.h"
#include "collectors/checks/grpc/grpc_probe.h"
#include "collectors/checks/http/http_probe.h"
#include "collectors/checks/dns/dns_probe.h"
#include "collectors/checks/icmp/icmp_probe.h"
#include "collectors/checks/module_checks.h"
#include "collectors/checks/tcp/tcp_probe.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// When no check is scheduled the thread sleeps this long between looks (Update wakes it).
constexpr milliseconds kIdleWait{60000};

// The run of a module check whose prober drives its own socket (tcp, dns, icmp).
std::unique_ptr<SocketRun> StartModuleSocketRun(const CheckSpec& spec, Clock::time_point now) {
  switch (spec.prober) {
    case ProberKind::kDns:
      return StartDnsRun(spec.dns, spec.target, spec.timeout, now);
    case ProberKind::kIcmp:
      return StartIcmpRun(spec.icmp, spec.target, spec.timeout, now);
    default:
      return StartTcpRun(spec.tcp, spec.target, spec.timeout, now);
  }
}

}  // namespace

struct HttpChecker::InFlight {
  CheckKey key;
  std::string fingerprint;
  std::shared_ptr<const HttpCheckConfig> config;  // an HTTP run's: a reload may replace the state's
  std::unique_ptr<CurlRun> run;
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
  const bool has_checks = !config.checks.empty() || !config.module_checks.empty();
  {
    std::lock_guard<std::mutex> lock(mu_);
    modules_ = config.modules;  // at once, so /probe knows a reloaded module before the scheduler wakes
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

bool HttpChecker::StartTransfer(std::shared_ptr<CurlTransfer> transfer) {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (stop_) {
    return false;
  }
  if (multi_ == nullptr) {
    StartScheduler();
    if (multi_ == nullptr) {
      return false;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    new_transfers_.push_back(std::move(transfer));
  }
  curl_->multi_wakeup(static_cast<CURLM*>(multi_));
  return true;
}

void HttpChecker::AddNewTransfers() {
  std::vector<std::shared_ptr<CurlTransfer>> added;
  {
    std::lock_guard<std::mutex> lock(mu_);
    added.swap(new_transfers_);
  }
  for (std::shared_ptr<CurlTransfer>& t : added) {
    curl_->multi_add_handle(static_cast<CURLM*>(multi_), t->handle());
    transfers_[t->handle()] = std::move(t);
  }
}

bool HttpChecker::FinishTransfer(CURL* handle, CURLcode code) {
  auto it = transfers_.find(handle);
  if (it == transfers_.end()) {
    return false;
  }
  std::shared_ptr<CurlTransfer> t = std::move(it->second);
  transfers_.erase(it);
  t->OnDone(code);
  return true;
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
    AddNewTransfers();
    int running = 0;
    curl_->multi_perform(multi, &running);
    HandleFinishedTransfers();
    WaitForWork(multi);
  }
  for (auto& [handle, run] : runs_) {
    curl_->multi_remove_handle(multi, handle);
  }
  runs_.clear();
  AddNewTransfers();  // so that every submitted transfer hears that it ended
  while (!transfers_.empty()) {
    CURL* handle = transfers_.begin()->first;
    curl_->multi_remove_handle(multi, handle);
    FinishTransfer(handle, CURLE_ABORTED_BY_CALLBACK);
  }
  sockets_.Clear();
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_ = 0;
}

// Sleeps until a run is due, a transfer or a socket run needs attention, or
// Update/Stop wake the multi handle; then advances the socket runs.
void HttpChecker::WaitForWork(CURLM* multi) {
  milliseconds wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wait = TimeToNextDue(Clock::now());
  }
  if (!runs_.empty() || !transfers_.empty()) {
    long curl_wait = -1;
    curl_->multi_timeout(multi, &curl_wait);
    if (curl_wait >= 0) {
      wait = std::min(wait, milliseconds(curl_wait));
    }
  }
  Clock::time_point socket_deadline;
  std::vector<curl_waitfd> extra;
  for (const pollfd& p : sockets_.Waits(&socket_deadline)) {
    extra.push_back(curl_waitfd{p.fd, static_cast<short>((p.events & POLLIN ? CURL_WAIT_POLLIN : 0) |
                                                         (p.events & POLLOUT ? CURL_WAIT_POLLOUT : 0)),
                                0});
  }
  if (socket_deadline != Clock::time_point::max()) {
    wait = std::min(wait, std::max(std::chrono::ceil<milliseconds>(socket_deadline - Clock::now()), milliseconds(0)));
  }
  if (wait.count() > 0) {
    curl_->multi_poll(multi, extra.data(), static_cast<unsigned>(extra.size()), static_cast<int>(wait.count()),
                      nullptr);
  }
  if (sockets_.size() > 0) {
    AdvanceSocketRuns(extra);
  }
}

void HttpChecker::AdvanceSocketRuns(const std::vector<curl_waitfd>& polled) {
  std::vector<pollfd> fds;
  for (const curl_waitfd& w : polled) {
    // libcurl reports POLLIN/POLLOUT/POLLPRI only; an error or hang-up shows as readable, which the run reads.
    fds.push_back(pollfd{w.fd, w.events, static_cast<short>((w.revents & CURL_WAIT_POLLIN ? POLLIN : 0) |
                                                            (w.revents & CURL_WAIT_POLLOUT ? POLLOUT : 0))});
  }
  for (SocketRunner::Finished& f : sockets_.Advance(fds, Clock::now())) {
    RecordResult(f.key, f.fingerprint, std::move(f.result));
  }
}

void HttpChecker::ApplyPendingConfig(Clock::time_point now) {
  if (!pending_) {
    return;
  }
  HttpChecksConfig next = std::move(*pending_);
  pending_.reset();
  std::map<CheckKey, std::unique_ptr<CheckState>> states;
  std::vector<std::shared_ptr<const CheckDescs>> descs;
  for (const auto& [key, s] : checks_) {
    descs.push_back(s->descs);
  }
  const auto wall_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<std::shared_ptr<const CheckSpec>> specs = std::move(next.module_checks);
  for (HttpCheckConfig& c : next.checks) {
    specs.push_back(HttpCheckSpec(std::make_shared<const HttpCheckConfig>(std::move(c))));
  }
  for (std::shared_ptr<const CheckSpec>& spec : specs) {
    const CheckKey key = KeyOf(*spec);
    auto old = checks_.find(key);
    if (old != checks_.end() && old->second->spec->fingerprint == spec->fingerprint) {
      states[key] = std::move(old->second);  // unchanged: counters and history carry on
      checks_.erase(old);
      continue;
    }
    states[key] = NewCheckState(std::move(spec), now, wall_ms, descs);
  }
  // Whatever is left was removed or changed: abort its run, drop its series.
  auto gone = [&](const CheckKey& key, const std::string& fingerprint) {
    auto it = states.find(key);
    return it == states.end() || it->second->spec->fingerprint != fingerprint;
  };
  std::vector<CURL*> abort;
  for (const auto& [handle, run] : runs_) {
    if (gone(run->key, run->fingerprint)) {
      abort.push_back(handle);
    }
  }
  for (CURL* h : abort) {
    AbortRun(h);
  }
  sockets_.DropIf(gone);
  checks_ = std::move(states);
  max_concurrency_ = next.max_concurrency;
  history_size_ = next.history_size;
  probe_targets_ = std::make_shared<const ProbeTargetsConfig>(std::move(next.probe_targets));
  in_flight_ = static_cast<int>(runs_.size() + sockets_.size());
  UpdateEarliestDue();
}

std::unique_ptr<HttpChecker::CheckState> HttpChecker::NewCheckState(
    std::shared_ptr<const CheckSpec> c, Clock::time_point now, long long wall_ms,
    std::vector<std::shared_ptr<const CheckDescs>>& known_descs) {
  std::vector<std::string> names = {"check", "target"};
  std::vector<std::string> values = {c->name, c->target};
  for (const auto& [k, v] : c->labels) {
    names.push_back(k);
    values.push_back(v);
  }
  // Checks with the same label names share descriptors (most configurations have one set).
  std::vector<std::string> id = {"check"};
  if (c->from_module) {
    id.push_back("target");  // a module has several targets
  }
  std::shared_ptr<const CheckDescs> descs;
  for (const std::shared_ptr<const CheckDescs>& d : known_descs) {
    if (d->base == names && d->id == id) {
      descs = d;
      break;
    }
  }
  if (!descs) {
    descs = std::make_shared<const CheckDescs>(std::move(names), std::move(id));
    known_descs.push_back(descs);
  }
  auto s = std::make_unique<CheckState>(std::move(c), std::move(descs));
  s->label_values = std::move(values);
  // Align to wall-clock multiples of the interval plus the stable offset, as
  // Prometheus spreads scrape targets, so a restart keeps each check's phase.
  // The offset hashes the target too, so a module's targets spread out (an HTTP check's key has none).
  const CheckKey key = KeyOf(*s->spec);
  const long long interval = s->spec->interval.count();
  const long long offset = CheckOffset(key.second.empty() ? key.first : key.first + " " + key.second,
                                       s->spec->interval).count();
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
        s->slot += s->spec->interval;
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

  if (s.spec->prober != ProberKind::kHttp && s.spec->prober != ProberKind::kGrpc) {
    return StartSocketRun(s, now);
  }
  auto flight = std::make_unique<InFlight>();
  flight->key = KeyOf(*s.spec);
  flight->fingerprint = s.spec->fingerprint;
  flight->config = s.spec->http;
  if (s.spec->prober == ProberKind::kGrpc) {
    flight->run = StartGrpcRun(s.spec->grpc, s.spec->target, s.spec->timeout, now);
  } else {
    flight->run = std::make_unique<ProbeRun>(*flight->config, now);
  }
  AdvanceSchedule(s, now);

  CURL* handle = flight->run->handle();
  if (handle == nullptr) {
    // Setup failed: the run is already finished with its reason.
    RecordResultLocked(flight->key, flight->fingerprint, flight->run->TakeResult());
    return;
  }
  s.running = true;
  curl_->multi_add_handle(static_cast<CURLM*>(multi_), handle);
  runs_[handle] = std::move(flight);
  in_flight_ = static_cast<int>(runs_.size() + sockets_.size());
}

void HttpChecker::StartSocketRun(CheckState& s, Clock::time_point now) {
  AdvanceSchedule(s, now);
  const CheckSpec& spec = *s.spec;
  std::unique_ptr<SocketRun> run = StartModuleSocketRun(spec, now);
  std::optional<SocketRunner::Finished> done = sockets_.Add(KeyOf(spec), spec.fingerprint, std::move(run), now);
  if (done) {
    RecordResultLocked(done->key, done->fingerprint, std::move(done->result));
    return;
  }
  s.running = true;
  in_flight_ = static_cast<int>(runs_.size() + sockets_.size());
}

void HttpChecker::AdvanceSchedule(CheckState& s, Clock::time_point now) {
  // Slots that passed while this run waited for a free slot (max_concurrency)
  // are skipped, so a saturated scheduler sheds runs instead of building a
  // backlog of ever-growing delay.
  s.slot += s.spec->interval;
  while (s.slot <= now) {
    ++s.skipped;
    s.slot += s.spec->interval;
  }
  s.next_due = s.slot;
  if (s.spec->jitter.count() > 0) {
    rng_state_ ^= rng_state_ << 13;  // xorshift64: jitter needs spread, not quality
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    s.next_due +=
        milliseconds(static_cast<long long>(rng_state_ % static_cast<std::uint64_t>(s.spec->jitter.count())));
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
      FinishTransfer(handle, code);
      continue;
    }
    if (it->second->run->OnTransferDone(code)) {
      curl_->multi_add_handle(multi, handle);  // next redirect hop on the same handle (cookies persist)
      continue;
    }
    std::unique_ptr<InFlight> flight = std::move(it->second);
    runs_.erase(it);
    RecordResult(flight->key, flight->fingerprint, flight->run->TakeResult());
  }
}

void HttpChecker::RecordResult(const CheckKey& key, const std::string& fingerprint, ProbeResult r) {
  if (listener_) {
    listener_(key.first, r);
  }
  std::lock_guard<std::mutex> lock(mu_);
  RecordResultLocked(key, fingerprint, std::move(r));
}

void HttpChecker::RecordResultLocked(const CheckKey& key, const std::string& fingerprint, ProbeResult r) {
  in_flight_ = static_cast<int>(runs_.size() + sockets_.size());
  ++completed_runs_;
  auto it = checks_.find(key);
  if (it == checks_.end() || it->second->spec->fingerprint != fingerprint) {
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

}  // namespace hostwatch
