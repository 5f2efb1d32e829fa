#!/usr/bin/env bash
# Runs both benchmark tiers and prints the figures the README's performance
# table reports. Needs a Release build (scripts/build.sh). Results (JSON) go
# to out/bench/. Run it on a quiet machine: every figure is compared with a
# baseline measured in the same run, but noise still moves them.
#   bash bench/run_benchmarks.sh          everything (the full tier; tens of minutes)
#   bash bench/run_benchmarks.sh quick    the multi-stream pipeline's three modes in
#                                         their quick tier (--quick: a minute or two)
set -euo pipefail
cd "$(dirname "$0")/.."
tier="${1:-full}"
if [[ "$tier" != full && "$tier" != quick ]]; then
  echo "usage: bash bench/run_benchmarks.sh [full|quick]" >&2
  exit 2
fi
B=build
out=out/bench
mkdir -p "$out"
model=models/rkyolo-shapes.onnx
image=samples/scene1.jpg
lib=$PWD/$B/emulator/librknnrt.so

echo "== environment"
grep -m1 "model name" /proc/cpuinfo || true
echo "cores: $(nproc); $(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ)"

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

# The multi-stream pipeline through the emulated RK3588 (timing + replay):
# 640-ready synthetic streams against the cores' ceiling (1 and 2 Sessions per
# core), real H.264 decoding of 720p/1080p clips (fast and paced as live), and
# the web view's cost with 0, 1, 4 MJPEG viewers (ratios to no web view).
pipeline_benches() {
  local quick=("$@")
  "$B/emulator/rknn-emu" convert "$model" --target rk3588 --calib samples -o "$out/shapes-rk3588.rknn" >/dev/null
  for mode in synthetic video web; do
    echo "== pipeline: $mode ${quick[*]}"
    "$B/bench/rkyolo-bench-pipeline" --model "$out/shapes-rk3588.rknn" --rknn-lib "$lib" --mode "$mode" "${quick[@]}" \
      --clip-dir "$B/bench-clips" --json "$out/pipeline-$mode.json"
  done
}
if [[ "$tier" == quick ]]; then
  pipeline_benches --quick
  exit 0
fi

echo "== tier 1: kernels (Google Benchmark, single thread, median of 5)"
$B/bench/bench_kernels --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 --benchmark_out="$out/kernels.json" --benchmark_out_format=json 2>/dev/null |
  grep -E "median|^Benchmark|^---"
echo "-- ratios in this run (baseline median / rkyolo median, CPU time: robust to a shared machine)"
/usr/bin/python3 - "$out/kernels.json" <<'PY'
import json, sys
rows = {b["run_name"]: b["cpu_time"] for b in json.load(open(sys.argv[1]))["benchmarks"]
        if b.get("aggregate_name") == "median"}
pairs = [("BM_Letterbox_Fused_NCHW_F32", "BM_Letterbox_OpenCV_NCHW_F32"),
         ("BM_Letterbox_Fused_NHWC_I8_Stride", "BM_Letterbox_OpenCV_NHWC_I8_Stride"),
         ("BM_Letterbox_Fused_NHWC_I8_Stride", "BM_Letterbox_Portable_NHWC_I8_Stride"),
         ("BM_Letterbox_MemoryFloor_NHWC_I8_Stride", "BM_Letterbox_OpenCV_NHWC_I8_Stride"),
         ("BM_Post_Yolov8nInt8_NCHW_ScoreSum", "BM_Post_Yolov8nInt8_FilterFirst_NCHW"),
         ("BM_Post_Yolov8nInt8_NC1HWC2_ScoreSum", "BM_Post_Yolov8nInt8_FilterFirst_NCHW"),
         ("BM_Post_Yolov8nInt8_NC1HWC2_ScoreSum", "BM_Post_Yolov8nInt8_NaiveDequantizeAll")]
for a, b in pairs:
    if a in rows and b in rows:
        print("%-40s %9.1f us  vs %-42s %9.1f us  %5.2fx" % (a[3:], rows[a], b[3:], rows[b], rows[b] / rows[a]))
PY

echo "== instruction counts (callgrind on x86-64; qemu-aarch64 + plugin when build-aarch64 exists)"
if [[ -x build-aarch64/bench/count_kernels ]]; then
  bench/count_instructions.sh all
else
  bench/count_instructions.sh x86
fi

echo "== tier 1: tracker (ByteTrack per frame, assignment solver vs greedy; median of 5)"
$B/bench/bench_tracker --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.2 --benchmark_out="$out/tracker.json" --benchmark_out_format=json 2>/dev/null |
  grep -E "median|^Benchmark|^---"

echo "== tier 2: end to end (rkyolo-bench, 1920x1080 frames)"
$B/bench/rkyolo-bench --model "$model" --backend cpu --image "$image" --frames 30 --warmup 3 \
  --label "CPU backend (OpenCV DNN)" --json "$out/e2e-cpu.json"

# The emulated NPU: emulated latency per run, graph skipped after the first
# run (replay), so the CPU work measured is rkyolo's and the runtime's copies.
"$B/emulator/rknn-emu" convert "$model" --target rk3588 --calib samples -o "$out/shapes-rk3588.rknn" >/dev/null
export RKNN_EMU_TIMING=1 RKNN_EMU_REPLAY=1
for io in standard zero-copy; do
  $B/bench/rkyolo-bench --model "$out/shapes-rk3588.rknn" --backend rknn --rknn-lib "$lib" --rknn-io $io \
    --image "$image" --frames 300 --label "RK3588 emulated, $io" --json "$out/e2e-rk3588-$io.json"
done
$B/bench/rkyolo-bench --model "$out/shapes-rk3588.rknn" --backend rknn --rknn-lib "$lib" --npu-cores all \
  --image "$image" --frames 300 --label "RK3588 emulated, one context on 3 cores" --json "$out/e2e-rk3588-all.json"
$B/bench/rkyolo-bench --model "$out/shapes-rk3588.rknn" --backend rknn --rknn-lib "$lib" --npu-cores 0_1_2 \
  --contexts 3 --image "$image" --frames 300 --label "RK3588 emulated, 3 contexts x 1 core" --json "$out/e2e-rk3588-3ctx.json"

pipeline_benches
