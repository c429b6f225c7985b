"""Document <-> JSON-ready dict: the per-image file of the project store.

Polygons are stored as flat [x0, y0, x1, y1, ...] lists (floats round-trip exactly through JSON),
raster masks as the COCO RLE of their crop plus the crop's offset, so masks come back bit-exact.
"""

from __future__ import annotations

import numpy as np

from app.core import rle
from app.core.document import Document, ImageStatus
from app.core.geometry import Geometry, PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState

FORMAT_VERSION = 1


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
    raise DocumentFormatError("instance has neither 'mask' nor 'polygon'")


def _ring(flat: list) -> np.ndarray:
    arr = np.asarray(flat, dtype=np.float64)
    if arr.ndim != 1 or arr.size % 2 or arr.size < 6 or not np.isfinite(arr).all():
        raise DocumentFormatError("a polygon ring needs at least 3 finite (x, y) points")
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
        raise DocumentFormatError("'ai_runs' must map model names to objects")
    return {str(k): dict(v) for k, v in raw.items()}


def _image_info(raw: object) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DocumentFormatError("'image.coco' must be an object")
    return dict(raw)


def document_from_dict(data: dict) -> Document:
    """Raises DocumentFormatError with a readable reason for anything malformed."""
    try:
        if not isinstance(data, dict) or "instances" not in data:
            raise DocumentFormatError("not a MaskPilot label file (no 'instances')")
        if int(data.get("version", 1)) > FORMAT_VERSION:
            raise DocumentFormatError(f"written by a newer MaskPilot (format {data['version']})")
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
