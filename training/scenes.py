#!/usr/bin/python3
"""Deterministic synthetic-scene generator for the rkyolo demo detector.

Every scene is a cluttered background (gradients, smooth noise, stripes,
distractor lines / scribbles / irregular blobs) with a handful of filled
geometric objects on top.  The eight classes are defined purely by SHAPE;
colour, size, rotation, aspect jitter and fill style are drawn independently
of the class.

Everything is a pure function of a seed: image ``i`` of split ``s`` is
rendered from ``np.random.SeedSequence([SPLIT_ID[s], seed_base, i])``, so the
train / val / test splits never share a random stream and any image can be
re-created on its own.

Labels are exact: the box of an object is the axis-aligned bounding box of
its analytic outline (polygon vertices, circles sampled with 720 points) after
scaling + rotation, clipped to the image.  Objects are placed so that each
labeled object keeps >= 65 % of its area visible (occlusion by later objects
and cropping by the image border together), and the box IoU between any two
labeled objects stays below 0.3.

Function API (used by the trainer / tests):
    img, boxes, classes = render_scene(seed)          # any int seed
    img, boxes, classes = make_scene("val", 17)       # split + index
  img: uint8 BGR (H, W, 3); boxes: float32 (N, 4) xyxy pixels; classes: int64 (N,)

Video sequences with ground-truth trajectories (tracking evaluation):
    frames, gt = render_sequence("easy", 0)
  frames: list of uint8 BGR (640, 640, 3); gt: list of (frame, id, x, y, w, h, consider, cls, visibility)
  with frames counted from 1 and boxes in pixels; consider = 0 marks an object hidden below
  SEQ_MIN_VISIBLE (occluded or mostly out of the frame): an "ignore" region, as in MOTChallenge.
    /usr/bin/python3 training/scenes.py --sequences DIR --set easy
writes DIR/easy/seq<k>/img/000001.jpg..., DIR/easy/seq<k>/gt.txt (MOTChallenge-style CSV) and info.txt.
    /usr/bin/python3 training/scenes.py --video clip.mp4 [--set demo] [--index 0] [--size 640x360]
                                        [--frames 75] [--fps 25] [--crf 28]
renders a sequence of any size and length and encodes it with the ffmpeg tool (H.264, yuv420p): the
sample video samples/shapes.mp4 and the CLI's video tests.

CLI (Ultralytics-style dataset):
    /usr/bin/python3 training/scenes.py --out DIR --split val --count 200 [--seed-base N] [--workers 2]
writes DIR/images/<split>/*.jpg, DIR/labels/<split>/*.txt and DIR/dataset.yaml.
    /usr/bin/python3 training/scenes.py --samples samples --split test --indices 4,5,17
writes samples/scene1.jpg + samples/scene1.txt, ... (see training/make_samples.sh).
"""
import argparse
import math
import os
import sys

import cv2
import numpy as np

NAMES = ["circle", "square", "triangle", "star", "cross", "ring", "hexagon", "arrow"]
SPLIT_ID = {"train": 1, "val": 2, "test": 3}

# (width, height) of generated scenes; long side 640..960
SCENE_SIZES = [(640, 480), (640, 640), (800, 600), (960, 540),
               (720, 720), (960, 720), (480, 640), (600, 800)]

MIN_VISIBLE = 0.65      # fraction of an object's area that must stay visible
MAX_BOX_IOU = 0.30      # between labeled objects
MIN_SIZE_640 = 14.0     # smallest object extent, in pixels *after* letterbox to 640
MAX_SIZE = 400.0        # largest object extent in scene pixels
JPEG_QUALITY = 90


# --------------------------------------------------------------------------
# Shape geometry.  Each function returns a list of closed polygons in a unit
# frame (object extent ~[-1, 1]); the first polygon is the outer outline and
# any further polygons are holes.
# --------------------------------------------------------------------------
def _regular(n, r=1.0, phase=0.0):
    a = phase + np.arange(n) * 2 * np.pi / n
    return np.stack([r * np.cos(a), r * np.sin(a)], 1)


def _circle():
    return [_regular(720)]


def _square():
    return [np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64) * 0.8]


def _triangle():
    return [_regular(3, 1.0, -np.pi / 2)]


def _star():
    outer = _regular(5, 1.0, -np.pi / 2)
    inner = _regular(5, 0.45, -np.pi / 2 + np.pi / 5)
    return [np.stack([outer, inner], 1).reshape(-1, 2)]


