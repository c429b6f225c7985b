"""The inference worker: one long-lived QThread that loads models and runs them.

The GUI thread submits jobs (a queued signal into `InferenceWorker.run`) and gets numpy results
back through queued signals, so the event loop never waits on a model. Each result names the
job and the image it was computed for; the receiver applies it to that image only.

Cancelling is a plain thread-safe integer (`cancel_through`): every job with an id at or below
it stops before its next image. Images that already finished keep their results.
Decoding the next image runs on a helper thread while the model works on the current one; that
thread never touches Qt (it only returns a future the worker waits on).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.ai.domain.project_models import is_project_model, load_project_model
from app.formats.image_io import ImageLoadError, read_image
from app.formats.store import ProjectStore
from app.ui.i18n import show_text, translate


@dataclass(frozen=True)
class ModelSpec:
    """Which model to run and how: the key of the worker's model cache."""

    name: str
    weights: str | None = None
    device: str = "auto"
    random_init: bool = False  # tests and benchmarks: no weights file needed
    download: bool = False
    stamp: float = 0.0  # a project model's weights mtime: retrained, it is a new cache key


@dataclass(frozen=True)
class FillJob:
    """Predict suggestions for `images`: (rel, absolute path) pairs, in order.

    score_floor: detections at or below it are not kept (the review slider filters above it).
    semantic: also run this semantic model and fuse both into a panoptic result.
    """

    job_id: int
    model: ModelSpec | None
    images: tuple[tuple[str, str], ...]
    score_floor: float = 0.25
    semantic: ModelSpec | None = None


@dataclass(frozen=True)
class BoxJob:
    """Mask R-CNN's mask head on a user box (x0, y0, x1, y1 image pixels) of image `rel`."""

    job_id: int
    model: ModelSpec
    rel: str
    image: np.ndarray = field(repr=False)
    box: tuple[float, float, float, float]


@dataclass
class ImageResult:
    """What one image of a FillJob produced (numpy only; see inference.types)."""

    job_id: int
    rel: str
    prediction: Any = None  # inference.Prediction or None (semantic-only job)
    semantic: Any = None  # inference.SemanticPrediction or None
    panoptic: Any = None  # inference.panoptic.PanopticResult or None
    seconds: float = 0.0


def default_load_model(spec: ModelSpec, on_fallback: Callable[[str], None]) -> Any:
    if is_project_model(spec.name):  # `weights` is the project's store folder (model_catalog)
        return load_project_model(ProjectStore(spec.weights, spec.weights), spec.name, spec.device, on_fallback=on_fallback)
    import inference

    return inference.load_model(
        spec.name, spec.weights, spec.device, random_init=spec.random_init,
        download=spec.download, on_fallback=on_fallback,
    )  # fmt: skip


def default_fuse(prediction: Any, semantic: Any, thing_ids: list[int]) -> Any:
    """Panoptic fusion of an instance prediction with a semantic map (inference.panoptic)."""
    from inference.categories import VOC_CATEGORIES, VOC_TO_COCO
    from inference.panoptic import fuse

    voc = tuple(tuple(c) for c in semantic.categories) == VOC_CATEGORIES  # COCO things, other ids
    return fuse(prediction, semantic, thing_ids=thing_ids, semantic_to_category=VOC_TO_COCO if voc else None)


