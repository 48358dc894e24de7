#include "collectors/checks/http_checker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "collectors/core/metric_sink.h"
#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

using namespace std::chrono_literals;

// A real HTTP/1.0 server on 127.0.0.1 (thread per connection) that answers
// every request after `delay` and records the most connections it saw at once.
class TestServer {
 public:
  explicit TestServer(std::chrono::milliseconds delay) : delay_(delay) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 64);
    thread_ = std::thread([this] { Accept(); });
  }
  ~TestServer() {
    stop_ = true;
    thread_.join();
    for (auto& t : workers_) {
      t.join();
    }
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  int max_concurrent() const { return max_concurrent_; }
  int requests() const { return requests_; }

 private:
  void Accept() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) {
        continue;
      }
      int c = accept(fd_, nullptr, nullptr);
      if (c >= 0) {
        workers_.emplace_back([this, c] { Serve(c); });
      }
    }
  }
  void Serve(int c) {
    CountInFlight(c);
    char buf[4096];
    std::string req;
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(c, buf, sizeof(buf));
      if (n <= 0) {
        break;
      }
      req.append(buf, static_cast<size_t>(n));
    }
    // Waits out the delay, or less when the client hangs up first (a run that timed out): the
    // concurrency counted is that of runs the checker has in flight, and a loaded machine can
    // make a run time out while this thread still sleeps.
    pollfd hangup{c, POLLRDHUP, 0};
    if (poll(&hangup, 1, static_cast<int>(delay_.count())) == 0) {
      ++requests_;
      static const std::string kResponse = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
      ssize_t w = send(c, kResponse.data(), kResponse.size(), MSG_NOSIGNAL);  // the client may have timed out
      (void)w;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_.erase(c);
    }
    close(c);
  }

  // Counts c and the connections still open from the client's side: one whose client hung up (a
  // run that timed out) is not in flight even when its thread has not yet been scheduled to
  // notice, which on a loaded machine can be after the checker's next run connected.
  void CountInFlight(int c) {
    std::lock_guard<std::mutex> lock(mu_);
    int live = 1;
    for (int other : open_) {
      pollfd p{other, POLLRDHUP, 0};
      live += poll(&p, 1, 0) == 0 ? 1 : 0;
    }
    open_.insert(c);
    max_concurrent_ = std::max(max_concurrent_.load(), live);
  }

  std::chrono::milliseconds delay_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::set<int> open_;  // Guarded by mu_: connections being served.
  std::atomic<int> max_concurrent_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

HttpChecksConfig ConfigFrom(const std::string& yaml) {
  ConfigDiagnostics diag("t.yml");
  HttpChecksConfig c = ParseHttpChecksConfig(YAML::Load(yaml)["http_checks"], &diag);
  EXPECT_TRUE(diag.ok()) << diag.ToString();
  return c;
}

std::string Exposition(const HttpChecker& checker) {
  MetricSink sink;
  checker.Collect(sink);
  return SerializeText(sink.TakeFamilies());
}

// Value of the exact series line "name{labels} value", or -1 when absent.
double Sample(const std::string& text, const std::string& series) {
  std::size_t pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) {
    return -1;
  }
  return std::stod(text.substr(pos + series.size() + 2));
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = 5s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TEST(HttpCheckerTest, OffsetIsStableAndWithinInterval) {
  EXPECT_EQ(CheckOffset("homepage", 60s), CheckOffset("homepage", 60s));
  EXPECT_LT(CheckOffset("homepage", 60s), 60s);
  EXPECT_NE(CheckOffset("homepage", 60s), CheckOffset("api", 60s));
}

