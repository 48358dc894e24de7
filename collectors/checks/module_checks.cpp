#include "collectors/checks/module_checks.h"

#include <map>
#include <set>
#include <utility>

#include "collectors/checks/check_config_fields.h"
#include "collectors/checks/check_spec.h"
#include "collectors/checks/dns/dns_module.h"
#include "collectors/checks/grpc/grpc_module.h"
#include "collectors/checks/icmp/icmp_module.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "collectors/core/config_reader.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

// A scheduled module's timeout when it gives none (blackbox falls back to the scrape's timeout, which is 10s by default).
constexpr milliseconds kDefaultTimeout{10000};

struct Module {
  ProberKind prober = ProberKind::kTcp;
  milliseconds timeout = kDefaultTimeout;
  std::shared_ptr<const TcpModule> tcp;
  std::shared_ptr<const GrpcModule> grpc;
  std::shared_ptr<const DnsModule> dns;  // set when prober is dns
  std::shared_ptr<const IcmpModule> icmp;
  std::string text;  // canonical YAML, for the fingerprint
};

// The prober's key: tcp, dns, grpc and icmp are supported; http is refused with what to do instead.
bool ParseProber(ConfigReader& r, const YAML::Node& v, const std::string& p, ProberKind* out) {
  std::string prober;
  if (!r.String(v, p, &prober)) {
    return false;
  }
  static const std::map<std::string, ProberKind, std::less<>> kSupported = {
      {"tcp", ProberKind::kTcp}, {"dns", ProberKind::kDns}, {"grpc", ProberKind::kGrpc}, {"icmp", ProberKind::kIcmp}};
  if (auto it = kSupported.find(prober); it != kSupported.end()) {
    *out = it->second;
    return true;
  }
  if (prober == "http") {
    r.Error(v, p, "not yet: use http_checks for HTTP (its keys are blackbox's http module keys)");
  } else {
    r.Error(v, p, "must be one of http, tcp, dns, icmp, grpc");
  }
  return false;
}

Module ParseModule(ConfigReader& r, const YAML::Node& n, const std::string& path) {
  static const std::vector<std::string_view> kKeys = {"prober", "timeout", "http", "tcp", "icmp", "dns", "grpc"};
  Module m;
  auto tcp = std::make_shared<TcpModule>();
  auto grpc = std::make_shared<GrpcModule>();
  auto dns = std::make_shared<DnsModule>();
  auto icmp = std::make_shared<IcmpModule>();
  bool has_prober = false, has_dns = false;
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "prober") {
      has_prober = true;
      ParseProber(r, v, p, &m.prober);
    } else if (key == "timeout") {
      r.Duration(v, p, &m.timeout);
    } else if (key == "tcp") {
      ParseTcpModule(r, v, p, tcp.get());
    } else if (key == "grpc") {
      ParseGrpcModule(r, v, p, grpc.get());
    } else if (key == "dns") {
      has_dns = true;
      ParseDnsModule(r, v, p, dns.get());
    } else if (key == "icmp") {
      ParseIcmpModule(r, v, p, icmp.get());
    } else {
      r.Error(v, p, "not yet supported (supported: tcp, dns, grpc, icmp)");
    }
  });
  if (!has_prober) {
    r.Error(n, path, "prober is required");
  } else if (m.prober == ProberKind::kDns && !has_dns) {
    r.Error(n, path, "a dns module needs dns: with at least query_name");
  }
  if (m.timeout.count() <= 0) {
    r.Error(n, path + ".timeout", "must be above 0");
  }
  if (m.prober == ProberKind::kIcmp) {
    CheckIcmpRunFits(r, n["icmp"], path + ".icmp", *icmp, m.timeout);
  }
  m.tcp = std::move(tcp);
  if (!n["grpc"] || n["grpc"].IsNull()) {
    *grpc = GrpcModuleWithoutSection();  // blackbox's defaults need a grpc: section (see there)
  }
  m.grpc = std::move(grpc);
  if (m.prober == ProberKind::kDns) {
    m.dns = std::move(dns);
  }
  m.icmp = std::move(icmp);
  m.text = YAML::Dump(n);
  return m;
}

std::map<std::string, Module> ParseModules(ConfigReader& r, const YAML::Node& modules) {
  std::map<std::string, Module> out;
  r.Entries(modules, "modules", [&](const std::string& name, const YAML::Node& key_node, const YAML::Node& v,
                                    const std::string& p) {
    if (name.empty()) {
      r.Error(key_node, p, "a module needs a name");
      return;
    }
    out[name] = ParseModule(r, v, p);
  });
  return out;
}

// Builds one spec per valid target of a `checks:` entry.
struct Entry {
  std::string module;
  std::vector<std::string> targets;
  milliseconds interval{60000};
  std::map<std::string, std::string> labels;
};

