#!/usr/bin/python3
"""Independent reference of the COCO bbox evaluation protocol (numpy only).

Written from the protocol as pycocotools' COCOeval defines it, not from
rkyolo's C++, so the two can check each other:

* per image and category, detections are sorted by score (stable) and the
  first maxDets = 100 are kept;
* for each IoU threshold in linspace(.5, .95, 10), detections in score order
  take the unmatched ground truth with the highest IoU >= threshold
  (threshold capped at 1 - 1e-10); ground truths inside the area range are
  preferred over ignored ones (they are searched first and a match with one
  of them is final);
* area ranges: all [0, 1e10], small [0, 32^2], medium [32^2, 96^2],
  large [96^2, 1e10] on w*h; ground truths outside are ignored; detections
  outside that match nothing are ignored, and so are detections matched to an
  ignored ground truth;
* per category and area, detections of all images are merged, sorted by score
  (stable), cumulative TP/FP give recall = tp / n_gt and precision =
  tp / (tp + fp + eps); precision is made monotone from the right and read at
  recall points linspace(0, 1, 101) with searchsorted(side='left'), 0 past the
  end;
* AP = mean over the 101 points (and thresholds); a category with no ground
  truth in the range has AP -1 and is left out of the mean.

Input (text, one record per line):
    nc <number of classes>
    image <index>                       # declares images in evaluation order
    gt <image> <class> <x> <y> <w> <h>
    dt <image> <class> <score> <x> <y> <w> <h>
Output: "<name> <value>" lines: map50_95, map50, map75, map_small, map_medium,
map_large, then "class <c> <ap50> <ap75> <ap50_95> <small> <medium> <large>".

Usage: coco_eval_ref.py INPUT.txt > OUTPUT.txt
"""
import sys

import numpy as np

IOU_THRS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1)
REC_THRS = np.linspace(0.0, 1.0, int(np.round(1.0 / 0.01)) + 1)
AREAS = {"all": (0.0, 1e5 ** 2), "small": (0.0, 32.0 ** 2), "medium": (32.0 ** 2, 96.0 ** 2),
         "large": (96.0 ** 2, 1e5 ** 2)}
MAX_DETS = 100


