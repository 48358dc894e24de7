#include "collectors/checks/module_checks.h"

#include <map>
#include <set>
#include <utility>

#include "collectors/checks/check_config_fields.h"
#include "collectors/checks/check_spec.h"
#include "collectors/checks/dns/dns_module.h"
#include "collectors/checks/grpc/grpc_module.h"
#include "collectors/checks/http/http_module.h"
#include "collectors/checks/http/redact_url.h"
#include "collectors/checks/icmp/icmp_module.h"
#include "collectors/checks/target_policy.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "collectors/core/config_reader.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

// The prober's key: blackbox's five.
bool ParseProber(ConfigReader& r, const YAML::Node& v, const std::string& p, ProberKind* out) {
  std::string prober;
  if (!r.String(v, p, &prober)) {
    return false;
  }
  static const std::map<std::string, ProberKind, std::less<>> kProbers = {
      {"http", ProberKind::kHttp}, {"tcp", ProberKind::kTcp},   {"dns", ProberKind::kDns},
      {"icmp", ProberKind::kIcmp}, {"grpc", ProberKind::kGrpc}};
  if (auto it = kProbers.find(prober); it != kProbers.end()) {
    *out = it->second;
    return true;
  }
  r.Error(v, p, "must be one of http, tcp, dns, icmp, grpc");
  return false;
}

std::shared_ptr<const CheckModule> ParseModule(ConfigReader& r, const YAML::Node& n, const std::string& path) {
  static const std::vector<std::string_view> kKeys = {"prober", "timeout", "http", "tcp", "icmp", "dns", "grpc"};
  auto m = std::make_shared<CheckModule>();
  auto tcp = std::make_shared<TcpModule>();
  auto http = std::make_shared<HttpCheckConfig>(BlackboxHttpDefaults());
  auto grpc = std::make_shared<GrpcModule>();
  auto dns = std::make_shared<DnsModule>();
  auto icmp = std::make_shared<IcmpModule>();
  bool has_prober = false, has_dns = false;
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "prober") {
      has_prober = true;
      ParseProber(r, v, p, &m->prober);
    } else if (key == "timeout") {
      r.Duration(v, p, &m->timeout);
    } else if (key == "tcp") {
      ParseTcpModule(r, v, p, tcp.get());
    } else if (key == "http") {
      ParseHttpModule(r, v, p, http.get());
    } else if (key == "grpc") {
      ParseGrpcModule(r, v, p, grpc.get());
    } else if (key == "dns") {
      has_dns = true;
      ParseDnsModule(r, v, p, dns.get());
    } else {
      ParseIcmpModule(r, v, p, icmp.get());
    }
  });
  if (!has_prober) {
    r.Error(n, path, "prober is required");
  } else if (m->prober == ProberKind::kDns && !has_dns) {
    r.Error(n, path, "a dns module needs dns: with at least query_name");
  }
  if (m->timeout.count() <= 0) {
    r.Error(n, path + ".timeout", "must be above 0");
  }
  if (m->prober == ProberKind::kIcmp) {
    CheckIcmpRunFits(r, n["icmp"], path + ".icmp", *icmp, m->timeout);
  }
  if (!n["grpc"] || n["grpc"].IsNull()) {
    *grpc = GrpcModuleWithoutSection();  // blackbox's defaults need a grpc: section (see there)
  }
  m->tcp = std::move(tcp);
  m->http = std::move(http);
  m->grpc = std::move(grpc);
  if (m->prober == ProberKind::kDns) {
    m->dns = std::move(dns);
  }
  m->icmp = std::move(icmp);
  m->text = YAML::Dump(n);
  return m;
}

// A `checks:` entry. Targets are checked once the module (and so its prober) is known.
struct Entry {
  std::string module;
  std::vector<std::pair<YAML::Node, std::string>> targets;  // node, key path
  std::vector<std::string> patterns;
  milliseconds interval{60000};
  std::map<std::string, std::string> labels;
  bool has_targets = false;
};