def _cross():
    a, b = 1.0, 0.33   # arm half-length, arm half-width
    return [np.array([[-b, -a], [b, -a], [b, -b], [a, -b], [a, b], [b, b],
                      [b, a], [-b, a], [-b, b], [-a, b], [-a, -b], [-b, -b]], np.float64)]


def _ring():
    return [_regular(720), _regular(720, 0.58)[::-1]]


def _hexagon():
    return [_regular(6, 1.0, np.pi / 6)]


def _arrow():
    # shaft from x=-1 to 0.15, head from 0.15 to 1
    return [np.array([[-1.0, -0.2], [0.15, -0.2], [0.15, -0.6], [1.0, 0.0],
                      [0.15, 0.6], [0.15, 0.2], [-1.0, 0.2]], np.float64)]


SHAPES = [_circle, _square, _triangle, _star, _cross, _ring, _hexagon, _arrow]
assert len(SHAPES) == len(NAMES)


def shape_polygons(cls, cx, cy, size, angle, aspect):
    """Polygons (image coords, float64) of class `cls` with extent ~`size` px."""
    polys = SHAPES[cls]()
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    scale = np.array([aspect, 1.0 / aspect]) * (size / 2.0)
    return [(p * scale) @ rot.T + np.array([cx, cy]) for p in polys]


# --------------------------------------------------------------------------
# Backgrounds and distractors
# --------------------------------------------------------------------------
def _rand_color(rng, lo=0, hi=256):
    return rng.integers(lo, hi, 3).astype(np.float32)


def _smooth_noise(rng, h, w, octaves=3):
    out = np.zeros((h, w), np.float32)
    amp, tot = 1.0, 0.0
    cells = int(rng.integers(3, 8))
    for _ in range(octaves):
        g = rng.random((cells + 1, cells + 1)).astype(np.float32)
        out += amp * cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)
        tot += amp
        amp *= 0.5
        cells *= 2
    out /= tot
    return (out - out.min()) / max(1e-6, float(out.max() - out.min()))


def _background(rng, h, w):
    kind = rng.choice(["linear", "radial", "noise", "stripes", "flat"], p=[0.3, 0.15, 0.3, 0.15, 0.1])
    c1, c2 = _rand_color(rng), _rand_color(rng)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "linear":
        a = rng.uniform(0, 2 * np.pi)
        t = xx * math.cos(a) + yy * math.sin(a)
        t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    elif kind == "radial":
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        t = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        t = t / max(1e-6, float(t.max()))
    elif kind == "noise":
        t = _smooth_noise(rng, h, w)
    elif kind == "stripes":
        a = rng.uniform(0, np.pi)
        period = rng.uniform(20, 120)
        t = 0.5 + 0.5 * np.sin((xx * math.cos(a) + yy * math.sin(a)) * 2 * np.pi / period)
        c2 = np.clip(c1 + rng.uniform(-60, 60, 3), 0, 255)   # low-contrast stripes
    else:
        t = np.zeros((h, w), np.float32)
    img = c1[None, None] * (1 - t[..., None]) + c2[None, None] * t[..., None]
    # fine texture
    img += rng.normal(0, rng.uniform(0, 6), (h, w, 1)).astype(np.float32)
    return img


def _scribble(rng, h, w):
    n = int(rng.integers(6, 20))
    p = np.array([rng.uniform(0, w), rng.uniform(0, h)])
    v = rng.normal(0, 1, 2)
    pts = []
    step = rng.uniform(8, 40)
    for _ in range(n):
        v = 0.7 * v + 0.6 * rng.normal(0, 1, 2)
        v /= max(1e-6, np.linalg.norm(v))
        p = p + v * step
        pts.append(p.copy())
    return np.array(pts)


def _blob(rng, cx, cy, r):
    """Irregular smooth closed curve (strong low-order harmonics, elongated)."""
    t = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    rad = np.ones_like(t)
    for k in range(2, 6):
        rad += rng.uniform(0.12, 0.3) / (k - 1) ** 0.5 * np.sin(k * t + rng.uniform(0, 2 * np.pi))
    rad = np.clip(rad, 0.25, None)
    el = rng.uniform(1.4, 2.5)
    a = rng.uniform(0, np.pi)
    x, y = rad * np.cos(t) * r * el, rad * np.sin(t) * r / el
    c, s = math.cos(a), math.sin(a)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], 1)


