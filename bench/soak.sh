#!/usr/bin/env bash
# Soak test, run on demand: starts the built agent on 127.0.0.1 with SOAK_CHECKS (default 200) HTTP
# checks at a 1 s interval against a loopback server, scrapes /metrics every 100 ms for
# SOAK_SECONDS (default 600), samples the agent's RSS and open fds every SOAK_SAMPLE_SECONDS
# (default 10), and reports start, end, peak and the least-squares RSS trend over the second half
# (the first is warm-up; see bench/soak.py). Fails (exit 1) on any scrape that is not 200, any
# failed check run, fd growth, or an RSS trend above SOAK_MAX_RSS_KIB_PER_MIN (default 64 KiB/min).
# tests/integration/test_soak.py runs the same loop for 60 s in CI.
# Usage: bench/soak.sh [path/to/hostwatch [extra agent flags...]]
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/soak.py "${1:-build/agent/hostwatch}" "${@:2}"
