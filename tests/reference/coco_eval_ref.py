#!/usr/bin/python3
"""The COCO bbox evaluation by pycocotools' own COCOeval, as the reference.

Runs the unmodified COCO and COCOeval classes of pycocotools (copied in
tests/reference/pycocotools/, see its README) on a small text description,
so that rkyolo's C++ (src/eval/) is checked against the implementation
everybody's numbers come from: image ids in sorted order, detections sorted
by score with mergesort per image and category and again over all images,
maxDets 1/10/100, the area ranges on the annotation's `area`, crowd ground
truths, the 101-point interpolated precision and the recall.

Input (text, one record per line):
    nc <number of classes>                  # category ids 0 .. nc-1
    image <index> [n <integer> | s <text>]  # declares image <index> and its COCO id
                                            # (default: the index as a number)
    gt <image> <class> <x> <y> <w> <h> [<iscrowd> <area>]   # area "-": w*h
    dt <image> <class> <score> <x> <y> <w> <h>
Records keep their order: it is the annotation order of the COCO files.
Output: "<name> <value>" lines, the twelve COCOeval stats map50_95, map50,
map75, map_small, map_medium, map_large, mar1, mar10, mar100, mar_small,
mar_medium, mar_large; then per class
"class <c> <ap50> <ap75> <ap50_95> <small> <medium> <large>" from
eval['precision'] (maxDets 100), -1 where undefined, as COCOeval averages.

Usage: coco_eval_ref.py INPUT.txt > OUTPUT.txt   (COCOeval's chatter goes to stderr)
"""
import contextlib
import os
import sys
import types

import numpy as np

# What the 2020-era code expects of its environment, given without editing it:
# np.float (removed in numpy 1.24) and matplotlib (imported by coco.py for its
# drawing functions only).
np.float = float
for name in ("matplotlib", "matplotlib.pyplot", "matplotlib.collections", "matplotlib.patches"):
    sys.modules.setdefault(name, types.ModuleType(name))
sys.modules["matplotlib.collections"].PatchCollection = None
sys.modules["matplotlib.patches"].Polygon = None
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

STATS = ("map50_95", "map50", "map75", "map_small", "map_medium", "map_large",
         "mar1", "mar10", "mar100", "mar_small", "mar_medium", "mar_large")


def read_input(path):
    nc, image_ids, gts, dts = 0, {}, [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            if p[0] == "nc":
                nc = int(p[1])
            elif p[0] == "image":
                index = int(p[1])
                if len(p) == 2 or p[2] == "n":
                    image_ids[index] = int(p[3]) if len(p) > 2 else index
                else:
                    image_ids[index] = p[3]
            elif p[0] == "gt":
                x, y, w, h = (float(v) for v in p[3:7])
                crowd = int(p[7]) if len(p) > 7 else 0
                area = float(p[8]) if len(p) > 8 and p[8] != "-" else w * h
                gts.append({"id": len(gts) + 1, "image_id": image_ids[int(p[1])], "category_id": int(p[2]),
                            "bbox": [x, y, w, h], "area": area, "iscrowd": crowd})
            elif p[0] == "dt":
                dts.append({"image_id": image_ids[int(p[1])], "category_id": int(p[2]), "score": float(p[3]),
                            "bbox": [float(v) for v in p[4:8]]})
    return nc, list(image_ids.values()), gts, dts


def main():
    nc, image_ids, gts, dts = read_input(sys.argv[1])
    with contextlib.redirect_stdout(sys.stderr):
        gt = COCO()
        gt.dataset = {"images": [{"id": i} for i in image_ids], "annotations": gts,
                      "categories": [{"id": c, "name": str(c)} for c in range(nc)]}
        gt.createIndex()
        dt = gt.loadRes(dts) if dts else COCO()
        if not dts:  # loadRes cannot take an empty list; an empty result set is this
            dt.dataset = {"images": gt.dataset["images"], "annotations": [], "categories": gt.dataset["categories"]}
            dt.createIndex()
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    for name, value in zip(STATS, ev.stats):
        print("%s %.17g" % (name, value))
    precision = ev.eval["precision"]  # [T, R, K, A, M]; M index 2 is maxDets 100
    t75 = int(np.where(ev.params.iouThrs == 0.75)[0][0])

    def ap(k, a, t=None):
        s = precision[:, :, k, a, 2] if t is None else precision[t, :, k, a, 2]
        s = s[s > -1]
        return float(np.mean(s)) if len(s) else -1.0

    for k, c in enumerate(ev.params.catIds):
        print("class %d %.17g %.17g %.17g %.17g %.17g %.17g" % (
            c, ap(k, 0, 0), ap(k, 0, t75), ap(k, 0), ap(k, 1), ap(k, 2), ap(k, 3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