def _draw_distractors(rng, img, n, thin_only=False):
    h, w = img.shape[:2]
    for _ in range(n):
        kind = "line" if thin_only else rng.choice(["line", "scribble", "blob"], p=[0.4, 0.35, 0.25])
        col = tuple(float(x) for x in _rand_color(rng))
        if kind == "line":
            p1 = (int(rng.uniform(-50, w + 50)), int(rng.uniform(-50, h + 50)))
            p2 = (int(rng.uniform(-50, w + 50)), int(rng.uniform(-50, h + 50)))
            th = int(rng.integers(1, 3)) if thin_only else int(rng.integers(1, 6))
            cv2.line(img, p1, p2, col, th, cv2.LINE_AA)
        elif kind == "scribble":
            pts = _scribble(rng, h, w)
            cv2.polylines(img, [np.round(pts * 16).astype(np.int32)], False, col,
                          int(rng.integers(1, 5)), cv2.LINE_AA, shift=4)
        else:
            r = rng.uniform(8, 0.15 * min(h, w))
            pts = _blob(rng, rng.uniform(0, w), rng.uniform(0, h), r)
            cv2.fillPoly(img, [np.round(pts * 16).astype(np.int32)], col, cv2.LINE_AA, shift=4)


# --------------------------------------------------------------------------
# Object rendering
# --------------------------------------------------------------------------
def _render_mask(polys, x0, y0, pw, ph):
    """Anti-aliased float alpha mask of polygons inside patch (x0, y0, pw, ph)."""
    m = np.zeros((ph, pw), np.uint8)
    off = np.array([x0, y0])
    pts = [np.round((p - off) * 16).astype(np.int32) for p in polys]
    cv2.fillPoly(m, pts[:1], 255, cv2.LINE_AA, shift=4)
    if len(pts) > 1:
        cv2.fillPoly(m, pts[1:], 0, cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


def _poly_area(polys):
    area = abs(cv2.contourArea(polys[0].astype(np.float32)))
    for p in polys[1:]:
        area -= abs(cv2.contourArea(p.astype(np.float32)))
    return area


def _box_iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / max(ua, 1e-9)


def _pick_color(rng, img, alpha, x0, y0):
    """Random object colour with enough contrast to what is underneath."""
    ph, pw = alpha.shape
    under = img[y0:y0 + ph, x0:x0 + pw][alpha > 0.5]
    ref = under.mean(0) if len(under) else np.full(3, 128, np.float32)
    best, best_d = None, -1.0
    for _ in range(12):
        c = _rand_color(rng)
        d = float(np.linalg.norm(c - ref))
        if d > best_d:
            best, best_d = c, d
        if d >= 90:
            break
    return best


def _paint(rng, img, alpha, x0, y0, color):
    ph, pw = alpha.shape
    style = rng.choice(["solid", "gradient", "noisy"], p=[0.55, 0.3, 0.15])
    if style == "solid":
        fill = np.broadcast_to(color, (ph, pw, 3))
    elif style == "gradient":
        c2 = np.clip(color + rng.uniform(-70, 70, 3), 0, 255)
        a = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
        t = xx * math.cos(a) + yy * math.sin(a)
        t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
        fill = color * (1 - t[..., None]) + c2 * t[..., None]
    else:
        fill = color + rng.normal(0, 12, (ph, pw, 1))
    region = img[y0:y0 + ph, x0:x0 + pw]
    a = alpha[..., None]
    region[:] = region * (1 - a) + fill * a


def render_scene(seed, size=None, max_objects=None):
    """Render one scene from an integer seed (or a numpy SeedSequence).

    Returns (img uint8 BGR HxWx3, boxes float32 (N,4) xyxy in pixels, classes int64 (N,)).
    """
    rng = np.random.default_rng(seed)
    w, h = size if size is not None else SCENE_SIZES[int(rng.integers(len(SCENE_SIZES)))]
    img = _background(rng, h, w)
    _draw_distractors(rng, img, int(rng.integers(2, 14)))

    # object sizes: log-uniform; lower bound keeps objects >= MIN_SIZE_640 after letterbox
    smin = MIN_SIZE_640 * max(w, h) / 640.0
    smax = min(MAX_SIZE, 0.8 * min(w, h))
    n_target = int(rng.integers(1, 21)) if max_objects is None else max_objects
    label = np.full((h, w), -1, np.int16)     # index of the top-most object per pixel
    objs = []   # dicts: cls, box, area, visible
    tries = 0
    while len(objs) < n_target and tries < n_target * 8:
        tries += 1
        cls = int(rng.integers(len(NAMES)))
        size_px = math.exp(rng.uniform(math.log(smin), math.log(smax)))
        aspect = math.exp(rng.uniform(-0.15, 0.15))
        angle = rng.uniform(0, 2 * np.pi)
        m = 0.3 * size_px        # allow some crop by the image border
        cx, cy = rng.uniform(-m, w + m), rng.uniform(-m, h + m)
        polys = shape_polygons(cls, cx, cy, size_px, angle, aspect)
        allp = polys[0]
        bx0, by0 = allp.min(0)
        bx1, by1 = allp.max(0)
        box = np.array([max(0.0, bx0), max(0.0, by0), min(float(w), bx1), min(float(h), by1)])
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            continue
        if any(_box_iou(box, o["box"]) >= MAX_BOX_IOU for o in objs):
            continue
        # patch covering the (clipped) object
        x0, y0 = int(max(0, math.floor(bx0) - 1)), int(max(0, math.floor(by0) - 1))
        x1, y1 = int(min(w, math.ceil(bx1) + 2)), int(min(h, math.ceil(by1) + 2))
        alpha = _render_mask(polys, x0, y0, x1 - x0, y1 - y0)
        solid = alpha > 0.5
        area = _poly_area(polys)
        vis = float(solid.sum())
        if area <= 0 or vis / area < MIN_VISIBLE:
            continue
        # occlusion of objects already placed
        under = label[y0:y1, x0:x1][solid]
        ok = True
        if len(under) and under.max() >= 0:
            counts = np.bincount(under[under >= 0], minlength=len(objs))
            for j, c in enumerate(counts):
                if c and (objs[j]["visible"] - c) / objs[j]["area"] < MIN_VISIBLE:
                    ok = False
                    break
            if ok:
                for j, c in enumerate(counts):
                    objs[j]["visible"] -= float(c)
        if not ok:
            continue
        color = _pick_color(rng, img, alpha, x0, y0)
        _paint(rng, img, alpha, x0, y0, color)
        if rng.random() < 0.2:   # contrasting outline
            oc = tuple(float(x) for x in _rand_color(rng))
            pts = [np.round(p * 16).astype(np.int32) for p in polys]
            cv2.polylines(img, pts, True, oc, int(rng.integers(1, 3)), cv2.LINE_AA, shift=4)
        label[y0:y1, x0:x1][solid] = len(objs)
        objs.append({"cls": cls, "box": box, "area": area, "visible": vis})

    # a few thin lines on top (mild extra occlusion, realistic clutter)
    if rng.random() < 0.4:
        _draw_distractors(rng, img, int(rng.integers(1, 4)), thin_only=True)

    # photometric degradation: blur + noise
    if rng.random() < 0.35:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.2))
    sigma = rng.uniform(0, 10)
    if sigma > 0.5:
        img = img + rng.normal(0, sigma, img.shape).astype(np.float32)
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)

    boxes = np.array([o["box"] for o in objs], np.float32).reshape(-1, 4)
    classes = np.array([o["cls"] for o in objs], np.int64)
    return img, boxes, classes


