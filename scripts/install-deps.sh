#!/usr/bin/env bash
# Installs everything rkyolo needs to build, run and test, from Debian 12's
# archive. Idempotent: installs only what is missing. scripts/fresh-check.sh
# proves on a fresh Debian 12 root that this list is complete.
#   scripts/install-deps.sh            build, run and test
#   scripts/install-deps.sh --training also PyTorch (training/ the demo model)
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # OpenCV 4.6 for the CPU backend, the emulator and the CLI: libopencv-dev is the
  # package that ships OpenCVConfig.cmake (the per-module -dev packages do not).
  libopencv-dev nlohmann-json3-dev
  # FFmpeg for the video sources and the annotated-video writer (rkyolo_video;
  # libavdevice has the V4L2 input, libswscale the colour conversions)
  libavformat-dev libavcodec-dev libavutil-dev libavdevice-dev libswscale-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-opencv python3-onnx
  # live-stream tests: ffmpeg's HTTP server, GStreamer's RTSP server
  ffmpeg python3-gi gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
  clang-14 clang-format-14 libclang-rt-14-dev llvm-14
  # live outputs: --mqtt (libmosquitto; the broker and clients for its tests),
  # --serve (cpp-httplib; headless Chromium for its tests), --show (Xvfb,
  # ImageMagick's import and xdotool for its tests)
  libmosquitto-dev mosquitto mosquitto-clients libcpp-httplib-dev chromium xvfb imagemagick xdotool
  # the web view's cost benchmark (bench/bench_pipeline.cc --mode web): its MJPEG viewers
  curl
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