void ModuleName(ConfigReader& r, const YAML::Node& v, const std::string& p, const ModuleMap& modules,
                std::string* out) {
  if (r.String(v, p, out) && !modules.count(*out)) {
    std::vector<std::string_view> names;
    for (const auto& [name, m] : modules) {
      names.push_back(name);
    }
    const std::string_view guess = ClosestSpelling(*out, names);
    r.Error(v, p, "no such module in modules:" + (guess.empty() ? "" : " (did you mean " + std::string(guess) + "?)"));
    out->clear();
  }
}

Entry ParseEntry(ConfigReader& r, const YAML::Node& n, const std::string& path, const ModuleMap& modules) {
  Entry e;
  bool has_module = false;
  r.Fields(n, path, {"module", "targets", "targets_files", "interval", "labels"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "module") {
               ModuleName(r, v, p, modules, &e.module);
               has_module = true;
             } else if (key == "targets") {
               r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) { e.targets.emplace_back(item, ip); });
               if (v.IsSequence() && v.size() == 0) {
                 r.Error(v, p, "must list at least one target");
               }
               e.has_targets = true;
             } else if (key == "targets_files") {
               if (r.StringList(v, p, &e.patterns) && e.patterns.empty()) {
                 r.Error(v, p, "must list at least one file or glob");
               }
               e.has_targets = true;
             } else if (key == "interval") {
               r.Duration(v, p, &e.interval);
             } else {
               ParseCheckLabels(r, v, p, &e.labels);
             }
           });
  if (!has_module || !e.has_targets) {
    r.Error(n, path, !has_module ? "module is required" : "targets or targets_files is required");
  }
  auto it = modules.find(e.module);
  if (it != modules.end() && e.interval <= it->second->timeout) {
    r.Error(n["interval"].IsDefined() ? n["interval"] : n, path + ".interval", "must be above the module's timeout");
  }
  return e;
}

// The static targets of an entry whose module exists, each once.
void AddStaticTargets(ConfigReader& r, const YAML::Node& item, const std::string& p, const Entry& e,
                      const CheckModule& m, std::set<CheckKey>* seen, HttpChecksConfig* out) {
  for (const auto& [node, ip] : e.targets) {
    std::string target;
    if (!r.String(node, ip, &target)) {
      continue;
    }
    if (std::string why = ModuleTargetProblem(m, target); !why.empty()) {
      r.Error(node, ip, why);
      continue;
    }
    if (!seen->insert(CheckKey{e.module, target}).second) {
      r.Error(item["targets"], p + ".targets", "a target is listed twice for this module");
      continue;
    }
    out->module_checks.push_back(ModuleCheckSpec(e.module, m, target, e.interval, e.labels));
  }
}

}  // namespace

std::string ModuleTargetProblem(const CheckModule& module, const std::string& target) {
  if (module.prober == ProberKind::kHttp) {
    const std::string problem = HttpUrlProblem(ProbeTargetUrl(target));
    return problem.empty() ? "" : "must be a URL (" + problem + ")";
  }
  std::string host, port, why;
  if (module.prober == ProberKind::kIcmp) {
    return ValidIcmpTarget(target, &why) ? "" : "must be a host name or IP address (" + why + ")";
  }
  if (module.prober == ProberKind::kGrpc && module.grpc) {  // a URL, or without its port
    int grpc_port = 0;
    return SplitGrpcTarget(target, module.grpc->tls, &host, &grpc_port, &why)
               ? ""
               : "must be host:port, [v6]:port or an http(s) URL (" + why + ")";
  }
  if (module.dns) {  // a dns target may leave out its port
    int dns_port = 0;
    return SplitDnsTarget(target, module.dns->dns_over_tls, &host, &dns_port, &why)
               ? ""
               : "must be host, host:port or [v6]:port (" + why + ")";
  }
  if (!SplitHostPort(target, &host, &port, &why) || host.empty()) {
    return "must be host:port (" + (why.empty() ? std::string("no host") : why) + ")";
  }
  return "";
}

