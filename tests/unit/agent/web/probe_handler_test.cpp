#include "agent/web/probe_handler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

using namespace std::chrono_literals;

// A backend with one check "home" (own URL http://h/) whose answers the tests set.
class FakeBackend : public ProbeBackend {
 public:
  std::optional<ScheduledProbe> Scheduled(const std::string& module, const std::string& /*target*/,
                                          bool debug) const override {
    last_debug = debug;
    if (module != "home") {
      return std::nullopt;
    }
    return scheduled;
  }
  AdHocAdmission AdHoc(const std::string& /*module*/, const std::string& target, const std::string& hostname,
                       std::optional<double> scrape_timeout_seconds, bool debug) const override {
    ++ad_hoc_calls;
    last_debug = debug;
    last_target = target;
    last_hostname = hostname;
    last_timeout = scrape_timeout_seconds;
    AdHocAdmission a = admission;
    a.run = [this] {
      std::unique_lock<std::mutex> lock(mu);
      ++running;
      changed.notify_all();
      changed.wait(lock, [this] { return !hold; });
      --running;
      return ProbeReport{"probe_success 1\n", {"t=0 line"}, "name: home\n"};
    };
    return a;
  }

  ScheduledProbe scheduled{{"http://h/", "http://u:xxxxx@h/"}, std::nullopt, {}, ""};
  AdHocAdmission admission{ProbeRefusal::kNone, "", 1, nullptr};
  mutable int ad_hoc_calls = 0;
  mutable std::string last_target;
  mutable std::string last_hostname;
  mutable std::optional<double> last_timeout;
  mutable std::optional<bool> last_debug;  // what the handler asked for last
  // The ad-hoc run blocks while hold is true.
  mutable std::mutex mu;
  mutable std::condition_variable changed;
  mutable bool hold = false;
  mutable int running = 0;
};

TEST(ProbeHandlerTest, BadRequestsAre400WithTheParserMessage) {
  FakeBackend backend;
  ProbeHandler handler(backend);
  HttpResponse r = handler.Handle("target=x", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "module parameter is required: /probe?module=<check name>\n");
  EXPECT_EQ(handler.Handle("module=home", "5s").status, 400);
}

TEST(ProbeHandlerTest, UnknownModuleIs400) {
  FakeBackend backend;
  ProbeHandler handler(backend);
  HttpResponse r = handler.Handle("module=nope", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Unknown module \"nope\"\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
}

TEST(ProbeHandlerTest, OwnTargetBeforeTheFirstRunIs503) {
  FakeBackend backend;
  ProbeHandler handler(backend);
  HttpResponse r = handler.Handle("module=home", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "Check \"home\" has not completed a run yet\n");
  backend.scheduled.unavailable_reason = "libcurl.so.4: not found";
  EXPECT_EQ(handler.Handle("module=home&target=http%3A%2F%2Fh%2F", "").body,
            "Check \"home\" cannot run: libcurl.so.4: not found\n");
  EXPECT_EQ(backend.ad_hoc_calls, 0);
}

TEST(ProbeHandlerTest, OwnTargetInEitherSpellingServesTheLastRun) {
  FakeBackend backend;
  backend.scheduled.last = ProbeReport{"probe_success 1\n", {"t=0.000000 msg=\"Beginning probe\""}, "name: home\n"};
  backend.scheduled.history = {{1.5, true, "none", 0.25, 200}, {2.5, false, "timeout", 1, 0}};
  ProbeHandler handler(backend);
  for (const char* query :
       {"module=home", "module=home&target=http%3A%2F%2Fh%2F", "module=home&target=http%3A%2F%2Fu%3Axxxxx%40h%2F"}) {
    HttpResponse r = handler.Handle(query, "");
    EXPECT_EQ(r.status, 200) << query;
    EXPECT_EQ(r.content_type, kTextContentType) << query;
    EXPECT_EQ(r.body, "probe_success 1\n") << query;
    EXPECT_TRUE(r.allow_gzip);
    EXPECT_EQ(backend.last_debug, false) << query << ": a plain /probe asks for no debug material";
  }
  EXPECT_EQ(backend.ad_hoc_calls, 0);
  HttpResponse debug = handler.Handle("module=home&debug=true", "");
  EXPECT_EQ(backend.last_debug, true);
  EXPECT_EQ(debug.status, 200);
  EXPECT_EQ(debug.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(debug.body,
            "Logs for the probe:\nt=0.000000 msg=\"Beginning probe\"\n"
            "\n\n\nMetrics that would have been returned:\nprobe_success 1\n"
            "\n\n\nModule configuration:\nname: home\n"
            "\n\n\nRecent runs (oldest first):\n"
            "start=1.500 success=1 reason=none duration_seconds=0.250000 status_code=200\n"
            "start=2.500 success=0 reason=timeout duration_seconds=1.000000 status_code=0\n");
}

TEST(ProbeHandlerTest, RefusalsMapToStatusCodes) {
  FakeBackend backend;
  ProbeHandler handler(backend);
  const char* query = "module=home&target=http%3A%2F%2Fother%2F";
  backend.admission.refusal = ProbeRefusal::kDisabled;
  HttpResponse r = handler.Handle(query, "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "Probing arbitrary targets is not enabled: /probe?module=home serves the configured check's own target "
            "only (see http_checks.probe_targets)\n");
  backend.admission = {ProbeRefusal::kBadTarget, "Invalid target \"x\": no host", 1, nullptr};
  r = handler.Handle(query, "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Invalid target \"x\": no host\n");
  backend.admission = {ProbeRefusal::kForbidden, "host other is not in allowed_targets", 1, nullptr};
  r = handler.Handle(query, "");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "Target refused: host other is not in allowed_targets\n");
  backend.admission = {ProbeRefusal::kUnknownModule, "", 1, nullptr};  // removed by a reload meanwhile
  EXPECT_EQ(handler.Handle(query, "").status, 400);
  EXPECT_EQ(backend.running, 0);
}

TEST(ProbeHandlerTest, AdHocProbeRunsWithTheScrapeTimeout) {
  FakeBackend backend;
  ProbeHandler handler(backend);
  HttpResponse r = handler.Handle("module=home&target=other%3A8080", "4.5");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kTextContentType);
  EXPECT_EQ(r.body, "probe_success 1\n");
  EXPECT_EQ(backend.last_target, "other:8080");
  EXPECT_EQ(backend.last_timeout, 4.5);
  EXPECT_EQ(backend.last_debug, false);
  r = handler.Handle("module=home&target=other&debug=true", "");
  EXPECT_EQ(backend.last_debug, true);
  EXPECT_EQ(r.body,
            "Logs for the probe:\nt=0 line\n\n\n\nMetrics that would have been returned:\nprobe_success 1\n"
            "\n\n\nModule configuration:\nname: home\n");  // no history: the run is not the check's
}

