#include "agent/agent.h"

#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "agent/build_info.h"
#include "agent/logging.h"
#include "agent/status_page.h"
#include "collectors/core/metric_sink.h"
#include "collectors/core/text_format.h"
#include "collectors/registry.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// False on hosts booted with IPv6 disabled, where CivetWeb's dual-stack "+port" socket cannot be
// created; ":port" then falls back to every IPv4 address, as Go's listener does.
bool Ipv6Available() {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  close(fd);
  return true;
}

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse TooManyRequests() { return Text(503, "Too many concurrent scrape requests; try again later.\n"); }

// Returns a ProcFs that is never destroyed: hung collector threads may use it after the Agent is
// gone (ThreadSanitizer caught the Agent freeing it under such a thread at SIGTERM). One small
// object per Agent; reachable from a static, so LeakSanitizer does not report it.
const ProcFs& KeepForever(const FsRoots& roots) {
  static std::mutex mu;
  static auto* kept = new std::vector<std::unique_ptr<const ProcFs>>();
  std::lock_guard<std::mutex> lock(mu);
  kept->push_back(std::make_unique<const ProcFs>(roots));
  return *kept->back();
}

// Logs a certificate file's change once (the watcher calls this only when the
// file was read again or its problem changed, never per scrape).
void LogX509FileEvent(const X509FileEvent& e) {
  if (e.reason.empty()) {
    logging::Debug("certificate file read", {{"file", e.file}, {"certificates", static_cast<std::uint64_t>(e.certificates)}});
  } else {
    logging::Warn("certificate file problem", {{"file", e.file}, {"reason", e.reason}, {"err", e.detail}});
  }
}

// A targets_files file was read, or has a problem now (it keeps its previous targets).
void LogTargetsFileEvent(const TargetsFileEvent& e) {
  if (e.error.empty()) {
    logging::Debug("targets file read", {{"file", e.file}, {"targets", static_cast<std::uint64_t>(e.targets)}});
  } else {
    logging::LogEachLine("targets file problem, keeping its previous targets", e.error);
  }
}

}  // namespace

// One pool thread per collector that may be hung (each name at most once, across reloads: see
// scrape_threads.h) plus a few for scrapes running side by side.
constexpr std::size_t kSpareScrapeThreads = 8;

Agent::Agent(AgentFlags flags)
    : flags_(std::move(flags)),
      fs_(KeepForever(flags_.roots)),
      self_metrics_(!flags_.disable_exporter_metrics),
      limiter_(flags_.max_requests),
      scrape_threads_(std::make_shared<ScrapeThreads>(AllCollectors().size() + kSpareScrapeThreads)),
      x509_files_(LogX509FileEvent),
      targets_files_([this] { PushChecks(); }, LogTargetsFileEvent) {}

Agent::~Agent() { Stop(); }

Result<std::shared_ptr<const Agent::Snapshot>> Agent::Build() const {
  Result<RuntimeConfig> config = LoadRuntimeConfig(flags_);
  if (!config.ok()) {
    return config.status();
  }
  auto snap = std::make_shared<Snapshot>();
  snap->config = std::move(config).value();
  std::vector<Scraper::NamedCollector> collectors;
  for (const std::string& name : snap->config.enabled_collectors) {
    const CollectorSpec* spec = FindCollector(name);
    // The options object lives in the snapshot, which outlives its collectors.
    Result<CollectorPtr> c =
        spec->make(CollectorContext{fs_, snap->config.collector_options, scrape_threads_->statfs()});
    if (!c.ok()) {
      return Status::Error("collector " + name + ": " + c.status().message());
    }
    collectors.push_back({name, std::move(c).value()});
  }
  snap->scraper = std::make_shared<Scraper>(std::move(collectors), flags_.collector_timeout, scrape_threads_);
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

std::shared_ptr<const Agent::Snapshot> Agent::Current() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

Status Agent::Configure() {
  Result<std::unique_ptr<WebSecurity>> security = WebSecurity::Load(flags_.web_config_file);
  if (!security.ok()) {
    return Status::Error("--web.config.file: " + security.status().message());
  }
  security_ = std::move(security).value();
  reload_state_.SetWebSecurity(security_.get());
  Result<std::shared_ptr<const Snapshot>> snap = Build();
  if (!snap.ok()) {
    return snap.status();
  }
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = snap.value();
  x509_files_.Update(snapshot_->config.x509_files);
  reload_state_.Succeeded(WallClockSeconds());
  return Status::OK();
}

Status Agent::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  // The web config is independent of the main one: a bad web config keeps the old one
  // (and is logged by WebSecurity) without blocking the main configuration's reload.
  if (security_) {
    security_->ReloadNow();
  }
  Result<std::shared_ptr<const Snapshot>> snap = Build();
  if (!snap.ok()) {
    reload_state_.Failed();
    logging::LogEachLine("reload failed, keeping the running configuration", snap.status().message());
    return snap.status();
  }
  // The reload result is published before the snapshot: a scrape that already sees the new
  // configuration must also see hostwatch_config_last_reload_successful 1 (a test caught the
  // window in between under load).
  reload_state_.Succeeded(WallClockSeconds());
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    snapshot_ = snap.value();
  }
  if (checker_) {
    targets_files_.Update(snap.value()->config.http_checks.targets_files);
    PushChecks();
  }
  x509_files_.Update(snap.value()->config.x509_files);
  if (remote_writer_) {
    if (Status s = remote_writer_->Update(snap.value()->config.remote_write); !s.ok()) {
      logging::Warn("remote_write: keeping the running push", {{"err", s.message()}});
    }
  }
  logging::Info("configuration reloaded", {{"collectors", static_cast<std::uint64_t>(
                                                               snap.value()->config.enabled_collectors.size())}});
  return Status::OK();
}

