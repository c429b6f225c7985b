"""Exceptions raised by the inference package.

Every weights problem is a `WeightsError` subclass whose message can be shown to the user as-is:
it names the file and says what to do. `Cancelled` carries the predictions finished before the
stop request, so a caller can keep partial work.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inference.types import Prediction


class InferenceError(Exception):
    """Base class of all errors raised by `inference`."""


class UnknownModelError(InferenceError, KeyError):
    """`load_model` was given a name that is not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class DeviceError(InferenceError):
    """The requested device does not exist on this machine (e.g. 'cuda' without a GPU)."""


class WeightsError(InferenceError):
    """Base class of every problem with a weights file."""


class WeightsNotFoundError(WeightsError):
    """No weights file was found; the message names the files searched for and the folders."""

    def __init__(self, model: str, file_names: Sequence[str], folders: Sequence[Path]) -> None:
        self.model = model
        self.file_names = list(file_names)
        self.folders = list(folders)
        names = ", ".join(self.file_names) or "(none registered)"
        where = "\n".join(f"  - {f}" for f in self.folders) or "  (no folders)"
        super().__init__(
            f"No weights found for model '{model}'. Looked for {names} in:\n{where}\n"
            "Download the file into one of these folders, or choose a weights file explicitly."
        )


class WeightsCorruptError(WeightsError):
    """The file exists but cannot be read as a PyTorch checkpoint (truncated, not a checkpoint)."""


class WeightsUnsafeError(WeightsError):
    """The file contains pickled Python objects other than tensors; loading it could run code."""


class WeightsFormatError(WeightsError):
    """The file is a checkpoint, but not a flat mapping of parameter names to tensors."""


class WeightsMismatchError(WeightsError):
    """The state dict does not fit the model: missing, unexpected or wrongly shaped keys."""

    def __init__(
        self,
        message: str,
        missing: Sequence[str] = (),
        unexpected: Sequence[str] = (),
        wrong_shape: Sequence[str] = (),
    ) -> None:
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.wrong_shape = list(wrong_shape)
        super().__init__(message)


class WrongModelError(WeightsMismatchError):
    """The file holds the weights of a different architecture (e.g. Mask R-CNN given to YOLACT)."""


class ClassCountError(WeightsMismatchError):
    """The file was trained for a different number of classes than the model was built for."""


class Cancelled(InferenceError):
    """`should_stop()` returned True; `partial` holds the predictions finished before the stop."""

    def __init__(self, partial: list[Prediction]) -> None:
        self.partial = partial
        super().__init__(f"Cancelled after {len(partial)} image(s)")


def describe_key_mismatch(
    missing: Sequence[str], unexpected: Sequence[str], wrong_shape: Sequence[str], limit: int = 12
) -> str:
    """Human-readable listing of key differences, truncated to `limit` names per group."""

    def block(title: str, keys: Sequence[str]) -> str:
        if not keys:
            return ""
        shown = "\n".join(f"    {k}" for k in list(keys)[:limit])
        more = f"\n    ... and {len(keys) - limit} more" if len(keys) > limit else ""
        return f"\n  {title} ({len(keys)}):\n{shown}{more}"

    return (
        block("missing keys", missing)
        + block("unexpected keys", unexpected)
        + block("keys with a different shape", wrong_shape)
    )


class DeviceFallbackWarning(UserWarning):
    """The GPU ran out of memory and the model moved to the CPU to finish the work."""
