// One run of a grpc check, as blackbox_exporter 0.28's prober/grpc.go runs
// it: the standard health check grpc.health.v1.Health/Check for the module's
// service, as one libcurl transfer (curl_run.h) on the checker's multi
// handle: HTTP/2 with prior knowledge over plaintext (h2c), ALPN h2 over TLS;
// POST /grpc.health.v1.Health/Check with content-type application/grpc and
// te: trailers, a body of one gRPC frame (grpc_codec.h); grpc-status and
// grpc-message come from the response headers or, usually, its trailers
// (libcurl hands both to the header callback).
//
// The address family follows preferred_ip_protocol, and with
// ip_protocol_fallback a name without an address of that family is tried
// with the other. With tls_config.server_name, SNI and the verified name are
// that name while the connection goes to the target.
//
// Failure reasons: dns, connect, tls, tls_verify, timeout (the check's
// timeout, which bounds the whole run), protocol (not HTTP/2, not gRPC, a
// malformed or over-large response), grpc_status (a grpc-status other than
// OK, e.g. NOT_FOUND for an unknown service), not_serving (an answer other
// than SERVING). The verdict is grpc_verdict.h's.
//
// Not thread-safe: lives on the thread that drives it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "collectors/checks/curl_run.h"
#include "collectors/checks/grpc/grpc_module.h"
#include "collectors/checks/target_policy.h"

namespace hostwatch {

// Starts a run of module against target ("host:port", "[v6]:port") now; its
// handle() is null when it finished at once (libcurl missing, bad target).
// An ad-hoc run's guard refuses every address libcurl would connect to outside
// the allow-list before its socket exists (reason target_not_allowed).
std::unique_ptr<CurlRun> StartGrpcRun(std::shared_ptr<const GrpcModule> module, const std::string& target,
                                      std::chrono::milliseconds timeout, std::chrono::steady_clock::time_point now,
                                      AddressGuard guard = {});

}  // namespace hostwatch
