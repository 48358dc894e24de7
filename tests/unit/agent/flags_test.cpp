#include "agent/flags.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/parse_util.h"
#include "collectors/registry.h"

namespace hostwatch {
namespace {

std::variant<AgentFlags, int> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "hostwatch");
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  return ParseFlags(static_cast<int>(argv.size()), argv.data());
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(FlagsTest, DefaultsMatchTheDesign) {
  auto r = Parse({});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  const AgentFlags& f = std::get<AgentFlags>(r);
  EXPECT_EQ(f.listen_addresses, std::vector<std::string>{":9555"});
  EXPECT_EQ(f.telemetry_path, "/metrics");
  EXPECT_EQ(f.roots.procfs, "/proc");
  EXPECT_EQ(f.config_file, "/etc/hostwatch/hostwatch.yml");
  EXPECT_FALSE(f.config_file_given);
}

TEST(FlagsTest, MaxConnectionsDefaultsTo256AndIsBounded) {
  auto r = Parse({});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).max_connections, 256);
  r = Parse({"--web.max-connections=64"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).max_connections, 64);
  // Fewer than 16 workers cannot serve health checks next to the scrapes; more than 4096
  // threads is a mistake, not a configuration.
  EXPECT_EQ(std::get<int>(Parse({"--web.max-connections=8"})), 2);
  EXPECT_EQ(std::get<int>(Parse({"--web.max-connections=5000"})), 2);
}

TEST(FlagsTest, MaxRequestsZeroMeansNoLimitNegativeIsRefused) {
  auto r = Parse({});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).max_requests, 10);
  // node_exporter: --web.max-requests=0 disables the limit.
  r = Parse({"--web.max-requests=0"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).max_requests, 0);
  EXPECT_EQ(std::get<int>(Parse({"--web.max-requests=-1"})), 2);
  EXPECT_EQ(std::get<int>(Parse({"--web.max-requests=1001"})), 2);
}

