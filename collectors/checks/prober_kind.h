// Which prober ran a check: it selects the run state machine and the families
// a result shows (blackbox registers different series per prober).
#pragma once

namespace hostwatch {

enum class ProberKind { kHttp, kTcp, kGrpc, kDns, kIcmp };

// "http", "tcp", "grpc", "dns", "icmp": the spelling of blackbox's `prober:` key.
const char* ProberKindName(ProberKind kind);

}  // namespace hostwatch
