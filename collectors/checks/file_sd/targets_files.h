// TargetsFiles: the `targets_files:` of `checks:` entries (module_checks.h),
// Prometheus file_sd files (file_sd.h), turned into scheduled checks and kept
// up to date without a reload: every poll period the patterns are expanded
// (glob(3)) and each file statted; a file is read and parsed again only when
// its identity (device, inode, size, mtime) changed. Each target of a file
// becomes the check (module, target) with the entry's labels plus the file's
// target group labels (the file's win; "__" labels are dropped).
//
// A file that cannot be read or parsed, or a target that does not suit the
// module's prober (tcp: host:port; http: a URL), is never fatal: the file keeps
// its previous targets (none if it never parsed), the problem is counted in
// hostwatch_check_targets_file_errors_total{file} and reported once per change
// of the file through the event callback (file:line:column: key: reason).
// Files not named *.json, *.yml or *.yaml are skipped, as Prometheus does. A
// (module, target) listed twice is scheduled once (the first file in name
// order wins); the agent gives a static `targets:` entry precedence.
//
// Polls run on a BackgroundRefresh thread (x509/background_refresh.h), so a
// file on a hung mount blocks only that thread, never the scheduler, a scrape
// or shutdown; a small ticker thread asks for a poll every period. Bounded:
// at most kMaxFilesPerPattern files per pattern, kMaxFileBytes per file.
//
// Thread-safe. Callbacks run on the poll thread, never after destruction.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/module_checks.h"
#include "collectors/checks/x509/background_refresh.h"
#include "collectors/core/metric_source.h"

namespace hostwatch {

// A file was read (error empty) or has a problem now.
struct TargetsFileEvent {
  std::string file;
  std::string error;  // "file:line:column: key: reason" lines; "" after a good read
  std::size_t targets = 0;
};

class TargetsFiles : public MetricSource {
 public:
  static constexpr std::chrono::milliseconds kPollPeriod{5000};
  static constexpr std::size_t kMaxFilesPerPattern = 1000;
  static constexpr std::size_t kMaxFileBytes = 16u << 20;

  using ChangeFn = std::function<void()>;  // Checks() changed
  using EventFn = std::function<void(const TargetsFileEvent&)>;

  TargetsFiles(ChangeFn on_change, EventFn on_event, std::chrono::milliseconds period = kPollPeriod);
  ~TargetsFiles() override;
  TargetsFiles(const TargetsFiles&) = delete;
  TargetsFiles& operator=(const TargetsFiles&) = delete;
  TargetsFiles(TargetsFiles&&) = delete;
  TargetsFiles& operator=(TargetsFiles&&) = delete;

  // The entries of a (re)loaded configuration. Polls at once and waits up to
  // a second for it, so a reload's checks include the files' targets.
  void Update(std::vector<std::shared_ptr<const TargetsFilesEntry>> entries);

  // The checks the files give now, sorted by (module, target).
  std::vector<std::shared_ptr<const CheckSpec>> Checks() const;

  // hostwatch_check_targets_file_errors_total{file}, hostwatch_check_targets_file_targets{file}.
  void Collect(MetricSink& sink) const override;

 private:
  struct Shared;
  static void Poll(Shared& s);
  void Tick();

  const std::shared_ptr<Shared> shared_;
  const std::chrono::milliseconds period_;
  BackgroundRefresh refresh_;

  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool stop_ = false;    // Guarded by tick_mu_.
  std::thread ticker_;   // started by the first Update with entries
};

// base with the file checks added, except those whose (module, target) base already schedules.
HttpChecksConfig WithFileChecks(HttpChecksConfig base, const std::vector<std::shared_ptr<const CheckSpec>>& files);

}  // namespace hostwatch
