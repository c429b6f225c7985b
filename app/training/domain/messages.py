"""What travels between the app (GUI or CLI) and the training process: the job, and the
messages the job reports.

All are plain frozen dataclasses of numbers, strings and tuples, so they pickle across the pipe
of a "spawn" child process and a widget can show them without knowing anything of torch.
A run reports `Started` once, then `Progress`, `Validation`, `Skipped` and `Note` in any number,
and ends with exactly one `Finished` or `Failed`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


def default_threads() -> int:
    """Torch threads for training: all cores but one (the GUI's), at least one."""
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class TrainingJob:
    """A training run of the project in `folder`.

    name: the project model to write ("project:<name>"). base_model: "small", "maskrcnn_v1" or
    "maskrcnn_v2"; weights: its starting weights (COCO Mask R-CNN or ImageNet ResNet-50 file;
    None: looked for in the weights folders). Budget: `minutes`, `epochs` or `steps` (the first
    reached ends training, counted over resumed runs; none set: 5 minutes). val_fraction: the
    share of done images kept for validation. resume: continue the model's last checkpoint
    instead of starting fresh. threads: torch CPU threads (None: `default_threads()`).
    image_size: the network input's longest side (None: the base model's default).
    score_threshold: for the final per-class precision/recall. recursive: include sub-folders
    (None: the project's setting). cache_mb: memory for decoded samples. low_priority: the
    training process runs at a lower CPU priority (nice 5), so the desktop stays responsive.
    """

    folder: str
    name: str = "small"
    base_model: str = "small"
    store_dir: str | None = None
    weights: str | None = None
    device: str = "auto"
    minutes: float | None = None
    epochs: float | None = None
    steps: int | None = None
    val_fraction: float = 0.2
    resume: bool = False
    threads: int | None = None
    batch_size: int = 4
    image_size: int | None = None
    score_threshold: float = 0.5
    recursive: bool | None = None
    seed: int = 0
    cache_mb: int = 256
    validations: int = 20
    low_priority: bool = True


@dataclass(frozen=True)
class Started:
    """Training began: device ("cpu", "cuda:0"), base model and how it was initialized ("coco",
    "imagenet", "random", "scratch"), image counts, classes ((project id, name), in label order),
    the step it resumed from (0 for a fresh run), torch threads, and notes for the user."""

    name: str
    base_model: str
    init: str
    device: str
    train_images: int
    val_images: int
    classes: tuple[tuple[int, str], ...]
    resumed_step: int
    threads: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    """After a step (at most a few a second): total steps, epoch (images drawn / training
    images), training images per second, estimated seconds left (None: not known yet), mean
    loss since the previous Progress, learning rate, seconds trained, fraction of the budget."""

    step: int
    epoch: float
    images_per_s: float
    eta_s: float | None
    loss: float
    lr: float
    elapsed_s: float
    fraction: float


@dataclass(frozen=True)
class Validation:
    """A validation pass: mask AP50 and AP on the validation images at `step` / `epoch`;
    `best` when it is the best so far (its weights are kept)."""

    step: int
    epoch: float
    ap50: float
    ap: float
    best: bool


@dataclass(frozen=True)
class Skipped:
    """An image left out because it could not be read (deleted, damaged) while training ran."""

    image: str
    reason: str


@dataclass(frozen=True)
class Note:
    """Something the user should know that does not stop training (a checkpoint not written)."""

    message: str


@dataclass(frozen=True)
class Finished:
    """The run ended and, unless `model` is None, its best weights were saved as project model
    `model` ("project:<name>"). metrics: the card's metrics (AP, AP50, AP75, score_threshold,
    per-class rows with ap50 / precision / recall; None without validation images). cancelled:
    stopped by the user before the budget was used. skipped: images left out. message: a one-line
    summary for the user."""

    model: str | None
    metrics: dict[str, Any] | None
    cancelled: bool
    steps: int
    epochs: float
    seconds: float
    best_step: int
    message: str
    skipped: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Failed:
    """The run could not start or went wrong; `message` is for the user, `details` (a traceback
    for unexpected errors) for a bug report. Any model saved earlier, and the last checkpoint,
    are kept."""

    message: str
    details: str = ""


Message = Started | Progress | Validation | Skipped | Note | Finished | Failed
