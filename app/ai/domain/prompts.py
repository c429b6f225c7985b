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
from pathlib import Path

import cv2
import numpy as np

from app.ai.domain.embeddings import EmbeddingCache, ImageKey
from app.core.geometry import RasterGeometry, to_raster
from app.core.prompts import Candidates, Prompt
from inference import torch_threads

#: SAM's low-resolution mask grid, and the logit given to a refined instance's pixels (+) and
#: background (-): strong enough that the decoder keeps the instance where no click says otherwise.
LOW_RES = 256
MASK_LOGIT = 8.0


def _candidates(result) -> tuple[Callable[[int], RasterGeometry], np.ndarray, np.ndarray | None, dict]:
    """(crop of mask k, scores, low-res logits to feed back) from a model's answer, best first.

    inference's fast answer (`predict_lowres`) upsamples only the asked mask's own box
    (`.mask(k)`); a full answer has (K, H, W) masks (`predict_prompt`, or the (masks, scores,
    logits) tuple of Meta's predictors) and is cropped here."""
    if hasattr(result, "mask") and hasattr(result, "logits"):
        scores = np.asarray(result.scores, np.float32).reshape(-1)
        low = np.concatenate([result.mask_input(k) for k in range(len(scores))]) if len(scores) else None
        extra = {"sample": _sampler(result.logits, result.frame), "bounds": result.bounds}
        return lambda k: RasterGeometry(*_crop_at(result.mask(k))), scores, low, extra
    if isinstance(result, tuple):
        masks, scores, low = (list(result) + [None])[:3]
    else:
        masks, scores, low = result.masks, result.scores, getattr(result, "low_res_logits", None)
    masks, scores = np.asarray(masks, bool), np.asarray(scores, np.float32).reshape(-1)
    order = np.argsort(-scores, kind="stable")
    low = None if low is None else np.asarray(low, np.float32)[order]
    return lambda k: RasterGeometry.from_full(masks[order[k]]), scores[order], low, {}