TEST(HttpCheckerTest, NoSeriesBeforeFirstRunThenResults) {
  // The server answers after 500 ms, so the first run cannot have completed
  // when the checker is first looked at, right after it starts.
  TestServer server(500ms);
  HttpChecker checker(ConfigFrom("http_checks:\n  checks:\n    - {name: a, url: '" + server.url() +
                                 "', interval: 1s, timeout: 900ms}\n"));
  const std::string labels = "{check=\"a\",target=\"" + server.url() + "\"}";
  std::string before = Exposition(checker);
  EXPECT_EQ(before.find("probe_success"), std::string::npos) << before;
  EXPECT_EQ(before.find("check=\"a\""), std::string::npos) << before;  // no series of the check at all
  ASSERT_EQ(checker.CompletedRunsForTest(), 0u);  // so `before` was taken before the first run ended
  EXPECT_GE(Sample(before, "hostwatch_checks_in_flight"), 0) << before;  // the scheduler's own series are there
  std::optional<CheckResultView> view = checker.LastResult("a", /*with_history=*/true);
  ASSERT_TRUE(view.has_value());
  EXPECT_FALSE(view->last.has_value());
  EXPECT_TRUE(view->history.empty());
  EXPECT_FALSE(checker.LastResult("nope", false).has_value());

  ASSERT_TRUE(WaitFor([&] { return checker.CompletedRunsForTest() >= 1; }, 4s));
  std::string after = Exposition(checker);
  checker.Stop();
  EXPECT_EQ(Sample(after, "probe_success" + labels), 1) << after;
  EXPECT_EQ(Sample(after, "probe_http_status_code" + labels), 200) << after;
  EXPECT_EQ(Sample(after, "probe_http_content_length" + labels), 5) << after;
  EXPECT_GE(Sample(after, "probe_duration_seconds" + labels), 0.4) << after;
  EXPECT_GE(Sample(after, "probe_all_success_count" + labels), 1) << after;
  EXPECT_EQ(Sample(after, "hostwatch_check_consecutive_failures{check=\"a\"}"), 0) << after;
  view = checker.LastResult("a", /*with_history=*/true);
  ASSERT_TRUE(view.has_value() && view->last.has_value());
  EXPECT_TRUE(view->last->success);
  ASSERT_FALSE(view->history.empty());
  EXPECT_EQ(view->history.back().status_code, 200);
  EXPECT_TRUE(checker.LastResult("a", /*with_history=*/false)->history.empty());
}

TEST(HttpCheckerTest, UpdateKeepsUnchangedChecksAndDropsRemovedOnes) {
  TestServer server(0ms);
  const std::string a = "    - {name: a, url: '" + server.url() + "', interval: 200ms, timeout: 100ms}\n";
  const std::string b = "    - {name: b, url: '" + server.url() + "', interval: 200ms, timeout: 100ms}\n";
  HttpChecker checker(ConfigFrom("http_checks:\n  checks:\n" + a));
  const std::string count_a = "probe_all_success_count{check=\"a\",target=\"" + server.url() + "\"}";
  ASSERT_TRUE(WaitFor([&] { return Sample(Exposition(checker), count_a) >= 2; })) << Exposition(checker);
  double before = Sample(Exposition(checker), count_a);

  checker.Update(ConfigFrom("http_checks:\n  checks:\n" + a + b));
  const std::string count_b = "probe_all_success_count{check=\"b\",target=\"" + server.url() + "\"}";
  ASSERT_TRUE(WaitFor([&] { return Sample(Exposition(checker), count_b) >= 1; }));
  // a kept its counters across the reload (a counter reset would drop below `before`).
  EXPECT_GE(Sample(Exposition(checker), count_a), before);
  EXPECT_EQ(Sample(Exposition(checker), "probe_success{check=\"a\",target=\"" + server.url() + "\"}"), 1);

  checker.Update(ConfigFrom("http_checks:\n  checks:\n" + b));
  ASSERT_TRUE(WaitFor([&] { return Sample(Exposition(checker), count_a) < 0; }));
  std::string text = Exposition(checker);
  EXPECT_EQ(text.find("check=\"a\""), std::string::npos) << text;
  EXPECT_FALSE(checker.LastResult("a", false).has_value());
  std::optional<CheckResultView> b_view = checker.LastResult("b", true);
  ASSERT_TRUE(b_view.has_value());
  EXPECT_TRUE(b_view->last.has_value());
  EXPECT_EQ(b_view->config->url, server.url());
  // probe_targets is off: no caller-chosen target is probed.
  EXPECT_EQ(checker.PlanAdHoc("b", "http://169.254.169.254/", "", std::nullopt).refusal, AdHocRefusal::kDisabled);
  EXPECT_EQ(checker.PlanAdHoc("a", "http://169.254.169.254/", "", std::nullopt).refusal, AdHocRefusal::kUnknownCheck);
  checker.Stop();
  checker.Stop();  // idempotent
}

