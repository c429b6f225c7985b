"""maskpilot-embed FOLDER --ray [ADDRESS]: an interactive model's (SAM's) embeddings of a whole
folder as a Ray Data pipeline, into the same `<store>/embeddings/<model>/` files the local
command and the app use.

It fits the label pipeline as is: the driver lists the images and skips those already embedded
(the engine's `has_embedding` reads only the cache files' metadata, it never loads the model),
Ray tasks read and decode the images (`read_and_decode`), and a pool of `EmbedActor`s, each
holding one `PromptEngine` (the one `engine_for` gives the app and the local command), encodes
them and saves each embedding atomically through the engine's cache. An embedding is keyed by
the file's size and mtime, read by the actor from the shared folder. A retried batch encodes an
image again and replaces its file: nothing doubles. Ctrl-C and --ray-actors / --ray-batch behave
as for maskpilot-label --ray; there is no gather mode (embeddings are large: the workers write).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.cli.cluster_plan import PlanError, plan_cluster
from app.cli.cluster_worker import SignalledActor, StopSignal, _writable, read_and_decode
from app.cli.common import CliError, Progress, StopOnInterrupt, open_project, select_images


class EmbedActor(SignalledActor):
    """Encodes the images of each batch with one engine, loaded once per actor."""

    def __init__(self, args: argparse.Namespace, weights: str | None, cores: int, signal: Any = None,
                 setup: Callable[[], None] | None = None) -> None:  # fmt: skip
        from app.ai.domain.prompts import engine_for
        from inference import torch_threads

        if setup is not None:
            setup()
        super().__init__(signal)
        self.folder = Path(args.folder)
        self.engine = engine_for(args.model, weights, args.device, Path(args.store), args.random_init)
        self._threads = torch_threads(cores)
        self._threads.__enter__()  # for the actor's life: its process does nothing else

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        rels = [str(r) for r in batch["rel"]]
        errors = [str(e) for e in batch["error"]]
        status = ["bad" if e else "stopped" for e in errors]
        good = [i for i in range(len(rels)) if not errors[i]]
        done = 0
        if good and self._begin():
            try:
                for n, i in enumerate(good):
                    if n and self._stopped():
                        break
                    key = self.engine.key(rels[i], str(self.folder / rels[i]))
                    if self.engine.has_embedding(key):
                        status[i] = "cached"
                        continue
                    image = _writable(batch["image"][i])
                    try:
                        self.engine.embed(key, lambda image=image: image)
                    except OSError as exc:
                        status[i], errors[i] = "bad", f"could not save its embedding: {exc}"
                        continue
                    status[i] = "done"
                    done += 1
            finally:
                self._end(done)
        return {"rel": np.array(rels, dtype=object), "status": np.array(status, dtype=object),
                "error": np.array(errors, dtype=object)}  # fmt: skip


def run(args: argparse.Namespace, stop: StopOnInterrupt,
        setup: Callable[[], None] | None = None) -> tuple[int, int, list[str], bool]:  # fmt: skip
    """Returns (images encoded, images already cached, unreadable images, stopped), like
    `embed.run`. `setup()` runs in each worker process before it loads the model."""
    from app.ai.domain.prompts import engine_for
    from app.cli import cluster, embed

    try:
        import ray
    except ImportError as exc:
        raise CliError("--ray needs Ray Data: pip install 'maskpilot[cluster]' (ray[data] >= 2.9)") from exc
    project = open_project(args)
    weights = embed.interactive_weights(args)
    folder = project.folder.absolute()
    store = project.store.root.absolute()
    engine = engine_for(args.model, None, "cpu", store, args.random_init)  # has_embedding only: no model
    images = select_images(project, args.images)
    todo = [rel for rel in images if not engine.has_embedding(engine.key(rel, str(folder / rel)))]
    cached = len(images) - len(todo)
    bad: list[str] = []
    encoded = 0
    stopped = False
    if not todo:
        return encoded, cached, bad, stopped
    worker_args = argparse.Namespace(**{**vars(args), "folder": folder, "store": store})
    owns = cluster._connect(args.ray)
    progress = Progress("embedding", args.quiet)
    seen = cached
    try:
        cluster._quiet_ray_data()
        try:
            plan = plan_cluster(ray.cluster_resources(), args.device, 1, args.ray_actors, args.ray_batch)
        except PlanError as exc:
            raise CliError(str(exc)) from exc
        if not args.quiet:
            print(plan.describe(), file=sys.stderr)
        signal = ray.remote(StopSignal).options(num_cpus=0).remote()
        source = ray.data.from_items([{"rel": rel} for rel in todo],
                                     override_num_blocks=max(1, -(-len(todo) // plan.batch_size)))  # fmt: skip
        decoded = source.map_batches(read_and_decode, fn_kwargs={"folder": str(folder)}, batch_size=None,
                                     num_cpus=plan.read_cpus)  # fmt: skip
        dataset = decoded.map_batches(
            EmbedActor,
            fn_constructor_kwargs={"args": worker_args, "weights": str(weights) if weights else None,
                                   "cores": plan.cores, "signal": signal, "setup": setup},
            compute=ray.data.ActorPoolStrategy(size=plan.actors, max_tasks_in_flight_per_actor=cluster.IN_FLIGHT),
            batch_size=plan.batch_size, num_cpus=plan.cpus, **({"num_gpus": plan.gpus} if plan.gpus else {}),
        )  # fmt: skip

        def on_rows(rows: dict[str, Any]) -> None:
            nonlocal encoded, cached, seen
            for rel, status, error in zip(rows["rel"], rows["status"], rows["error"], strict=True):
                if status == "stopped":
                    continue
                seen += 1
                if status == "bad":
                    bad.append(f"{rel}: {error}")
                elif status == "cached":  # embedded meanwhile (another run, the app)
                    cached += 1
                else:
                    encoded += 1
            progress(seen, len(images))

        try:
            stopped = cluster._drain(dataset, stop, signal, on_rows)
        except ray.exceptions.RayError as exc:
            raise CliError(f"the Ray pipeline failed: {cluster._cause(exc)}") from exc
        if stopped:  # what the actors wrote, including batches whose rows never came back
            encoded = max(encoded, ray.get(signal.state.remote())[1])
        ray.kill(signal)
    except KeyboardInterrupt:
        stopped = True
    finally:
        progress.close()
        if owns:
            ray.shutdown()
    return encoded, cached, bad, stopped
