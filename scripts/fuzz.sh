#!/usr/bin/env bash
# Runs every libFuzzer harness built in build-sanitize/fuzz/ (scripts/build.sh
# sanitize) for SECONDS each (default 30), one after the other, on its
# committed seed corpus tests/fuzz/corpus/NAME/ plus a scratch corpus
# build-sanitize/fuzz/scratch/NAME/ that keeps what it learns between runs.
# One line per harness; fails on any crash, leak, undefined behaviour,
# timeout (a hang) or out-of-memory, leaving the input in
# build-sanitize/fuzz/crashes/. Longer: scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
dir=build-sanitize/fuzz
shopt -s nullglob
harnesses=("$dir"/fuzz_*)
if [[ ${#harnesses[@]} -eq 0 ]]; then
  echo "fuzz: no harnesses in $dir; run scripts/build.sh sanitize first" >&2
  exit 2
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$dir/crashes" "$dir/logs"
failed=0
for bin in "${harnesses[@]}"; do
  name="${bin##*/fuzz_}"
  corpus="tests/fuzz/corpus/$name"
  scratch="$dir/scratch/$name"
  log="$dir/logs/$name.log"
  mkdir -p "$scratch" "$corpus"
  # New inputs go to the scratch corpus (first directory); the committed one is read only.
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$dir/crashes/$name-" "$scratch" "$corpus" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  line="fuzz: $name $status: ${runs:-0} inputs in ${seconds} s, coverage ${cov:-0}, corpus $(ls "$scratch" | wc -l) + $(ls "$corpus" | wc -l)"
  if [[ $status != ok ]]; then
    crash=$(ls -t "$dir/crashes/$name-"* 2>/dev/null | head -1 || true)
    line+=", input ${crash:-(none)}, log $log"
  fi
  echo "$line"
done
exit "$failed"
