"""Shared predictor machinery: batching, cancellation, progress, stage timing and the CPU fallback.

A concrete predictor implements three stages on one batch: `_preprocess` (numpy images to device
tensors), `_forward` (the network, under fp16 autocast on CUDA) and `_postprocess` (device tensors
to numpy `Prediction`s). The stages are timed separately for the benchmark.
"""

from __future__ import annotations

import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from inference.device import autocast, is_out_of_memory, synchronize
from inference.errors import Cancelled, DeviceFallbackWarning
from inference.types import Prediction

#: progress(done, total): images finished so far and images requested.
ProgressCallback = Callable[[int, int], None]
#: should_stop() -> True asks the predictor to stop before the next batch.
StopCallback = Callable[[], bool]


@dataclass
class StageTimes:
    """Accumulated wall-clock seconds per stage since the last `reset_timings()`."""

    preprocess_s: float = 0.0
    forward_s: float = 0.0
    postprocess_s: float = 0.0
    images: int = 0


def check_images(images: Sequence[np.ndarray]) -> None:
    """Raise ValueError unless every image is an RGB uint8 (H, W, 3) array with H, W >= 1."""
    for i, img in enumerate(images):
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            desc = f"{img.dtype} {img.shape}" if isinstance(img, np.ndarray) else type(img).__name__
            raise ValueError(f"image {i} must be an RGB uint8 array of shape (H, W, 3), got {desc}")
        if img.shape[0] < 1 or img.shape[1] < 1:
            raise ValueError(f"image {i} is empty: {img.shape}")


def windows_to_numpy(windows: Sequence[torch.Tensor]) -> list[np.ndarray]:
    """Copy per-instance bool mask windows to the host in one transfer (one per window would
    stall a GPU pipeline up to 100 times per image)."""
    if not windows:
        return []
    flat = torch.cat([w.reshape(-1) for w in windows]).cpu().numpy()
    out: list[np.ndarray] = []
    pos = 0
    for win in windows:
        size = win.numel()
        out.append(flat[pos : pos + size].reshape(tuple(win.shape)))
        pos += size
    return out


class Predictor(ABC):
    """Runs one model on lists of images; see `predict`.

    Attributes: `name` (registry name), `device`, `batch_size`, `fp16` (autocast on CUDA),
    `categories` [(id, name)], `model` (the torch module), `timings` (StageTimes),
    `profile` (synchronize the GPU between stages so `timings` are exact; off by default).
    """

    def __init__(
        self,
        name: str,
        model: torch.nn.Module,
        device: torch.device,
        categories: Sequence[tuple[int, str]],
        batch_size: int = 1,
        fp16: bool = True,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.name = name
        self.model = model.eval().to(device)
        self.device = device
        self.categories = list(categories)
        self.batch_size = batch_size
        self.fp16 = fp16
        self.on_fallback = on_fallback
        self.profile = False
        self.timings = StageTimes()

    def reset_timings(self) -> None:
        """Zero the accumulated stage timings."""
        self.timings = StageTimes()

    def to(self, device: str | torch.device) -> Predictor:
        """Move the model to `device` (a torch device or its name) and use it from now on."""
        self.device = torch.device(device)
        self.model.to(self.device)
        return self

    def predict(
        self,
        images: Sequence[np.ndarray],
        score_threshold: float = 0.3,
        max_detections: int = 100,
        should_stop: StopCallback | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[Prediction]:
        """Predict instances on RGB uint8 (H, W, 3) images of any sizes.

        Detections with score > `score_threshold` (strictly) are kept, at most `max_detections`
        per image. Images are processed in batches of `batch_size`. `should_stop()` is checked
        before every batch; when it returns True, `Cancelled` is raised and its `partial`
        attribute holds the predictions of the images already finished (in order).
        `progress(done, total)` is called after every batch. If the GPU runs out of memory, the
        model moves to the CPU with a DeviceFallbackWarning (and `on_fallback(message)`) and the
        batch is retried there. Returns one `Prediction` per image, in input order.
        """
        check_images(images)
        results: list[Prediction] = []
        total = len(images)
        for start in range(0, total, self.batch_size):
            if should_stop is not None and should_stop():
                raise Cancelled(results)
            batch = list(images[start : start + self.batch_size])
            results.extend(self._predict_with_fallback(batch, score_threshold, max_detections))
            if progress is not None:
                progress(len(results), total)
        return results

    def _predict_with_fallback(
        self, batch: list[np.ndarray], score_threshold: float, max_detections: int
    ) -> list[Prediction]:
        try:
            return self._predict_batch(batch, score_threshold, max_detections)
        except (torch.cuda.OutOfMemoryError, RuntimeError) as exc:
            if not is_out_of_memory(exc) or self.device.type == "cpu":
                raise
            failed = self.device
        message = (
            f"{self.name}: the {failed.type.upper()} device ran out of memory; "
            "continuing on the CPU (slower)."
        )
        warnings.warn(message, DeviceFallbackWarning, stacklevel=3)
        if self.on_fallback is not None:
            self.on_fallback(message)
        if failed.type == "cuda" and torch.cuda.is_available():
            torch.cuda.empty_cache()
        self.to("cpu")
        return self._predict_batch(batch, score_threshold, max_detections)

    def _predict_batch(
        self, batch: list[np.ndarray], score_threshold: float, max_detections: int
    ) -> list[Prediction]:
        """Run the three stages on one batch, timing each."""
        self._configure(score_threshold, max_detections)
        with torch.inference_mode():
            t0 = time.perf_counter()
            inputs = self._preprocess(batch)
            self._sync()
            t1 = time.perf_counter()
            with autocast(self.device, self.fp16):
                outputs = self._forward(inputs)
            self._sync()
            t2 = time.perf_counter()
            preds = self._postprocess(outputs, inputs, batch, score_threshold, max_detections)
            t3 = time.perf_counter()
        self.timings.preprocess_s += t1 - t0
        self.timings.forward_s += t2 - t1
        self.timings.postprocess_s += t3 - t2
        self.timings.images += len(batch)
        return preds

    def _sync(self) -> None:
        if self.profile:
            synchronize(self.device)

    def _configure(self, score_threshold: float, max_detections: int) -> None:
        """Hook for models that apply the thresholds inside the network (Mask R-CNN's RoI heads);
        the others filter in `_postprocess`, so there is nothing to set by default."""
        return None

    @abstractmethod
    def _preprocess(self, batch: list[np.ndarray]) -> Any:
        """Turn numpy images into the network input on `self.device`."""

    @abstractmethod
    def _forward(self, inputs: Any) -> Any:
        """Run the network."""

    @abstractmethod
    def _postprocess(
        self,
        outputs: Any,
        inputs: Any,
        batch: list[np.ndarray],
        score_threshold: float,
        max_detections: int,
    ) -> list[Prediction]:
        """Turn network outputs into one numpy `Prediction` per image."""