def _sampler(logits: np.ndarray, frame) -> Callable[[int, tuple, int, int], np.ndarray]:
    """Mask k over an image box at any resolution, with the reference's resize steps: SAM 2.1
    stretches the 256×256 logits onto the image in one bilinear step; SAM v1 first goes to its
    padded 1024 frame (made once per candidate, 4 MB), then onto the image. Only the last step
    runs at the output's resolution, so a preview on screen costs screen pixels."""
    height, width = frame.image_size
    in_h, in_w = frame.input_size
    frames: dict[int, np.ndarray] = {}

    def source(k: int) -> tuple[np.ndarray, float, float]:
        """The map the last step samples, and its pixels per image pixel along x and y."""
        if frame.stretched:
            return np.ascontiguousarray(logits[k], np.float32), LOW_RES / width, LOW_RES / height
        if k not in frames:
            size = frame.frame_size
            up = cv2.resize(np.ascontiguousarray(logits[k], np.float32), (size, size), interpolation=cv2.INTER_LINEAR)
            frames[k] = np.ascontiguousarray(up[:in_h, :in_w])
        return frames[k], in_w / width, in_h / height

    def sample(k: int, box: tuple, out_w: int, out_h: int) -> np.ndarray:
        src, gx, gy = source(k)
        x0, y0, x1, y1 = box
        sx, sy = (x1 - x0) / out_w, (y1 - y0) / out_h  # image pixels per output pixel
        # output pixel centre -> image point -> source pixel (centres at +0.5, as torch and cv2)
        m = np.array([[sx * gx, 0, (x0 + 0.5 * sx) * gx - 0.5], [0, sy * gy, (y0 + 0.5 * sy) * gy - 0.5]], np.float32)
        warped = cv2.warpAffine(src, m, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
        return warped > 0.0

    return sample


def _crop_at(crop_and_origin) -> tuple[np.ndarray, int, int]:
    crop, (x0, y0) = crop_and_origin
    return np.asarray(crop, bool), int(x0), int(y0)


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
        # Set while the encoder runs: the decoder then takes one CPU thread, since two threads
        # each fighting the encoder's made a click's p95 6× slower (703 against 124 ms here).
        self.encoding = threading.Event()
        self._warmed = False

    @property
    def model(self):
        with self._load_lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def key(self, rel: str, path: str) -> ImageKey:
        return ImageKey.of(self.name, rel, path)

    def has_embedding(self, key: ImageKey) -> bool:
        """Cached in memory or on disk; never loads the model (safe on the GUI thread)."""
        return self.cache.has(key)

    def embed(self, key: ImageKey, read_rgb: Callable[[], np.ndarray]) -> object:
        """The embedding of `key`'s image: cached, or computed now from `read_rgb()`."""
        emb = self.cache.get(key)
        if emb is None:
            rgb = read_rgb()
            self.encoding.set()
            try:
                emb = self.model.embed(rgb)
            finally:
                self.encoding.clear()
            self.encoder_runs += 1
            self.cache.put(key, emb)
        return emb

    def warm_decoder(self) -> None:
        """Let the model prepare its fast decoder (once; slow on the CPU, see
        inference.interactive.onnx_decoder), e.g. in the encoder's thread after an embedding."""
        if self._warmed:
            return
        self._warmed = True
        warm = getattr(self.model, "warm_decoder", None)
        if warm is not None:
            warm()

    def decode(self, key: ImageKey, prompt: Prompt, size: tuple[int, int] | None = None) -> Candidates | None:
        """Candidate masks for `prompt` on `key`'s image (of `size` = (width, height), needed
        only to refine an instance), or None when the image has no embedding yet."""
        emb = self.cache.get(key)
        if emb is None or prompt.is_empty():
            return None
        mask_input = prompt.mask_input
        if mask_input is None and prompt.refine is not None and size is not None:
            mask_input = self._mask_input(emb, prompt.refine, size)
        points = [(float(x), float(y), int(label)) for x, y, label in prompt.points] or None
        # The fast path when the model has one: nothing is upsampled beyond each mask's box.
        predict = getattr(self.model, "predict_lowres", None) or self.model.predict_prompt
        with torch_threads(1 if self.encoding.is_set() else None):
            result = predict(emb, points=points, box=prompt.box, mask_input=mask_input, multimask=prompt.multimask)
        self.decoder_runs += 1
        crop, scores, low, extra = _candidates(result)
        return Candidates(key.rel, prompt, tuple(float(v) for v in scores), crop, low, **extra)

    def _mask_input(self, emb: object, refine: RasterGeometry, size: tuple[int, int]) -> np.ndarray:
        """An instance's mask as SAM's mask input: the model's own conversion (`emb` is the
        image's embedding) when it has one, else logits of ±MASK_LOGIT on SAM's 256×256 grid
        (longest side 256, padded right and bottom), as SAM lays out its low-res masks."""
        w, h = size
        full = np.zeros((h, w), bool)
        r = to_raster(refine, clip=(h, w))
        full[r.y:r.y + r.mask.shape[0], r.x:r.x + r.mask.shape[1]] = r.mask
        convert = getattr(self.model, "mask_input_from_mask", None)
        if convert is not None:
            return np.asarray(convert(emb, full), np.float32)
        scale = LOW_RES / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = cv2.resize(full.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
        grid = np.full((LOW_RES, LOW_RES), -MASK_LOGIT, np.float32)
        grid[:nh, :nw] = (small * 2 - 1) * MASK_LOGIT
        return grid[None]


def engine_for(name: str, weights: str | None, device: str = "auto", store_root: Path | None = None,
               random_init: bool = False, on_fallback: Callable[[str], None] | None = None) -> PromptEngine:
    """A PromptEngine for registry model `name`, loaded on first use, whose embeddings are kept
    in memory and, with a project store, in `<store>/embeddings/<model>/`. The GUI and
    maskpilot-embed share it, so both read and write the same cache files. on_fallback(message)
    is called (from the thread that ran out of GPU memory) when the model moved to the CPU."""
    import inference

    engine: PromptEngine | None = None

    def load() -> object:
        return inference.load_model(name, weights=weights, device=device, random_init=random_init, on_fallback=on_fallback)

    def from_arrays(_model: str, arrays: dict[str, np.ndarray]) -> object:
        model = engine.model
        convert = getattr(model, "embedding_from_arrays", None)
        if convert is not None:
            return convert(arrays)
        from inference.interactive.embedding import ImageEmbedding  # imports torch: only here

        return ImageEmbedding.from_arrays(arrays, getattr(model, "device", "cpu"))

    cache = EmbeddingCache(
        folder=store_root / "embeddings" if store_root is not None else None,
        to_arrays=lambda emb: emb.to_arrays(), from_arrays=from_arrays,
    )  # fmt: skip
    engine = PromptEngine(name, load, cache)
    return engine