class InferenceWorker(QObject):
    """Lives in its own QThread; every slot runs there. Signals carry numpy data only."""

    result_ready = Signal(object)  # ImageResult
    box_ready = Signal(int, str, object)  # job id, image rel, Prediction
    progress = Signal(int, int, int, float)  # job id, done, total, images per second
    image_failed = Signal(int, str, str)  # job id, image rel, message
    job_failed = Signal(int, str)  # job id, message (the model could not be loaded or run)
    job_finished = Signal(int, bool)  # job id, cancelled
    notice = Signal(str)  # e.g. "out of GPU memory, continuing on the CPU"
    devices_described = Signal(object)  # dict from inference.device.describe_devices

    def __init__(
        self,
        load_model: Callable[[ModelSpec, Callable[[str], None]], Any] = default_load_model,
        fuse: Callable[[Any, Any, list[int]], Any] = default_fuse,
    ) -> None:
        super().__init__()
        self.load_model = load_model
        self.fuse = fuse
        self.cancel_through = 0  # written by the GUI thread; an int store is atomic
        self._models: dict[ModelSpec, Any] = {}
        self._decoder = ThreadPoolExecutor(1, thread_name_prefix="maskpilot-ai-decode")

    # ---- called from the GUI thread -------------------------------------------------------------
    def cancel(self, job_id: int) -> None:
        self.cancel_through = max(self.cancel_through, job_id)

    def close(self) -> None:
        """After the thread stopped: free the decoder thread and the models."""
        self._decoder.shutdown(wait=True, cancel_futures=True)
        self._models.clear()

    # ---- slots (worker thread) ---------------------------------------------------------------------
    @Slot()
    def describe_devices(self) -> None:
        try:
            from inference.device import describe_devices

            self.devices_described.emit(describe_devices())
        except Exception as exc:  # torch missing or broken: say so instead of dying
            self.devices_described.emit({"auto": "CPU", "cuda": f"unavailable: {exc}", "cpu": ""})

    @Slot(object)
    def run(self, job: FillJob | BoxJob) -> None:
        from inference import reuse_freed_memory

        if self._stopped(job.job_id):
            self.job_finished.emit(job.job_id, True)
            return
        try:
            if isinstance(job, BoxJob):
                self._run_box(job)
            else:
                # Freed tensors are reused image after image (a quarter faster on the CPU); the
                # memory goes back to the system when the job ends.
                with reuse_freed_memory():
                    self._run_fill(job)
        except Exception as exc:  # a model error must never take the app down
            self.job_failed.emit(job.job_id, self._describe(exc))
            self.job_finished.emit(job.job_id, self._stopped(job.job_id))

    # ---- work ---------------------------------------------------------------------------------------
    def _stopped(self, job_id: int) -> bool:
        return job_id <= self.cancel_through

    def _model(self, spec: ModelSpec) -> Any:
        model = self._models.get(spec)
        if model is None:
            model = self._models[spec] = self.load_model(spec, self.notice.emit)
        return model

    def _run_box(self, job: BoxJob) -> None:
        model = self._model(job.model)
        boxes = np.asarray([job.box], dtype=np.float32)
        prediction = model.masks_for_boxes(job.image, boxes)
        self.box_ready.emit(job.job_id, job.rel, prediction)
        self.job_finished.emit(job.job_id, False)

    def _run_fill(self, job: FillJob) -> None:
        model = self._model(job.model) if job.model is not None else None
        semantic = self._model(job.semantic) if job.semantic is not None else None
        total, done, started = len(job.images), 0, time.perf_counter()
        pending: Future | None = self._decode(job.images[0][1]) if job.images else None
        for index, (rel, _path) in enumerate(job.images):
            if self._stopped(job.job_id):
                break
            future, pending = pending, (self._decode(job.images[index + 1][1]) if index + 1 < total else None)
            t0 = time.perf_counter()
            try:
                rgb = future.result()
            except (ImageLoadError, OSError, ValueError) as exc:
                self.image_failed.emit(job.job_id, rel, show_text(exc))
            else:
                result = self._predict(job, rel, rgb, model, semantic)
                if result is None:  # cancelled inside the model
                    break
                result.seconds = time.perf_counter() - t0
                self.result_ready.emit(result)
            done += 1
            self.progress.emit(job.job_id, done, total, done / max(time.perf_counter() - started, 1e-6))
        if pending is not None:
            pending.cancel()
        self.job_finished.emit(job.job_id, self._stopped(job.job_id))

    def _predict(self, job: FillJob, rel: str, rgb: np.ndarray, model: Any, semantic: Any) -> ImageResult | None:
        from inference import Cancelled

        stop = lambda: self._stopped(job.job_id)  # noqa: E731
        result = ImageResult(job.job_id, rel)
        try:
            if model is not None:
                result.prediction = model.predict([rgb], score_threshold=job.score_floor, should_stop=stop)[0]
            if semantic is not None and not stop():
                result.semantic = semantic.predict([rgb], should_stop=stop)[0]
        except Cancelled:
            return None
        if result.prediction is not None and result.semantic is not None:
            result.panoptic = self.fuse(result.prediction, result.semantic, [c for c, _ in model.categories])
        return result

    def _decode(self, path: str) -> Future:
        return self._decoder.submit(lambda: read_image(path, pyramid=False).rgb)

    @staticmethod
    def _describe(exc: BaseException) -> str:
        from inference import InferenceError

        if isinstance(exc, InferenceError):
            return str(exc)
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return translate("InferenceWorker", "The model failed: {error}").format(error=last)
