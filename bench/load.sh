#!/usr/bin/env bash
# Load test, run on demand: starts the built agent on 127.0.0.1 (default collectors, default
# --web.max-requests unless given), runs wrk (Debian package wrk) on /metrics with
# Accept-Encoding: gzip for LOAD_SECONDS (default 30) at LOAD_CONNECTIONS (default 32) with
# LOAD_THREADS (default 2) threads, and prints requests/s, latency percentiles, responses by status
# (bench/wrk_status.lua), and the agent's RSS and open fds before and after (fds after: the least
# over one second, as a closing connection holds one briefly). Fails (exit 1) on socket errors,
# on a status other than 200/503, or when fds do not come back to where they were.
# tests/integration/test_load.py is the bounded 10 s version that runs in CI.
# Usage: bench/load.sh [path/to/hostwatch [extra agent flags...]]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-build/agent/hostwatch}"
shift || true
seconds="${LOAD_SECONDS:-30}"
connections="${LOAD_CONNECTIONS:-32}"
threads="${LOAD_THREADS:-2}"
command -v wrk >/dev/null || { echo "load: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

log="$(mktemp)"
"${binary}" --web.listen-address=127.0.0.1:0 "$@" 2>"${log}" &
pid=$!
trap 'kill "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true; rm -f "${log}"' EXIT
port=""
for _ in $(seq 150); do
  port="$(sed -n 's/.*hostwatch started.*address="\{0,1\}[^ "]*:\([0-9]*\).*/\1/p' "${log}" | head -1)"
  [[ -n "${port}" ]] && break
  sleep 0.1
done
[[ -n "${port}" ]] || { echo "load: agent did not start" >&2; cat "${log}" >&2; exit 1; }
url="http://127.0.0.1:${port}"

rss() { awk '/^VmRSS:/ {print $2}' "/proc/${pid}/status"; }
fds() { ls "/proc/${pid}/fd" | wc -l; }
min_fds() {
  local low=1000000 n
  for _ in $(seq 10); do n="$(fds)"; (( n < low )) && low="${n}"; sleep 0.1; done
  echo "${low}"
}

curl -sf -o /dev/null "${url}/metrics"  # warm-up scrape
rss_before="$(rss)"; fds_before="$(min_fds)"
out="$(wrk -t"${threads}" -c"${connections}" -d"${seconds}s" --latency -s bench/wrk_status.lua "${url}/metrics")"
echo "${out}"
t0="$(date +%s.%N)"; healthy="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${url}/-/healthy")"
scrape="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "${url}/metrics")"
rss_after="$(rss)"; fds_after="$(min_fds)"
echo "load: after the run: /-/healthy ${healthy}, /metrics ${scrape% *} in ${scrape#* } s"
echo "load: RSS KiB before ${rss_before} after ${rss_after}; open fds before ${fds_before} after ${fds_after}"

status=0
if grep -q "Socket errors" <<<"${out}"; then echo "load: FAIL: socket errors" >&2; status=1; fi
if grep '^status ' <<<"${out}" | grep -vqE '^status (200|503) '; then
  echo "load: FAIL: a status other than 200/503" >&2; status=1
fi
if (( fds_after > fds_before )); then echo "load: FAIL: open fds grew" >&2; status=1; fi
exit "${status}"
