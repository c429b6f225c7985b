"""Click and box prompts for interactive models (SAM family), without Qt.

`PromptEngine` turns an image into an embedding
once (through the EmbeddingCache) and a prompt into candidate masks, each cropped to its box as a
RasterGeometry, best first. It is thread-safe for one encoder thread and one decoder thread.

The model is an `inference` interactive model: `embed(rgb) -> embedding` and
`predict_prompt(embedding, points=, box=, mask_input=, multimask=)` returning full-image boolean
masks (K, H, W), their predicted IoU scores (K,) best first, and low-resolution logits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import cv2
import numpy as np

from app.ai.domain.embeddings import EmbeddingCache, ImageKey
from app.core.geometry import RasterGeometry, to_raster
from app.core.prompts import Candidates, Prompt

#: SAM's low-resolution mask grid, and the logit given to a refined instance's pixels (+) and
#: background (-): strong enough that the decoder keeps the instance where no click says otherwise.
LOW_RES = 256
MASK_LOGIT = 8.0


def _result_parts(result) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(masks, scores, low_res) from a model's prediction: an object with those attributes, or
    the (masks, scores, logits) tuple that Meta's predictors return."""
    if isinstance(result, tuple):
        masks, scores, low = (list(result) + [None])[:3]
    else:
        masks, scores, low = result.masks, result.scores, getattr(result, "low_res", None)
    return np.asarray(masks, bool), np.asarray(scores, np.float32).reshape(-1), None if low is None else np.asarray(low, np.float32)


class PromptEngine:
    """`load()` -> the interactive model (called once, in whichever thread first needs it)."""

    def __init__(self, name: str, load: Callable[[], object], cache: EmbeddingCache) -> None:
        self.name = name
        self._load = load
        self._model: object | None = None
        self._load_lock = threading.Lock()
        self.cache = cache
        self.encoder_runs = 0
        self.decoder_runs = 0

    @property
    def model(self):
        with self._load_lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def key(self, rel: str, path: str) -> ImageKey:
        return ImageKey.of(self.name, rel, path)

    def has_embedding(self, key: ImageKey) -> bool:
        return self.cache.get(key) is not None

    def embed(self, key: ImageKey, read_rgb: Callable[[], np.ndarray]) -> object:
        """The embedding of `key`'s image: cached, or computed now from `read_rgb()`."""
        emb = self.cache.get(key)
        if emb is None:
            emb = self.model.embed(read_rgb())
            self.encoder_runs += 1
            self.cache.put(key, emb)
        return emb

    def decode(self, key: ImageKey, prompt: Prompt, size: tuple[int, int] | None = None) -> Candidates | None:
        """Candidate masks for `prompt` on `key`'s image (of `size` = (width, height), needed
        only to refine an instance), or None when the image has no embedding yet."""
        emb = self.cache.get(key)
        if emb is None or prompt.is_empty():
            return None
        mask_input = prompt.mask_input
        if mask_input is None and prompt.refine is not None and size is not None:
            mask_input = self._mask_input(prompt.refine, size)
        points = [(float(x), float(y), int(label)) for x, y, label in prompt.points] or None
        result = self.model.predict_prompt(emb, points=points, box=prompt.box, mask_input=mask_input, multimask=prompt.multimask)
        self.decoder_runs += 1
        masks, scores, low = _result_parts(result)
        order = np.argsort(-scores, kind="stable")
        geoms = tuple(RasterGeometry.from_full(masks[k]) for k in order)
        low = low[order] if low is not None and len(low) == len(order) else low
        return Candidates(key.rel, prompt, geoms, tuple(float(scores[k]) for k in order), low)

    def _mask_input(self, refine: RasterGeometry, size: tuple[int, int]) -> np.ndarray:
        """An instance's mask as SAM's mask input: the model's own conversion when it has one,
        else logits of ±MASK_LOGIT on SAM's 256×256 grid (longest side 256, padded right and
        bottom), which is how SAM lays out its low-resolution masks."""
        w, h = size
        full = np.zeros((h, w), bool)
        r = to_raster(refine, clip=(h, w))
        full[r.y:r.y + r.mask.shape[0], r.x:r.x + r.mask.shape[1]] = r.mask
        convert = getattr(self.model, "mask_input_from", None)
        if convert is not None:
            return np.asarray(convert(full), np.float32)
        scale = LOW_RES / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = cv2.resize(full.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
        grid = np.full((LOW_RES, LOW_RES), -MASK_LOGIT, np.float32)
        grid[:nh, :nw] = (small * 2 - 1) * MASK_LOGIT
        return grid[None]
