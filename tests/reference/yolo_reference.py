#!/usr/bin/python3
"""Independent reference of rkyolo's image pipeline, in Python with numpy and
OpenCV (Debian's python3-opencv), written from the Ultralytics recipe rather
than from rkyolo's C++ code. The C++ tests call it and compare.

  letterbox: yolo_reference.py letterbox IMAGE WIDTH HEIGHT OUT.raw
      writes the letterboxed RGB uint8 image (HEIGHT x WIDTH x 3) as raw bytes
  detect:    yolo_reference.py detect MODEL IMAGE OUT.json [--conf C] [--iou I]
                                [--max-det N] [--layout v5|v5split|v8split]
      writes [{"class_id", "score", "box": [x1, y1, x2, y2]}, ...]
"""
import argparse
import json
import sys

import cv2
import numpy as np

ANCHORS = np.array([[[10, 13], [16, 30], [33, 23]],
                    [[30, 61], [62, 45], [59, 119]],
                    [[116, 90], [156, 198], [373, 326]]], dtype=np.float32)


def letterbox(img, new_shape):
    """Ultralytics LetterBox (auto=False, scaleup=True, center=True)."""
    shape = img.shape[:2]  # h, w
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]
    dw /= 2
    dh /= 2
    if shape[::-1] != new_unpad:
        img = cv2.resize(img, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    img = cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114))
    return img, r, (left, top)


def nms(boxes, scores, iou_thres):
    """Greedy NMS like torchvision.ops.nms: suppress IoU > threshold."""
    order = np.argsort(-scores, kind="stable")
    keep = []
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order.size:
        i = order[0]
        keep.append(i)
        xx1 = np.maximum(boxes[i, 0], boxes[order[1:], 0])
        yy1 = np.maximum(boxes[i, 1], boxes[order[1:], 1])
        xx2 = np.minimum(boxes[i, 2], boxes[order[1:], 2])
        yy2 = np.minimum(boxes[i, 3], boxes[order[1:], 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        union = areas[i] + areas[order[1:]] - inter
        iou = np.where(union > 0, inter / np.maximum(union, 1e-12), 0)
        order = order[1:][iou <= iou_thres]
    return np.array(keep, dtype=np.int64)


def xywh2xyxy(x):
    y = np.empty_like(x)
    y[:, 0] = x[:, 0] - x[:, 2] / 2
    y[:, 1] = x[:, 1] - x[:, 3] / 2
    y[:, 2] = x[:, 0] + x[:, 2] / 2
    y[:, 3] = x[:, 1] + x[:, 3] / 2
    return y


def candidates_v5(out):
    """(1, N, nc+5): score = obj * cls, best class per row."""
    p = out[0]
    conf = p[:, 4:5] * p[:, 5:]
    cls = conf.argmax(1)
    score = conf[np.arange(len(p)), cls]
    return xywh2xyxy(p[:, :4]), score, cls


def candidates_v5_split(outs, size):
    boxes, scores, classes = [], [], []
    for level, o in enumerate(sorted(outs, key=lambda t: -t.shape[2])):
        _, c, h, w = o.shape
        stride = size / h
        p = o[0].reshape(3, c // 3, h, w).transpose(0, 2, 3, 1)  # a, y, x, (nc+5)
        gy, gx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        xy = (p[..., 0:2] * 2 - 0.5 + np.stack([gx, gy], -1)[None]) * stride
        wh = (p[..., 2:4] * 2) ** 2 * ANCHORS[level][:, None, None, :]
        flat = np.concatenate([xy, wh, p[..., 4:]], -1).reshape(-1, c // 3)
        b, s, k = candidates_v5(flat[None])
        boxes.append(b), scores.append(s), classes.append(k)
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)


def candidates_v8_split(outs, size):
    """Rockchip split DFL heads: per stride (1,64,H,W) logits, (1,nc,H,W) scores [, (1,1,H,W) sum]."""
    by_grid = {}
    for o in outs:
        by_grid.setdefault(o.shape[2], []).append(o)
    boxes, scores, classes = [], [], []
    for h in sorted(by_grid, reverse=True):
        group = by_grid[h]
        box = [o for o in group if o.shape[1] == 64][0]
        cls = [o for o in group if o is not box][0]  # class scores precede score_sum
        _, _, h, w = box.shape
        stride = size / h
        logits = box[0].reshape(4, 16, h, w)
        e = np.exp(logits - logits.max(1, keepdims=True))
        dist = (e * np.arange(16, dtype=np.float32)[None, :, None, None]).sum(1) / e.sum(1)  # 4, h, w
        gy, gx = np.meshgrid(np.arange(h) + 0.5, np.arange(w) + 0.5, indexing="ij")
        xyxy = np.stack([gx - dist[0], gy - dist[1], gx + dist[2], gy + dist[3]], -1) * stride
        sc = cls[0].transpose(1, 2, 0).reshape(-1, cls.shape[1])
        k = sc.argmax(1)
        boxes.append(xyxy.reshape(-1, 4))
        scores.append(sc[np.arange(len(sc)), k])
        classes.append(k)
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)


def detect(args):
    img = cv2.imread(args.image, cv2.IMREAD_COLOR)
    net = cv2.dnn.readNetFromONNX(args.model)
    size = 640
    lb, r, (left, top) = letterbox(img, (size, size))
    blob = cv2.dnn.blobFromImage(lb, 1 / 255.0, swapRB=True)  # NCHW, RGB, pixel/255
    net.setInput(blob)
    outs = net.forward(net.getUnconnectedOutLayersNames())
    if args.layout == "v5":
        boxes, scores, classes = candidates_v5(outs[0])
    elif args.layout == "v5split":
        boxes, scores, classes = candidates_v5_split(outs, size)
    else:
        boxes, scores, classes = candidates_v8_split(outs, size)
    keep = scores >= args.conf
    boxes, scores, classes = boxes[keep], scores[keep], classes[keep]
    offset = classes[:, None].astype(np.float32) * 7680.0  # class-aware NMS by offsetting boxes
    idx = nms(boxes + offset, scores, args.iou)[: args.max_det]
    boxes, scores, classes = boxes[idx], scores[idx], classes[idx]
    # Back to source pixels (Ultralytics scale_boxes) and clip.
    boxes[:, [0, 2]] = np.clip((boxes[:, [0, 2]] - left) / r, 0, img.shape[1])
    boxes[:, [1, 3]] = np.clip((boxes[:, [1, 3]] - top) / r, 0, img.shape[0])
    out = [{"class_id": int(c), "score": float(s), "box": [float(v) for v in b]}
           for b, s, c in zip(boxes, scores, classes)
           if b[2] > b[0] and b[3] > b[1]]
    with open(args.out, "w") as f:
        json.dump(out, f)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "letterbox":
        _, _, image, width, height, out = sys.argv
        img = cv2.imread(image, cv2.IMREAD_COLOR)
        lb, _, _ = letterbox(img, (int(height), int(width)))
        rgb = cv2.cvtColor(lb, cv2.COLOR_BGR2RGB)
        with open(out, "wb") as f:
            f.write(np.ascontiguousarray(rgb).tobytes())
        return
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["detect"])
    p.add_argument("model")
    p.add_argument("image")
    p.add_argument("out")
    p.add_argument("--conf", type=float, default=0.25)
    p.add_argument("--iou", type=float, default=0.45)
    p.add_argument("--max-det", type=int, default=300)
    p.add_argument("--layout", choices=["v5", "v5split", "v8split"], default="v5")
    detect(p.parse_args())


if __name__ == "__main__":
    main()
