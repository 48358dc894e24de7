// Ad-hoc /probe runs of tcp, dns, icmp and grpc modules: the host and port
// the allow-list judges, the plan, and runs against real loopback sockets
// that count what reaches them (a refused address must see nothing).
#include "collectors/checks/adhoc_module_run.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "collectors/checks/http_checker.h"
#include "tests/unit/checks/module_checks_test_util.h"

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

// A loopback socket of type (SOCK_STREAM listening, or SOCK_DGRAM) that tells whether anything reached it.
class Peer {
 public:
  explicit Peer(int type) : fd_(socket(AF_INET, type | SOCK_NONBLOCK, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), len), 0);
    if (type == SOCK_STREAM) {
      EXPECT_EQ(listen(fd_, 8), 0);
    }
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    stream_ = type == SOCK_STREAM;
  }
  ~Peer() { close(fd_); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  int port() const { return port_; }
  // True when a connection or a datagram is waiting.
  bool Reached() {
    if (stream_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c >= 0) {
        close(c);
      }
      return c >= 0;
    }
    char buf[512];
    return recv(fd_, buf, sizeof(buf), 0) >= 0;
  }

 private:
  int fd_;
  int port_ = 0;
  bool stream_ = false;
};

const CheckModule& ModuleOf(const HttpChecksConfig& c, const std::string& name) { return *c.modules.at(name); }

HttpChecksConfig Config(int allowed_port) {
  ConfigDiagnostics diag("t.yml");
  HttpChecksConfig c = testing::ParseChecksYaml(R"(
http_checks:
  probe_targets: {enabled: true, timeout_offset: 500ms,
                  allowed_targets: ["localhost", "127.0.0.1:)" + std::to_string(allowed_port) + R"("]}
modules:
  tcp4: {prober: tcp, timeout: 2s, tcp: {preferred_ip_protocol: ip4, ip_protocol_fallback: false}}
  dns4: {prober: dns, timeout: 1s, dns: {query_name: example.org, preferred_ip_protocol: ip4,
                                         ip_protocol_fallback: false}}
  icmp4: {prober: icmp, timeout: 1s, icmp: {preferred_ip_protocol: ip4, ip_protocol_fallback: false}}
  grpc4: {prober: grpc, timeout: 2s, grpc: {preferred_ip_protocol: ip4, ip_protocol_fallback: false}}
)",
                                                &diag);
  EXPECT_TRUE(diag.ok()) << diag.ToString();
  return c;
}

TEST(AdHocModuleRunTest, TargetHostIsWhatTheAllowListJudges) {
  const HttpChecksConfig c = Config(1);
  std::string why;
  std::optional<TargetHost> tcp = ModuleTargetHost(ModuleOf(c, "tcp4"), "LocalHost.:22", &why);
  ASSERT_TRUE(tcp) << why;
  EXPECT_EQ(tcp->host, "localhost");
  EXPECT_EQ(tcp->port, 22);
  EXPECT_FALSE(tcp->is_ip);
  std::optional<TargetHost> dns = ModuleTargetHost(ModuleOf(c, "dns4"), "10.0.0.1", &why);
  ASSERT_TRUE(dns) << why;
  EXPECT_EQ(dns->port, 53);
  EXPECT_TRUE(dns->is_ip);
  std::optional<TargetHost> v6 = ModuleTargetHost(ModuleOf(c, "grpc4"), "[::1]:9000", &why);
  ASSERT_TRUE(v6) << why;
  EXPECT_EQ(v6->host, "::1");
  std::optional<TargetHost> icmp = ModuleTargetHost(ModuleOf(c, "icmp4"), "127.0.0.2", &why);
  ASSERT_TRUE(icmp) << why;
  EXPECT_EQ(icmp->port, 0);  // icmp has none: only entries without a port match

  EXPECT_FALSE(ModuleTargetHost(ModuleOf(c, "tcp4"), "example.org", &why));
  EXPECT_NE(why.find("must be host:port"), std::string::npos) << why;
  EXPECT_FALSE(ModuleTargetHost(ModuleOf(c, "tcp4"), "example.org:http", &why));
  EXPECT_NE(why.find("port must be a number"), std::string::npos) << why;
  EXPECT_FALSE(ModuleTargetHost(ModuleOf(c, "icmp4"), "example.org:80", &why));
  EXPECT_FALSE(ModuleTargetHost(ModuleOf(c, "tcp4"), "b\xC3\xBC" "cher.example:80", &why));
  EXPECT_NE(why.find("ASCII"), std::string::npos) << why;
}

