"""Document <-> JSON-ready dict: the per-image file of the project store.

Polygons are stored as flat [x0, y0, x1, y1, ...] lists (floats round-trip exactly through JSON),
raster masks as the COCO RLE of their crop plus the crop's offset, so masks come back bit-exact.

Optional keys (`ai_runs`, `image.coco`, and inside an `ai_runs` entry `uncertainty`) were added
without a format bump: files without them load as before, and older MaskPilots ignore them.
"""

from __future__ import annotations

import numpy as np

from app.core import rle
from app.core.document import Document, ImageStatus
from app.core.geometry import Geometry, PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.core.text import QT_TRANSLATE_NOOP

FORMAT_VERSION = 1

#: Key of an `ai_runs` entry holding the run's image uncertainty, a float in [0, 1) (see
#: app.ai.domain.uncertainty). Runs recorded before it existed lack it: uncertainty unknown.
UNCERTAINTY_KEY = "uncertainty"


class DocumentFormatError(ValueError):
    """A per-image label file that parses as JSON but does not hold a valid document."""


def geometry_to_dict(geometry: Geometry) -> dict:
    if isinstance(geometry, RasterGeometry):
        return {"mask": {"x": geometry.x, "y": geometry.y, "rle": rle.encode(geometry.mask)}}
    return {
        "polygon": {
            "parts": [p.reshape(-1).tolist() for p in geometry.parts],
            "holes": [h.reshape(-1).tolist() for h in geometry.holes],
        }
    }


def geometry_from_dict(data: dict) -> Geometry:
    if "mask" in data:
        m = data["mask"]
        mask = rle.decode(m["rle"])
        return RasterGeometry(mask, int(m["x"]), int(m["y"])).tight()
    if "polygon" in data:
        p = data["polygon"]
        parts = [_ring(r) for r in p.get("parts", [])]
        holes = [_ring(r) for r in p.get("holes", [])]
        return PolygonGeometry(tuple(parts), tuple(holes))
    raise DocumentFormatError(QT_TRANSLATE_NOOP("LabelFile", "instance has neither 'mask' nor 'polygon'"))


def _ring(flat: list) -> np.ndarray:
    arr = np.asarray(flat, dtype=np.float64)
    if arr.ndim != 1 or arr.size % 2 or arr.size < 6 or not np.isfinite(arr).all():
        raise DocumentFormatError(QT_TRANSLATE_NOOP("LabelFile", "a polygon ring needs at least 3 finite (x, y) points"))
    return arr.reshape(-1, 2)


def instance_to_dict(inst: Instance) -> dict:
    out = {
        "id": inst.id,
        "category_id": inst.category_id,
        "source": inst.source,
        "score": inst.score,
        "state": inst.state.value,
        "visible": inst.visible,
        "locked": inst.locked,
    }
    if inst.provenance:
        out["provenance"] = inst.provenance
    out.update(geometry_to_dict(inst.geometry))
    return out


def instance_from_dict(data: dict) -> Instance:
    score = data.get("score")
    return Instance(
        id=int(data["id"]),
        category_id=int(data["category_id"]),
        geometry=geometry_from_dict(data),
        source=str(data.get("source", "manual")),
        score=None if score is None else float(score),
        state=InstanceState(data.get("state", "accepted")),
        visible=bool(data.get("visible", True)),
        locked=bool(data.get("locked", False)),
        provenance=dict(data.get("provenance") or {}),
    )


def document_to_dict(doc: Document) -> dict:
    image: dict = {"file_name": doc.image_name, "width": doc.width, "height": doc.height}
    if doc.image_info:  # optional key, like ai_runs: older files load without it
        image["coco"] = doc.image_info
    out = {
        "version": FORMAT_VERSION,
        "image": image,
        "status": doc.status.value,
        "instances": [instance_to_dict(i) for i in doc],
    }
    if doc.ai_runs:  # optional key: files written before it existed still load
        out["ai_runs"] = doc.ai_runs
    return out


def _ai_runs(raw: object) -> dict[str, dict]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise DocumentFormatError(QT_TRANSLATE_NOOP("LabelFile", "'ai_runs' must map model names to objects"))
    return {str(k): dict(v) for k, v in raw.items()}


def latest_uncertainty(ai_runs: object) -> float | None:
    """The uncertainty recorded by the most recent auto-fill run of an image (the run with the
    latest `at` time; on equal times the one recorded last), or None when unknown: no run, or
    that run predates the key, or its value is not a number in [0, 1].

    `ai_runs` is a document's `ai_runs` dict or the raw JSON value (the store's index reads label
    files as plain JSON), so anything malformed means unknown instead of an error.
    """
    if not isinstance(ai_runs, dict):
        return None
    runs = [run for run in ai_runs.values() if isinstance(run, dict)]
    if not runs:
        return None
    # ISO times in UTC compare as strings; on a tie the later position (recorded later: see
    # app.ai.domain.suggestions.record_run) wins.
    _, run = max(enumerate(runs), key=lambda kr: (str(kr[1].get("at", "")), kr[0]))
    return uncertainty_value(run.get(UNCERTAINTY_KEY))


def uncertainty_value(value: object) -> float | None:
    """`value` as a stored uncertainty: a float in [0, 1], else None (unknown)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if 0.0 <= value <= 1.0 else None  # NaN fails both comparisons


def _image_info(raw: object) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DocumentFormatError(QT_TRANSLATE_NOOP("LabelFile", "'image.coco' must be an object"))
    return dict(raw)


def document_from_dict(data: dict) -> Document:
    """Raises DocumentFormatError with a readable reason for anything malformed."""
    try:
        if not isinstance(data, dict) or "instances" not in data:
            raise DocumentFormatError(QT_TRANSLATE_NOOP("LabelFile", "not a MaskPilot label file (no 'instances')"))
        if int(data.get("version", 1)) > FORMAT_VERSION:
            raise DocumentFormatError(QT_TRANSLATE_NOOP("LabelFile", "written by a newer MaskPilot (format {version})").format(version=data["version"]))
        image = data.get("image", {})
        instances = [instance_from_dict(d) for d in data["instances"]]
        return Document(
            str(image.get("file_name", "")),
            int(image.get("width", 0)),
            int(image.get("height", 0)),
            instances,
            ImageStatus(data.get("status", "new")),
            _ai_runs(data.get("ai_runs")),
            _image_info(image.get("coco")),
        )
    except DocumentFormatError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise DocumentFormatError(f"{type(exc).__name__}: {exc}") from exc
