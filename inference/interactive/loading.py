"""Building an interactive model with its weights: the steps SAM v1 and SAM 2.1 share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import torch

from inference.interactive.base import InteractiveModel
from inference.weights import DownloadProgress, load_into_model, resolve_weights

M = TypeVar("M", bound=InteractiveModel)


def load_interactive(
    model_class: type[M],
    family: str,
    read_weights: Callable[[Path, str], dict[str, torch.Tensor]],
    build_module: Callable[[str], Any],
    name: str,
    variant: str,
    weights_files: Sequence[str],
    download_url: str | None,
    weights: str | Path | None = None,
    device: torch.device | None = None,
    random_init: bool = False,
    fp16: bool = True,
    download: bool = False,
    download_progress: DownloadProgress | None = None,
    on_fallback: Callable[[str], None] | None = None,
) -> M:
    """Find and check the weights file first (a wrong file is refused before anything is
    built), build the package's module without a checkpoint, then load the state dict into it.
    With random_init and no weights the module keeps its random initialisation."""
    state, path = None, None
    if not (random_init and weights is None):
        path = resolve_weights(name, weights_files, weights, download_url, download, download_progress)
        state = read_weights(path, variant)
    module = build_module(variant)
    if state is not None:
        load_into_model(module, state, family, path.name)
    return model_class(name, module, device or torch.device("cpu"), fp16, on_fallback)
