#!/usr/bin/python3
"""Evaluate an exported rkyolo ONNX model with OpenCV DNN (COCO-style mAP).

Pipeline (identical to what the C++ engine does):
  letterbox to 640 (Ultralytics rounding, pad 114, bilinear), BGR->RGB, /255, NCHW
  -> cv2.dnn forward -> per stride: DFL decode (softmax over 16 bins, distance = sum i*p_i,
  box = (cx-l, cy-t, cx+r, cy+b) * stride with cx = col+0.5), best class per anchor,
  conf >= 0.001 -> class-aware NMS (IoU 0.7), max_det 300 -> undo letterbox.
AP: COCO-style, 101-point interpolated precision, IoU thresholds 0.50:0.05:0.95, greedy
score-ordered matching per image and class, mean over classes that have ground truth.

    /usr/bin/python3 training/evaluate.py --model models/rkyolo-shapes.onnx \
        --data /tmp/shapes --split val --count 300 [--bench 50]

If DIR/images/<split> does not exist the images are generated in memory with scenes.py
(with the same JPEG round trip the CLI applies, so results are identical).
"""
import argparse
import glob
import os
import sys
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenes  # noqa: E402

IMGSZ = 640
STRIDES = (8, 16, 32)
REG_MAX = 16


# ---------------------------------------------------------------- preprocessing
def letterbox(img, size=IMGSZ):
    """Ultralytics LetterBox(auto=False, scaleup=True, center=True). Returns (img, r, (left, top))."""
    h, w = img.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    dw, dh = (size - nw) / 2, (size - nh) / 2
    if (w, h) != (nw, nh):
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    img = cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT,
                             value=(114, 114, 114))
    return img, r, (left, top)


def to_blob(img):
    """uint8 BGR HWC -> float32 RGB NCHW in [0, 1]."""
    return np.ascontiguousarray(img[..., ::-1].transpose(2, 0, 1)[None], dtype=np.float32) / 255.0


# ---------------------------------------------------------------- decoding
def decode(outputs, nc, conf=0.001, iou=0.7, max_det=300, max_nms=30000):
    """outputs: [box8, cls8, (sum8), box16, ...] as numpy (1,C,H,W). Returns (boxes xyxy, scores, classes)
    in letterboxed 640x640 coordinates."""
    per = len(outputs) // len(STRIDES)
    all_b, all_s, all_c = [], [], []
    for k, s in enumerate(STRIDES):
        box, cls = outputs[per * k][0], outputs[per * k + 1][0]
        _, h, w = cls.shape
        cls = cls.reshape(nc, -1)
        cid = cls.argmax(0)
        score = cls[cid, np.arange(cid.size)]
        keep = np.nonzero(score >= conf)[0]
        if keep.size == 0:
            continue
        logits = box.reshape(4, REG_MAX, -1)[:, :, keep]
        e = np.exp(logits - logits.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        dist = (p * np.arange(REG_MAX, dtype=np.float32)[None, :, None]).sum(1)   # (4, K)
        cx = (keep % w).astype(np.float32) + 0.5
        cy = (keep // w).astype(np.float32) + 0.5
        b = np.stack([cx - dist[0], cy - dist[1], cx + dist[2], cy + dist[3]], 1) * s
        all_b.append(b)
        all_s.append(score[keep])
        all_c.append(cid[keep])
    if not all_b:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    b, sc, c = np.concatenate(all_b), np.concatenate(all_s), np.concatenate(all_c)
    order = np.argsort(-sc, kind="stable")[:max_nms]
    b, sc, c = b[order], sc[order], c[order]
    keep = nms(b + c[:, None] * 4096.0, sc, iou, max_det)      # class-aware via offsets
    return b[keep], sc[keep], c[keep]


def nms(boxes, scores, iou_thr, max_keep=300):
    """Greedy NMS; boxes must be sorted by descending score."""
    x0, y0, x1, y1 = boxes.T
    area = (x1 - x0).clip(0) * (y1 - y0).clip(0)
    idx = np.arange(len(boxes))
    keep = []
    while idx.size:
        i = idx[0]
        keep.append(i)
        if len(keep) >= max_keep:
            break
        rest = idx[1:]
        iw = (np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest])).clip(0)
        ih = (np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest])).clip(0)
        inter = iw * ih
        ov = inter / (area[i] + area[rest] - inter + 1e-9)
        idx = rest[ov <= iou_thr]
    return np.array(keep, np.int64)


def unletterbox(boxes, r, pad, shape):
    b = boxes.copy()
    b[:, [0, 2]] = ((b[:, [0, 2]] - pad[0]) / r).clip(0, shape[1])
    b[:, [1, 3]] = ((b[:, [1, 3]] - pad[1]) / r).clip(0, shape[0])
    return b


