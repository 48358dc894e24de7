#include "collectors/checks/grpc/grpc_module.h"

#include <gtest/gtest.h>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/module_checks.h"
#include "tests/unit/checks/module_checks_test_util.h"

namespace hostwatch {
namespace {

// Modules spelled as in a blackbox.yml (CONFIGURATION.md's <grpc_probe>), with blackbox's defaults.
TEST(GrpcModuleTest, ParsesBlackboxGrpcModulesWithTheirDefaults) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig out = testing::ParseChecksYaml(R"(modules:
  grpc:
    prober: grpc
    grpc:
      preferred_ip_protocol: ip4
  grpc_plain_svc:
    prober: grpc
    timeout: 3s
    grpc:
      service: "billing.v1.Billing"
      ip_protocol_fallback: false
      metadata: {X-Team: [infra, db], trace: ["on"]}
  grpc_tls:
    prober: grpc
    grpc: {tls: true, tls_config: {insecure_skip_verify: true, server_name: api.test}}
  grpc_bare: {prober: grpc}
  grpc_empty: {prober: grpc, grpc: {service: ""}}
checks:
  - {module: grpc, targets: ["127.0.0.1:50051"]}
  - {module: grpc_plain_svc, targets: ["[::1]:50051"]}
  - {module: grpc_tls, targets: ["api:443"]}
  - {module: grpc_bare, targets: ["api:80"]}
  - {module: grpc_empty, targets: ["api:80"]}
)",
                               &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(out.module_checks.size(), 5u);
  const CheckSpec& plain = *out.module_checks[0];
  EXPECT_EQ(plain.prober, ProberKind::kGrpc);
  EXPECT_EQ(plain.name, "grpc");
  EXPECT_EQ(plain.target, "127.0.0.1:50051");
  ASSERT_NE(plain.grpc, nullptr);
  EXPECT_EQ(plain.grpc->preferred_ip_protocol, "ip4");
  EXPECT_EQ(plain.grpc->service, "");
  EXPECT_FALSE(plain.grpc->tls);

