"""Stand-in for pycocotools.mask, bounding boxes only.

The real module wraps the C extension _mask (maskApi.c), which is not built
here. COCOeval's bbox evaluation needs one function from it, iou(); this is
maskApi.c's bbIou transcribed operation for operation (doubles, the same
order), returning what _mask.iou returns: [] when either list is empty, else
an (m, n) array, m detections by n ground truths. Nothing else of the real
module is provided: coco.py uses it only for segmentation masks.
"""
import numpy as np


def iou(dt, gt, iscrowd):
    if len(dt) == 0 or len(gt) == 0:
        return []
    if len(iscrowd) != len(gt):
        raise Exception('iscrowd must have the same length as gt')
    out = np.zeros((len(dt), len(gt)), dtype=np.double)
    for g, G in enumerate(gt):
        gx, gy, gw, gh = (float(v) for v in G)
        ga = gw * gh
        crowd = bool(iscrowd[g])
        for d, D in enumerate(dt):
            dx, dy, dw, dh = (float(v) for v in D)
            da = dw * dh
            w = min(dw + dx, gw + gx) - max(dx, gx)
            if w <= 0:
                continue
            h = min(dh + dy, gh + gy) - max(dy, gy)
            if h <= 0:
                continue
            i = w * h
            u = da if crowd else da + ga - i
            out[d, g] = i / u
    return out