# ---------------------------------------------------------------- backends
class Cv2Backend:
    def __init__(self, path):
        self.net = cv2.dnn.readNetFromONNX(path)
        self.names = [n for s in STRIDES for n in ("box%d" % s, "cls%d" % s, "sum%d" % s)]

    def __call__(self, blob):
        self.net.setInput(blob)
        return self.net.forward(self.names)


class TorchBackend:
    """Runs an RkYolo torch model and returns the same tensors as the exported ONNX."""

    def __init__(self, model):
        self.model = model

    def __call__(self, blob):
        import torch
        with torch.no_grad():
            outs = self.model(torch.from_numpy(blob))
        res = []
        for box, cls in outs:
            res += [box.numpy(), torch.sigmoid(cls).numpy()]
        return res


def detect(backend, img, nc, **kw):
    lb, r, pad = letterbox(img)
    b, s, c = decode(backend(to_blob(lb)), nc, **kw)
    return unletterbox(b, r, pad, img.shape[:2]), s, c


# ---------------------------------------------------------------- data
def read_labels(path, w, h):
    boxes, classes = [], []
    if os.path.exists(path):
        for line in open(path):
            v = line.split()
            if len(v) != 5:
                continue
            c, cx, cy, bw, bh = int(v[0]), *map(float, v[1:])
            boxes.append([(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h])
            classes.append(c)
    return np.array(boxes, np.float32).reshape(-1, 4), np.array(classes, np.int64)


def iter_split(data, split, count=None, seed_base=0):
    """Yield (name, img, gt_boxes, gt_classes) from DIR/images/<split> or generate in memory."""
    files = sorted(glob.glob(os.path.join(data, "images", split, "*.jpg"))) if data else []
    if files:
        for f in files[:count]:
            img = cv2.imread(f)
            lbl = os.path.join(data, "labels", split, os.path.splitext(os.path.basename(f))[0] + ".txt")
            yield (f, img) + read_labels(lbl, img.shape[1], img.shape[0])
    else:
        for i in range(count or 300):
            img, boxes, classes = scenes.make_scene(split, i, seed_base)
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, scenes.JPEG_QUALITY])
            img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
            # same rounding as the txt labels written by the CLI
            h, w = img.shape[:2]
            txt = scenes.yolo_lines(boxes, classes, w, h)
            b, c = [], []
            for line in txt.splitlines():
                v = line.split()
                cc, cx, cy, bw, bh = int(v[0]), *map(float, v[1:])
                b.append([(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h])
                c.append(cc)
            yield ("%s_%06d" % (split, i), img, np.array(b, np.float32).reshape(-1, 4),
                   np.array(c, np.int64))


# ---------------------------------------------------------------- metrics
def box_iou(a, b):
    ix = (np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])).clip(0)
    iy = (np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])).clip(0)
    inter = ix * iy
    aa = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    ab = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (aa[:, None] + ab[None, :] - inter + 1e-9)


IOU_THRS = np.linspace(0.5, 0.95, 10)


class APAccumulator:
    """COCO-style AP with 101-point interpolation, optional GT-area filter per query."""

    def __init__(self, nc):
        self.nc = nc
        self.records = []   # per image: (pred boxes, scores, classes, gt boxes, gt classes)

    def add(self, pb, ps, pc, gb, gc):
        self.records.append((pb, ps, pc, gb, gc))

    def compute(self, area_rng=None):
        """Returns ap[nc, 10] (nan where a class has no GT)."""
        T = len(IOU_THRS)
        scores = [[] for _ in range(self.nc)]
        tps = [[] for _ in range(self.nc)]     # (n_det, T) bool
        ignored = [[] for _ in range(self.nc)]
        ngt = np.zeros(self.nc, np.int64)
        for pb, ps, pc, gb, gc in self.records:
            for c in range(self.nc):
                d = np.nonzero(pc == c)[0]
                g = np.nonzero(gc == c)[0]
                g_area = (gb[g, 2] - gb[g, 0]) * (gb[g, 3] - gb[g, 1])
                g_ign = np.zeros(len(g), bool) if area_rng is None else \
                    (g_area < area_rng[0]) | (g_area >= area_rng[1])
                ngt[c] += int((~g_ign).sum())
                if len(d) == 0:
                    continue
                d = d[np.argsort(-ps[d], kind="stable")]
                tp = np.zeros((len(d), T), bool)
                ign = np.zeros((len(d), T), bool)
                if len(g):
                    # COCO: non-ignored GTs are matched first
                    gorder = np.argsort(g_ign, kind="stable")
                    g, g_ign = g[gorder], g_ign[gorder]
                    ious = box_iou(pb[d], gb[g])
                    for t, thr in enumerate(IOU_THRS):
                        taken = np.zeros(len(g), bool)
                        for i in range(len(d)):
                            best, bj = min(thr, 1 - 1e-10), -1
                            for j in range(len(g)):
                                if taken[j]:
                                    continue
                                if bj > -1 and not g_ign[bj] and g_ign[j]:
                                    break
                                if ious[i, j] < best:
                                    continue
                                best, bj = ious[i, j], j
                            if bj >= 0:
                                taken[bj] = True
                                tp[i, t] = True
                                ign[i, t] = g_ign[bj]
                if area_rng is not None:
                    # unmatched detections outside the area range are ignored
                    b = pb[d]
                    a = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
                    out = (a < area_rng[0]) | (a >= area_rng[1])
                    ign |= (~tp) & out[:, None]
                scores[c].append(ps[d])
                tps[c].append(np.where(ign, -1, tp.astype(np.int8)))
        ap = np.full((self.nc, T), np.nan)
        rec_pts = np.linspace(0, 1, 101)
        for c in range(self.nc):
            if ngt[c] == 0:
                continue
            if not scores[c]:
                ap[c] = 0.0
                continue
            s = np.concatenate(scores[c])
            m = np.concatenate(tps[c])
            order = np.argsort(-s, kind="mergesort")
            m = m[order]
            for t in range(T):
                v = m[:, t]
                v = v[v >= 0]
                tpc = np.cumsum(v == 1)
                fpc = np.cumsum(v == 0)
                rec = tpc / ngt[c]
                prec = tpc / np.maximum(tpc + fpc, 1e-9)
                prec = np.maximum.accumulate(prec[::-1])[::-1] if len(prec) else prec
                idx = np.searchsorted(rec, rec_pts, side="left")
                q = np.array([prec[i] if i < len(prec) else 0.0 for i in idx])
                ap[c, t] = q.mean()
        return ap


