"""How `maskpilot-label --ray` sizes its Ray Data pipeline from the cluster's resources.

Pure arithmetic on `ray.cluster_resources()`, so it is tested without a cluster. Ray schedules by
*logical* resources: if the model actors asked for every CPU, the tasks that read and decode the
images could never be scheduled and the run would wait forever. So the read/decode stage asks
for a fraction of a CPU per task, and the actors share what is left:

- with GPUs (and --device not cpu/mps): one actor per GPU, one GPU and most of a CPU each; the
  model runs forward passes of --batch images on it, as the local CLI does on one GPU;
- CPU only: as few actors as give each at most `CPU_ACTOR_SIZE` cores (one actor on a 2-core
  machine). Inside an actor the local CLI's own rule (`plan_workers`) spreads each pass over
  one thread per core, so a 2-core machine with one actor runs exactly like the local CLI;
  `--ray-actors 2` gives two single-core actors instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

#: CPUs asked for by each read+decode task. Decoding a JPEG costs a few ms against the model's
#: 30-3000 ms, so a quarter of a CPU is plenty and leaves the rest to the actors.
READ_CPUS = 0.25
#: CPUs per model actor on a CPU-only cluster (torch scales poorly past a few threads per image).
CPU_ACTOR_SIZE = 4.0
#: Logical CPUs each GPU actor asks for (its Python loop, RLE encoding and the label writes).
GPU_ACTOR_CPUS = 1.0


class PlanError(ValueError):
    """The requested pipeline does not fit the cluster; the message is for the user."""


@dataclass(frozen=True)
class ClusterPlan:
    """actors: size of the fixed actor pool. cpus/gpus: logical resources per actor.
    cores: threads the actor gives torch (the local CLI's plan runs inside each actor).
    batch_size: images per `map_batches` call (a retry after a crash redoes at most this many).
    read_cpus: logical CPUs per read+decode task."""

    actors: int
    cpus: float
    gpus: float
    cores: int
    batch_size: int
    read_cpus: float = READ_CPUS

    def describe(self) -> str:
        """One line for stderr: what the run will use."""
        where = f"{self.gpus:g} GPU + {self.cpus:.2g} CPU" if self.gpus else f"{self.cpus:.2g} CPU"
        return (
            f"ray: {self.actors} model actor(s) of {where} each ({self.cores} torch thread(s)), "
            f"batches of {self.batch_size} image(s)"
        )


def uses_gpus(resources: Mapping[str, float], device: str) -> bool:
    """Whether the actors should ask for GPUs: the cluster has some and --device allows CUDA."""
    return float(resources.get("GPU", 0)) >= 1 and device.split(":")[0] in ("auto", "cuda")


def plan_cluster(
    resources: Mapping[str, float],
    device: str,
    batch: int,
    actors: int | None = None,
    ray_batch: int | None = None,
) -> ClusterPlan:
    """The pipeline for a cluster with `resources` (as `ray.cluster_resources()`), the local
    CLI's --device and --batch, and the optional --ray-actors / --ray-batch overrides.

    Each actor asks for READ_CPUS less than the cores it runs on, so that every node keeps room
    for read+decode tasks next to its actors however the actors are packed onto nodes."""
    if actors is not None and actors < 1:
        raise PlanError("--ray-actors must be at least 1")
    if ray_batch is not None and ray_batch < 1:
        raise PlanError("--ray-batch must be at least 1")
    cpus = float(resources.get("CPU", 0))
    gpus = float(resources.get("GPU", 0))
    if cpus < 1:
        raise PlanError(f"the Ray cluster has {cpus:g} CPU(s); at least 1 is needed")
    if device.split(":")[0] == "cuda" and gpus < 1:
        raise PlanError("--device cuda, but the Ray cluster has no GPU (use --device auto or cpu)")
    batch_size = ray_batch or max(2 * batch, 4)
    if uses_gpus(resources, device):
        count = actors or int(gpus)
        cores = max(1, min(int(CPU_ACTOR_SIZE), int(cpus // count)))
        logical = min(GPU_ACTOR_CPUS, cpus / count) - READ_CPUS
        return ClusterPlan(count, max(logical, 0.1), min(1.0, gpus / count), cores, batch_size)
    count = actors or max(1, math.ceil(cpus / CPU_ACTOR_SIZE))
    cores = max(1, int(cpus // count))
    logical = min(cores, cpus / count) - READ_CPUS
    return ClusterPlan(count, max(logical, 0.1), 0.0, cores, batch_size)
