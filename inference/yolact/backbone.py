"""YOLACT backbones with the module names of the official checkpoints.

ResNet: `conv1`, `bn1`, `layers.0..3` of torchvision Bottleneck blocks (same keys as the reference:
conv1/bn1/conv2/bn2/conv3/bn3/downsample.{0,1}; the stride sits on the 3x3 conv; block 0 of every
stage, including the first, has a downsample branch). DarkNet-53: `_preconv` and `layers.0..4`
of conv-BN-LeakyReLU units. Both return the selected stage outputs C3, C4, C5 (strides 8/16/32).

YOLACT++ swaps the 3x3 `conv2` of some ResNet blocks for a modulated deformable conv (DCNv2). The
official code compiles its own CUDA-only DCNv2; `torchvision.ops.deform_conv2d` computes the same
thing on any device, with the same per-tap (dy, dx) offset layout, so no extension is needed.
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.resnet import Bottleneck
from torchvision.ops import deform_conv2d

_RESNET_BLOCKS = {"resnet50": (3, 4, 6, 3), "resnet101": (3, 4, 23, 3)}
_DARKNET_BLOCKS = (1, 2, 8, 8, 4)


class ModulatedDeformConv(nn.Module):
    """DCNv2 3x3 conv with the official module's parameter names: `weight`, `bias` and the child
    `conv_offset_mask`, whose 27 output channels are 18 offsets ((dy, dx) per kernel tap, row-major)
    followed by 9 modulation logits (sigmoid)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.stride = stride
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, 3, 3))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        nn.init.kaiming_uniform_(self.weight, a=5**0.5)
        # Zero offsets and logits: at initialisation every tap samples its regular grid point.
        self.conv_offset_mask = nn.Conv2d(in_channels, 27, 3, stride=stride, padding=1)
        nn.init.zeros_(self.conv_offset_mask.weight)
        nn.init.zeros_(self.conv_offset_mask.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        offset_mask = self.conv_offset_mask(x)
        offset, logits = offset_mask[:, :18], offset_mask[:, 18:]
        return deform_conv2d(x, offset, self.weight, self.bias, stride=self.stride, padding=1,
                             mask=torch.sigmoid(logits))  # fmt: skip


def deformable_blocks(blocks: int, dcn_layers: int, interval: int) -> list[bool]:
    """Which blocks of a stage of `blocks` blocks get a deformable conv2, by the reference's rule:
    block 0 when dcn_layers >= blocks, block i >= 1 when i + dcn_layers >= blocks and i is a
    multiple of `interval`."""
    return [dcn_layers >= blocks] + [i + dcn_layers >= blocks and i % interval == 0 for i in range(1, blocks)]


class ResNetBackbone(nn.Module):
    """ResNet-50/101 trunk. Input (B, 3, H, W); returns [C3, C4, C5] with 512/1024/2048 channels.

    dcn_layers/dcn_interval: per stage, which blocks use a `ModulatedDeformConv` (YOLACT++)."""

    def __init__(
        self,
        depth: str = "resnet101",
        selected: tuple[int, ...] = (1, 2, 3),
        dcn_layers: tuple[int, ...] = (0, 0, 0, 0),
        dcn_interval: int = 1,
    ) -> None:
        super().__init__()
        blocks = _RESNET_BLOCKS[depth]
        self.selected = selected
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layers = nn.ModuleList()
        in_ch = 64
        for stage, n in enumerate(blocks):
            planes = 64 * 2**stage
            stride = 1 if stage == 0 else 2
            downsample = nn.Sequential(
                nn.Conv2d(in_ch, planes * 4, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * 4),
            )
            stage_blocks = [Bottleneck(in_ch, planes, stride=stride, downsample=downsample)]
            stage_blocks += [Bottleneck(planes * 4, planes) for _ in range(n - 1)]
            deformable = deformable_blocks(n, dcn_layers[stage], dcn_interval)
            for block, is_deformable in zip(stage_blocks, deformable, strict=True):
                if is_deformable:
                    block.conv2 = ModulatedDeformConv(planes, planes, block.conv2.stride[0])
            self.layers.append(nn.Sequential(*stage_blocks))
            in_ch = planes * 4
        self.out_channels = [256 * 2**i for i in selected]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        outs: list[torch.Tensor] = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.selected:
                outs.append(x)
        return outs


def _darknet_unit(c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Sequential:
    """Conv (no bias) -> BN -> LeakyReLU(0.1), indices 0/1/2 as in the checkpoints."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(c_out),
        nn.LeakyReLU(0.1, inplace=True),
    )


class DarkNetBlock(nn.Module):
    """Residual unit: 1x1 (2c -> c), 3x3 (c -> 2c), plus the input; no activation after the add."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = _darknet_unit(2 * channels, channels, 1)
        self.conv2 = _darknet_unit(channels, 2 * channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(x)) + x


class DarkNetBackbone(nn.Module):
    """DarkNet-53 trunk. Input (B, 3, H, W); returns stages 2..4 (256/512/1024 channels)."""

    def __init__(self, selected: tuple[int, ...] = (2, 3, 4)) -> None:
        super().__init__()
        self.selected = selected
        self._preconv = _darknet_unit(3, 32, 3)
        self.layers = nn.ModuleList()
        for stage, n in enumerate(_DARKNET_BLOCKS):
            c = 32 * 2**stage
            self.layers.append(
                nn.Sequential(_darknet_unit(c, 2 * c, 3, stride=2), *[DarkNetBlock(c) for _ in range(n)])
            )
        self.out_channels = [64 * 2**i for i in selected]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self._preconv(x)
        outs: list[torch.Tensor] = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.selected:
                outs.append(x)
        return outs


def build_backbone(name: str, dcn_layers: tuple[int, ...] = (0, 0, 0, 0), dcn_interval: int = 1) -> nn.Module:
    """Backbone by config name: 'resnet50', 'resnet101' (optionally with deformable blocks) or
    'darknet53'."""
    if name in _RESNET_BLOCKS:
        return ResNetBackbone(name, dcn_layers=dcn_layers, dcn_interval=dcn_interval)
    if name == "darknet53":
        if any(dcn_layers):
            raise ValueError("DarkNet-53 has no deformable variant")
        return DarkNetBackbone()
    raise ValueError(f"unknown YOLACT backbone {name!r}")
