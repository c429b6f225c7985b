"""The cached output of an interactive model's image encoder, and its on-disk form.

An `ImageEmbedding` is what `InteractiveModel.embed` returns and every prompt on that image
reuses: the encoder features as torch tensors on the model's device, the model name and where
the image sits in the model's input frame. Sizes: SAM v1 holds one float32 (1, 256, 64, 64)
map, 4.2 MB; SAM 2.1 adds its two high-resolution maps (1, 32, 256, 256) and (1, 64, 128, 128),
16.8 MB in all. `nbytes` is what an in-memory LRU cache should count.

For a disk cache, `to_arrays()` gives plain numpy arrays (features as float16, halving the size;
the masks they give differ from the float32 ones only along mask borders) and `from_arrays()`
rebuilds the embedding; `save()` writes them atomically to one `.npz` file, `load()` reads it
back without unpickling anything. Importing this module does not import torch.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from inference.interactive.types import Frame

#: Bumped whenever the array layout of `to_arrays` changes; older files are refused.
FORMAT_VERSION = 1
_FEATURE_PREFIX = "feature."


@dataclass
class ImageEmbedding:
    """Encoder output for one image.

    model: registry name of the model that computed it (a prompt on another model is refused).
    frame: image size and its place in the model's input frame (see `types.Frame`).
    features: name -> float32 torch tensor (1, C, h, w) on the model's device: "image_embed"
        (1, 256, 64, 64); SAM 2.1 also "high_res_feat0" (1, 32, 256, 256) and
        "high_res_feat1" (1, 64, 128, 128).
    """

    model: str
    frame: Frame
    features: dict[str, Any]
    # Re-laid-out copies of the features for the fast decoder, made on first use; not saved.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def image_size(self) -> tuple[int, int]:
        """(H, W) of the original image."""
        return self.frame.image_size

    @property
    def nbytes(self) -> int:
        """Bytes held by the features (the derived copies of the fast decoder add at most as
        much again while the embedding is in use)."""
        return sum(int(t.numel()) * int(t.element_size()) for t in self.features.values())

    @property
    def device(self) -> Any:
        return next(iter(self.features.values())).device

    def to(self, device: Any) -> ImageEmbedding:
        """This embedding with its features on `device` (itself when they already are)."""
        import torch

        device = torch.device(device)
        if all(t.device == device for t in self.features.values()):
            return self
        return replace(
            self, features={k: t.to(device) for k, t in self.features.items()}, derived={}
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays for `np.savez` (no object arrays, so loading needs no pickle):
        "version", "model" (0-d str), "image_size", "input_size" (int64 (2,)), "frame_size"
        (int64 ()), "stretched" (bool ()), and "feature.<name>" float16 (1, C, h, w)."""
        arrays: dict[str, np.ndarray] = {
            "version": np.array(FORMAT_VERSION, np.int64),
            "model": np.array(self.model),
            "image_size": np.array(self.frame.image_size, np.int64),
            "input_size": np.array(self.frame.input_size, np.int64),
            "frame_size": np.array(self.frame.frame_size, np.int64),
            "stretched": np.array(self.frame.stretched),
        }
        for name, tensor in self.features.items():
            arrays[_FEATURE_PREFIX + name] = (
                tensor.detach().float().cpu().numpy().astype(np.float16)
            )
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Any, device: Any = "cpu") -> ImageEmbedding:
        """Rebuild an embedding from `to_arrays()` output (or an opened `.npz`), features as
        float32 tensors on `device`. Raises ValueError for arrays of another layout."""
        import torch

        try:
            version = int(arrays["version"])
            if version != FORMAT_VERSION:
                raise ValueError(f"embedding format {version}, expected {FORMAT_VERSION}")
            frame = Frame(
                image_size=_pair(arrays["image_size"]),
                input_size=_pair(arrays["input_size"]),
                frame_size=int(arrays["frame_size"]),
                stretched=bool(arrays["stretched"]),
            )
            model = str(arrays["model"])
            names = [k for k in arrays.keys() if k.startswith(_FEATURE_PREFIX)]
            features = {
                k[len(_FEATURE_PREFIX) :]: torch.from_numpy(np.asarray(arrays[k], np.float32)).to(
                    device
                )
                for k in names
            }
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not an embedding: {exc}") from exc
        if "image_embed" not in features or any(t.ndim != 4 for t in features.values()):
            raise ValueError("not an embedding: the image_embed feature is missing or malformed")
        return cls(model=model, frame=frame, features=features)

    def save(self, path: str | Path) -> None:
        """Write `to_arrays()` to `path` (an `.npz`) atomically: a temporary file in the same
        folder, flushed and fsynced, then renamed over `path`."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **self.to_arrays())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path, device: Any = "cpu") -> ImageEmbedding:
        """Read a file written by `save` (never unpickles). Raises ValueError when it is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls.from_arrays(data, device)
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{Path(path).name} is not a readable embedding file: {exc}") from exc


def _pair(value: Any) -> tuple[int, int]:
    a, b = (int(v) for v in np.asarray(value).reshape(2))
    return a, b