TEST(HttpCheckerTest, PlanAdHocRefusesOrPreparesTheModuleForTheTarget) {
  HttpChecker checker(ConfigFrom(R"(
http_checks:
  probe_targets:
    enabled: true
    allowed_targets: ["*.example.org", "127.0.0.1/32"]
    max_concurrent: 2
    timeout_offset: 500ms
  checks:
    - {name: a, url: 'http://127.0.0.1:1/', interval: 1h, timeout: 5s}
    - {name: p, url: 'http://127.0.0.1:1/', interval: 1h, timeout: 5s, proxy_url: 'http://127.0.0.1:3128/'}
)"));
  AdHocPlan ok = checker.PlanAdHoc("a", "www.example.org/x", "", 2.5);
  ASSERT_EQ(ok.refusal, AdHocRefusal::kNone) << ok.detail;
  EXPECT_EQ(ok.module->name, "a");
  EXPECT_EQ(ok.module->url, "http://www.example.org/x");  // no scheme: http://
  EXPECT_EQ(ok.module->timeout, 2000ms);                  // the scrape's 2.5 s minus the 500 ms offset
  EXPECT_EQ(ok.settings->max_concurrent, 2);
  EXPECT_EQ(ok.module_url, "http://127.0.0.1:1/");  // where the module's credentials may go over http
  EXPECT_EQ(checker.LastResult("a", false)->config->url, "http://127.0.0.1:1/");  // the check itself is unchanged
  EXPECT_EQ(checker.PlanAdHoc("a", "www.example.org", "", std::nullopt).module->timeout, 5s);

  AdHocPlan forbidden = checker.PlanAdHoc("a", "http://10.1.2.3/", "", std::nullopt);
  EXPECT_EQ(forbidden.refusal, AdHocRefusal::kForbidden);
  EXPECT_FALSE(forbidden.detail.empty());
  EXPECT_EQ(forbidden.module, nullptr);
  AdHocPlan proxy = checker.PlanAdHoc("p", "http://www.example.org/", "", std::nullopt);
  EXPECT_EQ(proxy.refusal, AdHocRefusal::kBadTarget);
  EXPECT_EQ(proxy.detail, "Module \"p\" uses proxy_url; ad-hoc targets cannot be probed through a proxy");
  AdHocPlan bad = checker.PlanAdHoc("a", "http://u:secret@[::1/", "", std::nullopt);
  EXPECT_EQ(bad.refusal, AdHocRefusal::kBadTarget);
  EXPECT_EQ(bad.detail.rfind("Invalid target \"http://u:xxxxx@", 0), 0u) << bad.detail;
  AdHocPlan bad_query = checker.PlanAdHoc("a", "http://[::1/?token=abc", "", std::nullopt);
  EXPECT_EQ(bad_query.detail.rfind("Invalid target \"http://[::1/?token=xxxxx\"", 0), 0u) << bad_query.detail;
  EXPECT_EQ(checker.PlanAdHoc("zz", "http://www.example.org/", "", std::nullopt).refusal, AdHocRefusal::kUnknownCheck);
}

// blackbox's hostname parameter: the Host header, and the TLS name unless the module has one.
TEST(HttpCheckerTest, PlanAdHocAppliesHostnameAsHostAndServerName) {
  HttpChecker checker(ConfigFrom(R"(
http_checks:
  probe_targets: {enabled: true, allowed_targets: ["127.0.0.1/32"]}
  checks:
    - {name: a, url: 'http://127.0.0.1:1/', interval: 1h}
    - {name: named, url: 'https://127.0.0.1:1/', interval: 1h, tls: {server_name: fixed.example}}
    - {name: hosted, url: 'http://127.0.0.1:1/', interval: 1h, headers: {host: vhost.example}}
)"));
  AdHocPlan plain = checker.PlanAdHoc("a", "https://127.0.0.1:8443/", "", std::nullopt);
  ASSERT_EQ(plain.refusal, AdHocRefusal::kNone) << plain.detail;
  EXPECT_EQ(plain.host_header, "");
  EXPECT_EQ(plain.module->tls.server_name, "");

  AdHocPlan ok = checker.PlanAdHoc("a", "https://127.0.0.1:8443/", "API.example.org:8443", std::nullopt);
  ASSERT_EQ(ok.refusal, AdHocRefusal::kNone) << ok.detail;
  EXPECT_EQ(ok.host_header, "API.example.org:8443");         // sent as given
  EXPECT_EQ(ok.module->tls.server_name, "api.example.org");  // the host part names the TLS server
  EXPECT_EQ(ok.module->url, "https://127.0.0.1:8443/");      // where the probe connects is unchanged
  EXPECT_EQ(checker.LastResult("a", false)->config->tls.server_name, "");  // the check itself is unchanged

  AdHocPlan named = checker.PlanAdHoc("named", "https://127.0.0.1:8443/", "api.example.org", std::nullopt);
  ASSERT_EQ(named.refusal, AdHocRefusal::kNone) << named.detail;
  EXPECT_EQ(named.module->tls.server_name, "fixed.example");  // the module's tls.server_name wins, as in blackbox

  EXPECT_EQ(checker.PlanAdHoc("hosted", "http://127.0.0.1:2/", "vhost.example", std::nullopt).refusal,
            AdHocRefusal::kNone);
  AdHocPlan conflict = checker.PlanAdHoc("hosted", "http://127.0.0.1:2/", "other.example", std::nullopt);
  EXPECT_EQ(conflict.refusal, AdHocRefusal::kBadTarget);
  EXPECT_EQ(conflict.detail,
            "host header defined both in module configuration and with URL-parameter 'hostname' (other.example)");
  EXPECT_EQ(conflict.module, nullptr);

  for (const char* bad : {"a b.example", "evil.example\r\nX-Injected: 1", "user@host.example", "host/path", "h%41",
                          "bücher.example", "host.example:99999", ":80"}) {
    AdHocPlan refused = checker.PlanAdHoc("a", "http://127.0.0.1:2/", bad, std::nullopt);
    EXPECT_EQ(refused.refusal, AdHocRefusal::kBadTarget) << bad;
    EXPECT_EQ(refused.detail.rfind("invalid hostname \"", 0), 0u) << refused.detail;
  }
}

TEST(HttpCheckerTest, ConcurrencyLimitHoldsAndDelaysAreMeasured) {
  TestServer server(150ms);
  std::string yaml = "http_checks:\n  max_concurrency: 1\n  checks:\n";
  for (const char* name : {"c1", "c2", "c3"}) {
    yaml += std::string("    - {name: ") + name + ", url: '" + server.url() + "', interval: 1s, timeout: 500ms}\n";
  }
  HttpChecker checker(ConfigFrom(yaml));
  ASSERT_TRUE(WaitFor([&] { return checker.CompletedRunsForTest() >= 3; }, 4s));
  checker.Stop();
  EXPECT_EQ(server.max_concurrent(), 1);
  std::string text = Exposition(checker);
  EXPECT_GE(Sample(text, "hostwatch_check_schedule_delay_seconds_count"), 3);
  for (const char* name : {"c1", "c2", "c3"}) {
    EXPECT_EQ(Sample(text, std::string("probe_success{check=\"") + name + "\",target=\"" + server.url() + "\"}"), 1)
        << text;
  }
}

TEST(HttpCheckerTest, RunsThatFallBehindAreSkippedAndCounted) {
  // Two checks of 200 ms each every 300 ms through one slot need 400 ms per
  // 300 ms: the backlog makes slots pass while a run is going.
  TestServer server(200ms);
  std::string yaml = "http_checks:\n  max_concurrency: 1\n  checks:\n";
  for (const char* name : {"s1", "s2"}) {
    yaml += std::string("    - {name: ") + name + ", url: '" + server.url() + "', interval: 300ms, timeout: 250ms}\n";
  }
  HttpChecker checker(ConfigFrom(yaml));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string text = Exposition(checker);
        return Sample(text, "hostwatch_check_skipped_total{check=\"s1\"}") +
                   Sample(text, "hostwatch_check_skipped_total{check=\"s2\"}") >=
               1;
      },
      4s))
      << Exposition(checker);
  checker.Stop();
  EXPECT_EQ(server.max_concurrent(), 1);
  // Skipping sheds the backlog: no run starts more than an interval late.
  std::string text = Exposition(checker);
  EXPECT_LT(Sample(text, "hostwatch_check_schedule_delay_seconds_sum") /
                Sample(text, "hostwatch_check_schedule_delay_seconds_count"),
            0.3);
}