TEST(AdHocModuleRunTest, PlanJudgesTheTargetAndLowersTheTimeout) {
  HttpChecker checker(Config(1));
  AdHocPlan ok = checker.PlanAdHoc("tcp4", "localhost:7", "", 1.5);
  ASSERT_EQ(ok.refusal, AdHocRefusal::kNone) << ok.detail;
  ASSERT_NE(ok.spec, nullptr);
  EXPECT_EQ(ok.module, nullptr);
  EXPECT_EQ(ok.spec->prober, ProberKind::kTcp);
  EXPECT_EQ(ok.spec->target, "localhost:7");
  EXPECT_EQ(ok.spec->timeout, milliseconds(1000));  // the scrape's 1.5 s minus the 500 ms offset
  EXPECT_EQ(ok.verdict, TargetPolicy::Verdict::kAllowed);

  AdHocPlan forbidden = checker.PlanAdHoc("tcp4", "127.0.0.1:7", "", std::nullopt);
  EXPECT_EQ(forbidden.refusal, AdHocRefusal::kForbidden);
  EXPECT_NE(forbidden.detail.find("127.0.0.1:7 is not allowed"), std::string::npos) << forbidden.detail;
  EXPECT_EQ(checker.PlanAdHoc("icmp4", "127.0.0.1", "", std::nullopt).refusal, AdHocRefusal::kForbidden);
  AdHocPlan bad = checker.PlanAdHoc("dns4", "", "", std::nullopt);
  EXPECT_EQ(bad.refusal, AdHocRefusal::kBadTarget);
  AdHocPlan hostname = checker.PlanAdHoc("tcp4", "localhost:7", "example.org", std::nullopt);
  EXPECT_EQ(hostname.refusal, AdHocRefusal::kBadTarget);
  EXPECT_TRUE(checker.HasModule("grpc4"));
  EXPECT_FALSE(checker.HasModule("nosuch"));
}

// "localhost" is a name entry, so the name may be asked for; it resolves to
// 127.0.0.1, a protected (loopback) address that only an address entry for
// it allows: every prober refuses it after resolving, before any packet.
TEST(AdHocModuleRunTest, NameResolvingToLoopbackIsRefusedBeforeAnyPacket) {
  Peer allowed(SOCK_STREAM);
  Peer stream(SOCK_STREAM);
  Peer datagram(SOCK_DGRAM);
  HttpChecker checker(Config(allowed.port()));
  const std::string denied_tcp = "localhost:" + std::to_string(stream.port());
  for (const auto& [module, target] : std::vector<std::pair<std::string, std::string>>{
           {"tcp4", denied_tcp},
           {"grpc4", denied_tcp},
           {"dns4", "localhost:" + std::to_string(datagram.port())},
           {"icmp4", "localhost"}}) {
    SCOPED_TRACE(module);
    AdHocPlan plan = checker.PlanAdHoc(module, target, "", std::nullopt);
    ASSERT_EQ(plan.refusal, AdHocRefusal::kNone) << plan.detail;
    const ProbeResult r = checker.RunAdHoc(plan);
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.reason, FailureReason::kNotAllowed) << r.error;
    EXPECT_NE(r.error.find("(resolved from localhost) refused: 127.0.0.1 is a protected address (loopback"),
              std::string::npos)
        << r.error;
  }
  EXPECT_FALSE(stream.Reached());
  EXPECT_FALSE(datagram.Reached());

  // The same name on the port the address entry allows is probed.
  AdHocPlan plan = checker.PlanAdHoc("tcp4", "localhost:" + std::to_string(allowed.port()), "", std::nullopt);
  ASSERT_EQ(plan.refusal, AdHocRefusal::kNone) << plan.detail;
  const ProbeResult r = checker.RunAdHoc(plan);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_TRUE(allowed.Reached());
}

}  // namespace
}  // namespace hostwatch
