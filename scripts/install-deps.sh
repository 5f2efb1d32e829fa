#!/usr/bin/env bash
# Installs everything rkyolo needs to build, run and test, from Debian 12's
# archive. Idempotent: installs only what is missing.
#   scripts/install-deps.sh            build, run and test
#   scripts/install-deps.sh --training also PyTorch (training/ the demo model)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-dnn-dev libopencv-videoio-dev
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev
  python3 python3-numpy python3-opencv python3-onnx
  clang-14 libclang-rt-14-dev llvm-14
)
if [[ "${1:-}" == "--training" ]]; then
  packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
