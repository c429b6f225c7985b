"""YOLACT priors (count, order, positions, sizes) and box decoding."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from inference.yolact.anchors import decode_boxes, feature_map_sizes, make_priors
from inference.yolact.config import CONFIGS
from inference.yolact.model import Yolact


@pytest.mark.parametrize(
    ("config", "sides", "count"),
    [
        ("yolact_base", [69, 35, 18, 9, 5], 19248),
        ("yolact_resnet50", [69, 35, 18, 9, 5], 19248),
        ("yolact_darknet53", [69, 35, 18, 9, 5], 19248),
        ("yolact_im700", [88, 44, 22, 11, 6], 30963),
    ],
)
def test_prior_count_per_config(config: str, sides: list[int], count: int) -> None:
    cfg = CONFIGS[config]
    assert feature_map_sizes(cfg.input_size, cfg.backbone) == sides
    priors = make_priors([(s, s) for s in sides], cfg)
    assert priors.shape == (count, 4) and priors.dtype == torch.float32
    # 3 anchors per cell: sum of squares times 3, computed by hand: (4761+1225+324+81+25)*3.
    assert count == 3 * sum(s * s for s in sides)


@pytest.mark.parametrize("config", ["yolact_resnet50", "yolact_darknet53"])
def test_feature_sizes_match_the_network(config: str) -> None:
    cfg = dataclasses.replace(CONFIGS[config], input_size=97)  # odd size exercises the rounding
    model = Yolact(cfg).eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 97, 97))
    assert [h for h, _ in out.level_sizes] == feature_map_sizes(97, cfg.backbone)
    assert [w for _, w in out.level_sizes] == feature_map_sizes(97, cfg.backbone)


def test_prior_positions_and_square_sizes_at_550() -> None:
    cfg = CONFIGS["yolact_base"]
    priors = make_priors([(s, s) for s in (69, 35, 18, 9, 5)], cfg)
    # Level P3, row 0, column 0: anchors for aspect ratios 1, 1/2, 2 — all squares (v1 bug).
    side = [24 / 550, 24 * math.sqrt(0.5) / 550, 24 * math.sqrt(2) / 550]
    for a in range(3):
        assert priors[a].tolist() == pytest.approx([0.5 / 69, 0.5 / 69, side[a], side[a]], rel=1e-6)
    # Row 0, column 1 comes next (x varies fastest), then row 1 starts at index 69*3.
    assert priors[3, 0].item() == pytest.approx(1.5 / 69) and priors[3, 1].item() == pytest.approx(0.5 / 69)
    assert priors[69 * 3, 0].item() == pytest.approx(0.5 / 69) and priors[69 * 3, 1].item() == pytest.approx(1.5 / 69)
    # First prior of P4 (after 69*69*3) is centred on a 35-cell grid, scale 48.
    p4 = priors[69 * 69 * 3]
    assert p4.tolist() == pytest.approx([0.5 / 35, 0.5 / 35, 48 / 550, 48 / 550], rel=1e-6)
    # Last prior: P7 cell (4, 4), aspect ratio 2, scale 384.
    big = 384 * math.sqrt(2) / 550
    assert priors[-1].tolist() == pytest.approx([4.5 / 5, 4.5 / 5, big, big], rel=1e-6)


def test_im700_scales_and_non_square_variant() -> None:
    cfg = CONFIGS["yolact_im700"]
    assert cfg.anchor_scales == (30, 61, 122, 244, 488)
    priors = make_priors([(1, 1)] * 5, dataclasses.replace(cfg, square_anchors=False))
    # aspect ratio 1/2 is tall: w = s*sqrt(.5)/700, h = s/sqrt(.5)/700; ratio 2 is wide.
    assert priors[1, 2].item() == pytest.approx(30 * math.sqrt(0.5) / 700)
    assert priors[1, 3].item() == pytest.approx(30 / math.sqrt(0.5) / 700)
    assert priors[2, 2].item() > priors[2, 3].item()


def test_decode_boxes_by_hand() -> None:
    priors = torch.tensor([[0.5, 0.4, 0.2, 0.1], [0.1, 0.1, 0.05, 0.05]])
    loc = torch.tensor([[1.0, -2.0, math.log(2) / 0.2, 0.0], [0.0, 0.0, 0.0, 0.0]])
    boxes = decode_boxes(loc, priors)
    # cx = .5 + 1*.1*.2 = .52; cy = .4 - 2*.1*.1 = .38; w = .2*2 = .4; h = .1.
    assert boxes[0].tolist() == pytest.approx([0.32, 0.33, 0.72, 0.43], abs=1e-6)
    assert boxes[1].tolist() == pytest.approx([0.075, 0.075, 0.125, 0.125], abs=1e-6)
