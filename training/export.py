#!/usr/bin/python3
"""Export a trained rkyolo checkpoint to ONNX in the Rockchip split-head layout.

Outputs (9, ordered per stride 8, 16, 32):
    box<s>  (1, 64, H, W)  raw DFL logits (4 sides x 16 bins, not softmaxed / decoded)
    cls<s>  (1, nc, H, W)  per-class sigmoid scores
    sum<s>  (1, 1, H, W)   clip(sum_c cls, 0, 1)  (cheap objectness pre-filter)

Graph constraints (OpenCV 4.6 DNN + RKNN toolkit): opset 12, static [1,3,640,640] input
named `images`, BatchNorm folded into convolutions, constant-scale nearest Resize (no
Shape/Gather/Floor sub-graphs), equal-size Split only.  After export the file is checked
with onnx.checker, loaded with cv2.dnn and compared with PyTorch (max abs diff < 1e-4).

    /usr/bin/python3 training/export.py --weights training/runs/shapes/best.pt \
        --out models/rkyolo-shapes.onnx
"""
import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import RkYolo, STRIDES, count_macs, fuse_conv_bn  # noqa: E402
from scenes import NAMES  # noqa: E402

IMGSZ = 640


class SplitHead(nn.Module):
    """Wraps RkYolo so that it returns the 9 Rockchip-style tensors.

    score_sum = clip(sum_c sigmoid(cls_c), 0, 1).  The sum is >= 0 already, so only the upper
    clamp matters; it is written as  1 - relu(1 - sum)  with two fixed 1x1 convolutions:
    OpenCV 4.6 cannot import opset-11+ Clip (min/max as inputs) and a conv maps straight to
    the NPU's conv unit (no ReduceSum needed either).
    """

    def __init__(self, model):
        super().__init__()
        self.model = model
        nc = model.nc
        self.neg_sum = nn.ModuleList()   # t = 1 - sum_c score_c
        self.neg = nn.ModuleList()       # y = 1 - relu(t)
        for _ in STRIDES:               # separate modules: no shared initializers in the graph
            a = nn.Conv2d(nc, 1, 1, bias=True)
            a.weight.data.fill_(-1.0)
            a.bias.data.fill_(1.0)
            b = nn.Conv2d(1, 1, 1, bias=True)
            b.weight.data.fill_(-1.0)
            b.bias.data.fill_(1.0)
            self.neg_sum.append(a)
            self.neg.append(b)
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        outs = []
        for (box, cls), a, b in zip(self.model(x), self.neg_sum, self.neg):
            score = torch.sigmoid(cls)
            outs += [box, score, b(torch.relu(a(score)))]
        return tuple(outs)


def output_names():
    names = []
    for s in STRIDES:
        names += ["box%d" % s, "cls%d" % s, "sum%d" % s]
    return names


def load_model(weights):
    ckpt = torch.load(weights, map_location="cpu")
    model = RkYolo(**ckpt["cfg"])
    model.load_state_dict(ckpt["model"])
    return model, ckpt


def _inline_identity_initializers(m):
    """torch.onnx de-duplicates bit-identical parameters and re-creates them with Identity
    nodes; OpenCV 4.6 cannot import an Identity whose input is an initializer.  Replace each
    such node by a copy of the initializer under the node's output name."""
    inits = {t.name: t for t in m.graph.initializer}
    for node in list(m.graph.node):
        if node.op_type == "Identity" and node.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[node.input[0]])
            t.name = node.output[0]
            m.graph.initializer.append(t)
            m.graph.node.remove(node)


