"""maskpilot-label FOLDER --model NAME --ray [ADDRESS]: the local CLI's run as a Ray Data pipeline.

The driver (this module) does what the local CLI does before and after the models run: it opens
the project, lists the images, skips those the model already did (`label.already_done`, and the
class map for --semantic), loads the models once to check them and fix the class mapping
(--add-classes writes project.json here, once), and at the end rebuilds index.json once, writes
--out and returns the local CLI's summary. In between, Ray runs

    from_items(rel paths) -> map_batches(read_and_decode)           tasks, READ_CPUS each
                          -> map_batches(LabelActor, ActorPoolStrategy(size=actors),
                                         num_gpus=1 with GPUs, batch_size=--ray-batch)

and the actors write each image's label file into the shared store (app/cli/cluster_worker.py).
Rows coming back carry only the status of each image (and COCO results for --out), for the
progress line, the list of unreadable images and the summary.

--ray-gather is for workers that cannot reach the folder: the driver reads the image files and
ships their bytes, actors decode and predict and send the predictions back, and the driver saves
them with the same save function. Ray Data datasets cannot be fed from the driver as a stream,
so the driver ships `GATHER_WINDOW` images per dataset; each window starts its actors (and loads
the models) again, which costs a few seconds per window.

ADDRESS: empty (bare --ray) joins the cluster in RAY_ADDRESS or the one `ray start` left on this
machine, else starts a local one; `auto` must find a running cluster; `ray://HOST:10001` is Ray
Client; `local` always starts a new local instance; anything else is a GCS address HOST:PORT.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.ai.domain.suggestions import class_mapping
from app.cli import label
from app.cli.cluster_plan import ClusterPlan, PlanError, plan_cluster
from app.cli.cluster_wire import unpack_result
from app.cli.cluster_worker import (
    LabelActor,
    LabelJob,
    StopSignal,
    load_models,
    read_and_decode,
    save_result,
)
from app.cli.common import CliError, StopOnInterrupt, open_project, select_images
from app.formats.atomic import write_json_atomic
from app.formats.ids import project_image_ids

#: Images per dataset in --ray-gather mode, and the most bytes the driver holds for one.
GATHER_WINDOW = 1024
GATHER_WINDOW_BYTES = 1 << 30
#: Batches queued per actor (Ray Data's default is 4): one running and one whose input is
#: already fetched. More would let the first actor that is up take a small run's every batch.
IN_FLIGHT = 2
#: After Ctrl-C, how long the driver waits for batches in progress to finish their writes.
STOP_GRACE_S = 120.0
_POLL_S = 0.2


@dataclass
class Tally:
    """What the rows coming back say, as the local CLI counts it."""

    count: int = 0
    suggestions: int = 0
    bad: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    coco: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _connect(address: str) -> bool:
    """Join or start Ray as ADDRESS says; returns whether this call started the connection (and
    so must end it). A caller that already called ray.init (a test, a notebook) keeps its own."""
    import ray

    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": True}
    if address in ("", "local"):
        options["include_dashboard"] = False  # only used when this starts a local instance
    ray.init(address=address or None, **options)
    return True


def _quiet_ray_data() -> None:
    """Ray Data's progress bars and INFO lines would interleave with our progress line; its
    full logs stay in the session's ray-data.log."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    for handler in logging.getLogger("ray.data").handlers:
        if not isinstance(handler, logging.FileHandler) and type(handler).__name__ != "SessionFileHandler":
            handler.setLevel(logging.WARNING)
            if not any(isinstance(f, _NoBarNotice) for f in handler.filters):
                handler.addFilter(_NoBarNotice())


