#!/usr/bin/python3
"""Independent reference for multi-object tracking metrics: CLEAR-MOT (MOTA, MOTP, ID switches) and IDF1.

Usage: mot_metrics.py GT1 PRED1 [GT2 PRED2 ...]   -> one JSON object on stdout (all sequences pooled)

gt.txt rows:   frame, id, x, y, w, h, consider, class, visibility   (frames from 1, boxes in pixels)
pred.txt rows: frame, id, x, y, w, h, score

Ignore regions (MOTChallenge's preprocessing): rows with consider = 0 are objects hidden below the
visibility limit. In every frame, predictions are first matched one-to-one to all ground truth
(considered and ignored) by the optimal assignment with IoU >= 0.5; predictions matched to an ignored
object are dropped, and ignored objects are dropped. What remains is scored:

CLEAR-MOT (Bernardin & Stiefelhagen, 2008), with the IoU >= 0.5 match criterion:
  For every frame t, in order:
    1. A correspondence (o, h) made at an earlier frame is kept when object o and hypothesis h
       are both present at t and still overlap with IoU >= 0.5 (and neither was already taken).
    2. The remaining objects and hypotheses are matched by the optimal assignment minimising the
       sum of (1 - IoU) over pairs with IoU >= 0.5.
    3. A match (o, h) from step 2 is an ID switch when o's last correspondence (at any earlier
       frame) was a different hypothesis h'.
    m_t = objects left unmatched (misses, FN), fp_t = hypotheses left unmatched (FP),
    mme_t = ID switches, g_t = objects present, d_t = IoU of every match.
  MOTA = 1 - sum_t (m_t + fp_t + mme_t) / sum_t g_t
  MOTP = sum_t sum d_t / sum_t c_t   (mean IoU of matches; c_t = matches at t)

IDF1 (Ristani et al., 2016):
  Trajectories are matched one-to-one, globally over the whole sequence: ground-truth trajectory g
  and predicted trajectory p, if matched, share IDTP(g, p) = the number of frames where both exist
  and their boxes overlap with IoU >= 0.5. The matching maximises the total IDTP (the same as
  minimising IDFN + IDFP, since IDFN = |GT boxes| - IDTP and IDFP = |predicted boxes| - IDTP).
  IDF1 = 2 IDTP / (2 IDTP + IDFP + IDFN) = 2 IDTP / (|GT boxes| + |predicted boxes|)
  Sequences are matched separately, their counts summed.

The optimal assignments use the Hungarian method written below (scipy may be absent).
"""
import json
import sys

import numpy as np

IOU_MIN = 0.5


def hungarian(cost):
    """Minimum-cost perfect assignment of a rectangular matrix (rows <= cols after a transpose).

    Kuhn-Munkres with row/column potentials and Dijkstra-like shortest augmenting paths.
    Returns a list of (row, col) pairs covering min(rows, cols) of them.
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.size == 0:
        return []
    transposed = cost.shape[0] > cost.shape[1]
    if transposed:
        cost = cost.T
    n, m = cost.shape
    INF = float("inf")
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    match_col = np.zeros(m + 1, dtype=int)     # row (1-based) matched to column j, 0 = none
    way = np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        match_col[0] = i
        j0 = 0
        minv = np.full(m + 1, INF)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = match_col[j0]
            cur = cost[i0 - 1] - u[i0] - v[1:]
            free = ~used[1:]
            better = free & (cur < minv[1:])
            minv[1:][better] = cur[better]
            way[1:][better] = j0
            cand = np.where(free, minv[1:], INF)
            j1 = int(np.argmin(cand)) + 1
            delta = cand[j1 - 1]
            rows = match_col[used]
            u[rows] += delta
            v[used] -= delta
            minv[~used] -= delta
            j0 = j1
            if match_col[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match_col[j0] = match_col[j1]
            j0 = j1
    pairs = [(match_col[j] - 1, j - 1) for j in range(1, m + 1) if match_col[j] != 0]
    return [(c, r) for r, c in pairs] if transposed else pairs


def iou_matrix(a, b):
    """IoU of boxes (x, y, w, h): rows a, columns b."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    ax1, ay1, ax2, ay2 = a[:, 0:1], a[:, 1:2], a[:, 0:1] + a[:, 2:3], a[:, 1:2] + a[:, 3:4]
    bx1, by1, bx2, by2 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2, bx2) - np.maximum(ax1, bx1), 0, None)
    ih = np.clip(np.minimum(ay2, by2) - np.maximum(ay1, by1), 0, None)
    inter = iw * ih
    union = (a[:, 2:3] * a[:, 3:4]) + (b[:, 2] * b[:, 3]) - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def match_iou(a, b):
    """Optimal one-to-one matching with IoU >= IOU_MIN, minimising the sum of 1 - IoU."""
    iou = iou_matrix(a, b)
    if iou.size == 0:
        return [], iou
    cost = np.where(iou >= IOU_MIN, 1.0 - iou, 1e6)
    return [(r, c) for r, c in hungarian(cost) if iou[r, c] >= IOU_MIN], iou


def read_rows(path, columns):
    rows = []
    for line in open(path):
        line = line.strip()
        if line:
            rows.append([float(v) for v in line.split(",")[:columns]])
    return rows


