"""Segment everything: a grid of single-point prompts over the whole image, each answered by the
interactive model, kept when the model is confident, de-duplicated by mask overlap (greedy, best
score first, like SAM's automatic mask generator), and returned as class-agnostic suggestions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.ai.domain.embeddings import ImageKey
from app.ai.domain.prompts import PromptEngine
from app.core.document import Document
from app.core.geometry import RasterGeometry, mask_iou
from app.core.instance import Instance, InstanceState
from app.core.prompts import Prompt


@dataclass(frozen=True)
class EverythingOptions:
    grid: int = 16  # points per side: grid × grid decoder runs
    min_score: float = 0.85  # the model's predicted IoU below which a mask is dropped
    max_overlap: float = 0.7  # mask IoU above which the lower-scored of two masks is dropped
    min_area_fraction: float = 0.0005  # specks smaller than this share of the image are dropped


def grid_points(width: int, height: int, n: int) -> list[tuple[float, float]]:
    """n × n points at the centres of an even grid over the image, row by row."""
    return [((i + 0.5) * width / n, (j + 0.5) * height / n) for j in range(n) for i in range(n)]


def segment_everything(
    engine: PromptEngine, key: ImageKey, size: tuple[int, int], options: EverythingOptions = EverythingOptions(),
    should_stop: Callable[[], bool] = lambda: False,
) -> list[tuple[RasterGeometry, float]]:
    """(mask, score) pairs, best first, for `key`'s image of `size` = (width, height); [] when
    the image has no embedding yet or `should_stop()` turned true."""
    width, height = size
    min_area = options.min_area_fraction * width * height
    found: list[tuple[RasterGeometry, float]] = []
    for x, y in grid_points(width, height, options.grid):
        if should_stop():
            return []
        candidates = engine.decode(key, Prompt(((x, y, 1),), multimask=True), size)
        if candidates is None:
            return []
        for k, score in enumerate(candidates.scores):
            if score >= options.min_score and (mask := candidates.mask(k)).area() >= min_area:
                found.append((mask, score))
                break  # the best confident candidate of this point
    found.sort(key=lambda pair: -pair[1])
    kept: list[tuple[RasterGeometry, float]] = []
    for mask, score in found:
        if all(mask_iou(mask, other) <= options.max_overlap for other, _ in kept):
            kept.append((mask, score))
    return kept


def everything_suggestions(
    doc: Document, masks: list[tuple[RasterGeometry, float]], category_id: int, model: str
) -> list[Instance]:
    """SUGGESTED instances of one class for the review queue (not yet added to `doc`)."""
    return [
        Instance(
            doc.new_id(), category_id, mask, source=model, score=round(score, 4), state=InstanceState.SUGGESTED,
            provenance={"model": model, "tool": "segment_everything", "score": round(score, 4)},
        )  # fmt: skip
        for mask, score in masks
    ]
