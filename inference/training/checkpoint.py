"""Checkpoints as bytes: weights-only state dicts and the resumable training state.

The files are written by the caller (the app writes them atomically, inside the project), so
this module turns states into bytes and reads files back, always with
`torch.load(..., weights_only=True)`: a training checkpoint holds only tensors, numbers,
strings, lists and dicts (model and optimizer state dicts, counters, a small JSON-like meta), so
the safe loader reads it, and a file that tries to smuggle Python objects in is refused.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from inference.errors import InferenceError

_FORMAT = "maskpilot-training-checkpoint"
_VERSION = 1


class CheckpointError(InferenceError):
    """A training checkpoint that cannot be used; the message says why, for the user."""


def state_dict_bytes(state: Mapping[str, torch.Tensor]) -> bytes:
    """A flat {name: tensor} state dict as the bytes of a .pth file (torch.save format)."""
    buf = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in state.items()}, buf)
    return buf.getvalue()


@dataclass
class TrainingCheckpoint:
    """Everything a later run needs to continue: weights, optimizer and AMP scaler state, the
    counters of the budget (steps, images seen, seconds), the best validation score so far and
    a JSON-like `meta` (base model spec, classes, settings) to check that it still fits."""

    model: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    step: int
    images_seen: int
    elapsed_s: float
    best_score: float = -1.0
    best_step: int = 0
    scaler: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def checkpoint_bytes(ckpt: TrainingCheckpoint) -> bytes:
    """The checkpoint as the bytes of a torch.save file."""
    buf = io.BytesIO()
    torch.save(
        {
            "format": _FORMAT, "version": _VERSION,
            "model": {k: v.detach().cpu() for k, v in ckpt.model.items()},
            "optimizer": ckpt.optimizer, "scaler": ckpt.scaler, "step": int(ckpt.step),
            "images_seen": int(ckpt.images_seen), "elapsed_s": float(ckpt.elapsed_s),
            "best_score": float(ckpt.best_score), "best_step": int(ckpt.best_step), "meta": ckpt.meta,
        },
        buf,
    )  # fmt: skip
    return buf.getvalue()


def read_checkpoint(path: str | Path) -> TrainingCheckpoint:
    """Read a file written from `checkpoint_bytes`. Raises CheckpointError for a missing,
    damaged, unsafe or foreign file."""
    path = Path(path)
    try:
        obj = torch.load(path, weights_only=True, map_location="cpu")
    except FileNotFoundError as exc:
        raise CheckpointError(f"There is no training checkpoint at {path}.") from exc
    except pickle.UnpicklingError as exc:
        raise CheckpointError(f"{path.name} is not a MaskPilot training checkpoint (refused).") from exc
    except (RuntimeError, EOFError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise CheckpointError(f"{path.name} is damaged and cannot be resumed from: {exc}") from exc
    if not isinstance(obj, dict) or obj.get("format") != _FORMAT:
        raise CheckpointError(f"{path.name} is not a MaskPilot training checkpoint.")
    if obj.get("version") != _VERSION:
        raise CheckpointError(f"{path.name} was written by another MaskPilot version; start fresh.")
    try:
        return TrainingCheckpoint(
            model=dict(obj["model"]), optimizer=dict(obj["optimizer"]), step=int(obj["step"]),
            images_seen=int(obj["images_seen"]), elapsed_s=float(obj["elapsed_s"]),
            best_score=float(obj["best_score"]), best_step=int(obj["best_step"]),
            scaler=obj.get("scaler"), meta=dict(obj.get("meta") or {}),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path.name} is incomplete ({exc}); start fresh.") from exc
