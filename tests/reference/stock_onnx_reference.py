#!/usr/bin/python3
"""Independent reference for stock Ultralytics ONNX exports, written with the
python onnx package rather than rkyolo's C++ graph code: the graph is cut
with onnx's own protobuf classes at the per-stride box and class
convolutions (the inputs of each head's Concat(cv2.i, cv3.i)), OpenCV DNN
runs the cut graph, and numpy does the sigmoid, the DFL decode and NMS
(tests/reference/yolo_reference.py: Ultralytics letterbox, decode, NMS).

  stock_onnx_reference.py detect MODEL IMAGE OUT.json [--conf C] [--iou I] [--max-det N]
      MODEL is a stock export (decode in the graph) or Rockchip's split file;
      writes [{"class_id", "score", "box": [x1, y1, x2, y2]}, ...]
"""
import argparse
import json
import os
import sys
import tempfile

import cv2
import numpy as np
import onnx
from onnx import helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yolo_reference as ref  # noqa: E402


def cut(model):
    """Returns (cut model, [(box name, cls name, needs sigmoid)]) ordered by stride."""
    g = model.graph
    producer = {o: n for n in g.node for o in n.output}
    heads = []
    for n in g.node:
        if n.op_type == "Concat" and len(n.input) == 2 and all(
                i in producer and producer[i].op_type == "Conv" for i in n.input):
            heads.append((n.input[0], n.input[1], True))
    if not heads:  # already split: box (64 channels) and cls outputs, score_sum dropped
        outs = [o.name for o in g.output]
        boxes = [o for o in outs if o.startswith("box")]
        classes = [o for o in outs if o.startswith("cls")]
        heads = list(zip(boxes, classes, [False] * len(boxes)))
    outputs = [helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
               for b, c, _ in heads for name in (b, c)]
    need = {o.name for o in outputs}
    keep = []
    for n in reversed(g.node):
        if any(o in need for o in n.output):
            keep.append(n)
            need.update(n.input)
    keep.reverse()
    del g.node[:]
    g.node.extend(keep)
    del g.output[:]
    g.output.extend(outputs)
    inits = [t for t in g.initializer if t.name in need]
    del g.initializer[:]
    g.initializer.extend(inits)
    # OpenCV 4.6 wants a shape on every graph output: give a rank-4 one.
    for o in g.output:
        for _ in range(4):
            o.type.tensor_type.shape.dim.add().dim_param = "d"
    return model, heads


def detect(args):
    model, heads = cut(onnx.load(args.model))
    with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
        f.write(model.SerializeToString())
        f.flush()
        net = cv2.dnn.readNetFromONNX(f.name)
    img = cv2.imread(args.image, cv2.IMREAD_COLOR)
    size = 640
    lb, r, (left, top) = ref.letterbox(img, (size, size))
    net.setInput(cv2.dnn.blobFromImage(lb, 1 / 255.0, swapRB=True))
    names = [n for b, c, _ in heads for n in (b, c)]
    outs = net.forward(names)
    tensors = []
    for k, (_, _, sigmoid) in enumerate(heads):
        box, cls = outs[2 * k], outs[2 * k + 1]
        if sigmoid:
            cls = 1.0 / (1.0 + np.exp(-cls))
        tensors += [box, cls]
    boxes, scores, classes = ref.candidates_v8_split(tensors, size)
    keep = scores >= args.conf
    boxes, scores, classes = boxes[keep], scores[keep], classes[keep]
    offset = classes[:, None].astype(np.float32) * 7680.0
    idx = ref.nms(boxes + offset, scores, args.iou)[: args.max_det]
    boxes, scores, classes = boxes[idx], scores[idx], classes[idx]
    boxes[:, [0, 2]] = np.clip((boxes[:, [0, 2]] - left) / r, 0, img.shape[1])
    boxes[:, [1, 3]] = np.clip((boxes[:, [1, 3]] - top) / r, 0, img.shape[0])
    out = [{"class_id": int(c), "score": float(s), "box": [float(v) for v in b]}
           for b, s, c in zip(boxes, scores, classes) if b[2] > b[0] and b[3] > b[1]]
    with open(args.out, "w") as f:
        json.dump(out, f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["detect"])
    p.add_argument("model")
    p.add_argument("image")
    p.add_argument("out")
    p.add_argument("--conf", type=float, default=0.25)
    p.add_argument("--iou", type=float, default=0.45)
    p.add_argument("--max-det", type=int, default=300)
    detect(p.parse_args())


if __name__ == "__main__":
    main()
