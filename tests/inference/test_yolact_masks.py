"""YOLACT mask assembly on windows equals the reference's full-image computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from inference.yolact.postprocess import Detections, assemble_masks, crop_bounds, image_boxes


def reference_full_masks(proto: torch.Tensor, coeffs: torch.Tensor, boxes: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """The reference path of yolact-reference.md A.10, on whole images: sigmoid(P @ c), zero
    outside the box padded by one prototype pixel, bilinear resize of the whole map, > 0.5."""
    hp, wp = proto.shape[:2]
    soft = torch.sigmoid(proto @ coeffs.t())  # (Hp, Wp, N)
    x1 = torch.minimum(boxes[:, 0], boxes[:, 2]) * wp
    x2 = torch.maximum(boxes[:, 0], boxes[:, 2]) * wp
    y1 = torch.minimum(boxes[:, 1], boxes[:, 3]) * hp
    y2 = torch.maximum(boxes[:, 1], boxes[:, 3]) * hp
    x1, x2 = (x1 - 1).clamp(min=0), (x2 + 1).clamp(max=wp)
    y1, y2 = (y1 - 1).clamp(min=0), (y2 + 1).clamp(max=hp)
    cols = torch.arange(wp, dtype=torch.float32)[None, :, None]
    rows = torch.arange(hp, dtype=torch.float32)[:, None, None]
    keep = (cols >= x1) & (cols < x2) & (rows >= y1) & (rows < y2)
    cropped = (soft * keep.float()).permute(2, 0, 1)[None]
    up = F.interpolate(cropped, size=size, mode="bilinear", align_corners=False)[0]
    return (up > 0.5).numpy()


@pytest.mark.parametrize(
    ("proto_side", "size"),
    [(138, (480, 640)), (138, (57, 91)), (20, (301, 17)), (176, (1000, 700))],
)
def test_windowed_masks_equal_full_image_reference(proto_side: int, size: tuple[int, int]) -> None:
    gen = torch.Generator().manual_seed(proto_side + size[0])
    n, k = 12, 8
    proto = torch.rand(proto_side, proto_side, k, generator=gen) * 2
    coeffs = torch.randn(n, k, generator=gen)
    xy = torch.rand(n, 2, generator=gen) * 1.2 - 0.1
    wh = torch.rand(n, 2, generator=gen) * 0.5
    boxes = torch.cat([xy, xy + wh], dim=1)
    boxes[0] = torch.tensor([0.7, 0.6, 0.2, 0.1])  # inverted corners: the reference orders them
    boxes[1] = torch.tensor([-0.5, -0.5, 1.5, 1.5])  # covers the whole image
    dets = Detections(boxes, coeffs, torch.zeros(n, dtype=torch.int64), torch.ones(n))
    expected = reference_full_masks(proto, coeffs, boxes, size)
    placed = assemble_masks(proto, dets, size)
    assert len(placed) == n
    for i, (window, (x0, y0)) in enumerate(placed):
        h, w = window.shape
        assert 0 <= x0 and 0 <= y0 and x0 + w <= size[1] and y0 + h <= size[0]
        full = np.zeros(size, dtype=bool)
        full[y0 : y0 + h, x0 : x0 + w] = window.numpy()
        assert np.array_equal(full, expected[i]), f"mask {i}: {(full != expected[i]).sum()} pixels differ"
    assert expected.any(axis=(1, 2)).sum() >= n // 2  # the comparison is not between empty masks


def test_crop_bounds() -> None:
    # Box [0.25, 0.5] on 20 cells: [5, 10] padded to [4, 11) -> columns 4..10.
    assert crop_bounds(0.25, 0.5, 20) == (4, 11)
    assert crop_bounds(0.5, 0.25, 20) == (4, 11)
    # Fractional edges are not rounded: [2.6, 7.2] padded -> [1.6, 8.2) -> columns 2..8.
    assert crop_bounds(0.13, 0.36, 20) == (2, 9)
    assert crop_bounds(-1.0, 2.0, 20) == (0, 20)
    assert crop_bounds(1.2, 1.5, 20) == (20, 20)  # entirely right of the map: empty


def test_image_boxes_follow_the_reference() -> None:
    boxes = torch.tensor([[0.1, 0.2, 0.55, 0.9], [0.8, 0.5, -0.2, 1.3]])
    out = image_boxes(boxes, (100, 200))
    # x: 20, 110 / y: 20, 90. Second: x ordered (-40 -> 0, 160), y (50, 130 -> 100).
    assert out.tolist() == [[20, 20, 110, 90], [0, 50, 160, 100]]
    assert out.dtype == torch.int64
    assert image_boxes(torch.tensor([[0.1234, 0.0, 0.5, 0.5]]), (10, 10)).tolist() == [[1, 0, 5, 5]]