void Agent::StartChecker() {
  // The scheduler starts now, /probe serves its cached results. A failed check
  // is a data point, not an error: logged at debug, counted in the metrics.
  checker_ =
      std::make_unique<HttpChecker>(Current()->config.http_checks, [](const std::string& check, const ProbeResult& r) {
        if (!r.success && logging::Enabled(logging::Level::kDebug)) {
          logging::Debug("check failed", {{"check", check},
                                          {"reason", FailureReasonName(r.reason)},
                                          {"err", r.error},
                                          {"duration_seconds", r.duration_seconds}});
        }
      });
  targets_files_.Update(Current()->config.http_checks.targets_files);  // calls PushChecks when it finds targets
  probe_backend_ = std::make_unique<CheckProbeBackend>(*checker_);
  probe_handler_ = std::make_unique<ProbeHandler>(*probe_backend_);
}

void Agent::PushChecks() {
  std::lock_guard<std::mutex> lock(push_mu_);
  if (checker_) {
    checker_->Update(WithFileChecks(Current()->config.http_checks, targets_files_.Checks()));
  }
}

HttpServerOptions Agent::ServerOptions() const {
  HttpServerOptions opts;
  const bool ipv6 = Ipv6Available();
  for (const std::string& addr : flags_.listen_addresses) {
    std::string entry = ListenAddressToCivet(addr).value();
    if (entry[0] == '+' && !ipv6) {
      logging::Info("IPv6 unavailable, listening on IPv4 only", {{"address", addr}});
      entry.erase(0, 1);
    }
    opts.listen.push_back(entry);
  }
  // CivetWeb gives each connection a worker thread until it closes, so the worker count is
  // how many idle or slow clients (slowloris) the endpoint absorbs before scrapes queue.
  // Workers start on demand (cmake/civetweb.cmake, patch 3) and then stay, so this is a ceiling:
  // an agent scraped by one Prometheus runs one or two; each started worker costs ~12 KiB RSS and
  // an eventfd. Scrapes beyond max_requests are answered 503 by the handler, which needs free
  // workers to do it; a few more serve health checks. With --web.max-requests=0 (no limit)
  // max_connections (at least 16) alone bounds the workers.
  opts.worker_threads = std::max(flags_.max_connections, flags_.max_requests + 4);
  opts.inherited_listen_fds = flags_.inherited_listen_fds;
  opts.security = security_.get();
  opts.allowed_hosts = AllowedHosts::Parse(flags_.allowed_hosts).value();  // checked by ParseFlags
  return opts;
}

Status Agent::Serve() {
  StartChecker();
  // The order the families were gathered in before sources existed; the writer sorts by name,
  // but families of one name (a textfile repeating one) merge in this order.
  remote_writer_ = std::make_unique<remote_write::RemoteWriter>([this] { return Gather(); }, *checker_);
  sources_ = {&self_metrics_, &server_, &reload_state_, &limiter_, checker_.get(), &x509_files_, &targets_files_,
              remote_writer_.get()};
  if (flags_.disable_exporter_metrics) {
    std::erase(sources_, &server_);  // its request counts are the exporter's own, like promhttp_*
  }
  if (Status s = remote_writer_->Update(Current()->config.remote_write); !s.ok()) {
    return s;
  }
  server_.Route(flags_.telemetry_path, {"GET"}, [this](const HttpRequest& r) { return HandleMetrics(r); });
  server_.Route("/-/healthy", {"GET"}, [](const HttpRequest&) { return Text(200, "Healthy\n"); });
  server_.Route("/-/ready", {"GET"},
                [this](const HttpRequest&) { return Current() ? Text(200, "Ready\n") : Text(503, "Not ready\n"); });
  server_.Route("/-/reload", {"POST", "PUT"}, [this](const HttpRequest& r) { return HandleReload(r); },
                RequestBody::kIgnored);
  server_.Route("/probe", {"GET"}, [this](const HttpRequest& r) { return probe_handler_->Handle(r); });
  if (flags_.telemetry_path != "/") {
    server_.Route("/", {"GET"}, [this](const HttpRequest& r) { return HandleLanding(r); });
  }
  return server_.Start(ServerOptions());
}