std::shared_ptr<const CheckSpec> ModuleCheckSpec(const std::string& name, const CheckModule& module,
                                                 const std::string& target, milliseconds interval,
                                                 const std::map<std::string, std::string>& labels) {
  auto spec = std::make_shared<CheckSpec>();
  spec->prober = module.prober;
  spec->from_module = true;
  spec->name = name;
  spec->target = target;
  spec->interval = interval;
  spec->timeout = module.timeout;
  spec->latency_buckets = DefaultLatencyBuckets();
  spec->labels = labels;
  spec->fingerprint = module.text + "\n#target=" + target + "\n#interval=" + std::to_string(interval.count());
  for (const auto& [k, v] : labels) {
    spec->fingerprint += "\n#label " + k + "=" + v;
  }
  if (module.prober != ProberKind::kHttp) {
    spec->tcp = module.tcp;
    spec->grpc = module.grpc;
    spec->dns = module.dns;
    spec->icmp = module.icmp;
    return spec;
  }
  // An HTTP module check is an HTTP check whose URL is the target: the same run, verdict and series.
  auto http = std::make_shared<HttpCheckConfig>(*module.http);
  http->name = name;
  http->url = ProbeTargetUrl(target);
  http->interval = interval;
  http->timeout = module.timeout;
  http->latency_buckets = spec->latency_buckets;
  http->labels = labels;
  http->fingerprint = spec->fingerprint;
  spec->target = RedactUrl(target, {});  // shown as written, its secrets hidden as an http_checks URL's
  spec->http = std::move(http);
  return spec;
}

ModuleMap ParseModules(const YAML::Node& modules, ConfigDiagnostics* diag, const ModuleMap* defined_elsewhere) {
  ConfigReader r(diag);
  ModuleMap out;
  r.Entries(modules, "modules", [&](const std::string& name, const YAML::Node& key_node, const YAML::Node& v,
                                    const std::string& p) {
    if (name.empty()) {
      r.Error(key_node, p, "a module needs a name");
      return;
    }
    if (defined_elsewhere != nullptr && defined_elsewhere->count(name)) {
      r.Error(key_node, p, "defined twice: in modules: and in the modules_file");
      return;
    }
    out[name] = ParseModule(r, v, p);
  });
  return out;
}

void ParseChecksSection(ModuleMap modules, const YAML::Node& checks, HttpChecksConfig* out, ConfigDiagnostics* diag) {
  ConfigReader r(diag);
  std::set<std::string> http_names;
  for (const HttpCheckConfig& c : out->checks) {
    http_names.insert(c.name);
  }
  std::set<CheckKey> seen;
  if (checks.IsDefined() && !checks.IsNull()) {
    r.Items(checks, "checks", [&](const YAML::Node& item, const std::string& p) {
      const Entry e = ParseEntry(r, item, p, modules);
      auto it = modules.find(e.module);
      if (it == modules.end()) {
        return;
      }
      if (http_names.count(e.module)) {
        r.Error(item["module"], p + ".module", "an HTTP check in http_checks has this name");
        return;
      }
      AddStaticTargets(r, item, p, e, *it->second, &seen, out);
      if (!e.patterns.empty()) {
        out->targets_files.push_back(std::make_shared<const TargetsFilesEntry>(
            TargetsFilesEntry{e.module, it->second, e.interval, e.labels, e.patterns}));
      }
    });
  }
  out->modules = std::move(modules);
}

void ParseModuleChecks(const YAML::Node& modules, const YAML::Node& checks, HttpChecksConfig* out,
                       ConfigDiagnostics* diag) {
  ParseChecksSection(ParseModules(modules, diag), checks, out, diag);
}

}  // namespace hostwatch
