#include "collectors/checks/adhoc_module_run.h"

#include <chrono>
#include <memory>

#include "collectors/checks/dns/dns_module.h"
#include "collectors/checks/dns/dns_probe.h"
#include "collectors/checks/grpc/grpc_module.h"
#include "collectors/checks/grpc/grpc_probe.h"
#include "collectors/checks/http/blocking_probe.h"
#include "collectors/checks/icmp/icmp_probe.h"
#include "collectors/checks/ip_network.h"
#include "collectors/checks/socket_run_blocking.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "collectors/checks/tcp/tcp_probe.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

bool ParsePortNumber(const std::string& text, int* port) {
  long value = 0;
  for (char c : text) {
    value = (c >= '0' && c <= '9' && value < 100000) ? value * 10 + (c - '0') : 100000;
  }
  *port = static_cast<int>(value);
  return !text.empty() && value >= 1 && value <= 65535;
}

}  // namespace

std::optional<TargetHost> ModuleTargetHost(const CheckModule& module, const std::string& target, std::string* why) {
  if (std::string problem = ModuleTargetProblem(module, target); !problem.empty()) {
    *why = "target " + problem;
    return std::nullopt;
  }
  TargetHost out;
  if (module.prober == ProberKind::kIcmp) {
    out.host = target;
  } else if (module.prober == ProberKind::kDns) {
    SplitDnsTarget(target, module.dns->dns_over_tls, &out.host, &out.port, why);
  } else if (module.prober == ProberKind::kGrpc) {
    SplitGrpcTarget(target, module.grpc->tls, &out.host, &out.port, why);
  } else {
    std::string port;
    SplitHostPort(target, &out.host, &port, why);
    if (!ParsePortNumber(port, &out.port)) {
      *why = "target port must be a number from 1 to 65535";
      return std::nullopt;
    }
  }
  for (unsigned char c : out.host) {
    if (c >= 0x80) {
      *why = "target host must be ASCII (write an internationalized name in its xn-- form)";
      return std::nullopt;
    }
  }
  out.host = AsciiToLower(out.host);
  if (out.host.size() > 1 && out.host.back() == '.') {
    out.host.pop_back();
  }
  int family = 0;
  std::uint8_t bytes[16];
  out.is_ip = ParseIp(out.host, &family, bytes);
  return out;
}

ProbeResult RunModuleProbe(const CheckSpec& spec, AddressGuard guard, const std::atomic<bool>* abort) {
  const auto now = std::chrono::steady_clock::now();
  if (spec.prober == ProberKind::kGrpc) {
    std::unique_ptr<CurlRun> run = StartGrpcRun(spec.grpc, spec.target, spec.timeout, now, guard);
    return RunCurlBlocking(*run, spec.timeout, abort);  // a run that finished at once has no handle: its result
  }
  std::unique_ptr<SocketRun> run;
  switch (spec.prober) {
    case ProberKind::kDns:
      run = StartDnsRun(spec.dns, spec.target, spec.timeout, now, guard);
      break;
    case ProberKind::kIcmp:
      run = StartIcmpRun(spec.icmp, spec.target, spec.timeout, now, guard);
      break;
    default:
      run = StartTcpRun(spec.tcp, spec.target, spec.timeout, now, guard);
      break;
  }
  return RunSocketBlocking(*run, abort);
}

}  // namespace hostwatch
