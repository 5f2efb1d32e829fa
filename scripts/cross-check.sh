#!/usr/bin/env bash
# The aarch64 build, tested: cross-compiles with Debian's g++-aarch64-linux-gnu
# everything that does not need OpenCV (the core library, the pipeline, the
# RKNN backend, the core tests, count_kernels) and runs the core tests under qemu-aarch64,
# so the NEON kernels (against their scalar references) and the Arm ABI are
# tested on every change. The emulator, the CPU backend and the CLI need
# OpenCV and are left out.
#   scripts/cross-check.sh            build + run the tests (build-aarch64/)
# RKYOLO_JOBS sets the build's parallelism (default: the core count). ccache
# is used when it is installed. Prints the time taken.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
need=()
for p in g++-aarch64-linux-gnu qemu-user; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [[ ${#need[@]} -gt 0 ]]; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
B=build-aarch64
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
mkdir -p "$B"
# Tests are listed when ctest runs (PRE_TEST), not by running each freshly
# linked binary under qemu at build time.
if ! cmake -S . -B "$B" -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  "${launcher[@]}" -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST \
  -DRKYOLO_WITH_CPU=OFF -DRKYOLO_BUILD_APPS=OFF -DRKYOLO_BUILD_EMULATOR=OFF -DRKYOLO_WITH_FFMPEG=OFF -DRKYOLO_BUILD_BENCH=ON \
  >"$B/configure.log" 2>&1; then
  cat "$B/configure.log" >&2
  echo "cross-check: configuring the aarch64 build failed" >&2
  exit 1
fi
cmake --build "$B" -j "${RKYOLO_JOBS:-$(nproc)}" --target test_core rkyolo_pipeline rkyolo_backends count_kernels
# The tests in 2 shards in parallel (qemu-user runs one guest thread per host
# thread), each with a time limit so a hung emulation cannot stall the caller.
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
shards=2
pids=()
for ((i = 0; i < shards; ++i)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i timeout 900 qemu-aarch64 "$B/tests/test_core" --gtest_brief=1 \
    >"$B/test-shard-$i.log" 2>&1 &
  pids+=($!)
done
fail=0
for ((i = 0; i < shards; ++i)); do
  if ! wait "${pids[$i]}"; then
    fail=1
    cat "$B/test-shard-$i.log" >&2
  fi
done
if [[ $fail -ne 0 ]]; then
  echo "cross-check: aarch64 tests failed (qemu-aarch64)" >&2
  exit 1
fi
tail -q -n 1 "$B"/test-shard-*.log
echo "cross-check: aarch64 build and core tests passed in $(( $(date +%s) - start )) s"
