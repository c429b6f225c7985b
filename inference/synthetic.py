"""Generated scenes with known instance masks, for the sample folder, tests and small-model training.

Qt-free and torch-free (numpy + OpenCV), so the app can write its sample folder without importing torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Category names of generated objects; ids are 1-based in this order.
SHAPE_CLASSES: tuple[str, ...] = ("circle", "square", "triangle")


@dataclass
class Scene:
    """One generated image and its ground truth.

    image: uint8 (H, W, 3) RGB.
    masks: bool (N, H, W), full-image, in z-order (later objects occlude earlier ones, and the
        masks already have the occluded pixels removed).
    category_ids: int64 (N,), 1-based indices into SHAPE_CLASSES.
    """

    image: np.ndarray
    masks: np.ndarray
    category_ids: np.ndarray


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A smooth two-colour gradient with mild noise: objects must be found by shape, not by a flat colour."""
    c0 = rng.integers(30, 120, size=3).astype(np.float32)
    c1 = rng.integers(30, 120, size=3).astype(np.float32)
    t = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    img = c0 * (1 - t) + c1 * t
    img = np.broadcast_to(img, (h, w, 3)).copy()
    img += rng.normal(0, 6, size=(h, w, 3)).astype(np.float32)
    return img


def _draw_shape(kind: int, h: int, w: int, cx: float, cy: float, r: float, angle: float) -> np.ndarray:
    mask = np.zeros((h, w), np.uint8)
    if kind == 1:
        cv2.circle(mask, (round(cx), round(cy)), max(2, round(r)), 1, thickness=-1, lineType=cv2.LINE_8)
    else:
        n = 4 if kind == 2 else 3
        t = angle + np.arange(n) * 2 * np.pi / n
        pts = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)
        cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1, lineType=cv2.LINE_8)
    return mask.astype(bool)


def make_scene(
    rng: np.random.Generator,
    size: tuple[int, int] = (128, 128),
    n_objects: tuple[int, int] = (2, 4),
    min_visible: float = 0.5,
    muted: bool = False,
) -> Scene:
    """Draw a scene of 2-4 coloured circles, squares and triangles on a noisy gradient.

    size is (height, width). Objects that end up less than `min_visible` visible after occlusion
    are dropped from the ground truth (their remaining pixels are still drawn). `muted` paints
    objects in earthy, textured tones (the app's sample folder, where coloured overlays must
    stand out); the default saturated colours are easiest for small models to learn.
    """
    h, w = size
    img = _background(rng, h, w)
    count = int(rng.integers(n_objects[0], n_objects[1] + 1))
    scale = min(h, w)
    masks: list[np.ndarray] = []
    cats: list[int] = []
    full_areas: list[int] = []
    for _ in range(count):
        kind = int(rng.integers(1, len(SHAPE_CLASSES) + 1))
        r = float(rng.uniform(0.08, 0.2) * scale)
        cx = float(rng.uniform(r, w - r))
        cy = float(rng.uniform(r, h - r))
        m = _draw_shape(kind, h, w, cx, cy, r, float(rng.uniform(0, 2 * np.pi)))
        if not m.any():
            continue
        if muted:
            color = rng.uniform(90, 200) * np.array([1.0, rng.uniform(0.8, 0.95), rng.uniform(0.6, 0.85)], np.float32)
            noise = 14
        else:
            color = rng.integers(140, 256, size=3).astype(np.float32)
            color[rng.integers(0, 3)] *= 0.3  # saturated, so neighbours differ
            noise = 4
        img[m] = color + rng.normal(0, noise, size=(int(m.sum()), 3)).astype(np.float32)
        for prev in masks:
            prev &= ~m
        masks.append(m)
        cats.append(kind)
        full_areas.append(int(m.sum()))
    keep = [i for i, m in enumerate(masks) if m.sum() >= min_visible * full_areas[i]]
    out_masks = np.stack([masks[i] for i in keep]) if keep else np.zeros((0, h, w), bool)
    return Scene(
        image=np.clip(img, 0, 255).astype(np.uint8),
        masks=out_masks,
        category_ids=np.array([cats[i] for i in keep], dtype=np.int64),
    )