def scene_seed(split, index, seed_base=0):
    """SeedSequence for image `index` of `split` (train/val/test never overlap)."""
    return np.random.SeedSequence([SPLIT_ID[split], int(seed_base), int(index)])


def make_scene(split, index, seed_base=0):
    return render_scene(scene_seed(split, index, seed_base))


def yolo_lines(boxes, classes, w, h):
    lines = []
    for (x0, y0, x1, y1), c in zip(boxes, classes):
        lines.append("%d %.6f %.6f %.6f %.6f" % (c, (x0 + x1) / 2 / w, (y0 + y1) / 2 / h,
                                                   (x1 - x0) / w, (y1 - y0) / h))
    return "\n".join(lines) + ("\n" if lines else "")


def _write_one(args):
    out, split, i, seed_base = args
    img, boxes, classes = make_scene(split, i, seed_base)
    name = "%s_%06d" % (split, i)
    cv2.imwrite(os.path.join(out, "images", split, name + ".jpg"), img,
                [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    with open(os.path.join(out, "labels", split, name + ".txt"), "w") as f:
        f.write(yolo_lines(boxes, classes, img.shape[1], img.shape[0]))
    return len(classes)


def write_dataset_yaml(out):
    with open(os.path.join(out, "dataset.yaml"), "w") as f:
        f.write("# rkyolo synthetic shapes dataset (training/scenes.py)\n")
        f.write("path: %s\n" % os.path.abspath(out))
        f.write("train: images/train\nval: images/val\ntest: images/test\n")
        f.write("names:\n")
        for i, n in enumerate(NAMES):
            f.write("  %d: %s\n" % (i, n))


# --------------------------------------------------------------------------
# Video sequences with ground-truth trajectories (tracking evaluation)
# --------------------------------------------------------------------------
SEQ_SIZE = (640, 640)          # (width, height): the demo model's input, no letterbox scaling
SEQ_FPS = 30
SEQ_MIN_VISIBLE = 0.4          # below: the object is an ignore region in that frame
SEQ_SET_ID = {"easy": 11, "hard": 12, "demo": 13}
# Per set: sequences x frames, objects per sequence, object extent (px), speed (px/frame),
# relative speed swing, heading drift (rad/frame), share of objects that leave the frame and
# come back, pairs of objects sent across each other's path, spin (rad/frame).
SEQ_SETS = {
    "easy": dict(sequences=2, frames=60, objects=(3, 4), size=(56, 96), speed=(1.5, 3.5), swing=0.3,
                 drift=0.01, leavers=0.0, crossings=1, spin=0.0),
    "hard": dict(sequences=2, frames=60, objects=(6, 8), size=(30, 100), speed=(3.0, 9.0), swing=0.6,
                 drift=0.04, leavers=0.3, crossings=3, spin=0.02),
    # The sample video (samples/shapes.mp4) and the CLI's video tests: more objects, some spinning.
    "demo": dict(sequences=1, frames=75, objects=(5, 7), size=(44, 96), speed=(2.0, 5.0), swing=0.4,
                 drift=0.02, leavers=0.0, crossings=1, spin=0.03),
}


def _seq_objects(rng, cfg, w, h):
    """Initial state of every object of one sequence."""
    n = int(rng.integers(cfg["objects"][0], cfg["objects"][1] + 1))
    objs = []
    for i in range(n):
        size = float(rng.uniform(*cfg["size"]))
        o = dict(cls=int(rng.integers(len(NAMES))), size=size, aspect=math.exp(rng.uniform(-0.12, 0.12)),
                 angle=rng.uniform(0, 2 * np.pi), spin=rng.uniform(-1, 1) * cfg["spin"],
                 speed=rng.uniform(*cfg["speed"]), heading=rng.uniform(0, 2 * np.pi),
                 phase=rng.uniform(0, 2 * np.pi), period=rng.uniform(20, 60),
                 leaver=bool(rng.random() < cfg["leavers"]))
        m = size / 2 + 4
        o["x"], o["y"] = rng.uniform(m, w - m), rng.uniform(m, h - m)
        objs.append(o)
    # Crossings: send object 2k towards where object 2k+1 will be in ~25 frames.
    for k in range(min(cfg["crossings"], n // 2)):
        a, b = objs[2 * k], objs[2 * k + 1]
        bx = b["x"] + 25 * b["speed"] * math.cos(b["heading"])
        by = b["y"] + 25 * b["speed"] * math.sin(b["heading"])
        bx, by = min(max(bx, 60), w - 60), min(max(by, 60), h - 60)
        a["heading"] = math.atan2(by - a["y"], bx - a["x"])
        a["speed"] = max(a["speed"], math.hypot(bx - a["x"], by - a["y"]) / 25)
    return objs


def _seq_step(rng, o, cfg, w, h, t):
    """Moves one object one frame: varying speed, drifting heading, bounces."""
    speed = o["speed"] * (1 + cfg["swing"] * math.sin(2 * np.pi * t / o["period"] + o["phase"]))
    o["heading"] += rng.normal(0, cfg["drift"])
    o["x"] += speed * math.cos(o["heading"])
    o["y"] += speed * math.sin(o["heading"])
    o["angle"] += o["spin"]
    # Leavers bounce off walls well outside the frame, the others inside it.
    m = -1.5 * o["size"] if o["leaver"] else o["size"] / 2 + 2
    if o["x"] < m or o["x"] > w - m:
        o["heading"] = math.pi - o["heading"]
        o["x"] = min(max(o["x"], m), w - m)
    if o["y"] < m or o["y"] > h - m:
        o["heading"] = -o["heading"]
        o["y"] = min(max(o["y"], m), h - m)


def _seq_frame(bg, objs, w, h):
    """Draws the objects in order (later ones on top); returns the image and GT rows."""
    img = bg.copy()
    label = np.full((h, w), -1, np.int16)
    drawn = []
    for i, o in enumerate(objs):
        polys = shape_polygons(o["cls"], o["x"], o["y"], o["size"], o["angle"], o["aspect"])
        bx0, by0 = polys[0].min(0)
        bx1, by1 = polys[0].max(0)
        box = (max(0.0, bx0), max(0.0, by0), min(float(w), bx1), min(float(h), by1))
        area = _poly_area(polys)
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            drawn.append(None)
            continue
        x0, y0 = int(max(0, math.floor(bx0) - 1)), int(max(0, math.floor(by0) - 1))
        x1, y1 = int(min(w, math.ceil(bx1) + 2)), int(min(h, math.ceil(by1) + 2))
        alpha = _render_mask(polys, x0, y0, x1 - x0, y1 - y0)
        region = img[y0:y1, x0:x1]
        a = alpha[..., None]
        region[:] = region * (1 - a) + o["color"] * a
        label[y0:y1, x0:x1][alpha > 0.5] = i
        drawn.append((box, area))
    counts = np.bincount(label[label >= 0].ravel(), minlength=len(objs))
    rows = []
    for i, d in enumerate(drawn):
        if d is None or counts[i] == 0:
            continue
        box, area = d
        vis = float(counts[i]) / max(area, 1e-6)
        rows.append((i + 1, box, int(vis >= SEQ_MIN_VISIBLE), objs[i]["cls"], min(vis, 1.0)))
    return np.clip(np.round(img), 0, 255).astype(np.uint8), rows


def render_sequence(set_name, index, size=SEQ_SIZE, frames=None):
    """Frames and ground truth of sequence `index` of a set of SEQ_SETS (a pure function of the arguments).

    `size` (width, height) and `frames` default to SEQ_SIZE and the set's frame count."""
    cfg = SEQ_SETS[set_name]
    rng = np.random.default_rng(np.random.SeedSequence([SEQ_SET_ID[set_name], int(index)]))
    w, h = size
    bg = _background(rng, h, w)
    _draw_distractors(rng, bg, int(rng.integers(2, 8)))
    objs = _seq_objects(rng, cfg, w, h)
    ref = bg.reshape(-1, 3).mean(0)
    for o in objs:   # one colour per object, far from the background's mean colour
        best, best_d = None, -1.0
        for _ in range(12):
            c = _rand_color(rng)
            d = float(np.linalg.norm(c - ref))
            if d > best_d:
                best, best_d = c, d
        o["color"] = best
    count = cfg["frames"] if frames is None else int(frames)
    frames, gt = [], []
    for t in range(count):
        if t > 0:
            for o in objs:
                _seq_step(rng, o, cfg, w, h, t)
        img, rows = _seq_frame(bg, objs, w, h)
        frames.append(img)
        for oid, (x0, y0, x1, y1), consider, cls, vis in rows:
            gt.append((t + 1, oid, x0, y0, x1 - x0, y1 - y0, consider, cls, vis))
    return frames, gt


def write_sequences(out, set_name):
    """Writes every sequence of a set as JPEG frames + gt.txt + info.txt; returns their folders."""
    dirs = []
    for k in range(SEQ_SETS[set_name]["sequences"]):
        d = os.path.join(out, set_name, "seq%d" % k)
        os.makedirs(os.path.join(d, "img"), exist_ok=True)
        frames, gt = render_sequence(set_name, k)
        for t, img in enumerate(frames, 1):
            cv2.imwrite(os.path.join(d, "img", "%06d.jpg" % t), img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        with open(os.path.join(d, "gt.txt"), "w") as f:
            for r in gt:
                f.write("%d,%d,%.2f,%.2f,%.2f,%.2f,%d,%d,%.3f\n" % r)
        with open(os.path.join(d, "info.txt"), "w") as f:
            f.write("frames %d\nwidth %d\nheight %d\nfps %d\n" % (len(frames), SEQ_SIZE[0], SEQ_SIZE[1], SEQ_FPS))
        dirs.append(d)
    return dirs


def write_video(path, set_name, index, size, frames, fps, crf=28):
    """Renders a sequence and encodes it with the ffmpeg tool: H.264 (yuv420p), `fps` frames per second.

    Frames go to ffmpeg through a pipe as raw BGR; returns the number of frames written."""
    import subprocess
    seq, _ = render_sequence(set_name, index, size, frames)
    w, h = size
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", "%dx%d" % (w, h),
           "-r", str(fps), "-i", "-", "-c:v", "libx264", "-preset", "veryslow", "-crf", str(crf),
           "-pix_fmt", "yuv420p", "-movflags", "+faststart", path]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    for img in seq:
        proc.stdin.write(np.ascontiguousarray(img).tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("ffmpeg could not encode %s" % path)
    return len(seq)


def _parse_size(text):
    w, h = (int(v) for v in text.lower().split("x"))
    if w < 64 or h < 64 or w % 2 or h % 2:
        raise argparse.ArgumentTypeError("expected an even WIDTHxHEIGHT of at least 64x64")
    return w, h


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="dataset root")
    ap.add_argument("--split", choices=list(SPLIT_ID))
    ap.add_argument("--sequences", metavar="DIR", help="write the tracking sequences of --set into DIR")
    ap.add_argument("--set", choices=list(SEQ_SETS), action="append", help="easy or hard (repeatable)")
    ap.add_argument("--video", metavar="FILE", help="write sequence --index of --set (default demo) as H.264 video")
    ap.add_argument("--index", type=int, default=0, help="sequence index for --video")
    ap.add_argument("--size", type=_parse_size, default=(640, 360), help="WIDTHxHEIGHT for --video (640x360)")
    ap.add_argument("--frames", type=int, default=75, help="frames for --video (75)")
    ap.add_argument("--fps", type=int, default=25, help="frame rate for --video (25)")
    ap.add_argument("--crf", type=int, default=28, help="x264 quality for --video (28; lower is better)")
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--samples", metavar="DIR",
                    help="instead of a dataset, write DIR/scene<k>.jpg + .txt for --indices")
    ap.add_argument("--indices", default="", help="comma-separated image indices for --samples")
    ap.add_argument("--start", type=int, default=0, help="first image index")
    ap.add_argument("--seed-base", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)
    cv2.setNumThreads(1)
    if a.video:
        set_name = (a.set or ["demo"])[0]
        n = write_video(a.video, set_name, a.index, a.size, a.frames, a.fps, a.crf)
        print("%s  <- %s sequence %d  %dx%d  %d frames at %d fps  %d bytes" %
              (a.video, set_name, a.index, a.size[0], a.size[1], n, a.fps, os.path.getsize(a.video)))
        return 0
    if a.sequences:
        for set_name in a.set or list(SEQ_SETS):
            for d in write_sequences(a.sequences, set_name):
                print(d)
        return 0
    if not a.split:
        ap.error("--split is required (or use --sequences)")
    if a.samples:
        os.makedirs(a.samples, exist_ok=True)
        for k, i in enumerate((int(v) for v in a.indices.split(",")), 1):
            img, boxes, classes = make_scene(a.split, i, a.seed_base)
            base = os.path.join(a.samples, "scene%d" % k)
            cv2.imwrite(base + ".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            with open(base + ".txt", "w") as f:
                f.write(yolo_lines(boxes, classes, img.shape[1], img.shape[0]))
            print("%s.jpg  <- %s image %d  %dx%d  %d objects  %d bytes" %
                  (base, a.split, i, img.shape[1], img.shape[0], len(classes),
                   os.path.getsize(base + ".jpg")))
        return 0
    if not a.out or a.count <= 0:
        ap.error("--out and --count are required (or use --samples)")
    for sub in ("images", "labels"):
        os.makedirs(os.path.join(a.out, sub, a.split), exist_ok=True)
    write_dataset_yaml(a.out)
    jobs = [(a.out, a.split, i, a.seed_base) for i in range(a.start, a.start + a.count)]
    if a.workers > 1:
        import multiprocessing as mp
        with mp.Pool(a.workers) as pool:
            n = sum(pool.imap(_write_one, jobs, chunksize=16))
    else:
        n = sum(map(_write_one, jobs))
    print("wrote %d %s images (%d objects) to %s" % (a.count, a.split, n, a.out))


if __name__ == "__main__":
    sys.exit(main())
