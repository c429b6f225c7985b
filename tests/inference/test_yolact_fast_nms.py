"""Fast NMS and the candidate filter against a brute-force reference written from the description
in yolact-reference.md A.10 with plain Python loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from inference.yolact.config import CONFIGS
from inference.yolact.postprocess import detect, fast_nms


def _iou(a: list[float], b: list[float]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def brute_force_fast_nms(
    boxes: np.ndarray, scores: np.ndarray, top_k: int, thresh: float, max_det: int
) -> list[tuple[int, int, float]]:
    """(class, candidate index, score) kept, best first.

    Per class: rank candidates by that class's score, keep the top_k; a box survives when its IoU
    with every higher-ranked box of the class (suppressed or not) is <= thresh. Then the best
    max_det over all classes.
    """
    kept: list[tuple[int, int, float]] = []
    for c in range(scores.shape[0]):
        ranked = sorted(range(scores.shape[1]), key=lambda i: -scores[c, i])[:top_k]
        for pos, j in enumerate(ranked):
            worst = max((_iou(boxes[i].tolist(), boxes[j].tolist()) for i in ranked[:pos]), default=0.0)
            if worst <= thresh:
                kept.append((c, j, float(scores[c, j])))
    kept.sort(key=lambda t: -t[2])
    return kept[:max_det]


def count_ranked(scores: np.ndarray, top_k: int) -> int:
    """How many (class, box) pairs Fast NMS considers before suppression."""
    return scores.shape[0] * min(scores.shape[1], top_k)


def _random_boxes(rng: np.random.Generator, m: int) -> np.ndarray:
    # Clustered boxes so that many pairs overlap around the 0.5 threshold.
    centres = rng.uniform(0.2, 0.8, size=(6, 2))[rng.integers(0, 6, m)] + rng.normal(0, 0.03, (m, 2))
    sizes = rng.uniform(0.05, 0.3, size=(m, 2))
    return np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1).astype(np.float32)


@pytest.mark.parametrize(
    ("seed", "m", "classes", "top_k", "max_det"),
    [(0, 40, 3, 200, 100), (1, 260, 4, 200, 100), (2, 120, 6, 30, 25)],
)
def test_fast_nms_matches_brute_force(seed: int, m: int, classes: int, top_k: int, max_det: int) -> None:
    rng = np.random.default_rng(seed)
    boxes = _random_boxes(rng, m)
    scores = rng.uniform(0, 1, size=(classes, m)).astype(np.float32)
    coeffs = rng.normal(size=(m, 5)).astype(np.float32)
    expected = brute_force_fast_nms(boxes, scores, top_k, 0.5, max_det)
    got = fast_nms(torch.from_numpy(boxes), torch.from_numpy(scores), torch.from_numpy(coeffs), top_k, 0.5, max_det)
    assert len(expected) > 0 and len(got.scores) == len(expected)
    assert got.classes.tolist() == [c for c, _, _ in expected]
    assert got.scores.tolist() == pytest.approx([s for _, _, s in expected])
    idx = [j for _, j, _ in expected]
    assert torch.equal(got.boxes, torch.from_numpy(boxes[idx]))
    assert torch.equal(got.coeffs, torch.from_numpy(coeffs[idx]))
    # Suppression must actually happen for the comparison to mean anything.
    assert len(brute_force_fast_nms(boxes, scores, top_k, 0.5, 10**9)) < count_ranked(scores, top_k)


def test_suppressed_boxes_still_suppress() -> None:
    # B overlaps A (IoU .54) and C overlaps B (IoU .54) but not A (IoU .25). Greedy NMS would keep
    # C because B is gone; Fast NMS drops it, since B still counts.
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.3, 0.0, 1.3, 1.0], [0.6, 0.0, 1.6, 1.0]])
    scores = torch.tensor([[0.9, 0.8, 0.7]])
    got = fast_nms(boxes, scores, torch.zeros(3, 2), 200, 0.5, 100)
    assert got.scores.tolist() == pytest.approx([0.9])


def test_iou_exactly_half_is_kept() -> None:
    # Box 1 overlaps box 0 with IoU exactly 0.5 (areas 1 and 0.5, intersection 0.5).
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.5, 1.0], [0.0, 0.0, 0.9, 1.0]])
    scores = torch.tensor([[0.9, 0.8, 0.1]])
    got = fast_nms(boxes, scores, torch.zeros(3, 2), 200, 0.5, 100)
    assert got.scores.tolist() == pytest.approx([0.9, 0.8])  # IoU(0, 2) = 0.9 > 0.5: dropped


def test_detect_filters_candidates_then_runs_nms() -> None:
    cfg = CONFIGS["yolact_resnet50"]
    rng = np.random.default_rng(5)
    p, c = 300, 4
    priors = np.concatenate([rng.uniform(0.2, 0.8, (p, 2)), rng.uniform(0.05, 0.3, (p, 2))], 1).astype(np.float32)
    loc = rng.normal(0, 1, (p, 4)).astype(np.float32)
    logits = rng.normal(0, 2.5, (p, c + 1)).astype(np.float32)
    logits[:, 0] += 3.0  # background-heavy, so a good share of priors fail the > 0.05 filter
    coeffs = rng.normal(size=(p, 8)).astype(np.float32)
    probs = np.exp(logits.astype(np.float64))
    probs /= probs.sum(1, keepdims=True)
    fg = probs[:, 1:]
    cand = np.flatnonzero(fg.max(1) > 0.05)
    assert 0 < len(cand) < p
    # Decode by the documented formulas in float64.
    cx = priors[:, 0] + loc[:, 0] * 0.1 * priors[:, 2]
    cy = priors[:, 1] + loc[:, 1] * 0.1 * priors[:, 3]
    w = priors[:, 2] * np.exp(loc[:, 2] * 0.2)
    h = priors[:, 3] * np.exp(loc[:, 3] * 0.2)
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
    expected = brute_force_fast_nms(boxes[cand], fg[cand].T, 200, 0.5, 100)
    got = detect(torch.from_numpy(loc), torch.from_numpy(logits), torch.from_numpy(coeffs), torch.from_numpy(priors), cfg, 100)
    assert got.classes.tolist() == [k for k, _, _ in expected]
    assert got.scores.numpy() == pytest.approx(np.array([s for _, _, s in expected]), rel=1e-5)
    assert got.boxes.numpy() == pytest.approx(boxes[cand][[j for _, j, _ in expected]], abs=1e-6)
    assert not math.isnan(float(got.scores.sum()))


def test_detect_without_candidates_is_empty() -> None:
    cfg = CONFIGS["yolact_resnet50"]
    logits = torch.zeros(10, 81)  # uniform: every foreground score is 1/81 < 0.05
    got = detect(torch.zeros(10, 4), logits, torch.zeros(10, 32), torch.full((10, 4), 0.5), cfg, 100)
    assert got.scores.shape == (0,) and got.boxes.shape == (0, 4) and got.coeffs.shape == (0, 32)
