#!/usr/bin/env bash
# Builds hostwatch under sanitizers and runs the tests with them; exits non-zero on any report.
#   1. ASan+UBSan (preset "asan", clang): the whole ctest suite, unit and integration, plus every
#      libFuzzer target for 3 s (ctest label fuzz; the same build tree builds them, so fuzzing in CI
#      costs little more than the link).
#   2. TSan (preset "tsan"): the concurrency-heavy tests only (scraper, worker pool, HTTP server,
#      reload, web security, abuse, faults, check faults), to stay inside the CI time budget.
#   3. libFuzzer (clang, ASan+UBSan, build/fuzz): every target in tests/fuzz for FUZZ_SECONDS
#      (default 10) each, from the seed corpora and the stored crash regressions: the long runs.
# Reports are written to files (log_path) rather than judged by exit codes, because the
# integration tests run the agent as a child process and some of them kill it on purpose:
# a sanitizer report anywhere, in any process, fails this script.
# Usage: tests/sanitizers.sh [ci|asan|tsan|fuzz|all]   (default all; JOBS=n sets build parallelism)
#   ci = asan + tsan: what the README test command and .ci/run run (the asan stage includes 3 s per
#   fuzz target; longer fuzzing is on demand: CI budget).
set -euo pipefail
cd "$(dirname "$0")/.."
src="$(pwd)"
jobs="${JOBS:-2}"
what="${1:-all}"

# What TSan runs: its unit binary, which tests/CMakeLists.txt builds from the concurrency tests'
# files only (run directly, in one process), and these Python test files through CTest.
tsan_tests='^integration\.test_(abuse|faults|check_faults|config_reload|websec|foundation)$'
# What ASan does not run again: tests of what is shipped beside the binary (the .deb and its unit, the
# image, the manifests, the docs), which the plain build's run covers; ~2 CI minutes under ASan.
asan_skip='^integration\.test_(packaging|container_image|kubernetes_manifests|docs|readme)$'

check_reports() {
  local dir="$1" name="$2"
  if compgen -G "${dir}/report.*" >/dev/null; then
    echo "sanitizers: ${name} reported problems:" >&2
    cat "${dir}"/report.* >&2
    return 1
  fi
  echo "sanitizers: ${name}: no reports"
}

run_asan() {
  local reports="${src}/build/asan/sanitizer-reports"
  # "|| return": set -e does not apply inside a function called as `run_asan || status=1`.
  cmake --preset asan -DHOSTWATCH_BUILD_TESTS=ON >/dev/null || return 1
  cmake --build --preset asan -j"${jobs}" || return 1
  rm -rf "${reports}" "${src}/build/asan/Testing/Temporary/LastTestsFailed.log" && mkdir -p "${reports}"
  # detect_leaks: LeakSanitizer needs ptrace-like access to the process, which some containers deny;
  # it is on unless the environment says otherwise (ASAN_DETECT_LEAKS=0).
  export ASAN_OPTIONS="log_path=${reports}/report:detect_leaks=${ASAN_DETECT_LEAKS:-1}:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="log_path=${reports}/report:print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=${src}/tests/lsan.supp:print_suppressions=0"
  export HOSTWATCH_SANITIZER=asan  # tests that measure memory skip that part
  export HOSTWATCH_SANITIZER_REPORTS="${reports}"  # also collect reports agents print on stderr
  local rc=0
  ctest --test-dir build/asan --output-on-failure -j"${jobs}" -E "${asan_skip}" || rc=$?
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS HOSTWATCH_SANITIZER HOSTWATCH_SANITIZER_REPORTS
  check_reports "${reports}" "ASan+UBSan" || rc=1
  return "${rc}"
}

run_tsan() {
  local reports="${src}/build/tsan/sanitizer-reports"
  cmake --preset tsan -DHOSTWATCH_BUILD_TESTS=ON >/dev/null || return 1
  # Only what the selection runs: the agent and the unit binary (not the benchmarks or helpers).
  cmake --build --preset tsan -j"${jobs}" --target hostwatch hostwatch_unit_tests || return 1
  rm -rf "${reports}" "${src}/build/tsan/Testing/Temporary/LastTestsFailed.log" && mkdir -p "${reports}"
  export TSAN_OPTIONS="log_path=${reports}/report:halt_on_error=1:second_deadlock_stack=1:suppressions=${src}/tests/tsan.supp"
  export HOSTWATCH_SANITIZER=tsan
  export HOSTWATCH_SANITIZER_REPORTS="${reports}"
  local rc=0
  build/tsan/tests/hostwatch_unit_tests --gtest_brief=1 || rc=$?
  ctest --test-dir build/tsan --output-on-failure -j"${jobs}" -R "${tsan_tests}" || rc=$?
  unset TSAN_OPTIONS HOSTWATCH_SANITIZER HOSTWATCH_SANITIZER_REPORTS
  check_reports "${reports}" "TSan" || rc=1
  return "${rc}"
}

run_fuzz() {
  CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHOSTWATCH_BUILD_TESTS=OFF -DHOSTWATCH_BUILD_FUZZ=ON -DHOSTWATCH_SANITIZE=address,undefined \
    -DHOSTWATCH_FUZZ_SECONDS="${FUZZ_SECONDS:-10}" >/dev/null || return 1
  cmake --build build/fuzz -j"${jobs}" --target fuzz_targets || return 1
  ctest --test-dir build/fuzz -L fuzz --output-on-failure -j"${jobs}"
}

status=0
start=$(date +%s)
case "${what}" in
  asan) run_asan || status=1 ;;
  tsan) run_tsan || status=1 ;;
  fuzz) run_fuzz || status=1 ;;
  ci)
    run_asan || status=1
    run_tsan || status=1
    ;;
  all)
    run_asan || status=1
    run_tsan || status=1
    run_fuzz || status=1
    ;;
  *) echo "usage: $0 [ci|asan|tsan|fuzz|all]" >&2; exit 2 ;;
esac
# What failed, again at the very end, where a log cut in the middle (CI's) still shows it.
for preset in asan tsan; do
  failed="${src}/build/${preset}/Testing/Temporary/LastTestsFailed.log"
  if [[ "${status}" != 0 && -s "${failed}" ]]; then
    echo "sanitizers: ${preset} failed tests: $(cut -d: -f2 "${failed}" | tr '\n' ' ')"
  fi
  if compgen -G "${src}/build/${preset}/sanitizer-reports/report.*" >/dev/null; then
    echo "sanitizers: ${preset} reports (first lines):"
    head -n 20 "${src}/build/${preset}/sanitizer-reports"/report.* | head -n 60
  fi
done
echo "sanitizers: ${what} finished in $(( $(date +%s) - start )) s, status ${status}"
exit "${status}"
