"""Model predictions -> SUGGESTED instances in documents and in the project store.

Qt-free, shared by the GUI's auto-fill worker and the batch CLI (`maskpilot-label`):

    mapping, unmapped = class_mapping(predictor.categories, labels)
    new = suggestions_from_prediction(pred, mapping, doc, score_threshold=0.3)
    replace_suggestions(doc, new, pred.model)      # an open document
    write_prediction(store, rel, pred, mapping, 0.3)  # an image that is not open

A model's suggestions replace that model's earlier pending suggestions only; accepted instances
(a person's work, or suggestions already accepted) are never touched. Every run is recorded in
the document's `ai_runs` with the image's uncertainty (app.ai.domain.uncertainty), which the
store's index carries to the file list's "most uncertain first" sort.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone

import numpy as np

from app.ai.domain.uncertainty import suggestions_uncertainty
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.document_json import UNCERTAINTY_KEY
from app.formats.store import ProjectStore
from inference import Prediction

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_name(name: str) -> str:
    """Class-name key for matching: case-insensitive, runs of spaces/underscores/hyphens equal
    ("Traffic_Light", "traffic-light" and "traffic light" all match)."""
    return _SEPARATORS.sub(" ", name.strip().lower()).strip()


def class_mapping(
    model_categories: Sequence[tuple[int, str]], labels: LabelSet, add_missing: bool = False
) -> tuple[dict[int, int], list[str]]:
    """Map model category ids to project category ids by name.

    model_categories: (model category id, name) pairs, e.g. `Predictor.categories`.
    Returns (mapping, unmapped): `mapping[model_id] = project_id`; `unmapped` lists the model class
    names with no project class of that name, in model order. Without `add_missing` those classes
    are left out of the mapping (their detections are dropped); with it they are added to `labels`
    (as things, new ids) and mapped, and `unmapped` tells which ones were added.
    """
    by_key: dict[str, int] = {}
    for cat in labels:
        by_key.setdefault(normalize_name(cat.name), cat.id)
    mapping: dict[int, int] = {}
    unmapped: list[str] = []
    for model_id, name in model_categories:
        key = normalize_name(name)
        if key in by_key:
            mapping[int(model_id)] = by_key[key]
            continue
        unmapped.append(name)
        if add_missing:
            cat = labels.add(name)
            by_key[key] = cat.id
            mapping[int(model_id)] = cat.id
    return mapping, unmapped


def suggestions_from_prediction(
    pred: Prediction, mapping: dict[int, int], doc: Document, score_threshold: float = 0.0
) -> list[Instance]:
    """SUGGESTED instances for the detections of `pred` (not yet added to `doc`).

    Keeps detections with score >= `score_threshold` whose category is in `mapping` and whose mask
    is not empty. Geometry is a RasterGeometry holding the prediction's cropped mask and offset
    (never a full-image mask). Ids come from `doc.new_id()`; order is the prediction's (score
    descending), so `replace_suggestions` puts the most confident one lowest in z-order.
    """
    out: list[Instance] = []
    for i in range(len(pred)):
        score = float(pred.scores[i])
        cid = mapping.get(int(pred.category_ids[i]))
        mask = pred.masks[i]
        if cid is None or score < score_threshold or not mask.any():
            continue
        x0, y0 = (int(v) for v in pred.mask_offsets[i])
        geometry = RasterGeometry(np.ascontiguousarray(mask, dtype=bool), x0, y0).tight()
        out.append(
            Instance(
                id=doc.new_id(),
                category_id=cid,
                geometry=geometry,
                source=pred.model,
                score=score,
                state=InstanceState.SUGGESTED,
                provenance={"model": pred.model, "score": round(score, 4)},
            )
        )
    return out


def replace_suggestions(doc: Document, new: list[Instance], model: str) -> None:
    """Remove `model`'s pending (SUGGESTED) instances from `doc` and add `new` on top.

    Accepted instances and other models' suggestions stay as they are. Uses the document's
    primitive mutations, so change notifications fire for every instance.
    """
    stale = [i.id for i in doc if i.state is InstanceState.SUGGESTED and i.source == model]
    for iid in stale:
        doc.remove(iid)
    for inst in new:
        doc.add(inst)


def record_run(doc: Document, model: str, score_threshold: float, count: int, **extra: object) -> None:
    """Note in `doc.ai_runs` that `model` filled this image in: threshold, UTC time, suggestion
    count, plus any `extra` JSON-able facts (e.g. weights file name). A rerun moves the model's
    entry to the end, so the dict is in recording order (the latest run wins ties of `at`)."""
    doc.ai_runs.pop(model, None)
    doc.ai_runs[model] = {
        "score_threshold": float(score_threshold),
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "count": int(count),
        **extra,
    }


def record_fill(doc: Document, model: str, score_threshold: float, new: Sequence[Instance]) -> None:
    """`record_run` for an auto-fill that produced the suggestions `new`: their count and the
    image's uncertainty (in [0, 1), rounded to 6 digits), computed from their scores."""
    uncertainty = round(suggestions_uncertainty(new), 6)
    record_run(doc, model, score_threshold, len(new), **{UNCERTAINTY_KEY: uncertainty})


def has_run(doc: Document, model: str) -> bool:
    """Whether `model` already filled this image in (the batch CLI's resume test)."""
    return model in doc.ai_runs


def write_prediction(
    store: ProjectStore,
    rel: str,
    pred: Prediction,
    mapping: dict[int, int],
    score_threshold: float,
) -> int:
    """Put `pred`'s suggestions into the stored document of image `rel` and save it atomically.

    The document is loaded from the store (an empty one of size `pred.image_size` = (H, W) when
    none exists), the model's old pending suggestions are replaced, the run is recorded in
    `ai_runs`, and the file is written atomically. Returns the number of suggestions written.
    For an image open in the app, use `replace_suggestions` on the live document instead, or the
    next autosave would overwrite this write.
    """
    h, w = pred.image_size
    doc = store.load_document(rel, w, h).document
    new = suggestions_from_prediction(pred, mapping, doc, score_threshold)
    replace_suggestions(doc, new, pred.model)
    record_fill(doc, pred.model, score_threshold, new)
    store.save_document(doc)
    return len(new)
