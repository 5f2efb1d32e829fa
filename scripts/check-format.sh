#!/usr/bin/env bash
# Checks every tracked C/C++ file against the committed .clang-format with
# clang-format-14 (the version Debian 12 ships). `--fix` rewrites them.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' '*.c')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format-14 -i "${files[@]}"
  exit 0
fi
if ! clang-format-14 --dry-run --Werror "${files[@]}" 2>/tmp/rkyolo-format.$$; then
  grep -oE '^[^ :]+:[0-9]+:[0-9]+: (warning|error)' /tmp/rkyolo-format.$$ | cut -d: -f1,2 | sort -u | head -20 >&2
  rm -f /tmp/rkyolo-format.$$
  echo "check-format: the files above differ from .clang-format; run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/rkyolo-format.$$
echo "check-format: ${#files[@]} files follow .clang-format"
