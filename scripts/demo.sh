#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install, build, and detect objects
# in the shipped sample scenes and the sample video with the shipped demo
# model, writing annotated images, the annotated video and JSON to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh app
mkdir -p out/demo
build/apps/rkyolo detect --model models/rkyolo-shapes.onnx --source samples \
  --output out/demo --json out/demo/detections.json "$@"
build/apps/rkyolo detect --model models/rkyolo-shapes.onnx --source samples/shapes.mp4 \
  --output out/demo --json out/demo/shapes.jsonl "$@"
echo "demo: annotated images in out/demo/ and detections in out/demo/detections.json;"
echo "      annotated video out/demo/shapes.mp4 and one JSON line per frame in out/demo/shapes.jsonl"
