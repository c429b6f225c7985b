"""Device choice, fp16 autocast and out-of-memory detection. Imported only when a model is built."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from inference.errors import DeviceError


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """'auto' picks CUDA, then Apple MPS, then CPU; other names are checked to exist here."""
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as exc:
        raise DeviceError(f"Unknown device '{device}'.") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError("A CUDA GPU was requested, but PyTorch sees none on this machine.")
    if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise DeviceError("Apple MPS was requested, but it is not available on this machine.")
    return dev


@contextlib.contextmanager
def autocast(device: torch.device, fp16: bool) -> Iterator[None]:
    """fp16 autocast on CUDA when `fp16` is set; a no-op elsewhere (CPU fp16 is slow, MPS spotty)."""
    if fp16 and device.type == "cuda":
        with torch.autocast("cuda", dtype=torch.float16):
            yield
    else:
        yield


def describe_devices() -> dict[str, str]:
    """What each device choice means on this machine, for the app's device menu.

    Keys "auto", "cuda", "cpu"; values are short sentences, e.g. "NVIDIA H200, 140 GB" or why
    CUDA cannot be used ("PyTorch was built without CUDA", "no CUDA GPU found").
    """
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        cuda = f"{props.name}, {props.total_memory / 2**30:.0f} GB"
    elif torch.version.cuda is None:
        cuda = "unavailable: this PyTorch was built without CUDA"
    else:
        cuda = f"unavailable: no CUDA GPU found (PyTorch built for CUDA {torch.version.cuda})"
    auto = str(resolve_device("auto")).upper()
    return {"auto": auto, "cuda": cuda, "cpu": f"{torch.get_num_threads()} threads"}


def is_out_of_memory(exc: BaseException) -> bool:
    """True for CUDA OOM and for the RuntimeError other accelerators (MPS) raise when out of memory."""
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so wall-clock timings attribute time to the right stage."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
