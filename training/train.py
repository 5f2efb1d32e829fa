#!/usr/bin/python3
"""Train the rkyolo synthetic-shapes detector (YOLOv8 recipe, CPU friendly).

Recipe
  data      pre-generated scenes (training/scenes.py) read as JPEG + YOLO txt
  augment   HSV jitter (h .015, s .7, v .4) -> letterbox 640 (Ultralytics rounding, pad 114)
            -> random scale 0.5-1.5 + translate +-10% (p=0.7) -> h/v flips (p=0.5 each)
  model     training/model.py RkYolo (ReLU, C2f, SPPF, PAN, decoupled DFL head)
  loss      training/loss.py: TAL assigner (topk 10, alpha .5, beta 6), CIoU 7.5, DFL 1.5, BCE .5
  optim     AdamW (betas .9/.999), lr 2e-3, weight decay 5e-4 on conv weights only,
            linear warmup then cosine decay to lr*lrf, grad-norm clip 10, EMA of weights
  seeds     torch / numpy seeded from --seed; augmentation RNG = f(seed, epoch, image index)

Exact command used for models/rkyolo-shapes.onnx (see models/rkyolo-shapes.md):
    /usr/bin/python3 training/scenes.py --out data/rkyolo-shapes --split train --count 16000 --workers 2
    /usr/bin/python3 training/scenes.py --out data/rkyolo-shapes --split val --count 300 --workers 2
    nohup nice -n 10 /usr/bin/python3 training/train.py --data data/rkyolo-shapes \
        --name shapes --epochs 4 > training/runs/shapes.out 2>&1 &
Smoke test (a few iterations, in-memory scenes if --data is missing):
    /usr/bin/python3 training/train.py --quick
"""
import argparse
import glob
import json
import math
import os
import sys
import time
from copy import deepcopy

# Passive OpenMP waiting: on a 2-core machine shared with a compiler, spinning OpenMP threads
# slowed training down up to 6x whenever another process was scheduled.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402
import scenes  # noqa: E402
from loss import DetectionLoss  # noqa: E402
from model import RkYolo, count_macs  # noqa: E402

IMGSZ = 640


# ---------------------------------------------------------------- data
def hsv_jitter(img, rng, hgain=0.015, sgain=0.7, vgain=0.4):
    r = rng.uniform(-1, 1, 3) * [hgain, sgain, vgain] + 1
    hue, sat, val = cv2.split(cv2.cvtColor(img, cv2.COLOR_BGR2HSV))
    x = np.arange(256, dtype=np.float32)
    lut_h = ((x * r[0]) % 180).astype(np.uint8)
    lut_s = np.clip(x * r[1], 0, 255).astype(np.uint8)
    lut_v = np.clip(x * r[2], 0, 255).astype(np.uint8)
    hsv = cv2.merge((cv2.LUT(hue, lut_h), cv2.LUT(sat, lut_s), cv2.LUT(val, lut_v)))
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


def augment(img, boxes, classes, rng, scale=(0.5, 1.5), p_scale=0.7, translate=0.1):
    """img BGR uint8 (any size) + xyxy boxes -> 640x640 letterboxed, augmented sample."""
    img = hsv_jitter(img, rng)
    img, r, (left, top) = evaluate.letterbox(img, IMGSZ)
    boxes = boxes * r + np.array([left, top, left, top], np.float32)
    if rng.random() < p_scale:
        s = rng.uniform(*scale)
        tx = IMGSZ / 2 * (1 - s) + rng.uniform(-translate, translate) * IMGSZ
        ty = IMGSZ / 2 * (1 - s) + rng.uniform(-translate, translate) * IMGSZ
        M = np.array([[s, 0, tx], [0, s, ty]], np.float32)
        img = cv2.warpAffine(img, M, (IMGSZ, IMGSZ), flags=cv2.INTER_LINEAR,
                             borderValue=(114, 114, 114))
        b = boxes * s + np.array([tx, ty, tx, ty], np.float32)
        area0 = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        b = b.clip(0, IMGSZ)
        area1 = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        # keep boxes that are still >= 2 px and mostly inside the frame
        keep = ((b[:, 2] - b[:, 0]) > 2) & ((b[:, 3] - b[:, 1]) > 2) & (area1 > 0.4 * area0)
        boxes, classes = b[keep], classes[keep]
    if rng.random() < 0.5:
        img = img[:, ::-1]
        boxes = np.stack([IMGSZ - boxes[:, 2], boxes[:, 1], IMGSZ - boxes[:, 0], boxes[:, 3]], 1)
    if rng.random() < 0.5:
        img = img[::-1]
        boxes = np.stack([boxes[:, 0], IMGSZ - boxes[:, 3], boxes[:, 2], IMGSZ - boxes[:, 1]], 1)
    return np.ascontiguousarray(img), boxes.reshape(-1, 4).astype(np.float32), classes


