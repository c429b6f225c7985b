"""A deterministic stand-in for an interactive model (SAM's API): masks are discs around the
include points, minus discs around the exclude points, plus the box and the mask input, so tests
can predict every pixel. The embedding remembers the image's mean value, which tells images apart."""

from __future__ import annotations

import threading

import cv2
import numpy as np

from app.ai.domain.embeddings import EmbeddingCache
from app.ai.domain.prompts import LOW_RES, PromptEngine

RADIUS, EXCLUDE_RADIUS = 12, 6


class FakeEmbedding:
    def __init__(self, mean: float, width: int, height: int) -> None:
        self.mean, self.width, self.height = mean, width, height
        self.nbytes = 1000

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"info": np.array([self.mean, self.width, self.height], np.float32)}


class FakeInteractiveModel:
    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate  # when given, embed() waits for it: an encoder still running
        self.embedded: list[float] = []
        self.prompts: list[dict] = []
        self.warmed = 0  # warm_decoder calls (the real models export their ONNX decoder then)

    def warm_decoder(self) -> None:
        self.warmed += 1

    def embed(self, rgb: np.ndarray) -> FakeEmbedding:
        if self.gate is not None:
            self.gate.wait(10)
        self.embedded.append(float(rgb.mean()))
        return FakeEmbedding(float(rgb.mean()), rgb.shape[1], rgb.shape[0])

    def embedding_from_arrays(self, arrays: dict[str, np.ndarray]) -> FakeEmbedding:
        mean, w, h = (float(v) for v in arrays["info"])
        return FakeEmbedding(mean, int(w), int(h))

    def predict_prompt(self, emb, points=None, box=None, mask_input=None, multimask=True):
        self.prompts.append({"points": points, "box": box, "mask_input": mask_input is not None, "multimask": multimask})
        base = np.zeros((emb.height, emb.width), np.uint8)
        if mask_input is not None:
            scale = LOW_RES / max(emb.width, emb.height)
            nw, nh = round(emb.width * scale), round(emb.height * scale)
            grid = np.asarray(mask_input, np.float32).reshape(LOW_RES, LOW_RES)[:nh, :nw]
            base = (cv2.resize(grid, (emb.width, emb.height), interpolation=cv2.INTER_LINEAR) > 0).astype(np.uint8)
        if box is not None:
            x0, y0, x1, y1 = (int(round(v)) for v in box)
            base[y0:y1, x0:x1] = 1
        for x, y, label in points or ():
            if label == 1:
                cv2.circle(base, (int(x), int(y)), RADIUS, 1, -1)
        for x, y, label in points or ():
            if label == 0:
                cv2.circle(base, (int(x), int(y)), EXCLUDE_RADIUS, 0, -1)
        best = base.astype(bool)
        bigger = cv2.dilate(base, np.ones((5, 5), np.uint8)).astype(bool)
        smaller = cv2.erode(base, np.ones((5, 5), np.uint8)).astype(bool)
        masks = np.stack([smaller, best, bigger]) if multimask else best[None]
        scores = np.array([0.7, 0.95, 0.8], np.float32) if multimask else np.array([0.95], np.float32)
        return masks, scores, np.stack([_to_grid(m) for m in masks])


def _to_grid(mask: np.ndarray) -> np.ndarray:
    """A mask as SAM lays out its low-resolution logits: longest side 256, padded, ±8."""
    h, w = mask.shape
    scale = LOW_RES / max(w, h)
    nw, nh = round(w * scale), round(h * scale)
    grid = np.full((LOW_RES, LOW_RES), -8.0, np.float32)
    small = cv2.resize(mask.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
    grid[:nh, :nw] = (small * 2 - 1) * 8
    return grid


def fake_engine_factory(model: FakeInteractiveModel, engines: list | None = None, disk: bool = True):
    """An engine factory for InteractiveController using `model`, caching on disk in the project."""

    def factory(name, session, _settings=None, _on_fallback=None):
        cache = EmbeddingCache(
            folder=session.store.root / "embeddings" if disk else None,
            to_arrays=lambda emb: emb.to_arrays(),
            from_arrays=lambda _name, arrays: model.embedding_from_arrays(arrays),
        )
        engine = PromptEngine(name, lambda: model, cache)
        if engines is not None:
            engines.append(engine)
        return engine

    return factory