// module: the entry's module when known (a dns target may leave out its port, an icmp target has none).
void TargetsOf(ConfigReader& r, const YAML::Node& v, const std::string& p, const Module* module,
               std::vector<std::string>* out) {
  r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
    std::string target, host, port, why;
    if (!r.String(item, ip, &target)) {
      return;
    }
    if (module != nullptr && module->prober == ProberKind::kIcmp) {
      if (!ValidIcmpTarget(target, &why)) {
        return r.Error(item, ip, "must be a host name or IP address (" + why + ")");
      }
    } else if (module != nullptr && module->dns) {
      int dns_port = 0;
      if (!SplitDnsTarget(target, module->dns->dns_over_tls, &host, &dns_port, &why)) {
        r.Error(item, ip, "must be host, host:port or [v6]:port (" + why + ")");
        return;
      }
    } else if (!SplitHostPort(target, &host, &port, &why) || host.empty()) {
      r.Error(item, ip, "must be host:port (" + (why.empty() ? std::string("no host") : why) + ")");
      return;
    }
    out->push_back(target);
  });
  if (v.IsSequence() && v.size() == 0) {
    r.Error(v, p, "must list at least one target");
  }
}

Entry ParseEntry(ConfigReader& r, const YAML::Node& n, const std::string& path,
                 const std::map<std::string, Module>& modules) {
  Entry e;
  bool has_module = false, has_targets = false;
  // Targets are checked by the prober of the module (an icmp target has no port), whatever the key order.
  const YAML::Node module_key = n.IsMap() ? n["module"] : YAML::Node();
  auto named = module_key.IsDefined() && module_key.IsScalar() ? modules.find(module_key.Scalar()) : modules.end();
  const Module* module = named != modules.end() ? &named->second : nullptr;
  r.Fields(n, path, {"module", "targets", "interval", "labels"}, [&](const std::string& key, const YAML::Node& v,
                                                                     const std::string& p) {
    if (key == "module") {
      if (r.String(v, p, &e.module) && !modules.count(e.module)) {
        std::vector<std::string_view> names;
        for (const auto& [name, m] : modules) {
          names.push_back(name);
        }
        const std::string_view guess = ClosestSpelling(e.module, names);
        r.Error(v, p, "no such module in modules:" + (guess.empty() ? "" : " (did you mean " + std::string(guess) + "?)"));
        e.module.clear();
      }
      has_module = true;
    } else if (key == "targets") {
      TargetsOf(r, v, p, module, &e.targets);
      has_targets = true;
    } else if (key == "interval") {
      r.Duration(v, p, &e.interval);
    } else {
      ParseCheckLabels(r, v, p, &e.labels);
    }
  });
  if (!has_module || !has_targets) {
    r.Error(n, path, !has_module ? "module is required" : "targets is required");
  }
  auto it = modules.find(e.module);
  if (it != modules.end() && e.interval <= it->second.timeout) {
    r.Error(n["interval"].IsDefined() ? n["interval"] : n, path + ".interval",
            "must be above the module's timeout");
  }
  return e;
}

std::shared_ptr<const CheckSpec> SpecOf(const Entry& e, const Module& m, const std::string& target) {
  auto spec = std::make_shared<CheckSpec>();
  spec->prober = m.prober;
  spec->name = e.module;
  spec->target = target;
  spec->interval = e.interval;
  spec->timeout = m.timeout;
  spec->latency_buckets = DefaultLatencyBuckets();
  spec->labels = e.labels;
  spec->tcp = m.tcp;
  spec->grpc = m.grpc;
  spec->dns = m.dns;
  spec->icmp = m.icmp;
  spec->fingerprint = m.text + "\n#target=" + target + "\n#interval=" + std::to_string(e.interval.count());
  for (const auto& [k, v] : e.labels) {
    spec->fingerprint += "\n#label " + k + "=" + v;
  }
  return spec;
}

}  // namespace

void ParseModuleChecks(const YAML::Node& modules, const YAML::Node& checks, HttpChecksConfig* out,
                       ConfigDiagnostics* diag) {
  ConfigReader r(diag);
  const std::map<std::string, Module> parsed = ParseModules(r, modules);
  if (!checks.IsDefined() || checks.IsNull()) {
    return;
  }
  std::set<std::string> http_names;
  for (const HttpCheckConfig& c : out->checks) {
    http_names.insert(c.name);
  }
  std::set<CheckKey> seen;
  r.Items(checks, "checks", [&](const YAML::Node& item, const std::string& p) {
    const Entry e = ParseEntry(r, item, p, parsed);
    auto it = parsed.find(e.module);
    if (it == parsed.end()) {
      return;
    }
    if (http_names.count(e.module)) {
      r.Error(item["module"], p + ".module", "an HTTP check in http_checks has this name");
      return;
    }
    for (const std::string& target : e.targets) {
      if (!seen.insert(CheckKey{e.module, target}).second) {
        r.Error(item["targets"], p + ".targets", "a target is listed twice for this module");
        continue;
      }
      out->module_checks.push_back(SpecOf(e, it->second, target));
    }
  });
}

}  // namespace hostwatch