  const CheckSpec& svc = *out.module_checks[1];
  EXPECT_EQ(svc.timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(svc.grpc->service, "billing.v1.Billing");
  EXPECT_FALSE(svc.grpc->ip_protocol_fallback);
  // Names in lower case (metadata names are case-insensitive), one header per value, in order.
  const std::vector<std::pair<std::string, std::string>> metadata = {
      {"x-team", "infra"}, {"x-team", "db"}, {"trace", "on"}};
  EXPECT_EQ(svc.grpc->metadata, metadata);

  const CheckSpec& tls = *out.module_checks[2];
  EXPECT_TRUE(tls.grpc->tls);
  EXPECT_TRUE(tls.grpc->tls_config.insecure_skip_verify);
  EXPECT_EQ(tls.grpc->tls_config.server_name, "api.test");

  // Without a grpc: section blackbox applies none of its grpc defaults: Go's zero values.
  const CheckSpec& bare = *out.module_checks[3];
  EXPECT_EQ(bare.grpc->preferred_ip_protocol, "ip6");  // "" in Go, which blackbox reads as ip6
  EXPECT_FALSE(bare.grpc->ip_protocol_fallback);
  EXPECT_FALSE(bare.grpc->tls);
  EXPECT_TRUE(bare.grpc->metadata.empty());
  EXPECT_EQ(bare.timeout, std::chrono::milliseconds(10000));
  // With a grpc: section, even one with nothing but the default service, blackbox's DefaultGRPCProbe.
  const CheckSpec& empty = *out.module_checks[4];
  EXPECT_EQ(empty.grpc->preferred_ip_protocol, "ip6");
  EXPECT_TRUE(empty.grpc->ip_protocol_fallback);
}

// Every problem at once, file:line:column: key: reason, with "did you mean" for a typo.
TEST(GrpcModuleTest, ReportsBadKeysWithTheirPosition) {
  ConfigDiagnostics diag("hw.yml");
  testing::ParseChecksYaml(R"(modules:
  a: {prober: grpc, grpc: {servce: x}}
  b: {prober: grpc, grpc: {preferred_ip_protocol: ipv4, tls: maybe}}
  c: {prober: grpc, grpc: {metadata: {grpc-timeout: [1s], ":path": [x], a-bin: [x], ok: x, "B a": [y]}}}
  d: {prober: grpc, grpc: {tls_config: {ca_file: /nonexistent/ca.pem}}}
)",
        &diag);
  const std::vector<std::string> want = {
      "hw.yml:2:28: modules.a.grpc.servce: unknown key (known: service, tls, tls_config, preferred_ip_protocol, "
      "ip_protocol_fallback, metadata; did you mean service?)",
      "hw.yml:3:51: modules.b.grpc.preferred_ip_protocol: must be one of ip4, ip6",
      "hw.yml:3:62: modules.b.grpc.tls: must be true or false",
      "hw.yml:4:39: modules.c.grpc.metadata.grpc-timeout: reserved: the probe sets this header itself",
      "hw.yml:4:59: modules.c.grpc.metadata.:path: must be a header name",
      "hw.yml:4:73: modules.c.grpc.metadata.a-bin: not supported: binary (-bin) metadata",
      "hw.yml:4:89: modules.c.grpc.metadata.ok: must be a list of strings (blackbox's metadata.MD)",
      "hw.yml:4:92: modules.c.grpc.metadata.B a: must be a header name: lower-case letters, digits, '-', '_' and '.'",
      "hw.yml:5:50: modules.d.grpc.tls_config.ca_file: cannot read the file: No such file or directory",
  };
  std::vector<std::string> got = testing::ConfigErrorStrings(diag);
  EXPECT_EQ(got, want);
}

TEST(GrpcModuleTest, AGrpcModuleIsScheduledLikeTcp) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig out = testing::ParseChecksYaml(R"(modules: {g: {prober: grpc, timeout: 2s}}
checks: [{module: g, targets: ["h:1", "h:2"], interval: 15s, labels: {team: api}}]
)",
                               &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(out.module_checks.size(), 2u);
  EXPECT_EQ(KeyOf(*out.module_checks[1]), (CheckKey{"g", "h:2"}));
  EXPECT_EQ(out.module_checks[1]->interval, std::chrono::milliseconds(15000));
  EXPECT_EQ(out.module_checks[1]->labels.at("team"), "api");
  EXPECT_STREQ(ProberKindName(ProberKind::kGrpc), "grpc");
}

// blackbox 0.28's prober/grpc.go: a URL target, the scheme's part ignored but
// for its host and port; without a port the module's tls picks 443 or 80.
TEST(GrpcModuleTest, TargetsMayBeUrlsAndLeaveOutThePort) {
  std::string host, why;
  int port = 0;
  ASSERT_TRUE(SplitGrpcTarget("h.example:50051", false, &host, &port, &why)) << why;
  EXPECT_EQ(host, "h.example");
  EXPECT_EQ(port, 50051);
  ASSERT_TRUE(SplitGrpcTarget("http://h.example:9000/some/path", true, &host, &port, &why)) << why;
  EXPECT_EQ(host, "h.example");
  EXPECT_EQ(port, 9000);
  ASSERT_TRUE(SplitGrpcTarget("https://[::1]/", false, &host, &port, &why)) << why;
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 80);  // the scheme does not choose TLS or its port: the module's tls does
  ASSERT_TRUE(SplitGrpcTarget("h.example", true, &host, &port, &why)) << why;
  EXPECT_EQ(port, 443);
  EXPECT_FALSE(SplitGrpcTarget("http://:9000", false, &host, &port, &why));
  EXPECT_FALSE(SplitGrpcTarget("h.example:99999", false, &host, &port, &why));
  EXPECT_EQ(ModuleTargetProblem(CheckModule{ProberKind::kGrpc, {}, {}, {}, std::make_shared<GrpcModule>()},
                                "http://h.example:1/"),
            "");
}

}  // namespace
}  // namespace hostwatch
