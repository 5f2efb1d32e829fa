"""Small YOLOv8-style detector for rkyolo (ReLU everywhere, NPU/CPU friendly).

Layout (input 640x640, widths for the default config W=(16, 32, 64, 96, 128)):

  backbone  Conv s2 -> Conv s2 -> C2f -> Conv s2 -> C2f (P3/8) -> Conv s2 -> C2f (P4/16)
            -> Conv s2 -> C2f -> SPPF (P5/32)
  neck      PAN/FPN: up(P5)+P4 -> C2f -> up+P3 -> C2f (out/8)
            -> Conv s2 + cat -> C2f (out/16) -> Conv s2 + cat -> C2f (out/32)
  head      decoupled per stride: box branch 2x Conv3x3 -> 1x1 conv to 4*REG_MAX DFL logits,
            class branch 2x Conv3x3 -> 1x1 conv to nc logits.

`forward` returns a list of (box_logits (B,64,H,W), cls_logits (B,nc,H,W)) per stride; the
loss consumes these raw tensors and `export.py` wraps them into the Rockchip split-head
layout.  Upsampling is a constant-scale nearest Resize so that OpenCV's ONNX importer and
the RKNN toolkit get a fully static graph.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

REG_MAX = 16
STRIDES = (8, 16, 32)


class Conv(nn.Module):
    """Conv2d (no bias) + BatchNorm + ReLU."""

    def __init__(self, c1, c2, k=1, s=1):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.03)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut=True):
        super().__init__()
        self.cv1 = Conv(c, c, 3)
        self.cv2 = Conv(c, c, 3)
        self.add = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    """CSP block with 2 convs (YOLOv8): 1x1 -> split in two halves -> n bottlenecks on
    the second half, every intermediate output is concatenated -> 1x1."""

    def __init__(self, c1, c2, n=1, shortcut=True):
        super().__init__()
        self.c = c2 // 2
        self.cv1 = Conv(c1, 2 * self.c, 1)
        self.cv2 = Conv((2 + n) * self.c, c2, 1)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).split((self.c, self.c), 1))   # static equal Split (opset-12 attr)
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = Conv(c1, c_, 1)
        self.cv2 = Conv(c_ * 4, c2, 1)
        self.m = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


class Upsample2x(nn.Module):
    """Nearest x2 upsampling with a constant scale (static Resize in ONNX)."""

    def forward(self, x):
        return F.interpolate(x, scale_factor=2.0, mode="nearest")


class Detect(nn.Module):
    def __init__(self, nc, ch, c_box, c_cls):
        super().__init__()
        self.nc = nc
        self.box = nn.ModuleList(
            nn.Sequential(Conv(c, c_box, 3), Conv(c_box, c_box, 3), nn.Conv2d(c_box, 4 * REG_MAX, 1))
            for c in ch)
        self.cls = nn.ModuleList(
            nn.Sequential(Conv(c, c_cls, 3), Conv(c_cls, c_cls, 3), nn.Conv2d(c_cls, nc, 1))
            for c in ch)

    def init_bias(self, imgsz=640):
        # Ultralytics-style prior: box logits 1.0, class prior ~5 objects per image
        for b, c, s in zip(self.box, self.cls, STRIDES):
            nn.init.constant_(b[-1].bias, 1.0)
            nn.init.constant_(c[-1].bias, math.log(5 / self.nc / (imgsz / s) ** 2))

    def forward(self, feats):
        return [(b(x), c(x)) for x, b, c in zip(feats, self.box, self.cls)]


class RkYolo(nn.Module):
    def __init__(self, nc=8, widths=(16, 24, 48, 96, 128), depths=(1, 1, 1, 1), head=(32, 32)):
        super().__init__()
        w0, w1, w2, w3, w4 = widths
        d1, d2, d3, d4 = depths
        self.nc = nc
        self.cfg = dict(nc=nc, widths=tuple(widths), depths=tuple(depths), head=tuple(head))
        # backbone
        self.stem = Conv(3, w0, 3, 2)                                    # /2
        self.b1 = nn.Sequential(Conv(w0, w1, 3, 2), C2f(w1, w1, d1))    # /4
        self.b2 = nn.Sequential(Conv(w1, w2, 3, 2), C2f(w2, w2, d2))    # /8  -> P3
        self.b3 = nn.Sequential(Conv(w2, w3, 3, 2), C2f(w3, w3, d3))    # /16 -> P4
        self.b4 = nn.Sequential(Conv(w3, w4, 3, 2), C2f(w4, w4, d4), SPPF(w4, w4))  # /32 -> P5
        # neck (top-down then bottom-up)
        self.up = Upsample2x()
        self.td4 = C2f(w4 + w3, w3, 1, shortcut=False)
        self.td3 = C2f(w3 + w2, w2, 1, shortcut=False)
        self.dn3 = Conv(w2, w2, 3, 2)
        self.bu4 = C2f(w2 + w3, w3, 1, shortcut=False)
        self.dn4 = Conv(w3, w3, 3, 2)
        self.bu5 = C2f(w3 + w4, w4, 1, shortcut=False)
        self.detect = Detect(nc, (w2, w3, w4), *head)
        self.detect.init_bias()

    def forward(self, x):
        x = self.b1(self.stem(x))
        p3 = self.b2(x)
        p4 = self.b3(p3)
        p5 = self.b4(p4)
        t4 = self.td4(torch.cat((self.up(p5), p4), 1))
        n3 = self.td3(torch.cat((self.up(t4), p3), 1))
        n4 = self.bu4(torch.cat((self.dn3(n3), t4), 1))
        n5 = self.bu5(torch.cat((self.dn4(n4), p5), 1))
        return self.detect([n3, n4, n5])


def count_macs(model, imgsz=640):
    """Multiply-accumulates of conv layers for one imgsz x imgsz image."""
    macs = [0]

    def hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        macs[0] += out.numel() // out.shape[0] * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, imgsz, imgsz))
    model.train(was_training)
    for h in hs:
        h.remove()
    return macs[0]


def fuse_conv_bn(model):
    """Fold every BatchNorm of `Conv` blocks into its convolution (in place, for export)."""
    for m in model.modules():
        if isinstance(m, Conv) and isinstance(m.bn, nn.BatchNorm2d):
            conv, bn = m.conv, m.bn
            fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
                              conv.padding, groups=conv.groups, bias=True)
            std = torch.sqrt(bn.running_var + bn.eps)
            scale = bn.weight / std
            fused.weight.data = conv.weight.data * scale.reshape(-1, 1, 1, 1)
            fused.bias.data = bn.bias.data - bn.running_mean * scale
            m.conv = fused
            m.bn = nn.Identity()
    return model


if __name__ == "__main__":
    m = RkYolo()
    n = sum(p.numel() for p in m.parameters())
    print("params %d  GMACs@640 %.3f" % (n, count_macs(m) / 1e9))
