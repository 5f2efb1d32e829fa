"""YOLOv8 detection loss for rkyolo: task-aligned assigner + CIoU + DFL + BCE.

Conventions
  * anchors are grid-cell centres (col + 0.5, row + 0.5) of the stride-8/16/32 maps, in the
    order the export / C++ decoder use (stride 8 first, row-major inside a level);
  * predicted boxes are decoded from 4 x REG_MAX DFL logits: softmax over the 16 bins,
    distance = sum_i i * p_i (in grid units), box = (cx - l, cy - t, cx + r, cy + b);
  * targets are (N, 6) rows [image_index, class, x0, y0, x1, y1] in input pixels (640 space).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from model import REG_MAX, STRIDES


def make_anchors(shapes, strides=STRIDES, device="cpu", offset=0.5):
    """Anchor centres in grid units (A, 2) and the matching stride column (A, 1)."""
    pts, st = [], []
    for (h, w), s in zip(shapes, strides):
        sy, sx = torch.meshgrid(torch.arange(h, device=device, dtype=torch.float32) + offset,
                                torch.arange(w, device=device, dtype=torch.float32) + offset,
                                indexing="ij")
        pts.append(torch.stack((sx, sy), -1).view(-1, 2))
        st.append(torch.full((h * w, 1), float(s), device=device))
    return torch.cat(pts), torch.cat(st)


def dist2bbox(dist, anchors):
    lt, rb = dist.chunk(2, -1)
    return torch.cat((anchors - lt, anchors + rb), -1)


def bbox2dist(anchors, boxes, reg_max=REG_MAX):
    """xyxy boxes -> (l, t, r, b) distances, clamped into the DFL support [0, reg_max-1)."""
    x0y0, x1y1 = boxes.chunk(2, -1)
    return torch.cat((anchors - x0y0, x1y1 - anchors), -1).clamp_(0, reg_max - 1 - 0.01)


def bbox_ciou(b1, b2, eps=1e-7):
    """Complete IoU between matching xyxy boxes (broadcasting on leading dims). Returns (...,)."""
    b1x0, b1y0, b1x1, b1y1 = b1.unbind(-1)
    b2x0, b2y0, b2x1, b2y1 = b2.unbind(-1)
    w1, h1 = b1x1 - b1x0, (b1y1 - b1y0).clamp(min=eps)
    w2, h2 = b2x1 - b2x0, (b2y1 - b2y0).clamp(min=eps)
    inter = (torch.min(b1x1, b2x1) - torch.max(b1x0, b2x0)).clamp(0) * \
            (torch.min(b1y1, b2y1) - torch.max(b1y0, b2y0)).clamp(0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / union
    # smallest enclosing box diagonal^2 and centre distance^2
    cw = torch.max(b1x1, b2x1) - torch.min(b1x0, b2x0)
    ch = torch.max(b1y1, b2y1) - torch.min(b1y0, b2y0)
    c2 = cw ** 2 + ch ** 2 + eps
    rho2 = ((b2x0 + b2x1 - b1x0 - b1x1) ** 2 + (b2y0 + b2y1 - b1y0 - b1y1) ** 2) / 4
    # aspect-ratio consistency term
    v = (4 / math.pi ** 2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1)).pow(2)
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


class TaskAlignedAssigner(nn.Module):
    """TOOD / YOLOv8 task-aligned label assignment.

    For every ground-truth box g and anchor a whose centre lies inside g:
        t(a, g) = score(a, class(g)) ** alpha * CIoU(pred_box(a), g) ** beta
    The `topk` anchors with the largest t become positive candidates of g.  An anchor claimed
    by several boxes keeps only the box it overlaps most.  The soft class target of a positive
    anchor is  t(a, g) / max_a' t(a', g) * max_a' IoU(a', g)  (normalised alignment), so the
    best-aligned anchor of each object is pushed towards that object's best achieved IoU.
    """

    def __init__(self, nc, topk=10, alpha=0.5, beta=6.0, eps=1e-9):
        super().__init__()
        self.nc, self.topk, self.alpha, self.beta, self.eps = nc, topk, alpha, beta, eps

    @torch.no_grad()
    def forward(self, pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt):
        """
        pd_scores (B, A, nc) sigmoid scores   pd_bboxes (B, A, 4) xyxy pixels
        anc_points (A, 2) pixels              gt_labels (B, M, 1) long
        gt_bboxes (B, M, 4) xyxy pixels       mask_gt (B, M, 1) bool (padding = False)
        Returns target_bboxes (B, A, 4), target_scores (B, A, nc), fg_mask (B, A) bool.
        """
        B, A, _ = pd_scores.shape
        M = gt_bboxes.shape[1]
        dev = pd_scores.device
        if M == 0:
            return (torch.zeros_like(pd_bboxes), torch.zeros_like(pd_scores),
                    torch.zeros(B, A, dtype=torch.bool, device=dev))

        # 1. candidates: anchor centre strictly inside the gt box (B, M, A)
        lt = anc_points[None, None] - gt_bboxes[:, :, None, :2]
        rb = gt_bboxes[:, :, None, 2:] - anc_points[None, None]
        in_gts = torch.cat((lt, rb), -1).amin(-1) > self.eps
        valid = in_gts & mask_gt          # (B, M, A)

        # 2. alignment metric on the candidates
        overlaps = torch.zeros(B, M, A, device=dev)
        scores = torch.zeros(B, M, A, device=dev)
        b_idx = torch.arange(B, device=dev)[:, None].expand(B, M)
        cls_scores = pd_scores[b_idx, :, gt_labels.squeeze(-1).clamp(0)]   # (B, M, A)
        scores[valid] = cls_scores[valid]
        pd = pd_bboxes[:, None].expand(B, M, A, 4)[valid]
        gt = gt_bboxes[:, :, None].expand(B, M, A, 4)[valid]
        overlaps[valid] = bbox_ciou(gt, pd).clamp_(0)
        align = scores.pow(self.alpha) * overlaps.pow(self.beta)

        # 3. top-k anchors per gt (only real gts, only anchors inside the box)
        k = min(self.topk, A)
        topk_idx = align.topk(k, dim=-1).indices                          # (B, M, k)
        mask_topk = torch.zeros(B, M, A, dtype=torch.bool, device=dev)
        mask_topk.scatter_(-1, topk_idx, True)
        mask_pos = mask_topk & valid

        # 4. anchors claimed by >1 gt keep the gt with the highest IoU
        fg_count = mask_pos.sum(1)                                         # (B, A)
        if (fg_count > 1).any():
            multi = (fg_count > 1)[:, None].expand(B, M, A)
            best = F.one_hot(overlaps.argmax(1), M).permute(0, 2, 1).bool()  # (B, M, A)
            mask_pos = torch.where(multi, best & valid, mask_pos)
        fg_mask = mask_pos.any(1)                                          # (B, A)
        gt_idx = mask_pos.float().argmax(1)                                # (B, A)

        # 5. targets
        flat = gt_idx + torch.arange(B, device=dev)[:, None] * M
        t_labels = gt_labels.view(-1)[flat].clamp(0)                       # (B, A)
        t_bboxes = gt_bboxes.view(-1, 4)[flat]                             # (B, A, 4)
        t_scores = F.one_hot(t_labels, self.nc).float() * fg_mask[..., None]

        # 6. soft targets: normalised alignment (per gt) scaled by best IoU of that gt
        align = align * mask_pos
        pos_align = align.amax(-1, keepdim=True)                           # (B, M, 1)
        pos_iou = (overlaps * mask_pos).amax(-1, keepdim=True)             # (B, M, 1)
        norm = (align * pos_iou / (pos_align + self.eps)).amax(1)          # (B, A)
        return t_bboxes, t_scores * norm[..., None], fg_mask


class DetectionLoss:
    """box (CIoU) 7.5, dfl 1.5, cls (BCE) 0.5 - the Ultralytics YOLOv8 weights."""

    def __init__(self, nc, box=7.5, cls=0.5, dfl=1.5, topk=10, alpha=0.5, beta=6.0):
        self.nc = nc
        self.w_box, self.w_cls, self.w_dfl = box, cls, dfl
        self.assigner = TaskAlignedAssigner(nc, topk, alpha, beta)
        self.proj = torch.arange(REG_MAX, dtype=torch.float32)
        self._anchor_cache = {}

    def anchors(self, shapes, device):
        key = (tuple(shapes), str(device))
        if key not in self._anchor_cache:
            self._anchor_cache[key] = make_anchors(shapes, device=device)
        return self._anchor_cache[key]

    def __call__(self, outs, targets):
        """outs: list of (box (B,64,H,W), cls (B,nc,H,W)); targets (N, 6). Returns (loss, parts)."""
        B = outs[0][0].shape[0]
        dev = outs[0][0].device
        shapes = [o[0].shape[2:] for o in outs]
        pred_dist = torch.cat([b.flatten(2) for b, _ in outs], 2).permute(0, 2, 1)   # (B, A, 64)
        pred_cls = torch.cat([c.flatten(2) for _, c in outs], 2).permute(0, 2, 1)    # (B, A, nc)
        anchors, stride = self.anchors(shapes, dev)
        A = anchors.shape[0]

        # ground truth padded to (B, M, ...)
        counts = torch.bincount(targets[:, 0].long(), minlength=B) if len(targets) else \
            torch.zeros(B, dtype=torch.long)
        M = int(counts.max()) if len(targets) else 0
        gt_labels = torch.zeros(B, M, 1, dtype=torch.long, device=dev)
        gt_bboxes = torch.zeros(B, M, 4, device=dev)
        mask_gt = torch.zeros(B, M, 1, dtype=torch.bool, device=dev)
        if M:
            bi = targets[:, 0].long()
            slot = torch.zeros_like(bi)
            for b in range(B):                      # position of each box inside its image
                sel = bi == b
                slot[sel] = torch.arange(int(sel.sum()))
            gt_labels[bi, slot, 0] = targets[:, 1].long()
            gt_bboxes[bi, slot] = targets[:, 2:6]
            mask_gt[bi, slot, 0] = True

        # decode predictions (grid units)
        prob = pred_dist.view(B, A, 4, REG_MAX).softmax(-1)
        pred_bboxes = dist2bbox(prob @ self.proj.to(dev), anchors)               # (B, A, 4)

        t_bboxes, t_scores, fg = self.assigner(
            pred_cls.detach().sigmoid(), pred_bboxes.detach() * stride, anchors * stride,
            gt_labels, gt_bboxes, mask_gt)
        t_sum = t_scores.sum().clamp(min=1.0)

        # classification: BCE against the soft, IoU-aware targets
        loss_cls = F.binary_cross_entropy_with_logits(pred_cls, t_scores, reduction="sum") / t_sum

        loss_box = torch.zeros((), device=dev)
        loss_dfl = torch.zeros((), device=dev)
        if fg.any():
            weight = t_scores.sum(-1)[fg]                                       # (P,)
            tb = t_bboxes / stride                                              # grid units
            iou = bbox_ciou(pred_bboxes[fg], tb[fg])
            loss_box = ((1.0 - iou) * weight).sum() / t_sum
            # DFL: cross-entropy on the two bins around the continuous target distance
            t_dist = bbox2dist(anchors[None].expand(B, A, 2)[fg], tb[fg])        # (P, 4)
            tl = t_dist.long()
            wl = (tl + 1).float() - t_dist
            wr = 1.0 - wl
            logits = pred_dist[fg].view(-1, REG_MAX)                             # (P*4, 16)
            ce_l = F.cross_entropy(logits, tl.view(-1), reduction="none").view(tl.shape)
            ce_r = F.cross_entropy(logits, (tl + 1).view(-1), reduction="none").view(tl.shape)
            dfl = (ce_l * wl + ce_r * wr).mean(-1)
            loss_dfl = (dfl * weight).sum() / t_sum

        loss = self.w_box * loss_box + self.w_cls * loss_cls + self.w_dfl * loss_dfl
        parts = torch.stack((loss_box, loss_cls, loss_dfl)).detach()
        return loss, parts
