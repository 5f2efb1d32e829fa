#!/usr/bin/env bash
# Instructions per call of the hot kernels and of their baselines, the stable
# figure on a shared machine (timings are in bench/run_benchmarks.sh):
#   x86-64:  valgrind --tool=callgrind on build/bench/count_kernels
#   aarch64: qemu-aarch64 with bench/qemu_insn_count.c (a TCG plugin built in
#            build/bench; callgrind does not run under qemu-user) on
#            build-aarch64/bench/count_kernels (scripts/cross-check.sh)
# Each kernel runs N=2 and N=7 times in separate processes; the difference / 5
# is one call, without set-up or first-frame caches.
#   bench/count_instructions.sh [x86|aarch64|all] [KERNEL...]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
shift || true
lo=2 hi=7
out=out/bench
mkdir -p "$out"

count_x86() {  # kernel n
  valgrind --tool=callgrind --callgrind-out-file=/dev/null build/bench/count_kernels "$1" "$2" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
count_arm() {  # kernel n
  local f
  f=$(mktemp)
  qemu-aarch64 -L /usr/aarch64-linux-gnu -plugin "$PWD/build/bench/qemu_insn_count.so,outfile=$f" \
    build-aarch64/bench/count_kernels "$1" "$2" >/dev/null
  sed -n 's/^insns //p' "$f"
  rm -f "$f"
}
per_call() {  # arch kernel
  local a b
  a=$("count_$1" "$2" $lo)
  b=$("count_$1" "$2" $hi)
  echo $(( (b - a) / (hi - lo) ))
}
run_arch() {  # arch binary kernels...
  local arch=$1 bin=$2
  shift 2
  [[ -x $bin ]] || { echo "$bin missing: build it first" >&2; return 1; }
  local kernels=("$@")
  [[ ${#kernels[@]} -gt 0 ]] || mapfile -t kernels < <("${runner[@]}" "$bin" list)
  for k in "${kernels[@]}"; do
    printf '%s\t%s\t%s\n' "$arch" "$k" "$(per_call "$arch" "$k")"
  done
}
{
  if [[ $which == x86 || $which == all ]]; then
    runner=(); run_arch x86 build/bench/count_kernels "$@"
  fi
  if [[ $which == aarch64 || $which == all ]]; then
    runner=(qemu-aarch64 -L /usr/aarch64-linux-gnu); run_arch arm build-aarch64/bench/count_kernels "$@"
  fi
} | tee "$out/instructions.tsv" | /usr/bin/python3 -c '
import sys
rows = [l.split("\t") for l in sys.stdin.read().splitlines() if l.strip()]
n = {(a, k): int(v) for a, k, v in rows}
print("%-8s %-30s %14s" % ("arch", "kernel", "instructions"))
for a, k, v in rows: print("%-8s %-30s %14s" % (a, k, format(int(v), ",")))
pairs = [("letterbox_nhwc_i8", "opencv_nhwc_i8"), ("letterbox_nchw_f32", "opencv_nchw_f32"),
         ("letterbox_nhwc_i8", "letterbox_nhwc_i8_portable"), ("letterbox_nchw_f32", "letterbox_nchw_f32_portable"),
         ("post_rkyolo_nc1hwc2", "post_filter_first_nchw"), ("post_rkyolo_nchw", "post_filter_first_nchw"),
         ("post_rkyolo_nc1hwc2", "post_naive")]
print("ratios (baseline / rkyolo, fewer instructions = higher):")
for a in sorted({a for a, _, _ in rows}):
  for k, b in pairs:
    if (a, k) in n and (a, b) in n and n[(a, k)] > 0:
      print("  %-4s %-28s vs %-28s %6.2fx" % (a, k, b, n[(a, b)] / n[(a, k)]))
'