class _NoBarNotice(logging.Filter):
    """Drops Ray Data's warning that its progress bars are off: we turned them off."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Progress bars disabled")


def _mapping(project: Any, predictor: Any, args: argparse.Namespace) -> dict[int, int]:
    """The local CLI's class mapping step, with its messages."""
    mapping, unmapped = class_mapping(predictor.categories, project.labels, add_missing=args.add_classes)
    if unmapped and args.add_classes:
        project.store.save_project(project.labels, project.meta.settings)
        print(f"added {len(unmapped)} class(es) to the project: {', '.join(unmapped)}", file=sys.stderr)
    elif unmapped:
        shown = ", ".join(unmapped[:8]) + (" ..." if len(unmapped) > 8 else "")
        print(f"warning: {len(unmapped)} model class(es) are not project classes and are skipped "
              f"({shown}); --add-classes adds them", file=sys.stderr)  # fmt: skip
    if not mapping:
        raise CliError(f"none of {args.model}'s classes is a class of this project (use --add-classes)")
    return mapping


def _todo(project: Any, images: list[str], args: argparse.Namespace) -> list[str]:
    """The images still to do, skipping finished ones exactly as the local CLI does."""

    def done(rel: str) -> bool:
        if not label.already_done(project.store, rel, args.model):
            return False
        return not args.semantic or label.semantic_png_path(project.store, args.semantic, rel).exists()

    todo = images if args.redo else [rel for rel in images if not done(rel)]
    if len(todo) < len(images):
        print(f"{len(images) - len(todo)} image(s) already done by {args.model} (skipped; --redo to redo)",
              file=sys.stderr)  # fmt: skip
    return todo


def _pipeline(source: Any, folder: str, plan: ClusterPlan, job: LabelJob, signal: Any,
              setup: Callable[[], None] | None) -> Any:  # fmt: skip
    """source (rows with `rel`, maybe `bytes`) -> decoded images -> model actors -> status rows."""
    import ray.data

    decoded = source.map_batches(
        read_and_decode, fn_kwargs={"folder": folder}, batch_size=None, num_cpus=plan.read_cpus
    )
    gpu_args = {"num_gpus": plan.gpus} if plan.gpus else {}
    return decoded.map_batches(
        LabelActor,
        fn_constructor_kwargs={"job": job, "signal": signal, "setup": setup},
        compute=ray.data.ActorPoolStrategy(size=plan.actors, max_tasks_in_flight_per_actor=IN_FLIGHT),
        batch_size=plan.batch_size,
        num_cpus=plan.cpus,
        **gpu_args,
    )


def _windows(folder: str, todo: list[str], tally: Tally) -> Iterator[list[dict[str, Any]]]:
    """--ray-gather: the image bytes, read here, in windows of GATHER_WINDOW images (or
    GATHER_WINDOW_BYTES). A file that cannot be read goes to the bad list as the local CLI
    reports it."""
    import numpy as np

    from app.formats.image_io import ImageLoadError, read_image

    window: list[dict[str, Any]] = []
    size = 0
    for rel in todo:
        try:
            data = np.fromfile(f"{folder}/{rel}", dtype=np.uint8).tobytes()
        except OSError:
            try:  # for the local CLI's message (permission, missing file)
                read_image(f"{folder}/{rel}", pyramid=False)
                message = f"cannot read {rel}"
            except ImageLoadError as exc:
                message = str(exc)
            tally.bad.append(f"{rel}: {message}")
            tally.seen.add(rel)
            continue
        window.append({"rel": rel, "bytes": data})
        size += len(data)
        if len(window) >= GATHER_WINDOW or size >= GATHER_WINDOW_BYTES:
            yield window
            window, size = [], 0
    if window:
        yield window


