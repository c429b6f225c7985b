"""The pipeline behind maskpilot-label: a loader thread decodes images in order, worker threads
run the models, and the calling thread writes the results (so store writes never race).

On a GPU one worker runs forward passes of `--batch` images. On the CPU stacking images into one
tensor gains nothing (Mask R-CNN's backbone costs slightly more per image at batch 4 than at 1),
but running images side by side does: one forward pass keeps two cores only ~85 % busy
(single-threaded RoIAlign and NMS, Python between ops). So on the CPU `plan_workers` spreads the
batch over up to one worker per core, each running one image at a time on its share of torch's
threads. The model object is shared: its forward pass keeps no per-call state.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.formats.image_io import ImageLoadError, read_image

_END = object()
_POLL_S = 0.1


@dataclass(frozen=True)
class WorkerPlan:
    """`workers` threads, each predicting `images_per_pass` images per call, with `torch_threads`
    intra-op threads in all (None: leave torch's setting alone)."""

    workers: int
    images_per_pass: int
    torch_threads: int | None


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def plan_workers(
    device_type: str, batch: int, workers: int | None = None, cores: int | None = None
) -> WorkerPlan:
    """How to run `batch` images at a time on `device_type` ('cpu', 'cuda', 'mps'); `workers`
    overrides the number of worker threads."""
    if device_type != "cpu":
        return WorkerPlan(workers or 1, batch, None)
    cores = cores or available_cores()
    count = workers or max(1, min(batch, cores))
    if count == 1:
        return WorkerPlan(1, batch, None)
    return WorkerPlan(count, 1, max(1, cores // count))


#: predict(images) -> one result per image, in order.
PredictFn = Callable[[list[np.ndarray]], Sequence[Any]]


def _load(folder: Path, rels: list[str], size: int, chunks: queue.Queue, out: queue.Queue,
          halt: threading.Event) -> None:  # fmt: skip
    """Loader thread: decode in order and hand out chunks of `size`; an unreadable image goes
    straight to `out` as ("bad", rel, error)."""

    def put(item: object) -> bool:
        while not halt.is_set():
            try:
                chunks.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    chunk: list[tuple[str, np.ndarray]] = []
    for rel in rels:
        if halt.is_set():
            return
        try:
            chunk.append((rel, read_image(folder / rel, pyramid=False).rgb))
        except ImageLoadError as exc:
            out.put(("bad", rel, exc))
        if len(chunk) == size:
            if not put(chunk):
                return
            chunk = []
    if chunk and not put(chunk):
        return
    put(_END)


def _work(predict: PredictFn, chunks: queue.Queue, out: queue.Queue, halt: threading.Event) -> None:
    """Worker thread: predict chunks until the loader's end mark or a halt."""
    try:
        while not halt.is_set():
            try:
                chunk = chunks.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if chunk is _END:
                chunks.put(_END)  # for the other workers
                return
            results = predict([img for _, img in chunk])
            out.put(("done", [rel for rel, _ in chunk], results))
    except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, which raises it
        halt.set()
        out.put(("error", exc))
    finally:
        out.put(("exit",))


def run_pipeline(
    folder: Path,
    rels: list[str],
    predict: PredictFn,
    plan: WorkerPlan,
    should_stop: Callable[[], bool],
    on_result: Callable[[str, Any], None],
    on_bad: Callable[[str, Exception], None],
) -> bool:
    """Predict every image of `rels` (paths relative to `folder`). In the calling thread,
    `on_result(rel, result)` gets each finished image and `on_bad(rel, error)` each unreadable
    one. When `should_stop()` turns true, workers finish the images they hold (those still reach
    `on_result`) and no more start; returns True then. A worker's exception is raised here
    after the others have finished theirs."""
    chunks: queue.Queue = queue.Queue(maxsize=2 * plan.workers)
    out: queue.Queue = queue.Queue()
    halt = threading.Event()
    loader = threading.Thread(
        target=_load,
        args=(folder, rels, plan.images_per_pass, chunks, out, halt),
        daemon=True,
        name="label-loader",
    )
    workers = [
        threading.Thread(
            target=_work, args=(predict, chunks, out, halt), daemon=True, name=f"label-worker-{i}"
        )
        for i in range(plan.workers)
    ]
    loader.start()
    for worker in workers:
        worker.start()
    stopped = False
    failure: BaseException | None = None
    alive = len(workers)
    try:
        while alive:
            if not halt.is_set() and should_stop():
                stopped = True
                halt.set()
            try:
                message = out.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if message[0] == "done":
                for rel, result in zip(message[1], message[2], strict=True):
                    on_result(rel, result)
            elif message[0] == "bad":
                on_bad(message[1], message[2])
            elif message[0] == "error":
                failure = failure or message[1]
            else:
                alive -= 1
    finally:
        halt.set()
    if failure is not None:
        raise failure
    return stopped
