"""YOLACT network: FPN, prototype net, shared prediction head (state-dict names of the reference).

Deliberate differences from torchvision's FPN, required by the checkpoints: lateral and smoothing
layers are stored coarse-first (index 0 acts on C5), the top-down path upsamples bilinearly to the
exact lateral size, every smoothed level goes through a ReLU, and P6/P7 come from stride-2 convs
with no ReLU between them. YOLACT++ adds `FastMaskIoUNet`, which predicts each mask's IoU.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from inference.yolact.backbone import build_backbone
from inference.yolact.config import YolactConfig


class YolactOutput(NamedTuple):
    """Raw network outputs for a batch of B images, P priors over all levels (P3 first).

    loc: (B, P, 4) box offsets; conf: (B, P, C) class logits (C includes background at 0);
    coeffs: (B, P, K) tanh mask coefficients; proto: (B, Hp, Wp, K) ReLU prototypes;
    level_sizes: (h, w) of each prediction level P3..P7.
    """

    loc: torch.Tensor
    conf: torch.Tensor
    coeffs: torch.Tensor
    proto: torch.Tensor
    level_sizes: list[tuple[int, int]]


class FPN(nn.Module):
    """C3..C5 -> P3..P7, 256 channels each."""

    def __init__(self, in_channels: list[int], channels: int = 256, num_downsample: int = 2) -> None:
        super().__init__()
        self.lat_layers = nn.ModuleList(nn.Conv2d(c, channels, 1) for c in reversed(in_channels))
        self.pred_layers = nn.ModuleList(nn.Conv2d(channels, channels, 3, padding=1) for _ in in_channels)
        self.downsample_layers = nn.ModuleList(
            nn.Conv2d(channels, channels, 3, stride=2, padding=1) for _ in range(num_downsample)
        )

    def forward(self, feats: list[torch.Tensor]) -> list[torch.Tensor]:
        n = len(feats)
        outs: list[torch.Tensor] = [feats[0]] * n
        running: torch.Tensor | None = None
        for k, (lat, pred) in enumerate(zip(self.lat_layers, self.pred_layers, strict=True)):
            j = n - 1 - k
            lateral = lat(feats[j])
            if running is None:
                running = lateral
            else:
                up = F.interpolate(running, size=lateral.shape[-2:], mode="bilinear", align_corners=False)
                running = up + lateral
            outs[j] = F.relu(pred(running))
        for down in self.downsample_layers:
            outs.append(down(outs[-1]))
        return outs


def make_proto_net(channels: int = 256, num_prototypes: int = 32) -> nn.Sequential:
    """Prototype branch on P3; indices 0, 2, 4, 8, 10 carry the checkpoint weights."""

    def conv3() -> nn.Conv2d:
        return nn.Conv2d(channels, channels, 3, padding=1)

    return nn.Sequential(
        conv3(), nn.ReLU(inplace=True), conv3(), nn.ReLU(inplace=True), conv3(), nn.ReLU(inplace=True),
        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), nn.ReLU(inplace=True),
        conv3(), nn.ReLU(inplace=True), nn.Conv2d(channels, num_prototypes, 1),
    )  # fmt: skip


class PredictionHead(nn.Module):
    """Shared per-level head: 3x3 conv + ReLU, then parallel 3x3 box / class / coefficient convs."""

    def __init__(self, channels: int, num_anchors: int, num_classes: int, num_prototypes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.num_prototypes = num_prototypes
        self.upfeature = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True))
        self.bbox_layer = nn.Conv2d(channels, num_anchors * 4, 3, padding=1)
        self.conf_layer = nn.Conv2d(channels, num_anchors * num_classes, 3, padding=1)
        self.mask_layer = nn.Conv2d(channels, num_anchors * num_prototypes, 3, padding=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, C, H, W) -> loc (B, H*W*A, 4), conf (B, H*W*A, classes), coeffs (B, H*W*A, K).

        Rows are ordered y, then x, then anchor, matching the prior order.
        """
        x = self.upfeature(x)
        b = x.shape[0]

        def flat(t: torch.Tensor, per_anchor: int) -> torch.Tensor:
            return t.permute(0, 2, 3, 1).reshape(b, -1, per_anchor)

        loc = flat(self.bbox_layer(x), 4)
        conf = flat(self.conf_layer(x), self.num_classes)
        coeffs = torch.tanh(flat(self.mask_layer(x), self.num_prototypes))
        return loc, conf, coeffs


class FastMaskIoUNet(nn.Module):
    """YOLACT++'s mask re-scoring net: (N, 1, Hp, Wp) soft masks -> (N, classes) predicted mask IoU.

    Five 3x3 stride-2 unpadded convs (1 -> 8 -> 16 -> 32 -> 64 -> 128) and a 1x1 conv to the
    foreground classes, each followed by a ReLU, then the maximum over the remaining cells. The
    checkpoint names it `maskiou_net.maskiou_net.{0,2,...,10}`.
    """

    #: Smallest prototype side the five unpadded stride-2 convs accept (63 -> 31 -> 15 -> 7 -> 3 -> 1).
    MIN_SIDE = 63

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = 1
        for c_out in (8, 16, 32, 64, 128):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2), nn.ReLU(inplace=True)]
            c_in = c_out
        layers += [nn.Conv2d(c_in, num_classes, 1), nn.ReLU(inplace=True)]
        self.maskiou_net = nn.Sequential(*layers)

    def forward(self, masks: torch.Tensor) -> torch.Tensor:
        return self.maskiou_net(masks).amax(dim=(2, 3))


class Yolact(nn.Module):
    """The YOLACT network for one `YolactConfig`. Input: normalized (B, 3, S, S) images."""

    def __init__(self, cfg: YolactConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.backbone = build_backbone(cfg.backbone, cfg.dcn_layers, cfg.dcn_interval)
        self.fpn = FPN(self.backbone.out_channels, cfg.fpn_channels)
        self.proto_net = make_proto_net(cfg.fpn_channels, cfg.num_prototypes)
        # One head shared by all levels; the reference registers only index 0 in the state dict.
        self.prediction_layers = nn.ModuleList(
            [PredictionHead(cfg.fpn_channels, cfg.num_anchors, cfg.num_classes, cfg.num_prototypes)]
        )
        # Run by the predictor on the cropped soft masks, after detection (YOLACT++ only).
        self.maskiou_net = FastMaskIoUNet(cfg.num_classes - 1) if cfg.mask_iou else None

    def forward(self, x: torch.Tensor) -> YolactOutput:
        levels = self.fpn(self.backbone(x))
        proto = F.relu(self.proto_net(levels[0])).permute(0, 2, 3, 1).contiguous()
        head = self.prediction_layers[0]
        locs, confs, coeffs = zip(*(head(level) for level in levels), strict=True)
        return YolactOutput(
            loc=torch.cat(locs, dim=1),
            conf=torch.cat(confs, dim=1),
            coeffs=torch.cat(coeffs, dim=1),
            proto=proto,
            level_sizes=[(int(t.shape[-2]), int(t.shape[-1])) for t in levels],
        )
