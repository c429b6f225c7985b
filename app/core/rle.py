"""COCO RLE through pycocotools, with its pitfalls handled in one place.

pycocotools wants Fortran-ordered uint8 masks and returns `counts` as bytes; JSON needs str.
RLE `size` is [height, width]; runs go down columns (pixel (x, y) has index x*H + y).
Its decoder trusts its input and writes past its buffer when the runs do not add up to H*W, so
every RLE we read (project store, imports) is validated here first.
"""

from __future__ import annotations

import cv2
import numpy as np
from pycocotools import mask as mask_utils


class RleError(ValueError):
    """A malformed RLE; str() says what is wrong."""


def encode(mask: np.ndarray) -> dict:
    """bool/uint8 (H, W) -> {"size": [H, W], "counts": str} (compressed RLE, JSON-ready)."""
    rle = mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def encode_crop(mask: np.ndarray, x: int, y: int, height: int, width: int) -> dict:
    """Compressed RLE of a bool (h, w) crop placed at (x, y) in an otherwise empty
    (height, width) image; the crop must lie inside the image.

    Equal, string for string, to encode() of the full-image mask, at the cost of the crop only:
    the full-image Fortran copy that encode needs costs more than the encode itself
    (formats-and-speed.md §2.3). The crop is transposed (one column per row), each column is
    preceded by a zero separator, and run boundaries are found with one comparison.
    """
    ch, cw = mask.shape
    if ch == 0 or cw == 0:
        return {"size": [height, width], "counts": _compress([height * width], height, width)}
    buf = np.zeros(cw * (ch + 1) + 1, np.uint8)
    buf[:-1].reshape(cw, ch + 1)[:, 1:] = cv2.transpose(np.ascontiguousarray(mask).view(np.uint8))
    edges = np.flatnonzero(buf[1:] != buf[:-1])
    if edges.size == 0:
        return {"size": [height, width], "counts": _compress([height * width], height, width)}
    first = edges[0::2] + 1  # buffer position of the first set pixel of each run
    last = edges[1::2]  # ... and of its last set pixel
    fc, fr = np.divmod(first, ch + 1)
    lc, lr = np.divmod(last, ch + 1)
    start = (x + fc) * height + (y - 1) + fr  # buffer row r holds image row y + r - 1
    end = (x + lc) * height + y + lr  # exclusive
    if ch == height and start.size > 1:
        # A crop spanning whole columns: a run may continue into the next column.
        keep = start[1:] != end[:-1]
        if not keep.all():
            start, end = start[np.r_[True, keep]], end[np.r_[keep, True]]
    n = start.size
    counts = np.empty(2 * n + 1, np.int64)
    counts[0] = start[0]
    counts[2 : 2 * n : 2] = start[1:] - end[:-1]
    counts[1 : 2 * n : 2] = end - start
    counts[2 * n] = height * width - end[-1]
    if counts[-1] == 0:
        counts = counts[:-1]  # pycocotools writes no trailing empty run
    return {"size": [height, width], "counts": _compress(counts.tolist(), height, width)}


def _compress(counts: list[int], height: int, width: int) -> str:
    rle = mask_utils.frPyObjects({"size": [height, width], "counts": counts}, height, width)
    return rle["counts"].decode("ascii")


def string_to_counts(text: str | bytes) -> list[int]:
    """Run lengths of a compressed `counts` string (the inverse of maskApi.c rleToString),
    vectorized: each value is a little-endian run of 5-bit groups (bit 0x20 = more follows,
    bit 0x10 of the last group = negative), and from the 4th value on each is stored as the
    difference to the value two places before. Raises RleError on anything malformed."""
    raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
    data = np.frombuffer(raw, np.uint8).astype(np.int64) - 48
    if data.size == 0:
        return []
    if ((data < 0) | (data >= 64)).any():
        raise RleError("RLE counts string has an invalid character")
    more = (data & 0x20) != 0
    if more[-1]:
        raise RleError("RLE counts string ends in the middle of a number")
    ends = np.flatnonzero(~more)  # the last character of each value
    starts = np.r_[0, ends[:-1] + 1]
    value_of = np.repeat(np.arange(ends.size), ends - starts + 1)
    k = np.arange(data.size) - starts[value_of]  # group index within its value
    if k.max() > 11:
        raise RleError("RLE counts string holds a number too large")
    x = np.add.reduceat((data & 0x1F) << (5 * k), starts)
    negative = (data[ends] & 0x10) != 0
    x[negative] |= np.left_shift(-1, 5 * (k[ends[negative]] + 1))
    counts = x.copy()
    counts[1::2] = np.cumsum(x[1::2])
    counts[2::2] = np.cumsum(x[2::2])
    if (counts < 0).any():
        raise RleError("RLE counts string decodes to a negative run")
    return counts.tolist()


def decode(rle: object, expected_size: tuple[int, int] | None = None) -> np.ndarray:
    """Compressed (str/bytes counts) or uncompressed (list counts) RLE -> bool (H, W).

    Raises RleError (a ValueError) when the size is missing or differs from
    expected_size=(H, W), or when the runs are malformed (negative, or not adding up to H*W).
    """
    if not isinstance(rle, dict) or "counts" not in rle or "size" not in rle:
        raise RleError("RLE needs 'size' and 'counts'")
    try:
        h, w = (int(v) for v in rle["size"])
    except (TypeError, ValueError) as exc:
        raise RleError(f"RLE size {rle['size']!r} is not [height, width]") from exc
    if expected_size is not None and (h, w) != tuple(expected_size):
        raise RleError(f"RLE size {h}x{w} (HxW) does not match the {expected_size[0]}x{expected_size[1]} image")
    raw = rle["counts"]
    if isinstance(raw, list):
        try:
            counts = [int(c) for c in raw]
        except (TypeError, ValueError) as exc:
            raise RleError("uncompressed RLE counts must be integers") from exc
        if any(c < 0 for c in counts):
            raise RleError("uncompressed RLE has a negative run")
    elif isinstance(raw, (str, bytes)):
        counts = string_to_counts(raw)
    else:
        raise RleError("RLE counts must be a string or a list of integers")
    if sum(counts) != h * w:
        raise RleError(f"RLE runs cover {sum(counts)} pixels, expected {h * w} ({h}x{w})")
    if isinstance(raw, list):
        compressed = mask_utils.frPyObjects({"size": [h, w], "counts": counts}, h, w)
    else:
        compressed = {"size": [h, w], "counts": raw.encode("ascii") if isinstance(raw, str) else raw}
    return mask_utils.decode(compressed).astype(bool)  # safe now: the runs fit the buffer