class ShapesDataset(torch.utils.data.Dataset):
    """Training scenes: JPEG files of DIR/images/train (or in-memory scenes when no files)."""

    def __init__(self, data, split="train", count=None, seed=0, aug=True):
        self.files = sorted(glob.glob(os.path.join(data, "images", split, "*.jpg"))) if data else []
        if count:
            self.files = self.files[:count]
        self.n = len(self.files) if self.files else (count or 64)
        self.data, self.split, self.seed, self.aug = data, split, seed, aug
        self.epoch = 0

    def __len__(self):
        return self.n

    def load(self, i):
        if self.files:
            f = self.files[i]
            img = cv2.imread(f)
            lbl = os.path.join(self.data, "labels", self.split,
                               os.path.splitext(os.path.basename(f))[0] + ".txt")
            b, c = evaluate.read_labels(lbl, img.shape[1], img.shape[0])
            return img, b, c
        return scenes.make_scene(self.split, i)

    def __getitem__(self, i):
        img, boxes, classes = self.load(i)
        rng = np.random.default_rng([self.seed, self.epoch, i])
        if self.aug:
            img, boxes, classes = augment(img, boxes, classes, rng)
        else:
            img, r, (l, t) = evaluate.letterbox(img, IMGSZ)
            boxes = boxes * r + np.array([l, t, l, t], np.float32)
        img = torch.from_numpy(np.ascontiguousarray(img[..., ::-1].transpose(2, 0, 1)))  # RGB CHW u8
        tgt = torch.zeros(len(classes), 6)
        tgt[:, 1] = torch.from_numpy(classes.astype(np.float32))
        tgt[:, 2:] = torch.from_numpy(boxes)
        return img, tgt


def collate(batch):
    imgs, tgts = zip(*batch)
    for i, t in enumerate(tgts):
        t[:, 0] = i
    return torch.stack(imgs), torch.cat(tgts)


# ---------------------------------------------------------------- training utils
class ModelEMA:
    """Exponential moving average of weights and BN buffers with Ultralytics' ramp-up."""

    def __init__(self, model, decay=0.9999, tau=500):
        self.ema = deepcopy(model).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.decay, self.tau, self.updates = decay, tau, 0

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / self.tau))
        msd = model.state_dict()
        for k, v in self.ema.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)


def build_optimizer(model, lr, wd):
    decay, no_decay = [], []
    for mod in model.modules():
        for name, p in mod.named_parameters(recurse=False):
            if name == "weight" and isinstance(mod, nn.Conv2d):
                decay.append(p)
            else:
                no_decay.append(p)          # BN weights/biases, conv biases
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.999))


def lr_at(it, total, warmup, lr0, lrf):
    if it < warmup:
        return lr0 * (0.01 + 0.99 * it / warmup)
    t = (it - warmup) / max(1, total - warmup)
    return lr0 * (lrf + (1 - lrf) * 0.5 * (1 + math.cos(math.pi * t)))


def validate(model, data, count, nc):
    model.eval()
    samples = evaluate.iter_split(data, "val", count)
    res = evaluate.evaluate(evaluate.TorchBackend(model), samples, nc, verbose=False)
    return {k: v for k, v in res.items() if k != "ap_class"}


def save(path, model, args, epoch, metrics, state=None):
    """Checkpoint = EMA weights + config (+ optional training state for --resume)."""
    ckpt = {"model": model.state_dict(), "cfg": model.cfg, "epoch": epoch,
            "args": " ".join(sys.argv[1:]), "metrics": metrics}
    if state:
        ckpt["state"] = state
    torch.save(ckpt, path)


# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description="train rkyolo on synthetic shapes")
    ap.add_argument("--data", default="data/rkyolo-shapes", help="dataset root (scenes.py)")
    ap.add_argument("--name", default="shapes", help="run name under training/runs/")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--train-count", type=int, default=0, help="limit training images (0 = all)")
    ap.add_argument("--val-count", type=int, default=150, help="val images for in-training mAP")
    ap.add_argument("--val-every", type=int, default=1, help="validate every N epochs")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lrf", type=float, default=0.02, help="final lr = lr * lrf")
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=300, help="warmup iterations")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--max-iters", type=int, default=0, help="stop after N iterations (0 = off)")
    ap.add_argument("--stop-epoch", type=int, default=0,
                    help="stop after this many epochs, keeping the --epochs learning-rate schedule (0 = off)")
    ap.add_argument("--init", help="warm start: initialise model and EMA from this checkpoint")
    ap.add_argument("--resume", help="continue from a last.pt written by this script (same args)")
    ap.add_argument("--quick", action="store_true", help="smoke test: few tiny iterations")
    a = ap.parse_args(argv)

    if a.quick:
        a.epochs, a.batch, a.train_count, a.val_count, a.warmup = 1, 4, 8, 4, 2
        a.log_every, a.name = 1, a.name + "-quick"
    torch.set_num_threads(a.threads)
    cv2.setNumThreads(1)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs", a.name)
    os.makedirs(out, exist_ok=True)
    logf = open(os.path.join(out, "train.log"), "a")

    def log(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    data = a.data if glob.glob(os.path.join(a.data, "images", "train", "*.jpg")) else None
    if data is None:
        log("no dataset at %s: generating scenes in memory" % a.data)
    ds = ShapesDataset(data, "train", a.train_count or None, seed=a.seed)
    nc = len(scenes.NAMES)
    model = RkYolo(nc=nc).to(memory_format=torch.channels_last)
    log("args: %s" % vars(a))
    log("model: %s  params %d  GMACs@640 %.3f  train images %d" %
        (model.cfg, sum(p.numel() for p in model.parameters()), count_macs(model) / 1e9, len(ds)))
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        model.load_state_dict(ck["model"])
        log("initialised from %s (epoch %s, %s)" % (a.init, ck.get("epoch"), ck.get("metrics")))
    ema = ModelEMA(model)
    opt = build_optimizer(model, a.lr, a.wd)
    crit = DetectionLoss(nc)
    nb = len(ds) // a.batch
    total = a.epochs * nb if not a.max_iters else min(a.max_iters, a.epochs * nb)
    it, best, t_start, start_epoch = 0, -1.0, time.time(), 0
    history = []
    if a.resume:
        ck = torch.load(a.resume, map_location="cpu")
        st = ck["state"]
        model.load_state_dict(st["model"])
        ema.ema.load_state_dict(ck["model"])
        ema.updates = st["ema_updates"]
        opt.load_state_dict(st["opt"])
        it, best, start_epoch, history = st["it"], st["best"], ck["epoch"] + 1, st["history"]
        log("resumed from %s at epoch %d, iteration %d" % (a.resume, start_epoch, it))
    for epoch in range(start_epoch, a.epochs):
        ds.epoch = epoch
        g = torch.Generator()
        g.manual_seed(a.seed * 1000 + epoch)
        loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, generator=g,
                                             num_workers=a.workers, collate_fn=collate,
                                             drop_last=True, persistent_workers=False)
        model.train()
        run = torch.zeros(3)
        t0 = time.time()
        for bi, (imgs, tgts) in enumerate(loader):
            if it >= total:
                break
            lr = lr_at(it, total, a.warmup, a.lr, a.lrf)
            for grp in opt.param_groups:
                grp["lr"] = lr
            x = (imgs.float() / 255.0).contiguous(memory_format=torch.channels_last)
            loss, parts = crit(model(x), tgts)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            ema.update(model)
            it += 1
            run += parts
            if it % a.log_every == 0 or it == total:
                k = (bi % a.log_every) + 1
                dt = (time.time() - t0) / (bi + 1)
                eta = (total - it) * dt
                log("ep %d it %d/%d  box %.4f cls %.4f dfl %.4f  lr %.2e  %.2fs/it  eta %.0fmin" %
                    (epoch, it, total, *(run / k).tolist(), lr, dt, eta / 60))
                run.zero_()
        done = it >= total
        metrics = {}
        if (epoch + 1) % a.val_every == 0 or done or epoch == a.epochs - 1:
            tv = time.time()
            metrics = validate(ema.ema, data and a.data, a.val_count, nc)
            log("ep %d val(%d img): mAP50 %.4f  mAP50-95 %.4f  (small %.3f med %.3f large %.3f) %.0fs" %
                (epoch, metrics["images"], metrics["mAP50"], metrics["mAP50_95"],
                 metrics["mAP50_95_small"], metrics["mAP50_95_medium"],
                 metrics["mAP50_95_large"], time.time() - tv))
            if metrics["mAP50_95"] > best:
                best = metrics["mAP50_95"]
                save(os.path.join(out, "best.pt"), ema.ema, a, epoch, metrics)
        history.append({"epoch": epoch, "iters": it, "minutes": (time.time() - t_start) / 60, **metrics})
        save(os.path.join(out, "last.pt"), ema.ema, a, epoch, metrics,
             state={"model": model.state_dict(), "opt": opt.state_dict(), "it": it, "best": best,
                    "ema_updates": ema.updates, "history": history})
        with open(os.path.join(out, "history.json"), "w") as f:
            json.dump(history, f, indent=1)
        if done:
            break
        if a.stop_epoch and epoch + 1 >= a.stop_epoch:
            log("stopping after epoch %d as asked (--stop-epoch)" % epoch)
            break
    log("finished %d iterations in %.1f min; best val mAP50-95 %.4f; weights in %s" %
        (it, (time.time() - t_start) / 60, best, out))


if __name__ == "__main__":
    main()
