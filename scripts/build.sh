#!/usr/bin/env bash
# Configures and builds rkyolo.
#   scripts/build.sh                 Release build in build/ (everything, the default compiler)
#   scripts/build.sh sanitize        clang-14 ASan + UBSan build in build-sanitize/, with the
#                                    libFuzzer harnesses (build-sanitize/fuzz/, see scripts/fuzz.sh):
#                                    clang, the sanitizers and the fuzzers share one tree, built once
#   scripts/build.sh tsan            clang-14 ThreadSanitizer build of the pipeline tests only
#                                    (test_pipeline and what it needs), in build-tsan/
#   scripts/build.sh app             only the rkyolo CLI, in build/
# ccache is used when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-release}"
jobs="${RKYOLO_JOBS:-$(nproc)}"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
case "$mode" in
  release)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
    cmake --build build -j "$jobs"
    ;;
  app)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
    cmake --build build -j "$jobs" --target rkyolo
    ;;
  sanitize)
    # No benchmarks (timings under sanitizers mean nothing); -O1 keeps it quick.
    # A tree configured with another compiler is configured afresh.
    if [[ -f build-sanitize/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++-14' build-sanitize/CMakeCache.txt; then
      rm -f build-sanitize/CMakeCache.txt
    fi
    cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
      -DRKYOLO_SANITIZE=address,undefined -DRKYOLO_FUZZ=ON -DRKYOLO_BUILD_BENCH=OFF >/dev/null
    cmake --build build-sanitize -j "$jobs"
    ;;
  tsan)
    # Only the multi-threaded part, the pipeline, and its tests: -O1 keeps
    # it quick; no fuzzers, benchmarks or CLI tests.
    if [[ -f build-tsan/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++-14' build-tsan/CMakeCache.txt; then
      rm -f build-tsan/CMakeCache.txt
    fi
    cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
      -DRKYOLO_SANITIZE=thread -DRKYOLO_BUILD_BENCH=OFF -DRKYOLO_WITH_FFMPEG=OFF >/dev/null
    # The build itself runs the instrumented rknn-emu (test models): OpenCV's
    # and GDAL's own threads inside it are not ours to report.
    TSAN_OPTIONS="suppressions=$PWD/tests/sanitizer/tsan.supp" cmake --build build-tsan -j "$jobs" --target test_pipeline
    ;;
  *)
    echo "usage: scripts/build.sh [release|sanitize|tsan|app]" >&2
    exit 2
    ;;
esac