TEST(HttpCheckerTest, TimeoutIsAFailureWithReasonAndPhasesSumToDuration) {
  TestServer server(600ms);
  HttpChecker checker(ConfigFrom("http_checks:\n  checks:\n    - {name: slow, url: '" + server.url() +
                                 "', interval: 1s, timeout: 200ms}\n"));
  ASSERT_TRUE(WaitFor([&] { return checker.CompletedRunsForTest() >= 1; }, 3s));
  std::string text = Exposition(checker);
  checker.Stop();
  const std::string labels = "{check=\"slow\",target=\"" + server.url() + "\"}";
  EXPECT_EQ(Sample(text, "probe_success" + labels), 0);
  EXPECT_EQ(Sample(text, "hostwatch_check_failures_total{check=\"slow\",reason=\"timeout\"}"), 1);
  EXPECT_EQ(Sample(text, "hostwatch_check_consecutive_failures{check=\"slow\"}"), 1);
  double total = Sample(text, "probe_duration_seconds" + labels);
  EXPECT_GE(total, 0.19);
  EXPECT_LT(total, 0.5);
  double sum = 0;
  for (const char* phase : kPhaseNames) {
    sum += Sample(text, std::string("probe_http_duration_seconds{check=\"slow\",phase=\"") + phase + "\",target=\"" +
                            server.url() + "\"}");
  }
  EXPECT_NEAR(sum, total, 1e-9);
  // The server answered nothing within the timeout: the time went to waiting for the first byte.
  EXPECT_GT(
      Sample(text, "probe_http_duration_seconds{check=\"slow\",phase=\"processing\",target=\"" + server.url() + "\"}"),
      0.15);
}

}  // namespace
}  // namespace hostwatch
