#!/usr/bin/env bash
# Installs every build and test dependency of hostwatch from Debian 12 packages.
# Idempotent: packages already present are skipped by apt-get. Works as root or through sudo.
# Usage: packaging/install-deps.sh [--build-only]
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  prometheus-cpp-dev libcivetweb-dev civetweb libspdlog-dev libfmt-dev libcli11-dev
  libyaml-cpp-dev libcurl4-openssl-dev libre2-dev zlib1g-dev libsystemd-dev libssl-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
)
# Test-only tools: promtool/prometheus for exposition and rule checks, python3 for the
# integration harness (standard library only), openssl for test-time certificates,
# dpkg-dev/file/lintian/fakeroot for package tests, curl for manual checks, chromium for
# the status page browser test.
test_packages=(
  prometheus python3 openssl curl dpkg-dev file lintian fakeroot systemd chromium
)

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

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
# A third-party source that cannot be reached must not stop us: Debian's own lists are what we need.
"${sudo_cmd[@]}" apt-get update -q || echo "install-deps: apt-get update reported errors; continuing" >&2
# policy-rc.d may forbid starting daemons (prometheus ships one); that is what we want in tests.
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