TEST(FlagsTest, CollectorSwitchesAreRecordedOnlyWhenGiven) {
  auto r = Parse({"--no-collector.cpu", "--collector.loadavg", "--web.listen-address=127.0.0.1:1",
                  "--web.listen-address", "127.0.0.1:2"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  const AgentFlags& f = std::get<AgentFlags>(r);
  EXPECT_EQ(f.selection.explicit_state.size(), 2u);
  EXPECT_FALSE(f.selection.explicit_state.at("cpu"));
  EXPECT_TRUE(f.selection.explicit_state.at("loadavg"));
  EXPECT_EQ(f.listen_addresses.size(), 2u);
}

TEST(FlagsTest, BadFlagsExitTwo) {
  const std::vector<std::vector<std::string>> bad = {
      {"--no-such-flag"},
      {"--log.level=loud"},
      {"--web.listen-address=nonsense"},
      {"--collector.cpu.guest=maybe"},
      {"--scrape.collector-timeout=fast"},
      {"--web.telemetry-path=metrics"},
  };
  for (const auto& args : bad) {
    auto r = Parse(args);
    ASSERT_TRUE(std::holds_alternative<int>(r)) << args[0];
    EXPECT_EQ(std::get<int>(r), 2) << args[0];
  }
}

TEST(FlagsTest, CollectorOptionFlagIsValidatedAndKept) {
  auto r = Parse({"--collector.cpu.guest=false"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).collector_options.at("cpu.guest"), "false");
}

// node_exporter repeats --collector.sysctl.include once per entry (kingpin .Strings()); the
// entries of every repetition land in the one space-separated list, and the single-value
// form with spaces keeps working beside it.
TEST(FlagsTest, SysctlIncludeFlagsAreRepeatableAsUpstream) {
  auto r = Parse({"--collector.sysctl.include=fs.file-nr", "--collector.sysctl.include=kernel.threads-max",
                  "--collector.sysctl.include-info=kernel.seccomp.actions_avail",
                  "--collector.sysctl.include-info=kernel.core_pattern"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  const AgentFlags& f = std::get<AgentFlags>(r);
  EXPECT_EQ(f.collector_options.at("sysctl.include"), "fs.file-nr kernel.threads-max");
  EXPECT_EQ(f.collector_options.at("sysctl.include-info"), "kernel.seccomp.actions_avail kernel.core_pattern");
  r = Parse({"--collector.sysctl.include=fs.file-nr fs.file-nr:total,current,max",
             "--collector.sysctl.include=vm.swappiness"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).collector_options.at("sysctl.include"),
            "fs.file-nr fs.file-nr:total,current,max vm.swappiness");
  r = Parse({"--collector.sysctl.include=kernel.threads-max"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).collector_options.at("sysctl.include"), "kernel.threads-max");
}

TEST(FlagsTest, TextfileDirectoryIsRepeatableAndKeepsSpacesInPaths) {
  auto r = Parse({"--collector.textfile.directory=/var/lib/a b", "--collector.textfile.directory=/srv/*/textfiles"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).collector_options.at("textfile.directory"), "/var/lib/a b\n/srv/*/textfiles");
}

// node_exporter spells the netlink path's stats flag under another collector name.
TEST(FlagsTest, NetclassNetlinkFlagsInUpstreamSpelling) {
  auto r = Parse({"--collector.netclass.netlink", "--collector.netclass_rtnl.with-stats"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).collector_options.at("netclass.netlink"), "true");
  EXPECT_EQ(std::get<AgentFlags>(r).collector_options.at("netclass.with-stats"), "true");
  r = Parse({"--no-collector.netclass_rtnl.with-stats"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  EXPECT_EQ(std::get<AgentFlags>(r).collector_options.at("netclass.with-stats"), "false");
}

TEST(ResolveEnabledCollectorsTest, DefaultsAndExplicitChoices) {
  CollectorSelection sel;
  auto all = ResolveEnabledCollectors(sel);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(Contains(all.value(), "cpu"));

  sel.explicit_state["cpu"] = false;
  auto without_cpu = ResolveEnabledCollectors(sel);
  EXPECT_FALSE(Contains(without_cpu.value(), "cpu"));
  EXPECT_TRUE(Contains(without_cpu.value(), "loadavg"));

  CollectorSelection only_load;
  only_load.disable_defaults = true;
  only_load.explicit_state["loadavg"] = true;
  EXPECT_EQ(ResolveEnabledCollectors(only_load).value(), std::vector<std::string>{"loadavg"});

  CollectorSelection unknown;
  unknown.explicit_state["nope"] = true;
  EXPECT_FALSE(ResolveEnabledCollectors(unknown).ok());
}

TEST(ListenAddressTest, ConvertsToCivetWebSyntax) {
  // Empty host and [::] listen on both families, as Go does: CivetWeb's dual-stack "+port".
  EXPECT_EQ(ListenAddressToCivet(":9555").value(), "+9555");
  EXPECT_EQ(ListenAddressToCivet("[::]:9555").value(), "+9555");
  EXPECT_EQ(ListenAddressToCivet("0.0.0.0:9555").value(), "0.0.0.0:9555");
  EXPECT_EQ(ListenAddressToCivet("127.0.0.1:9555").value(), "127.0.0.1:9555");
  EXPECT_EQ(ListenAddressToCivet("[::1]:9555").value(), "[::1]:9555");
  EXPECT_EQ(ListenAddressToCivet("[fe80::1%eth0]:0").value(), "[fe80::1%eth0]:0");
  EXPECT_EQ(ListenAddressToCivet("localhost:9555").value(), "localhost:9555");
  const std::vector<std::string> bad = {"9555", "host:", "host:http", "::1:9555", "[::1:9555", "[]:9555",
                                        "127.0.0.1:65536", "127.0.0.1:123456"};
  for (const std::string& b : bad) {
    EXPECT_FALSE(ListenAddressToCivet(b).ok()) << b;
  }
}

// Issue 16: CivetWeb reads a comma-separated listening_ports list, so "9555,127.0.0.1:9556" was
// two listeners, and with TLS on only the last got the "s" suffix: the first spoke plain HTTP.
TEST(ListenAddressTest, CommaIsRejectedWithTheRepeatableFlagNamed) {
  for (const std::string address : {"127.0.0.1:9555,0.0.0.0:9556", "9555,127.0.0.1:9556", "127.0.0.1,[::1]:9555",
                                    "localhost:9555,"}) {
    Result<std::string> r = ListenAddressToCivet(address);
    ASSERT_FALSE(r.ok()) << address;
    EXPECT_NE(r.status().message().find("has a comma: give one address per --web.listen-address"),
              std::string::npos)
        << r.status().message();
  }
  auto r = Parse({"--web.listen-address=127.0.0.1:9555,0.0.0.0:9556"});
  ASSERT_TRUE(std::holds_alternative<int>(r));
  EXPECT_EQ(std::get<int>(r), 2);
}

TEST(FlagsTest, AllowedHostsAreRepeatableAndChecked) {
  EXPECT_TRUE(std::get<AgentFlags>(Parse({})).allowed_hosts.empty());
  auto r = Parse({"--web.allowed-hosts=localhost", "--web.allowed-hosts=[::1]"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  // CLI11 reads a value wholly in brackets as a list, so "[::1]" arrives as "::1": the same host.
  EXPECT_EQ(std::get<AgentFlags>(r).allowed_hosts, (std::vector<std::string>{"localhost", "::1"}));
  for (const std::string bad : {"--web.allowed-hosts=localhost:9555", "--web.allowed-hosts=a,b",
                                "--web.allowed-hosts="}) {
    auto b = Parse({bad});
    ASSERT_TRUE(std::holds_alternative<int>(b)) << bad;
    EXPECT_EQ(std::get<int>(b), 2) << bad;
  }
}

TEST(FlagsTest, WebConfigFileAndSeveralListenAddresses) {
  auto r = Parse({"--web.config.file=/etc/hostwatch/web.yml", "--web.listen-address=[::1]:9555",
                  "--web.listen-address=0.0.0.0:9555"});
  ASSERT_TRUE(std::holds_alternative<AgentFlags>(r));
  const AgentFlags& f = std::get<AgentFlags>(r);
  EXPECT_EQ(f.web_config_file, "/etc/hostwatch/web.yml");
  EXPECT_EQ(f.listen_addresses, (std::vector<std::string>{"[::1]:9555", "0.0.0.0:9555"}));
  EXPECT_TRUE(std::get<AgentFlags>(Parse({})).web_config_file.empty());
}

}  // namespace
}  // namespace hostwatch
