#include "agent/flags.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "agent/build_info.h"
#include "agent/node_exporter_flags.h"
#include "agent/web/allowed_hosts.h"
#include "collectors/core/collector_options.h"
#include "collectors/registry.h"

namespace hostwatch {
namespace {

std::string EnabledWord(bool on) { return on ? "enabled" : "disabled"; }

}  // namespace

Result<std::string> ListenAddressToCivet(const std::string& address) {
  if (address.find(',') != std::string::npos) {
    return Status::Error("listen address \"" + address +
                         "\" has a comma: give one address per --web.listen-address (the flag is repeatable)");
  }
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return Status::Error("listen address \"" + address + "\" must be [host]:port");
  }
  std::string port = address.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return Status::Error("listen address \"" + address + "\" has an invalid port");
  }
  std::string host = address.substr(0, colon);
  if (host.find_first_of(":[]") != std::string::npos) {
    bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']' &&
                     host.find_first_of("[]", 1) == host.size() - 1 && host.find(':') != std::string::npos;
    if (!bracketed) {
      return Status::Error("listen address \"" + address + "\": put an IPv6 address in brackets, e.g. [::1]:9555");
    }
  }
  // Go listens on every address of both families for an empty host and for "[::]";
  // CivetWeb's "[::]:port" would be IPv6-only, its "+port" is the dual-stack socket.
  if (host.empty() || host == "[::]") {
    return "+" + port;
  }
  return host + ":" + port;
}

Result<std::vector<std::string>> ResolveEnabledCollectors(const CollectorSelection& selection) {
  for (const auto& [name, on] : selection.explicit_state) {
    if (FindCollector(name) == nullptr) {
      return Status::Error("unknown collector \"" + name + "\"");
    }
  }
  std::vector<std::string> enabled;
  for (const CollectorSpec& spec : AllCollectors()) {
    bool on = spec.enabled_by_default && !selection.disable_defaults;
    if (auto it = selection.explicit_state.find(spec.name); it != selection.explicit_state.end()) {
      on = it->second;
    }
    if (on) {
      enabled.push_back(spec.name);
    }
  }
  return enabled;
}

