"""What runs on the Ray workers of `maskpilot-label --ray`: the read+decode task and the model
actor. The driver side is app/cli/cluster.py.

The actor loads the models once through the local CLI's own loader (`label._load_predictor`), runs
the local CLI's plan for one process (`plan_workers`: one forward pass of --batch images on a GPU,
one image per core side by side on the CPU) and saves each image with the local CLI's save steps
(`save_result`: the class map PNG, then the label file through `write_prediction`, which is what
marks the image done). So a Ray run writes the same label files a local run does.

Idempotence: `write_prediction` replaces the model's pending suggestions and its `ai_runs` entry,
so when Ray retries a batch after an actor died half-way (its actors are restarted and their
tasks retried by default) the images it had written are rewritten, never doubled. Every write is
atomic, so a dead actor leaves an image either written whole or not at all.

Stopping: the driver flips a `StopSignal` actor. A model actor asks it before each batch and
every `STOP_POLL_S` between images; the driver waits until no batch is in progress before it
shuts the pipeline down, so Ctrl-C never kills an actor in the middle of its writes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import cv2
import numpy as np

from app.ai.domain.suggestions import write_prediction
from app.cli.cluster_wire import pack_result
from app.formats.image_io import (
    MAX_PIXELS,
    ImageLoadError,
    _png_size,
    _sniff,
    _to_display,
    read_image,
)
from app.formats.store import IndexEntry, ProjectStore

#: Seconds between two looks at the stop signal inside a batch (each look is one actor call).
STOP_POLL_S = 0.5
#: An actor whose model fails on this many images in a row fails the run: that is a broken model
#: or device, not a few odd images (which are listed and skipped).
MAX_FAILED_IN_A_ROW = 16
#: Stand-in pixels for an unreadable image, so a batch's image column stays one ragged tensor.
_PLACEHOLDER = np.zeros((1, 1, 3), np.uint8)


@dataclass(frozen=True)
class LabelJob:
    """Everything an actor needs, picklable. args: the parsed maskpilot-label arguments (the
    local CLI's loader reads them; `download` is off on the workers: the driver did it).
    mapping: model category id -> project category id, fixed by the driver. cores: threads the
    actor may use. write: save into the store (False: hand results back to the driver).
    coco: also return each image's COCO results (for --out)."""

    args: argparse.Namespace
    mapping: dict[int, int]
    cores: int
    write: bool = True
    coco: bool = False


def load_models(args: argparse.Namespace) -> tuple[Any, Any]:
    """(instance predictor, semantic predictor or None) through the local CLI's loader."""
    from app.cli import label  # the seam: the local CLI's loading code, imported, not copied

    predictor = label._load_predictor(args.model, args.weights, args, "instance")
    semantic = (
        label._load_predictor(args.semantic, args.semantic_weights, args, "semantic")
        if args.semantic
        else None
    )
    return predictor, semantic


def save_result(store: ProjectStore, rel: str, result: tuple[Any, Any], args: argparse.Namespace,
                mapping: dict[int, int]) -> int:  # fmt: skip
    """The local CLI's save: the class map first, then the label file (which marks the image
    done). Returns the number of suggestions written."""
    from app.cli import label

    pred, sem = result
    if sem is not None:
        label.write_class_map(label.semantic_png_path(store, args.semantic, rel), sem.class_map)
    return write_prediction(store, rel, pred, mapping, args.score)


class WorkerStore(ProjectStore):
    """A ProjectStore that writes label files but never index.json. Each actor would otherwise
    scan every label file once and then rewrite the whole index after every image, and the
    actors' rewrites would race. The driver rebuilds the index once at the end (the index is
    checked against each label file's mtime and size, so it is right either way)."""

    def __init__(self, image_folder: str | os.PathLike, store_dir: str | os.PathLike | None = None):
        super().__init__(image_folder, store_dir)
        self._entries: dict[str, IndexEntry] = {}

    def index(self) -> dict[str, IndexEntry]:
        return self._entries

    def _write_index(self) -> None:
        pass


def decode_image_bytes(data: bytes, name: str) -> np.ndarray:
    """The uint8 (H, W, 3) RGB image `read_image` gives for a file holding `data` (same checks,
    same messages). Used when the bytes were read by the driver (--ray-gather).
    TODO: a public `decode_image(data, name)` in app/formats/image_io would replace the private
    helpers used here."""
    buf = np.frombuffer(data, np.uint8)
    if buf.size == 0:
        raise ImageLoadError(f"{name} is empty (0 bytes)")
    kind = _sniff(buf[:16].tobytes())
    if kind == "unknown":
        raise ImageLoadError(f"{name} is not an image file this app can read")
    size = _png_size(buf[:24].tobytes())
    if size and size[0] * size[1] > MAX_PIXELS:
        raise ImageLoadError(f"{name} is {size[0]}×{size[1]} pixels: too large to open")
    flags = cv2.IMREAD_UNCHANGED if kind in ("png", "webp") else cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR
    try:
        decoded = cv2.imdecode(buf, flags)
    except cv2.error as exc:
        raise ImageLoadError(f"{name} could not be decoded ({exc.err or 'OpenCV error'})") from exc
    if decoded is None or decoded.size == 0:
        raise ImageLoadError(f"{name} is corrupt or truncated and could not be decoded")
    return _to_display(decoded, pyramid=False).rgb


def read_and_decode(batch: dict[str, np.ndarray], folder: str) -> dict[str, Any]:
    """Ray task: decode the images `batch["rel"]` of `folder` (as the local CLI's loader does:
    bytes read with np.fromfile, decoded by cv2.imdecode), or, with a `bytes` column (shipped
    by the driver), those bytes. A file that cannot be read or decoded gets its message in
    `error` and a 1x1 placeholder image."""
    rels = [str(r) for r in batch["rel"]]
    shipped = batch.get("bytes")
    images: list[np.ndarray] = []
    errors: list[str] = []
    for k, rel in enumerate(rels):
        try:
            if shipped is not None:
                rgb = decode_image_bytes(bytes(shipped[k]), PurePosixPath(rel).name)
            else:
                rgb = read_image(Path(folder) / rel, pyramid=False).rgb
            images.append(rgb)
            errors.append("")
        except ImageLoadError as exc:
            images.append(_PLACEHOLDER)
            errors.append(str(exc) or type(exc).__name__)
    return {"rel": np.array(rels, dtype=object), "image": images, "error": np.array(errors, dtype=object)}


class StopSignal:
    """A tiny actor (zero CPUs) the driver flips on Ctrl-C. Model actors check in before each
    batch (`begin`) and out after it (`end`, with what they wrote), so the driver can wait for
    `busy() == 0` and count what was written even for batches it never received."""

    def __init__(self) -> None:
        self.stopped = False
        self.running: set[str] = set()
        self.done = 0
        self.suggestions = 0

    def begin(self, key: str) -> bool:
        if self.stopped:
            self.running.discard(key)  # a restarted actor whose earlier life died mid-batch
            return False
        self.running.add(key)
        return True

    def end(self, key: str, done: int, suggestions: int) -> None:
        self.running.discard(key)
        self.done += done
        self.suggestions += suggestions

    def stop(self) -> None:
        self.stopped = True

    def is_stopped(self) -> bool:
        return self.stopped

    def state(self) -> tuple[int, int, int]:
        """(batches in progress, images written, suggestions written)."""
        return len(self.running), self.done, self.suggestions


def _writable(image: np.ndarray) -> np.ndarray:
    """Ray hands batches out zero-copy (read-only views); torch.from_numpy wants writable
    memory."""
    return image if image.flags.writeable and image.flags.c_contiguous else np.array(image)


class SignalledActor:
    """The model actors' side of the StopSignal protocol (None: never stopped): `_begin()`
    before a batch (False: stopped, do nothing), `_stopped()` between images (one actor call per
    STOP_POLL_S at most), `_end(done, suggestions)` after it."""

    def __init__(self, signal: Any = None) -> None:
        self.signal = signal
        self._last_poll = 0.0
        self.key = f"{os.getpid()}-{id(self)}"
        try:
            import ray

            self.key = ray.get_runtime_context().get_actor_id() or self.key  # kept across restarts
        except Exception:  # noqa: BLE001 - outside Ray (unit use): the pid will do
            pass

    def _begin(self) -> bool:
        if self.signal is None:
            return True
        import ray

        self._last_poll = time.monotonic()
        return bool(ray.get(self.signal.begin.remote(self.key)))

    def _stopped(self) -> bool:
        if self.signal is None or time.monotonic() - self._last_poll < STOP_POLL_S:
            return False
        import ray

        self._last_poll = time.monotonic()
        return bool(ray.get(self.signal.is_stopped.remote()))

    def _end(self, done: int, suggestions: int = 0) -> None:
        if self.signal is not None:
            self.signal.end.remote(self.key, done, suggestions)


class LabelActor(SignalledActor):
    """The model actor of `map_batches`. `setup()` (optional, picklable) runs first in the
    worker process: a deployment can register extra models there, tests install a small model.
    `signal`: the driver's StopSignal actor handle (None: never stopped)."""

    def __init__(self, job: LabelJob, signal: Any = None, setup: Callable[[], None] | None = None) -> None:
        from app.cli.label_workers import WorkerPlan, plan_workers
        from inference import reuse_freed_memory, torch_threads

        if setup is not None:
            setup()
        super().__init__(signal)
        self.job = job
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(reuse_freed_memory())  # the local CLI's heap setting, per process
        self.predictor, self.semantic = load_models(job.args)
        self.plan = plan_workers(self.predictor.device.type, job.args.batch, job.args.workers, cores=job.cores)
        if self.predictor.device.type == "cpu" and job.args.workers is None and job.cores == 1:
            # A 1-core actor of a bigger machine: one image per pass, as the local CLI runs each of
            # its workers there (its 1-core plan stacks --batch images, which only pads and costs).
            self.plan = WorkerPlan(1, 1, None)
        for model in (self.predictor, self.semantic):
            if model is not None:
                model.batch_size = self.plan.images_per_pass
        self._stack.enter_context(torch_threads(self.plan.torch_threads or job.cores))
        self.pool = ThreadPoolExecutor(self.plan.workers) if self.plan.workers > 1 else None
        self.store = WorkerStore(job.args.folder, job.args.store) if job.write else None
        self._failed_in_a_row = 0

    # ---- prediction -----------------------------------------------------------------------
    def _predict_pass(self, images: list[np.ndarray]) -> list[tuple[Any, Any]]:
        """The local CLI's predict step for one forward pass."""
        args = self.job.args
        preds = self.predictor.predict(images, score_threshold=args.score, max_detections=args.max_detections)
        sems = self.semantic.predict(images) if self.semantic is not None else [None] * len(images)
        return list(zip(preds, sems, strict=True))

    def _predict_safely(self, images: list[np.ndarray]) -> list[Any]:
        """One pass; when it fails, each image alone, so one image the model chokes on is
        reported (as its exception) instead of failing the whole run."""
        try:
            return self._predict_pass(images)
        except Exception:  # noqa: BLE001 - retried image by image just below
            if len(images) == 1:
                raise
        out: list[Any] = []
        for image in images:
            try:
                out.extend(self._predict_pass([image]))
            except Exception as exc:  # noqa: BLE001 - reported as a failed image
                out.append(exc)
        return out

    def _predict(self, images: list[np.ndarray]) -> list[Any]:
        per_pass = self.plan.images_per_pass
        passes = [images[i : i + per_pass] for i in range(0, len(images), per_pass)]

        def run(chunk: list[np.ndarray]) -> list[Any]:
            try:
                return self._predict_safely(chunk)
            except Exception as exc:  # noqa: BLE001 - a single image that failed alone
                return [exc]

        mapped = self.pool.map(run, passes) if self.pool is not None else map(run, passes)
        return [r for chunk in mapped for r in chunk]

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        rels = [str(r) for r in batch["rel"]]
        errors = [str(e) for e in batch["error"]]
        n = len(rels)
        status = ["bad" if e else "stopped" for e in errors]
        counts = [0] * n
        coco = [""] * n
        results = [b""] * n
        good = [i for i in range(n) if not errors[i]]
        done = suggestions = 0
        if good and self._begin():
            try:
                step = self.plan.workers * self.plan.images_per_pass
                for start in range(0, len(good), step):
                    if start and self._stopped():
                        break
                    idx = good[start : start + step]
                    outs = self._predict([_writable(batch["image"][i]) for i in idx])
                    for i, out in zip(idx, outs, strict=True):
                        if isinstance(out, Exception):
                            self._failed_in_a_row += 1
                            if self._failed_in_a_row >= MAX_FAILED_IN_A_ROW:  # the model, not the images
                                raise RuntimeError(f"the model failed on {self._failed_in_a_row} images "
                                                   f"in a row; the last error: {out}") from out  # fmt: skip
                            status[i], errors[i] = "bad", f"prediction failed: {out}"
                            continue
                        self._failed_in_a_row = 0
                        if self.store is not None:
                            counts[i] = save_result(self.store, rels[i], out, self.job.args, self.job.mapping)
                        else:
                            results[i] = pack_result(out)
                        if self.job.coco:
                            coco[i] = json.dumps(out[0].to_coco_results(0))
                        status[i] = "done"
                        done += 1
                        suggestions += counts[i]
            finally:
                self._end(done, suggestions)
        return {
            "rel": np.array(rels, dtype=object),
            "status": np.array(status, dtype=object),
            "error": np.array(errors, dtype=object),
            "count": np.array(counts, dtype=np.int64),
            "coco": np.array(coco, dtype=object),
            "result": np.array(results, dtype=object),
        }
