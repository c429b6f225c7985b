"""How a model actor hands one image's result to the driver in `--ray-gather` mode.

A plain npz of arrays (read back with `allow_pickle=False`), never a pickle: the driver must not
run code that a worker (or anyone who can talk to the cluster) put into a result row. It carries
what the driver's save needs: the instance prediction whole, and of the semantic prediction its
class map, categories, size and model (per-class probabilities are not saved by the CLI, so
they do not travel).
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from inference.types import Prediction, SemanticPrediction


def pack_result(result: tuple[Prediction, SemanticPrediction | None]) -> bytes:
    """The bytes of one (instance, semantic-or-None) result."""
    pred, sem = result
    shapes = np.array([m.shape for m in pred.masks], np.int64).reshape(len(pred.masks), 2)
    flat = [m.reshape(-1) for m in pred.masks]
    meta: dict[str, Any] = {"image_size": list(pred.image_size), "model": pred.model}
    arrays = {
        "boxes": pred.boxes,
        "scores": pred.scores,
        "category_ids": pred.category_ids,
        "mask_offsets": pred.mask_offsets,
        "mask_shapes": shapes,
        "mask_bits": np.packbits(np.concatenate(flat)) if flat else np.zeros(0, np.uint8),
    }
    if sem is not None:
        arrays["class_map"] = sem.class_map
        meta["semantic"] = {"categories": [list(c) for c in sem.categories], "model": sem.model}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8)
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def unpack_result(blob: bytes) -> tuple[Prediction, SemanticPrediction | None]:
    """The result `pack_result` packed. Raises ValueError on anything that is not one."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            shapes = data["mask_shapes"]
            sizes = [int(h) * int(w) for h, w in shapes]
            bits = np.unpackbits(data["mask_bits"], count=sum(sizes)).astype(bool)
            ends = np.cumsum(sizes)
            masks = [
                bits[e - n : e].reshape(int(h), int(w)) for e, n, (h, w) in zip(ends, sizes, shapes)
            ]
            size = (int(meta["image_size"][0]), int(meta["image_size"][1]))
            pred = Prediction(
                boxes=data["boxes"],
                scores=data["scores"],
                category_ids=data["category_ids"],
                masks=masks,
                mask_offsets=data["mask_offsets"],
                image_size=size,
                model=str(meta["model"]),
            )
            sem = None
            if "semantic" in meta:
                categories = tuple((int(i), str(n)) for i, n in meta["semantic"]["categories"])
                sem = SemanticPrediction(
                    data["class_map"], categories, size, str(meta["semantic"]["model"])
                )
    except (
        OSError,
        KeyError,
        TypeError,
        ValueError,
    ) as exc:  # np.load's and the dataclasses' refusals
        raise ValueError(f"not a packed result: {exc}") from exc
    return pred, sem