namespace {

// Flags whose text is checked after parsing, before it lands in AgentFlags.
struct TextFlags {
  std::string collector_timeout = "8s";
  std::string log_level = "info";
  std::string log_format = "logfmt";
  CLI::Option* config_file = nullptr;
};

// The --[no-]collector.<name> switches and --collector.<name>.<key> options, one set per registry row.
struct CollectorFlags {
  std::map<std::string, bool> state_values;
  std::map<std::string, CLI::Option*> state_opts;
  std::map<std::string, std::string> option_values;  // keyed "<name>.<key>"
  std::map<std::string, CLI::Option*> option_opts;
};

void AddGlobalFlags(CLI::App& app, AgentFlags& flags, TextFlags& text) {
  app.add_option("--web.listen-address", flags.listen_addresses,
                 "Addresses on which to expose metrics and web interface. Repeatable. Examples: :9555 (all "
                 "addresses, IPv4 and IPv6), 0.0.0.0:9555, [::1]:9555, 127.0.0.1:9555.")
      ->capture_default_str();
  app.add_option("--web.allowed-hosts", flags.allowed_hosts,
                 "Host names the server answers to; requests with another Host header get 421 (protects "
                 "against DNS rebinding). Repeatable; one host per flag, without a port. Examples: localhost, "
                 "127.0.0.1, [::1], metrics.example.org. Not given: any Host is answered.");
  app.add_option("--web.telemetry-path", flags.telemetry_path, "Path under which to expose metrics.");
  app.add_option("--web.config.file", flags.web_config_file,
                 "Path to a configuration file that can enable TLS or authentication (Prometheus exporter-toolkit "
                 "format). Re-read when it or the certificates it names change.");
  // 0 means no limit, as in node_exporter (RequestLimiter::kNoLimit).
  app.add_option("--web.max-requests", flags.max_requests,
                 "Maximum number of parallel scrape requests; more get 503. 0 means no limit.")
      ->check(CLI::Range(0, 1000));
  app.add_option("--web.max-connections", flags.max_connections,
                 "Maximum number of HTTP connections served at once (one worker thread each); further "
                 "connections wait in the accept queue.")
      ->check(CLI::Range(16, 4096));
  app.add_flag("--web.enable-lifecycle", flags.enable_lifecycle, "Enable reload via HTTP POST /-/reload.");
  app.add_flag("--web.systemd-socket", flags.systemd_socket,
               "Use systemd socket activation listeners instead of port listeners (Linux only).");
  app.add_flag("--web.disable-exporter-metrics", flags.disable_exporter_metrics,
               "Exclude metrics about the exporter itself (process_*, hostwatch_http_requests_total).");
  app.add_option("--path.procfs", flags.roots.procfs, "procfs mountpoint.");
  app.add_option("--path.sysfs", flags.roots.sysfs, "sysfs mountpoint.");
  app.add_option("--path.rootfs", flags.roots.rootfs, "rootfs mountpoint.");
  app.add_option("--path.udev.data", flags.roots.udev_data, "udev data path.");
  app.add_option("--scrape.collector-timeout", text.collector_timeout,
                 "Deadline for each collector in a scrape; a collector that overruns is reported with success 0.");
  text.config_file = app.add_option("--config.file", flags.config_file, "hostwatch configuration file (YAML).");
  app.add_flag("--config.check", flags.config_check, "Validate the configuration and flags, then exit (0 or 2).");
  app.add_option("--log.level", text.log_level, "Only log messages with the given severity or above.")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log.format", text.log_format, "Output format of log messages.")
      ->check(CLI::IsMember({"logfmt", "json"}));
  app.add_flag("--collector.disable-defaults", flags.selection.disable_defaults,
               "Set all collectors to disabled by default.");
}

// The few node_exporter option flags not spelled --collector.<collector>.<key>: each is
// accepted as a second name of the option (the config key stays under the collector).
const std::map<std::string, std::string>& UpstreamFlagAliases() {
  static const std::map<std::string, std::string> kAliases = {
      {"netclass.with-stats", "--collector.netclass_rtnl.with-stats"},
      {"powersupplyclass.ignored-supplies", "--collector.powersupply.ignored-supplies"},
  };
  return kAliases;
}

std::string AliasSuffix(const std::string& key) {
  auto it = UpstreamFlagAliases().find(key);
  return it == UpstreamFlagAliases().end() ? "" : "," + it->second;
}

// A boolean option's alias takes the same {true} and --no- forms as its name.
std::string BoolAliasSuffix(const std::string& key) {
  auto it = UpstreamFlagAliases().find(key);
  if (it == UpstreamFlagAliases().end()) {
    return "";
  }
  return "," + it->second + "{true},!--no-" + it->second.substr(2);
}

// node_exporter's repeatable option flags (kingpin's .Strings()) whose hostwatch option is a
// space-separated list: each repetition adds its entries, as upstream, and one value with
// several entries still works (--collector.sysctl.include='a b' --collector.sysctl.include=c).
bool JoinsRepetitions(const std::string& key) {
  static const std::set<std::string> kRepeatable = {"sysctl.include", "sysctl.include-info"};
  return kRepeatable.count(key) > 0;
}

void AddCollectorFlags(CLI::App& app, CollectorFlags& c) {
  for (const CollectorSpec& spec : AllCollectors()) {
    c.state_values[spec.name] = spec.enabled_by_default;
  }
  for (const CollectorSpec& spec : AllCollectors()) {
    c.state_opts[spec.name] =
        app.add_flag("--collector." + spec.name + ",!--no-collector." + spec.name, c.state_values[spec.name],
                     "Enable the " + spec.name + " collector (default: " + EnabledWord(spec.enabled_by_default) +
                         "). " + spec.description)
            ->group("Collectors");
    for (const OptionSpec& opt : spec.options) {
      std::string key = spec.name + "." + opt.key;
      c.option_values[key] = opt.default_value;
      // Boolean options are kingpin-style flags as in node_exporter: --collector.<key>,
      // --no-collector.<key>, or --collector.<key>=true|false.
      c.option_opts[key] =
          opt.kind == OptionKind::kBool
              ? app.add_flag("--collector." + key + "{true}" + BoolAliasSuffix(key) + ",!--no-collector." + key,
                             c.option_values[key], opt.help)
              : app.add_option("--collector." + key + AliasSuffix(key), c.option_values[key], opt.help);
      c.option_opts[key]->group("Collectors");
      if (JoinsRepetitions(key)) {
        c.option_opts[key]->join(' ');
      } else if (opt.kind == OptionKind::kPathList) {
        c.option_opts[key]->join(kPathListSeparator);  // each repetition adds a path, as upstream's .Strings()
      }
    }
  }
}

// Copies what was given explicitly into flags; the reason on a bad option value.
std::optional<std::string> TakeCollectorFlags(CollectorFlags& c, AgentFlags& flags) {
  for (const auto& [name, opt] : c.state_opts) {
    if (opt->count() > 0) {
      flags.selection.explicit_state[name] = c.state_values[name];
    }
  }
  for (const auto& [key, opt] : c.option_opts) {
    if (opt->count() == 0) {
      continue;
    }
    std::size_t dot = key.find('.');
    const OptionSpec* spec = FindCollector(key.substr(0, dot))->FindOption(key.substr(dot + 1));
    if (Result<OptionValue> v = ParseOptionValue(spec->kind, c.option_values[key]); !v.ok()) {
      return "--collector." + key + ": " + v.status().message();
    }
    flags.collector_options[key] = c.option_values[key];
  }
  return std::nullopt;
}

// Checks and converts the text flags; the reason when one is bad.
std::optional<std::string> TakeTextFlags(const TextFlags& text, AgentFlags& flags) {
  flags.config_file_given = text.config_file->count() > 0;
  Result<std::chrono::milliseconds> timeout = ParseDuration(text.collector_timeout);
  if (!timeout.ok() || timeout.value().count() <= 0) {
    return std::string("--scrape.collector-timeout: ") +
           (timeout.ok() ? "must be positive" : timeout.status().message());
  }
  flags.collector_timeout = timeout.value();
  for (const std::string& addr : flags.listen_addresses) {
    if (Result<std::string> r = ListenAddressToCivet(addr); !r.ok()) {
      return "--web.listen-address: " + r.status().message();
    }
  }
  if (Result<AllowedHosts> hosts = AllowedHosts::Parse(flags.allowed_hosts); !hosts.ok()) {
    return "--web.allowed-hosts: " + hosts.status().message();
  }
  if (flags.telemetry_path.empty() || flags.telemetry_path[0] != '/') {
    return std::string("--web.telemetry-path must start with '/'");
  }
  flags.log_level = logging::ParseLevel(text.log_level).value();
  flags.log_format = logging::ParseFormat(text.log_format).value();
  return std::nullopt;
}

// Every flag the parser knows, and the values they parse into. Built per parse: CLI11 keeps
// pointers into the value holders, so the holders live beside the app.
struct FlagParser {
  AgentFlags flags;
  TextFlags text;
  CollectorFlags collectors;
  CLI::App app{
      "hostwatch: host metrics (node_exporter compatible) and HTTP synthetic checks "
      "(blackbox_exporter compatible) in one small agent."};

