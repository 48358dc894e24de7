#!/usr/bin/env bash
# Installs every build and test dependency of hostwatch from Debian 12 packages.
# Idempotent: packages already present are skipped by apt-get. Works as root or through sudo.
# Usage: packaging/install-deps.sh [--build-only]
set -euo pipefail

# dpkg-dev (dpkg-shlibdeps) and file are what `cpack -G DEB` needs to build the package.
# clang and libclang-rt-14-dev (libFuzzer and clang's sanitizer runtimes) build tests/fuzz.
# help2man writes the manual page from --help, so it cannot drift from the flags.
# libprotobuf-dev, protobuf-compiler and libsnappy-dev: remote_write's WriteRequest (protoc generates
# it from agent/remote_write/remote.proto; the agent links libprotobuf-lite) and its snappy framing.
# libcivetweb-dev/civetweb stay only because prometheus-cpp's CMake config looks for CivetWeb;
# hostwatch itself links its own CivetWeb built from Debian's source (cmake/civetweb.cmake).
build_packages=(
  build-essential cmake ninja-build pkg-config git dpkg-dev file
  prometheus-cpp-dev libcivetweb-dev civetweb libspdlog-dev libfmt-dev libcli11-dev
  libyaml-cpp-dev libcurl4-openssl-dev libre2-dev zlib1g-dev libsystemd-dev libssl-dev libcrypt-dev
  libldns-dev libprotobuf-dev protobuf-compiler libsnappy-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang libclang-rt-14-dev help2man
)
# Test-only tools: promtool/prometheus for exposition and rule checks, python3 for the
# integration harness (standard library only; its crypt module makes bcrypt hashes for the
# basic-auth tests), openssl for test-time certificates,
# lintian/fakeroot for package tests (adduser and init-system-helpers
# are what the package's maintainer scripts call; systemd gives systemd-analyze),
# curl for manual checks, chromium for the status page browser test, strace for the no-exec test,
# prometheus-node-exporter as the reference the dashboard test compares hostwatch with,
# wrk for the load test (tests/integration/test_load.py, bench/load.sh), dbus for the system bus the
# systemd collector talks to in the booted-systemd tests (only a Recommends of systemd),
# prometheus-blackbox-exporter as the reference the tcp check test compares probes with, iproute2 for
# the network namespaces and veth pairs of the ethtool test, btrfs-progs for the loop-mounted btrfs of
# the btrfs ioctl test, dnsmasq-base for the DNS server the dns check test queries, python3-grpcio
# for the gRPC health server of the grpc check test, podman to build the container image
# (tests/integration/test_container_image.py; FROM scratch, so no base image and no mmdebstrap), nodejs
# and npm for the Kubernetes manifests' schema validation (npm's kubernetes-models,
# tests/integration/test_kubernetes_manifests.py; kubectl, not in Debian, is used when present),
# victoria-metrics as the second remote_write receiver (tests/integration/test_remote_write*.py).
test_packages=(
  prometheus python3 openssl curl lintian fakeroot systemd dbus adduser init-system-helpers chromium strace
  prometheus-node-exporter prometheus-blackbox-exporter iproute2 wrk btrfs-progs python3-grpcio dnsmasq-base
  podman nodejs victoria-metrics supervisor
)
# Debian's nodejs comes without npm; NodeSource's nodejs ships it and conflicts with Debian's npm.
if ! command -v npm >/dev/null 2>&1; then
  test_packages+=(npm)
fi

packages=("${build_packages[@]}")
if [[ "${1:-}" != "--build-only" ]]; then
  packages+=("${test_packages[@]}")
fi

sudo_cmd=()
if [[ "$(id -u)" -ne 0 ]]; then
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

# CivetWeb is built from Debian's own source package (see docs/security.md, "How the server is built":
# the binary package lacks IPv6 and its TLS crashes on OpenSSL 3). Fetching it needs a deb-src entry for the same mirror
# and keyring as the system's Debian `deb` entry; we add one only for Debian's own URIs.
repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
civetweb_dir="${repo_dir}/third_party/civetweb-src"
src_list=/etc/apt/sources.list.d/hostwatch-debian-src.sources
need_update=0

debian_src_entry() {
  # Prints a deb822 deb-src stanza for Debian main with the URI, suite and keyring of the
  # system's first .../debian `deb` entry (deb822 debian.sources as in Debian 12 images, or
  # a one-line entry in sources.list as after a classic install); nothing when there is none.
  local f=/etc/apt/sources.list.d/debian.sources
  if [[ -r "$f" ]]; then
    # One stanza at a time (blank line = end of stanza); the first with a .../debian URI wins.
    awk '
      function flush() {
        if (!done && uri != "" && types ~ /(^| )deb( |$)/) {
          print "Types: deb-src"; print "URIs: " uri; print "Suites: " suite; print "Components: main"
          if (key != "") print "Signed-By: " key
          done = 1
        }
        types = ""; uri = ""; suite = ""; key = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^Types:/ { types = $0; sub(/^Types:/, "", types) }
      /^URIs:/ { if ($2 ~ /\/debian\/?$/) uri = $2 }
      /^Suites:/ { suite = $2 }
      /^Signed-By:/ { key = $2 }
      END { flush() }
    ' "$f"
    return 0
  fi
  if [[ -r /etc/apt/sources.list ]]; then
    awk '$1 == "deb" && $2 !~ /^\[/ && $2 ~ /\/debian\/?$/ {
      print "Types: deb-src"; print "URIs: " $2; print "Suites: " $3; print "Components: main"
      print "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"; exit }' /etc/apt/sources.list
  fi
}

if ! ls "${civetweb_dir}"/civetweb_*.orig.tar.* >/dev/null 2>&1; then
  # Add our entry unless one is there, or apt already knows civetweb's source from another entry.
  if [[ ! -e "$src_list" ]] && ! apt-cache showsrc civetweb 2>/dev/null | grep -q '^Package: civetweb'; then
    entry="$(debian_src_entry)"
    if [[ -z "$entry" ]]; then
      echo "install-deps: no Debian deb entry found in /etc/apt/sources.list.d/debian.sources;" \
           "add a deb-src line for Debian main yourself, then rerun" >&2
      exit 1
    fi
    echo "install-deps: adding ${src_list}"
    printf '%s\n' "$entry" | "${sudo_cmd[@]}" tee "$src_list" >/dev/null
  fi
  need_update=1
fi

if [[ ${#missing[@]} -eq 0 && $need_update -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages and the CivetWeb source are present"
  exit 0
fi

# A third-party source that cannot be reached must not stop us: Debian's own lists are what we need.
"${sudo_cmd[@]}" apt-get update -q || echo "install-deps: apt-get update reported errors; continuing" >&2
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}"
  # policy-rc.d may forbid starting daemons (prometheus ships one); that is what we want in tests.
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [[ $need_update -eq 1 ]]; then
  echo "install-deps: fetching Debian's civetweb source into ${civetweb_dir}"
  mkdir -p "$civetweb_dir"
  (cd "$civetweb_dir" && apt-get source --download-only -q civetweb)
fi