def _take(rows: dict[str, Any], tally: Tally, project: Any, args: argparse.Namespace,
          mapping: dict[int, int], image_ids: dict[str, int]) -> None:  # fmt: skip
    """Count one batch of result rows; in --ray-gather mode save them here."""
    for k, rel in enumerate(rows["rel"]):
        rel = str(rel)
        status = str(rows["status"][k])
        if status == "stopped":
            continue
        tally.seen.add(rel)
        if status == "bad":
            tally.bad.append(f"{rel}: {rows['error'][k]}")
            continue
        count = int(rows["count"][k])
        blob = rows["result"][k]
        if blob is not None and len(blob):  # gathered: the driver writes, as the local CLI does
            count = save_result(project.store, rel, unpack_result(bytes(blob)), args, mapping)
        if rows["coco"][k]:
            image_id = image_ids[rel]
            for r in json.loads(str(rows["coco"][k])):
                r["image_id"] = image_id
                tally.coco.append((image_id, r))
        tally.count += 1
        tally.suggestions += count


def _watch(stop: StopOnInterrupt, signal: Any, finished: threading.Event) -> None:
    """Thread: pass a stop on to the actors at once. The driver's own loop only sees it when
    the next rows arrive, which can be a whole batch later."""
    import ray

    while not finished.wait(_POLL_S):
        if stop():
            ray.get(signal.stop.remote())
            return


def _drain(dataset: Any, stop: StopOnInterrupt, signal: Any, on_rows: Callable[[dict], None]) -> bool:
    """Consume the dataset's rows; on a stop, flip the signal, wait until no batch is in
    progress (so their writes finish), then close the stream. Returns whether it stopped."""
    import ray

    finished = threading.Event()
    watcher = threading.Thread(target=_watch, args=(stop, signal, finished), daemon=True, name="ray-stop")
    watcher.start()
    stream = iter(dataset.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=1))
    try:
        for rows in stream:
            on_rows(rows)
            if stop():
                break
        else:
            return False
    finally:
        finished.set()
        watcher.join()
        if stop():
            ray.get(signal.stop.remote())
            deadline = time.monotonic() + STOP_GRACE_S
            while ray.get(signal.state.remote())[0] and time.monotonic() < deadline:
                time.sleep(_POLL_S)
        close = getattr(stream, "close", None)  # a generator: closing it shuts the executor down
        if close is not None:
            close()
        _join_executor(dataset)
    return True


#: Ray Data's iteration worker threads (ray/data/_internal/block_batching/util.py).
_ITERATION_THREAD = "iter_threaded"


def _join_executor(dataset: Any) -> None:
    """After an early close, wait for Ray Data's threads in this process that still call Ray:
    its executor's loop thread (Ray Data itself waits only 2 s for it) and the iteration
    workers, which stop within 0.1 s once they next wake up. One of them touching Ray after
    ray.shutdown() makes Ray end the whole process with status 1, before our summary. (Its
    prefetcher thread stays parked on a condition and never calls Ray again.)"""
    executor = getattr(dataset, "_current_executor", None)  # private, hence the care
    if isinstance(executor, threading.Thread) and executor.is_alive():
        executor.join(timeout=STOP_GRACE_S)
    deadline = time.monotonic() + 10.0
    for thread in threading.enumerate():
        if thread.name == _ITERATION_THREAD and thread is not threading.current_thread():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


