#include "collectors/checks/file_sd/targets_files.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "collectors/checks/file_sd/file_sd.h"
#include "collectors/checks/x509/x509_file_watcher.h"
#include "collectors/core/metric_sink.h"
#include "collectors/core/proc_fs.h"

namespace hostwatch {
namespace {

using Entries = std::vector<std::shared_ptr<const TargetsFilesEntry>>;
using Specs = std::vector<std::shared_ptr<const CheckSpec>>;

const MetricDesc kErrorsTotal{"hostwatch_check_targets_file_errors_total",
                              "Problems with a targets_files file (unreadable, malformed, a target that does not suit "
                              "the module), counted once per change of the file; it keeps its previous targets.",
                              MetricType::Counter,
                              {"file"}};
const MetricDesc kTargets{"hostwatch_check_targets_file_targets",
                          "Targets a targets_files file gives now (from its last good read).", MetricType::Gauge,
                          {"file"}};

std::size_t CountTargets(const std::vector<TargetGroup>& groups) {
  std::size_t n = 0;
  for (const TargetGroup& g : groups) {
    n += g.targets.size();
  }
  return n;
}

// What the last look at a file found.
struct FileState {
  FileIdentity identity;
  std::vector<TargetGroup> groups;  // of the last good read
};

}  // namespace

struct TargetsFiles::Shared {
  Shared(ChangeFn c, EventFn e) : on_change(std::move(c)), on_event(std::move(e)) {}

  const ChangeFn on_change;
  const EventFn on_event;

  std::mutex mu;  // guards everything below
  Entries entries;
  std::uint64_t generation = 0;  // bumped by Update: targets are checked again against the modules
  std::map<std::string, FileState> files;
  std::map<std::string, std::uint64_t> errors_total;
  Specs checks;

  std::uint64_t checked_generation = ~0ull;  // poll thread only: the entries the last poll checked targets against

  // Held while a callback runs; the destructor sets off under it, so none runs after.
  std::mutex callback_mu;
  bool off = false;
};

namespace {

// One poll: which files changed, their problems, and the checks they give.
class PollPass {
 public:
  PollPass(Entries entries, std::map<std::string, FileState> old, bool recheck)
      : entries_(std::move(entries)), old_(std::move(old)), recheck_(recheck) {}

  void Run() {
    for (const auto& entry : entries_) {
      for (const std::string& file : ExpandPatterns(entry->patterns, TargetsFiles::kMaxFilesPerPattern).files) {
        if (IsFileSdName(file)) {
          Look(file);
          AddTargets(*entry, file);
        }
      }
    }
  }

  std::map<std::string, FileState> files;
  std::vector<TargetsFileEvent> events;
  std::map<std::string, std::uint64_t> errors;  // new problems per file
  Specs checks;

 private:
  // Reads the file again if it changed; a bad read keeps its previous groups.
  void Look(const std::string& file) {
    if (files.count(file)) {
      return;  // another entry's pattern named it too
    }
    auto old = old_.find(file);
    Result<FileIdentity> id = StatIdentity(file);
    if (old != old_.end() && id.ok() && old->second.identity == id.value()) {
      files[file] = old->second;
      return;
    }
    FileState st = old != old_.end() ? old->second : FileState{};
    if (id.ok()) {
      st.identity = id.value();  // a bad file is reported once per change, not on every poll
    }
    read_now_.insert(file);
    Result<RegularFile> read = ProcFs().ReadRegularFile(file, TargetsFiles::kMaxFileBytes);
    if (!read.ok()) {
      Problem(file, file + ": " + read.status().message());
    } else {
      ConfigDiagnostics diag(file);
      std::vector<TargetGroup> groups = ParseFileSd(read.value().data, &diag);
      if (diag.ok()) {
        st.groups = std::move(groups);
        st.identity = read.value().identity;
        events.push_back(TargetsFileEvent{file, "", CountTargets(st.groups)});
      } else {
        Problem(file, diag.ToString());
      }
    }
    files[file] = std::move(st);
  }

  void AddTargets(const TargetsFilesEntry& entry, const std::string& file) {
    const bool report = recheck_ || read_now_.count(file);
    for (const TargetGroup& g : files[file].groups) {
      std::map<std::string, std::string> labels = entry.labels;
      for (const auto& [k, v] : g.labels) {
        labels[k] = v;
      }
      for (const std::string& target : g.targets) {
        if (std::string why = ModuleTargetProblem(*entry.parsed, target); !why.empty()) {
          if (report) {
            Problem(file, file + ": target for module " + entry.module + ": " + why);
          }
          continue;
        }
        if (seen_.insert(CheckKey{entry.module, target}).second) {
          checks.push_back(ModuleCheckSpec(entry.module, *entry.parsed, target, entry.interval, labels));
        }
      }
    }
  }