  FlagParser() {
    app.set_version_flag("--version", std::string("hostwatch version ") + kBuildVersion + " (revision " +
                                          kBuildRevision + ", branch " + kBuildBranch + ", " + kBuildCompiler + ")");
    app.option_defaults()->always_capture_default();
    AddGlobalFlags(app, flags, text);
    AddCollectorFlags(app, collectors);
    // Left-over arguments are explained by DescribeUnexpectedArgument instead of CLI11's
    // generic "arguments were not expected", which says nothing about node_exporter's flags.
    app.allow_extras();
  }

  std::set<std::string> LongNames() const {
    std::set<std::string> names;
    for (const CLI::Option* opt : app.get_options()) {
      for (const std::string& name : opt->get_lnames()) {
        names.insert(name);
      }
    }
    return names;
  }
};

}  // namespace

std::set<std::string> AgentFlagNames() { return FlagParser().LongNames(); }

std::variant<AgentFlags, int> ParseFlags(int argc, char** argv) {
  FlagParser parser;
  try {
    parser.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return parser.app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return parser.app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return parser.app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "hostwatch: error: " << e.what() << "\n";
    return 2;
  }
  std::optional<std::string> problem;
  if (std::vector<std::string> extra = parser.app.remaining(); !extra.empty()) {
    // The first flag-looking one: a flag's separate value ("--collector.nfs.x y") is not the news.
    auto first = std::find_if(extra.begin(), extra.end(), [](const std::string& a) { return a.starts_with("-"); });
    problem = DescribeUnexpectedArgument(first != extra.end() ? *first : extra.front(), parser.LongNames());
  }
  if (!problem) {
    problem = TakeCollectorFlags(parser.collectors, parser.flags);
  }
  if (!problem) {
    problem = TakeTextFlags(parser.text, parser.flags);
  }
  if (problem) {
    std::cerr << "hostwatch: error: " << *problem << "\n";
    return 2;
  }
  return std::move(parser.flags);
}

}  // namespace hostwatch