def run(args: argparse.Namespace, stop: StopOnInterrupt,
        setup: Callable[[], None] | None = None) -> tuple[int, int, list[str], bool]:  # fmt: skip
    """Label the project on Ray; returns (images labeled, suggestions, unreadable images, stopped)
    like `label.run`. `setup()` runs in each worker process before it loads the models."""
    try:
        import ray  # noqa: F401 - the optional extra
    except ImportError as exc:
        raise CliError("--ray needs Ray Data: pip install 'maskpilot[cluster]' (ray[data] >= 2.9)") from exc
    label.check_counts(args)
    project = open_project(args)
    images = select_images(project, args.images)
    image_ids = project_image_ids(project.store, project.images) if args.out is not None else {}
    folder = str(project.folder.absolute())
    # Loaded once here, on the CPU, as the local CLI loads them: a missing weights file or a
    # wrong model fails now with the local CLI's message, and the class mapping is fixed once.
    driver_args = argparse.Namespace(**{**vars(args), "device": "cpu"})
    predictor, _semantic = load_models(driver_args)
    mapping = _mapping(project, predictor, args)
    del predictor, _semantic
    todo = _todo(project, images, args)
    worker_args = argparse.Namespace(
        **{**vars(args), "folder": project.folder.absolute(), "download": False, "quiet": True,
           "store": project.store.root.absolute()}
    )  # fmt: skip
    tally = Tally()
    stopped = False
    progress = label.RateProgress(len(todo), args.quiet)
    owns = _connect(args.ray) if todo else False
    try:
        if todo:
            stopped = _run_ray(args, worker_args, stop, setup, project, folder, todo, mapping, image_ids,
                               tally, progress)  # fmt: skip
    except KeyboardInterrupt:
        stopped = True
    finally:
        progress.close()
        if owns:
            import ray

            ray.shutdown()
        project.store.invalidate_index()
        project.store.index()  # one rebuild from the label files the actors wrote
        if args.out is not None and (tally.count or not stopped):
            write_json_atomic(args.out, [r for _, r in sorted(tally.coco, key=lambda item: item[0])])
    if not stopped:
        lost = [rel for rel in todo if rel not in tally.seen]
        tally.bad.extend(f"{rel}: no result came back from the cluster" for rel in lost)
    return tally.count, tally.suggestions, tally.bad, stopped


def _run_ray(args: argparse.Namespace, worker_args: argparse.Namespace, stop: StopOnInterrupt,
             setup: Callable[[], None] | None, project: Any, folder: str, todo: list[str],
             mapping: dict[int, int], image_ids: dict[str, int], tally: Tally, progress: Any) -> bool:  # fmt: skip
    import ray
    import ray.data

    _quiet_ray_data()
    try:
        plan = plan_cluster(ray.cluster_resources(), args.device, args.batch, args.ray_actors, args.ray_batch)
    except PlanError as exc:
        raise CliError(str(exc)) from exc
    if not args.quiet:
        print(plan.describe(), file=sys.stderr)
    job = LabelJob(worker_args, mapping, plan.cores, write=not args.ray_gather, coco=args.out is not None)
    signal = ray.remote(StopSignal).options(num_cpus=0).remote()

    def on_rows(rows: dict[str, Any]) -> None:
        _take(rows, tally, project, args, mapping, image_ids)
        progress.update(len(tally.seen))

    blocks = lambda n: max(1, -(-n // plan.batch_size))  # noqa: E731 - one decode task per batch
    try:
        if not args.ray_gather:
            source = ray.data.from_items([{"rel": rel} for rel in todo], override_num_blocks=blocks(len(todo)))
            return _drain(_pipeline(source, folder, plan, job, signal, setup), stop, signal, on_rows)
        for window in _windows(folder, todo, tally):
            progress.update(len(tally.seen))
            source = ray.data.from_items(window, override_num_blocks=blocks(len(window)))
            if _drain(_pipeline(source, folder, plan, job, signal, setup), stop, signal, on_rows) or stop():
                return True
        return False
    except ray.exceptions.RayError as exc:
        raise CliError(f"the Ray pipeline failed: {_cause(exc)}") from exc
    finally:
        if stop():  # stopped: what the actors wrote, including batches whose rows never came
            _, done, suggestions = ray.get(signal.state.remote())
            if not args.ray_gather and done > tally.count:
                tally.count, tally.suggestions = done, suggestions
        ray.kill(signal)


def _cause(exc: BaseException) -> str:
    """The last line of the innermost real error of a Ray failure: Ray Data re-raises a worker's
    error `from SystemException()` / `UserCodeException` markers, and a RayTaskError's text is
    the worker's traceback, whose last line names the error."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__
    real = [c for c in chain if type(c).__name__ not in ("SystemException", "UserCodeException")]
    lines = [line.strip() for line in str((real or chain)[-1]).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
