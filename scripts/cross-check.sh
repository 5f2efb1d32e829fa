#!/usr/bin/env bash
# Cross-compiles the core library, the RKNN backend and the core tests for
# aarch64 (what runs on RK3588/RK356x boards) and runs the tests under
# qemu-user: the portable (NEON auto-vectorized) kernels against the
# references, on an Arm CPU model.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for p in g++-aarch64-linux-gnu qemu-user; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [[ ${#need[@]} -gt 0 ]]; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cmake -S . -B build-aarch64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  -DRKYOLO_WITH_CPU=OFF -DRKYOLO_BUILD_APPS=OFF -DRKYOLO_BUILD_EMULATOR=OFF -DRKYOLO_BUILD_BENCH=OFF >/dev/null
cmake --build build-aarch64 -j "${RKYOLO_JOBS:-$(nproc)}" --target test_core rkyolo_backends
qemu-aarch64 -L /usr/aarch64-linux-gnu build-aarch64/tests/test_core --gtest_brief=1
echo "cross-check: aarch64 build and core tests passed"