def read_input(path):
    nc, images, gts, dts = 0, [], {}, {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            if p[0] == "nc":
                nc = int(p[1])
            elif p[0] == "image":
                images.append(int(p[1]))
            elif p[0] == "gt":
                gts.setdefault((int(p[1]), int(p[2])), []).append([float(v) for v in p[3:7]])
            elif p[0] == "dt":
                dts.setdefault((int(p[1]), int(p[2])), []).append([float(v) for v in p[3:8]])
    return nc, images, gts, dts


def box_iou_xywh(a, b):
    """IoU matrix between boxes a (N, 4) and b (M, 4), both x, y, w, h."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.minimum(ax2[:, None], bx2[None, :]) - np.maximum(a[:, 0][:, None], b[:, 0][None, :])
    ih = np.minimum(ay2[:, None], by2[None, :]) - np.maximum(a[:, 1][:, None], b[:, 1][None, :])
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(inter > 0, inter / union, 0.0)


def evaluate_image(gt, dt, area_lo, area_hi):
    """Matches one image+category. Returns (scores, tp[T,D], ignored[T,D], n_counted_gt)."""
    gt = np.asarray(gt, dtype=np.float64).reshape(-1, 4)
    dt = np.asarray(dt, dtype=np.float64).reshape(-1, 5)
    order = np.argsort(-dt[:, 0], kind="mergesort")[:MAX_DETS]
    dt = dt[order]
    scores, dboxes = dt[:, 0], dt[:, 1:5]
    g_area = gt[:, 2] * gt[:, 3]
    g_ign = (g_area < area_lo) | (g_area > area_hi)
    g_order = np.argsort(g_ign.astype(np.int64), kind="mergesort")  # counted ground truths first
    gt, g_ign = gt[g_order], g_ign[g_order]
    iou = box_iou_xywh(dboxes, gt)
    T, D, G = len(IOU_THRS), len(dt), len(gt)
    tp = np.zeros((T, D), dtype=bool)
    ign = np.zeros((T, D), dtype=bool)
    d_area = dboxes[:, 2] * dboxes[:, 3]
    d_out = (d_area < area_lo) | (d_area > area_hi)
    for ti, thr in enumerate(IOU_THRS):
        used = np.zeros(G, dtype=bool)
        for di in range(D):
            best_iou, best = min(thr, 1 - 1e-10), -1
            for gi in range(G):
                if used[gi]:
                    continue
                if best >= 0 and not g_ign[best] and g_ign[gi]:
                    break  # never trade a counted match for an ignored one
                if iou[di, gi] >= best_iou:
                    best_iou, best = iou[di, gi], gi
            if best < 0:
                ign[ti, di] = d_out[di]
            else:
                used[best] = True
                tp[ti, di] = True
                ign[ti, di] = g_ign[best]
    return scores, tp, ign, int(np.count_nonzero(~g_ign))


def precision_table(records):
    """records: list of evaluate_image results (image order). -> (T, R) precision or None."""
    n_gt = sum(r[3] for r in records)
    if n_gt == 0:
        return None
    T = len(IOU_THRS)
    if records:
        scores = np.concatenate([r[0] for r in records])
        tp = np.concatenate([r[1] for r in records], axis=1)
        ign = np.concatenate([r[2] for r in records], axis=1)
    else:
        scores, tp, ign = np.zeros(0), np.zeros((T, 0), bool), np.zeros((T, 0), bool)
    order = np.argsort(-scores, kind="mergesort")
    tp, ign = tp[:, order], ign[:, order]
    out = np.zeros((T, len(REC_THRS)))
    for ti in range(T):
        tps = np.cumsum(tp[ti] & ~ign[ti]).astype(np.float64)
        fps = np.cumsum(~tp[ti] & ~ign[ti]).astype(np.float64)
        recall = tps / n_gt
        precision = tps / (tps + fps + np.spacing(1))
        envelope = np.maximum.accumulate(precision[::-1])[::-1] if len(precision) else precision
        idx = np.searchsorted(recall, REC_THRS, side="left")
        valid = idx < len(envelope)
        out[ti, valid] = envelope[idx[valid]]
    return out


def main():
    nc, images, gts, dts = read_input(sys.argv[1])
    aps = {}  # (class, area) -> (T, R) table or None
    for c in range(nc):
        for name, (lo, hi) in AREAS.items():
            records = []
            for im in images:
                g, d = gts.get((im, c), []), dts.get((im, c), [])
                if not g and not d:
                    continue
                records.append(evaluate_image(g, d, lo, hi))
            aps[(c, name)] = precision_table(records)

    def ap(c, area, t=None):
        table = aps[(c, area)]
        if table is None:
            return -1.0
        return float(np.mean(table if t is None else table[t]))

    def mean_over_classes(area, t=None):
        vals = [ap(c, area, t) for c in range(nc)]
        vals = [v for v in vals if v > -1]
        return float(np.mean(vals)) if vals else -1.0

    t75 = int(np.argmin(np.abs(IOU_THRS - 0.75)))
    print("map50_95 %.17g" % mean_over_classes("all"))
    print("map50 %.17g" % mean_over_classes("all", 0))
    print("map75 %.17g" % mean_over_classes("all", t75))
    for area in ("small", "medium", "large"):
        print("map_%s %.17g" % (area, mean_over_classes(area)))
    for c in range(nc):
        print("class %d %.17g %.17g %.17g %.17g %.17g %.17g" % (
            c, ap(c, "all", 0), ap(c, "all", t75), ap(c, "all"), ap(c, "small"), ap(c, "medium"),
            ap(c, "large")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
