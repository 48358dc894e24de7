// Agent: wires flags, configuration, collectors and the HTTP server together,
// and owns the reload path. The running configuration is an immutable
// snapshot (scraper + config) swapped under a mutex, so a scrape always sees
// one whole configuration, never half of two. The threads behind the scrapers
// are not part of a snapshot: they, and whatever hangs them, carry over.
//
// /metrics is: limit (RequestLimiter), gather (one MetricSink, every source in
// order: the snapshot's scraper, then sources_, then the textfiles' families
// that the agent does not produce itself: ForeignFamilyFilter), serialize. The status page (/)
// is limited the same way and reads only what scrapes and checks already know:
// the scraper's last run per collector, the host summary recorded from the last
// /metrics scrape, the checks' summaries.
//
// Configure/Serve/Reload/Stop are called from the main thread (Reload also from
// /-/reload); HTTP handlers run on CivetWeb's workers.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/check_probe_backend.h"
#include "agent/flags.h"
#include "agent/foreign_family_filter.h"
#include "agent/host_summary.h"
#include "agent/reload_state.h"
#include "agent/remote_write/remote_writer.h"
#include "agent/request_limiter.h"
#include "agent/runtime_config.h"
#include "agent/scraper.h"
#include "agent/self_metrics.h"
#include "agent/web/http_server.h"
#include "agent/web/probe_handler.h"
#include "agent/web/web_security.h"
#include "collectors/checks/http_checker.h"
#include "collectors/checks/file_sd/targets_files.h"
#include "collectors/checks/x509/x509_file_watcher.h"
#include "collectors/core/metric_source.h"
#include "collectors/core/proc_fs.h"

namespace hostwatch {

class Agent {
 public:
  explicit Agent(AgentFlags flags);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  Agent(Agent&&) = delete;
  Agent& operator=(Agent&&) = delete;

  // Loads the configuration and the web config file, builds the collectors (exit 2 on error).
  Status Configure();
  // Binds the listeners and starts serving (exit 1 on error).
  Status Serve();
  // Re-reads the configuration and the web config file; on error the running ones stay.
  Status Reload();
  void Stop();

  // "127.0.0.1:9555"-style addresses actually bound.
  std::vector<std::string> BoundAddresses() const;

 private:
  // One consistent configuration and the objects built from it.
  struct Snapshot {
    RuntimeConfig config;
    std::shared_ptr<Scraper> scraper;
    // Textfile families go in last, minus the agent's own; it learns what
    // this configuration produces.
    std::unique_ptr<ForeignFamilyFilter> foreign_filter = std::make_unique<ForeignFamilyFilter>();
  };
  Result<std::shared_ptr<const Snapshot>> Build() const;
  std::shared_ptr<const Snapshot> Current() const;
  void StartChecker();
  // Hands the checker the current configuration's checks plus those of the targets_files now.
  void PushChecks();
  HttpServerOptions ServerOptions() const;

  // One gather of everything /metrics serves (the snapshot's scraper, sources_, foreign textfile
  // families), unserialized: /metrics writes it as text, remote_write pushes it.
  std::vector<prometheus::MetricFamily> Gather() const;
  HttpResponse HandleMetrics(const HttpRequest& req);
  HttpResponse HandleLanding(const HttpRequest& req);
  HttpResponse HandleReload(const HttpRequest& req);

  const AgentFlags flags_;
  // Collectors keep a reference to this. A collector hung in the kernel (open() on a dead NFS
  // mount or a FIFO) keeps its pool thread, and that reference, after the Agent is destroyed at
  // shutdown, so the object lives for the whole process (see KeepForever in agent.cpp).
  const ProcFs& fs_;
  SelfMetrics self_metrics_;
  std::unique_ptr<WebSecurity> security_;  // set by Configure(); outlives server_'s use of it (Stop first)
  HttpServer server_;
  ReloadState reload_state_;
  RequestLimiter limiter_;            // /metrics and the status page share --web.max-requests
  HostSummaryRecorder host_summary_;  // from the last /metrics scrape, for the status page

  // The threads that run collectors and statfs calls, and what they are hung on: shared by every
  // snapshot, so a reload while a collector or a mount hangs pins no new thread on it.
  const std::shared_ptr<ScrapeThreads> scrape_threads_;

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // Guarded by snapshot_mu_.

  std::mutex reload_mu_;  // serializes reloads (SIGHUP and /-/reload)
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  // HTTP checks: long-lived across reloads (Update keeps unchanged checks'
  // state). Created in Serve() so --config.check never probes; null before.
  std::unique_ptr<HttpChecker> checker_;
  // /probe, answered from checker_; created with it.
  std::unique_ptr<CheckProbeBackend> probe_backend_;
  std::unique_ptr<ProbeHandler> probe_handler_;

  // x509_files: long-lived across reloads (Update keeps the parsed state of unchanged files).
  X509FileWatcher x509_files_;

  // targets_files: of checks: entries; polled from Serve() on. Declared after checker_, so it is
  // destroyed (and calls back no more) first.
  TargetsFiles targets_files_;
  std::mutex push_mu_;  // serializes PushChecks

  // remote_write (agent/remote_write/remote_writer.h): created by Serve() with the checker, whose
  // multi handle carries its requests; declared after checker_, so it is destroyed first.
  std::unique_ptr<remote_write::RemoteWriter> remote_writer_;

  // Asked after the snapshot's scraper, in this order. Filled by Serve() before
  // the server starts, fixed afterwards. Not owned: members of this Agent.
  std::vector<const MetricSource*> sources_;
};

}  // namespace hostwatch
