#include "collectors/core/statfs_runner.h"

#include <sys/statfs.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

namespace hostwatch {

// The jobs of one Run(): their workers wake Run once, when the last is done,
// instead of once per job (two context switches per mount, and a scan of
// every job per wake-up: quadratic on a host with a thousand mounts).
struct StatfsRunner::Batch {
  std::size_t remaining = 0;  // Guarded by State::mu.
};

struct StatfsRunner::Job {
  std::shared_ptr<Batch> batch;
  std::shared_ptr<const StatfsFunction> fn;  // the runner's, which may be gone when a hung call returns
  std::string key;
  std::string path;
  // All guarded by State::mu.
  bool started = false;
  bool done = false;
  bool cancelled = false;  // dropped before a worker took it
  bool stuck = false;      // abandoned by Run while still running
  StatfsResult result;
};

// Shared by the StatfsThreads, its runners and its threads, so that threads
// blocked in a call outlive all of them safely.
struct StatfsThreads::State {
  mutable std::mutex mu;
  std::condition_variable work_cv;  // a job was queued, or shutdown
  std::condition_variable done_cv;  // a job finished
  // Everything below is guarded by mu.
  std::deque<std::shared_ptr<StatfsRunner::Job>> queue;
  std::set<std::string> stuck_keys;
  std::size_t threads = 0;        // alive
  std::size_t idle = 0;           // waiting for work
  std::size_t stuck_running = 0;  // running an abandoned job
  bool shutdown = false;
};

StatfsResult SystemStatfs(const std::string& path) {
  struct statfs buf {};
  StatfsResult r;
  if (::statfs(path.c_str(), &buf) != 0) {
    r.error = errno;
    return r;
  }
  // node_exporter multiplies by f_bsize (Go's Statfs_t.Bsize), not f_frsize.
  double bsize = static_cast<double>(buf.f_bsize);
  r.size_bytes = static_cast<double>(buf.f_blocks) * bsize;
  r.free_bytes = static_cast<double>(buf.f_bfree) * bsize;
  r.avail_bytes = static_cast<double>(buf.f_bavail) * bsize;
  r.files = static_cast<double>(buf.f_files);
  r.files_free = static_cast<double>(buf.f_ffree);
  return r;
}

StatfsThreads::StatfsThreads() : state_(std::make_shared<State>()) {}

StatfsThreads::~StatfsThreads() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->shutdown = true;
  state_->queue.clear();
  state_->work_cv.notify_all();
}

std::size_t StatfsThreads::ThreadCount() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->threads;
}

std::size_t StatfsThreads::StuckCount() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stuck_keys.size();
}

StatfsRunner::StatfsRunner(StatfsFunction fn, std::size_t max_threads, std::chrono::milliseconds timeout,
                           std::shared_ptr<StatfsThreads> threads)
    : threads_(std::move(threads)),
      state_(*threads_->state_),
      fn_(std::make_shared<const StatfsFunction>(std::move(fn))),
      max_threads_(max_threads < 1 ? 1 : max_threads),
      timeout_(timeout) {}

void StatfsRunner::WorkerLoop(std::shared_ptr<StatfsThreads::State> state) {
  std::unique_lock<std::mutex> lock(state->mu);
  for (;;) {
    ++state->idle;
    state->work_cv.wait(lock, [&] { return state->shutdown || !state->queue.empty(); });
    --state->idle;
    if (state->shutdown) {
      break;
    }
    std::shared_ptr<Job> job = std::move(state->queue.front());
    state->queue.pop_front();
    if (job->cancelled) {
      continue;
    }
    job->started = true;
    lock.unlock();
    StatfsResult result = (*job->fn)(job->path);  // may block for a very long time
    lock.lock();
    job->result = result;
    job->done = true;
    const bool batch_done = --job->batch->remaining == 0;
    if (job->stuck) {
      // The mount answered at last: later scrapes may stat it again.
      state->stuck_keys.erase(job->key);
      --state->stuck_running;
    }
    if (batch_done) {
      state->done_cv.notify_all();
    }
  }
  --state->threads;
}

std::vector<std::shared_ptr<StatfsRunner::Job>> StatfsRunner::Queue(const std::vector<Request>& requests,
                                                                    const std::shared_ptr<Batch>& batch,
                                                                    std::vector<Reply>* replies) {
  std::vector<std::shared_ptr<Job>> jobs(requests.size());
  std::size_t queued = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (state_.stuck_keys.count(requests[i].key) != 0) {
      (*replies)[i].outcome = Outcome::kStuck;
      continue;
    }
    auto job = std::make_shared<Job>();
    job->batch = batch;
    job->fn = fn_;
    ++batch->remaining;
    job->key = requests[i].key;
    job->path = requests[i].path;
    jobs[i] = job;
    state_.queue.push_back(std::move(job));
    ++queued;
  }
  // Start threads for the work that idle ones cannot take, up to the bound.
  std::size_t wanted = state_.queue.size() > state_.idle ? state_.queue.size() - state_.idle : 0;
  for (; wanted > 0 && queued > 0 && state_.threads < max_threads_; --wanted) {
    try {
      std::thread(&StatfsRunner::WorkerLoop, threads_->state_).detach();
    } catch (const std::system_error&) {
      break;  // out of threads: the jobs that cannot start report kNoWorker
    }
    ++state_.threads;
  }
  return jobs;
}

std::vector<StatfsRunner::Reply> StatfsRunner::Run(const std::vector<Request>& requests) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::vector<Reply> replies(requests.size());
  auto batch = std::make_shared<Batch>();

  std::unique_lock<std::mutex> lock(state_.mu);
  std::vector<std::shared_ptr<Job>> jobs = Queue(requests, batch, &replies);
  auto finished = [&] {
    if (state_.stuck_running >= max_threads_) {
      return true;  // every thread is blocked: nothing else can start
    }
    return batch->remaining == 0;
  };
  // One idle thread usually does the whole batch: statfs on a healthy mount
  // takes microseconds, and waking every idle thread for it cost two context
  // switches per thread per scrape. Only when the batch is not done after
  // kSpreadAfter (a slow or hung mount holds that thread) are the others
  // woken to take the rest, so a hung mount delays the others by that much
  // at most, not until the deadline. (Threads started above need no wake-up.)
  state_.work_cv.notify_one();
  const auto spread_at = std::min(deadline, std::chrono::steady_clock::now() + kSpreadAfter);
  if (!state_.done_cv.wait_until(lock, spread_at, finished)) {
    state_.work_cv.notify_all();
    state_.done_cv.wait_until(lock, deadline, finished);
  }

  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Job* job = jobs[i].get();
    if (job == nullptr) {
      continue;
    }
    if (job->done) {
      replies[i].outcome = Outcome::kDone;
      replies[i].result = job->result;
    } else if (job->started) {
      job->stuck = true;
      ++state_.stuck_running;
      state_.stuck_keys.insert(job->key);
      replies[i].outcome = Outcome::kTimedOut;
    } else {
      job->cancelled = true;
      replies[i].outcome = Outcome::kNoWorker;
    }
  }
  // Cancelled jobs hold no thread; drop them now rather than when a worker frees up.
  std::erase_if(state_.queue, [](const std::shared_ptr<Job>& j) { return j->cancelled; });
  return replies;
}

}  // namespace hostwatch