void Agent::Stop() {
  if (checker_) {
    checker_->AbortAdHocProbes();  // else a worker in an ad-hoc /probe holds up server_.Stop() for its timeout
  }
  server_.Stop();
  if (remote_writer_) {
    remote_writer_->Stop();  // before the checker, whose multi handle carries its requests
  }
  if (checker_) {
    checker_->Stop();
  }
}

std::vector<std::string> Agent::BoundAddresses() const {
  std::vector<std::string> out;
  std::vector<int> ports = server_.ListeningPorts();
  for (std::size_t i = 0; i < flags_.listen_addresses.size() && i < ports.size(); ++i) {
    const std::string& addr = flags_.listen_addresses[i];
    out.push_back(addr.substr(0, addr.rfind(':')) + ":" + std::to_string(ports[i]));
  }
  return out;
}

// 1 MiB of text is about 10,000 series; below that the heap is small anyway.
constexpr std::size_t kTrimAfterBodyBytes = 1 << 20;

std::vector<prometheus::MetricFamily> Agent::Gather() const {
  // One snapshot for the whole gather: a reload meanwhile does not mix two configurations.
  std::shared_ptr<const Snapshot> snap = Current();
  MetricSink sink;
  snap->scraper->Collect(sink);
  for (const MetricSource* source : sources_) {
    source->Collect(sink);
  }
  snap->foreign_filter->MergeInto(sink);
  return sink.TakeFamilies();
}

HttpResponse Agent::HandleMetrics(const HttpRequest&) {
  RequestLimiter::Ticket ticket = limiter_.Enter(RequestLimiter::Kind::kScrape);
  if (!ticket.admitted()) {
    return TooManyRequests();
  }
  std::vector<prometheus::MetricFamily> families = Gather();
  host_summary_.Record(families, WallClockSeconds());
  HttpResponse r;
  r.content_type = std::string(kTextContentType);
  r.body = SerializeText(std::move(families));
  if (r.body.size() > kTrimAfterBodyBytes) {
    // A very large scrape (tens of thousands of series) freed tens of MB of
    // series objects just now; hand those pages back to the kernel instead of
    // keeping them as resident heap until the next big scrape.
    malloc_trim(0);
  }
  r.allow_gzip = true;
  return r;
}

HttpResponse Agent::HandleReload(const HttpRequest&) {
  if (!flags_.enable_lifecycle) {
    return Text(403, "Lifecycle API is not enabled (start with --web.enable-lifecycle).\n");
  }
  Status s = Reload();
  if (!s.ok()) {
    return Text(500, "failed to reload config: " + s.message() + "\n");
  }
  return Text(200, "OK\n");
}

HttpResponse Agent::HandleLanding(const HttpRequest&) {
  // Cheap now (no scrape, no probe), but still under the same limit: a flood of
  // page views must not take the workers scrapes need.
  RequestLimiter::Ticket ticket = limiter_.Enter(RequestLimiter::Kind::kStatusPage);
  if (!ticket.admitted()) {
    return TooManyRequests();
  }
  std::shared_ptr<const Snapshot> snap = Current();
  StatusPageData d;
  d.version = kBuildVersion;
  d.revision = kBuildRevision;
  d.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  d.listen_addresses = BoundAddresses();
  d.telemetry_path = flags_.telemetry_path;
  d.config_file = snap->config.config_file;
  d.last_reload_ok = reload_state_.last_reload_ok();
  d.last_reload_success_time = reload_state_.last_reload_success_time();
  d.host = host_summary_.Last();
  d.collectors = snap->scraper->RunInfo();
  if (checker_) {
    d.checks = checker_->Summaries();
  }
  d.x509_files = x509_files_.Summaries();
  if (remote_writer_) {
    d.remote_write = remote_writer_->Statuses();
  }
  d.dashboards = {"hostwatch-host.json: host overview", "hostwatch-checks.json: synthetic checks",
                  "hostwatch-agent.json: the agent itself"};
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderStatusPage(d);
  r.allow_gzip = true;
  return r;
}

}  // namespace hostwatch
