#!/usr/bin/env bash
# Configures and builds rkyolo.
#   scripts/build.sh                 Release build in build/ (everything)
#   scripts/build.sh sanitize        ASan + UBSan build in build-sanitize/
#   scripts/build.sh app             only the rkyolo CLI, in build/
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-release}"
jobs="${RKYOLO_JOBS:-$(nproc)}"
case "$mode" in
  release)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j "$jobs"
    ;;
  app)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j "$jobs" --target rkyolo
    ;;
  sanitize)
    # No benchmarks (timings under sanitizers mean nothing); -O1 keeps it quick.
    cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
      -DRKYOLO_SANITIZE=address,undefined -DRKYOLO_BUILD_BENCH=OFF >/dev/null
    cmake --build build-sanitize -j "$jobs"
    ;;
  *)
    echo "usage: scripts/build.sh [release|sanitize|app]" >&2
    exit 2
    ;;
esac