// blackbox's hostname parameter changes the request (Host, TLS name), so the
// schedule's result cannot answer it: always a probe run now.
TEST(ProbeHandlerTest, HostnameMakesEvenTheOwnTargetAnAdHocProbe) {
  FakeBackend backend;
  backend.scheduled.last = ProbeReport{"probe_success 0\n", {}, ""};
  ProbeHandler handler(backend);
  EXPECT_EQ(handler.Handle("module=home&target=http%3A%2F%2Fh%2F", "").body, "probe_success 0\n");
  EXPECT_EQ(backend.ad_hoc_calls, 0);
  HttpResponse r = handler.Handle("module=home&target=http%3A%2F%2Fh%2F&hostname=vhost.example", "");
  EXPECT_EQ(r.body, "probe_success 1\n");
  EXPECT_EQ(backend.last_target, "http://h/");
  EXPECT_EQ(backend.last_hostname, "vhost.example");
  handler.Handle("module=home&hostname=vhost.example", "");  // no target: the check's own URL
  EXPECT_EQ(backend.ad_hoc_calls, 2);
  EXPECT_EQ(backend.last_target, "http://u:xxxxx@h/");
  handler.Handle("module=home&target=other", "");
  EXPECT_EQ(backend.last_hostname, "");
  backend.admission = {ProbeRefusal::kDisabled, "", 1, nullptr};
  r = handler.Handle("module=home&hostname=vhost.example", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("a hostname parameter makes any probe ad-hoc"), std::string::npos) << r.body;
}

TEST(ProbeHandlerTest, AdHocProbesBeyondMaxConcurrentAre503AndTheSlotIsGivenBack) {
  FakeBackend backend;
  backend.admission.max_concurrent = 1;
  backend.hold = true;
  ProbeHandler handler(backend);
  const char* query = "module=home&target=other";
  HttpResponse first;
  std::thread t([&] { first = handler.Handle(query, ""); });
  {
    std::unique_lock<std::mutex> lock(backend.mu);
    ASSERT_TRUE(backend.changed.wait_for(lock, 5s, [&] { return backend.running == 1; }));
  }
  HttpResponse busy = handler.Handle(query, "");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.body, "Too many concurrent ad-hoc probes (probe_targets.max_concurrent = 1); try again later\n");
  {
    std::lock_guard<std::mutex> lock(backend.mu);
    backend.hold = false;
  }
  backend.changed.notify_all();
  t.join();
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(handler.Handle(query, "").status, 200);  // both slots were given back (the refused one too)
}

}  // namespace
}  // namespace hostwatch
