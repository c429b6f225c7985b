"""COCO RLE through pycocotools, with its pitfalls handled in one place.

pycocotools wants Fortran-ordered uint8 masks and returns `counts` as bytes; JSON needs str.
RLE `size` is [height, width].
"""

from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils


def encode(mask: np.ndarray) -> dict:
    """bool/uint8 (H, W) -> {"size": [H, W], "counts": str} (compressed RLE, JSON-ready)."""
    rle = mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def decode(rle: dict) -> np.ndarray:
    """Compressed or uncompressed RLE dict -> bool (H, W). Raises ValueError on a malformed RLE."""
    try:
        size = [int(v) for v in rle["size"]]
        counts = rle["counts"]
        if isinstance(counts, list):
            if sum(int(c) for c in counts) != size[0] * size[1]:
                raise ValueError(f"RLE counts sum to {sum(counts)}, expected {size[0] * size[1]}")
            rle = mask_utils.frPyObjects({"size": size, "counts": counts}, size[0], size[1])
        else:
            rle = {"size": size, "counts": counts.encode("ascii") if isinstance(counts, str) else counts}
        out = mask_utils.decode(rle)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed RLE: {exc}") from exc
    return out.astype(bool)