def export(model, out, description="rkyolo synthetic-shapes demo detector", extra_meta=None):
    model = fuse_conv_bn(model.float().eval())
    wrapper = SplitHead(model).eval()
    x = torch.zeros(1, 3, IMGSZ, IMGSZ)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(wrapper, x, out, opset_version=12, input_names=["images"],
                          output_names=output_names(), do_constant_folding=True,
                          dynamic_axes=None)
    m = onnx.load(out)
    _inline_identity_initializers(m)
    meta = {
        "description": description,
        "author": "rkyolo",
        "license": "Apache-2.0",
        "task": "detect",
        "stride": repr(list(STRIDES)),
        "imgsz": repr([IMGSZ, IMGSZ]),
        "nc": repr(model.nc),
        "names": repr({i: n for i, n in enumerate(NAMES[:model.nc])}),
        "batch": "1",
        "reg_max": "16",
        "layout": "rockchip-split-head: per stride box(1,64,H,W) dfl-logits, "
                  "cls(1,nc,H,W) sigmoid, sum(1,1,H,W)",
    }
    meta.update(extra_meta or {})
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, str(v)
    m.producer_name = "rkyolo"
    onnx.checker.check_model(m)
    bad = sorted({n.op_type for n in m.graph.node} & {"Shape", "Gather", "Floor", "Unsqueeze",
                                                         "ConstantOfShape", "BatchNormalization"})
    if bad:
        raise RuntimeError("exported graph contains unsupported/dynamic ops: %s" % bad)
    onnx.save(m, out)
    return wrapper


def verify(wrapper, path, seed=0, tol=1e-4):
    """Compare cv2.dnn outputs with PyTorch on a random and a synthetic input."""
    import cv2
    m = onnx.load(path)
    outs = [(o.name, [d.dim_value for d in o.type.tensor_type.shape.dim]) for o in m.graph.output]
    ins = [(i.name, [d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input]
    print("input :", ins)
    for n, s in outs:
        print("output: %-6s %s" % (n, s))
    print("ops   :", sorted({n.op_type for n in m.graph.node}))
    net = cv2.dnn.readNetFromONNX(path)
    rng = np.random.default_rng(seed)
    from scenes import make_scene
    from evaluate import letterbox, to_blob
    img = make_scene("test", 0)[0]
    inputs = [rng.random((1, 3, IMGSZ, IMGSZ), dtype=np.float32), to_blob(letterbox(img)[0])]
    worst = 0.0
    for blob in inputs:
        net.setInput(blob)
        cv_out = net.forward(output_names())
        with torch.no_grad():
            pt_out = [t.numpy() for t in wrapper(torch.from_numpy(blob))]
        for name, a, b in zip(output_names(), cv_out, pt_out):
            assert a.shape == b.shape, (name, a.shape, b.shape)
            worst = max(worst, float(np.abs(a - b).max()))
    print("cv2.dnn vs torch: max abs diff %.3g" % worst)
    if worst > tol:
        raise RuntimeError("cv2.dnn output differs from torch by %.3g > %.1g" % (worst, tol))
    return worst


def portable_args(args, repo=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))):
    """The training command line without the paths of the machine it ran on.

    Absolute paths inside the repository become relative to its root; any other absolute path
    (a dataset folder, a scratch checkpoint) keeps only its last component, after `<outside>/`,
    so the exported file says what was used without naming where it lay.
    """
    out = []
    for token in args.split():
        if os.path.isabs(token):
            rel = os.path.relpath(token, repo)
            token = rel if not rel.startswith("..") else "<outside>/" + os.path.basename(token.rstrip("/"))
        out.append(token)
    return " ".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="export rkyolo checkpoint to ONNX (split head)")
    ap.add_argument("--weights", help="checkpoint from train.py (EMA weights are stored)")
    ap.add_argument("--out", default="models/rkyolo-shapes.onnx")
    ap.add_argument("--random-init", action="store_true", help="export untrained model (bench)")
    ap.add_argument("--no-verify", action="store_true")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    if a.weights:
        model, ckpt = load_model(a.weights)
        extra = {"train_epochs": str(ckpt.get("epoch", "")), "train_args": portable_args(ckpt.get("args", ""))}
    elif a.random_init:
        torch.manual_seed(0)
        model, extra = RkYolo(), {}
        for mod in model.modules():       # non-trivial BN stats so folding is exercised
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 2.0)
    else:
        ap.error("--weights or --random-init required")
    params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model)
    wrapper = export(model, a.out, extra_meta=extra)
    print("exported %s  (%.2f MB, %d params, %.3f GMACs @640)" %
          (a.out, os.path.getsize(a.out) / 1e6, params, macs / 1e9))
    if not a.no_verify:
        verify(wrapper, a.out)


if __name__ == "__main__":
    main()