def by_frame(rows):
    frames = {}
    for r in rows:
        frames.setdefault(int(r[0]), []).append(r)
    return frames


def remove_ignored(gt_rows, pred_rows):
    """Drops ignored objects and the predictions that match them (per frame)."""
    gt_f, pred_f = by_frame(gt_rows), by_frame(pred_rows)
    kept_gt, kept_pred = {}, {}
    for t in sorted(set(gt_f) | set(pred_f)):
        g, p = gt_f.get(t, []), pred_f.get(t, [])
        pairs, _ = match_iou([r[2:6] for r in g], [r[2:6] for r in p])
        drop = {c for r, c in pairs if g[r][6] == 0}
        kept_gt[t] = [(int(r[1]), r[2:6]) for r in g if r[6] != 0]
        kept_pred[t] = [(int(r[1]), r[2:6]) for i, r in enumerate(p) if i not in drop]
    return kept_gt, kept_pred


def clear_mot(gt, pred):
    last = {}   # object id -> hypothesis id of its last correspondence
    out = dict(num_gt=0, num_pred=0, fn=0, fp=0, idsw=0, matches=0, iou_sum=0.0)
    for t in sorted(set(gt) | set(pred)):
        g, p = gt.get(t, []), pred.get(t, [])
        out["num_gt"] += len(g)
        out["num_pred"] += len(p)
        iou = iou_matrix([b for _, b in g], [b for _, b in p])
        g_index = {oid: i for i, (oid, _) in enumerate(g)}
        p_index = {hid: j for j, (hid, _) in enumerate(p)}
        matched_g, matched_p, now = set(), set(), {}
        for oid, hid in last.items():   # 1. keep earlier correspondences still valid
            i, j = g_index.get(oid), p_index.get(hid)
            if i is None or j is None or i in matched_g or j in matched_p or iou[i, j] < IOU_MIN:
                continue
            matched_g.add(i)
            matched_p.add(j)
            now[oid] = hid
            out["matches"] += 1
            out["iou_sum"] += iou[i, j]
        rest_g = [i for i in range(len(g)) if i not in matched_g]
        rest_p = [j for j in range(len(p)) if j not in matched_p]
        if rest_g and rest_p:   # 2. optimal assignment of the rest
            sub = iou[np.ix_(rest_g, rest_p)]
            cost = np.where(sub >= IOU_MIN, 1.0 - sub, 1e6)
            for r, c in hungarian(cost):
                if sub[r, c] < IOU_MIN:
                    continue
                i, j = rest_g[r], rest_p[c]
                oid, hid = g[i][0], p[j][0]
                if oid in last and last[oid] != hid:   # 3. ID switch
                    out["idsw"] += 1
                matched_g.add(i)
                matched_p.add(j)
                now[oid] = hid
                out["matches"] += 1
                out["iou_sum"] += sub[r, c]
        out["fn"] += len(g) - len(matched_g)
        out["fp"] += len(p) - len(matched_p)
        last.update(now)
    return out


def idf1_counts(gt, pred):
    gt_ids = sorted({oid for v in gt.values() for oid, _ in v})
    pred_ids = sorted({hid for v in pred.values() for hid, _ in v})
    gi = {o: k for k, o in enumerate(gt_ids)}
    pi = {h: k for k, h in enumerate(pred_ids)}
    overlap = np.zeros((len(gt_ids), len(pred_ids)))
    for t in set(gt) & set(pred):
        g, p = gt[t], pred[t]
        iou = iou_matrix([b for _, b in g], [b for _, b in p])
        for r in range(len(g)):
            for c in range(len(p)):
                if iou[r, c] >= IOU_MIN:
                    overlap[gi[g[r][0]], pi[p[c][0]]] += 1
    idtp = 0.0
    if overlap.size:
        idtp = sum(overlap[r, c] for r, c in hungarian(-overlap))
    num_gt = sum(len(v) for v in gt.values())
    num_pred = sum(len(v) for v in pred.values())
    return dict(idtp=idtp, idfn=num_gt - idtp, idfp=num_pred - idtp, gt_tracks=len(gt_ids), pred_tracks=len(pred_ids))


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        raise SystemExit(__doc__)
    total = {}
    for k in range(0, len(argv), 2):
        gt, pred = remove_ignored(read_rows(argv[k], 9), read_rows(argv[k + 1], 7))
        for part in (clear_mot(gt, pred), idf1_counts(gt, pred)):
            for key, value in part.items():
                total[key] = total.get(key, 0) + value
    n = max(total["num_gt"], 1)
    total["mota"] = 1.0 - (total["fn"] + total["fp"] + total["idsw"]) / n
    total["motp"] = total["iou_sum"] / max(total["matches"], 1)
    total["idf1"] = 2 * total["idtp"] / max(total["num_gt"] + total["num_pred"], 1)
    total["idsw_per_100"] = 100.0 * total["idsw"] / n
    print(json.dumps({k: (float(v) if isinstance(v, (float, np.floating)) else int(v)) for k, v in total.items()}))


if __name__ == "__main__":
    main(sys.argv[1:])