def evaluate(backend, samples, nc, verbose=True, **kw):
    acc = APAccumulator(nc)
    n_img = n_gt = 0
    t0 = time.time()
    for name, img, gb, gc in samples:
        pb, ps, pc = detect(backend, img, nc, **kw)
        acc.add(pb, ps, pc, gb, gc)
        n_img += 1
        n_gt += len(gc)
    ap = acc.compute()
    res = {"images": n_img, "instances": n_gt, "mAP50": float(np.nanmean(ap[:, 0])),
           "mAP50_95": float(np.nanmean(ap)), "ap_class": ap, "seconds": time.time() - t0}
    for tag, rng in (("small", (0, 32 ** 2)), ("medium", (32 ** 2, 96 ** 2)), ("large", (96 ** 2, 1e10))):
        a = acc.compute(rng)
        res["mAP50_95_" + tag] = float(np.nanmean(a)) if np.isfinite(a).any() else float("nan")
    if verbose:
        print("%d images, %d instances, %.1fs" % (n_img, n_gt, res["seconds"]))
        print("%-10s %8s %10s" % ("class", "AP50", "AP50-95"))
        for c in range(nc):
            print("%-10s %8.4f %10.4f" % (scenes.NAMES[c], ap[c, 0], np.nanmean(ap[c])))
        print("%-10s %8.4f %10.4f" % ("all", res["mAP50"], res["mAP50_95"]))
        print("mAP50-95 small %.4f  medium %.4f  large %.4f" %
              (res["mAP50_95_small"], res["mAP50_95_medium"], res["mAP50_95_large"]))
    return res


def bench(path, n=50):
    net = cv2.dnn.readNetFromONNX(path)
    names = [n_ for s in STRIDES for n_ in ("box%d" % s, "cls%d" % s, "sum%d" % s)]
    blob = np.random.default_rng(0).random((1, 3, IMGSZ, IMGSZ), dtype=np.float32)
    for _ in range(5):
        net.setInput(blob)
        net.forward(names)
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        net.setInput(blob)
        net.forward(names)
        ts.append((time.perf_counter() - t) * 1e3)
    ts = np.array(ts)
    print("cv2.dnn %s  threads=%d  forward 640x640: median %.1f ms  mean %.1f ms  min %.1f ms" %
          (cv2.__version__, cv2.getNumThreads(), np.median(ts), ts.mean(), ts.min()))
    return float(np.median(ts))


def main(argv=None):
    ap = argparse.ArgumentParser(description="COCO-style mAP of an rkyolo ONNX model via cv2.dnn")
    ap.add_argument("--model", default="models/rkyolo-shapes.onnx")
    ap.add_argument("--data", default=None, help="dataset root written by scenes.py")
    ap.add_argument("--split", default="val")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed-base", type=int, default=0)
    ap.add_argument("--conf", type=float, default=0.001)
    ap.add_argument("--iou", type=float, default=0.7)
    ap.add_argument("--max-det", type=int, default=300)
    ap.add_argument("--bench", type=int, default=0, help="also time N cv2.dnn forwards")
    a = ap.parse_args(argv)
    if a.bench:
        bench(a.model, a.bench)
    nc = len(scenes.NAMES)
    evaluate(Cv2Backend(a.model), iter_split(a.data, a.split, a.count, a.seed_base), nc,
             conf=a.conf, iou=a.iou, max_det=a.max_det)


if __name__ == "__main__":
    main()
