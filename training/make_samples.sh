#!/bin/sh
# Regenerate the README demo scenes samples/scene{1..4}.jpg (+ ground-truth YOLO txt) from
# the held-out TEST split (never used for training or model selection).
#   scene1 = test image 4  (720x720)    scene2 = test image 17 (960x540)
#   scene3 = test image 21 (640x480)    scene4 = test image 8  (480x640, portrait)
# and the sample video samples/shapes.mp4: 3 s of moving objects, 640x360 at 25 fps, H.264 (~110 KB).
set -e
cd "$(dirname "$0")/.."
/usr/bin/python3 training/scenes.py --samples samples --split test --indices 4,17,21,8
/usr/bin/python3 training/scenes.py --video samples/shapes.mp4 --set demo --index 0 --size 640x360 --frames 75 --fps 25