  void Problem(const std::string& file, std::string why) {
    ++errors[file];
    events.push_back(TargetsFileEvent{file, std::move(why), 0});
  }

  const Entries entries_;
  const std::map<std::string, FileState> old_;
  const bool recheck_;
  std::set<std::string> read_now_;
  std::set<CheckKey> seen_;
};

bool SameChecks(const Specs& a, const Specs& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (KeyOf(*a[i]) != KeyOf(*b[i]) || a[i]->fingerprint != b[i]->fingerprint) {
      return false;
    }
  }
  return true;
}

}  // namespace

void TargetsFiles::Poll(Shared& s) {
  Entries entries;
  std::map<std::string, FileState> old;
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    entries = s.entries;
    old = s.files;
    generation = s.generation;
  }
  PollPass pass(entries, std::move(old), generation != s.checked_generation);
  pass.Run();
  s.checked_generation = generation;
  std::sort(pass.checks.begin(), pass.checks.end(),
            [](const auto& a, const auto& b) { return KeyOf(*a) < KeyOf(*b); });
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.generation != generation) {
      return;  // an Update came meanwhile: its own poll follows
    }
    for (const auto& [file, n] : pass.errors) {
      s.errors_total[file] += n;
    }
    s.files = std::move(pass.files);
    changed = !SameChecks(s.checks, pass.checks);
    if (changed) {
      s.checks = std::move(pass.checks);
    }
  }
  std::lock_guard<std::mutex> lock(s.callback_mu);
  if (s.off) {
    return;
  }
  for (const TargetsFileEvent& e : pass.events) {
    if (s.on_event) {
      s.on_event(e);
    }
  }
  if (changed && s.on_change) {
    s.on_change();
  }
}

TargetsFiles::TargetsFiles(ChangeFn on_change, EventFn on_event, std::chrono::milliseconds period)
    : shared_(std::make_shared<Shared>(std::move(on_change), std::move(on_event))),
      period_(period),
      refresh_([s = shared_] { Poll(*s); }) {}

TargetsFiles::~TargetsFiles() {
  {
    std::lock_guard<std::mutex> lock(tick_mu_);
    stop_ = true;
  }
  tick_cv_.notify_all();
  if (ticker_.joinable()) {
    ticker_.join();
  }
  // A poll blocked in the kernel outlives us (refresh_ detaches it); our caller's callbacks may not.
  std::lock_guard<std::mutex> lock(shared_->callback_mu);
  shared_->off = true;
}

void TargetsFiles::Update(Entries entries) {
  const bool any = !entries.empty();
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->entries = std::move(entries);
    ++shared_->generation;
    if (!any) {
      shared_->files.clear();
      shared_->checks.clear();
    }
  }
  if (!any) {
    return;  // the ticker's polls find nothing to do
  }
  refresh_.Start();
  {
    std::lock_guard<std::mutex> lock(tick_mu_);
    if (!ticker_.joinable()) {
      ticker_ = std::thread([this] { Tick(); });
    }
  }
  refresh_.RequestAndWait(std::chrono::seconds(1));
}

void TargetsFiles::Tick() {
  std::unique_lock<std::mutex> lock(tick_mu_);
  while (!tick_cv_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    refresh_.RequestAndWait(period_);  // returns at once while a poll is stuck
    lock.lock();
  }
}

std::vector<std::shared_ptr<const CheckSpec>> TargetsFiles::Checks() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->checks;
}

void TargetsFiles::Collect(MetricSink& sink) const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  for (const auto& [file, st] : shared_->files) {
    sink.Add(kTargets, static_cast<double>(CountTargets(st.groups)), {file});
  }
  for (const auto& [file, n] : shared_->errors_total) {
    sink.Add(kErrorsTotal, static_cast<double>(n), {file});
  }
}

HttpChecksConfig WithFileChecks(HttpChecksConfig base, const std::vector<std::shared_ptr<const CheckSpec>>& files) {
  std::set<CheckKey> scheduled;
  for (const auto& spec : base.module_checks) {
    scheduled.insert(KeyOf(*spec));
  }
  for (const auto& spec : files) {
    if (!scheduled.count(KeyOf(*spec))) {
      base.module_checks.push_back(spec);
    }
  }
  return base;
}

}  // namespace hostwatch
