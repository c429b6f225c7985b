"""Qt-free glue for Auto-Edit: one box-prompt result (`masks_for_boxes`) becomes an ordinary,
accepted, editable raster instance of a document.

The GUI controller runs the model on its worker thread, then on the GUI thread calls
`box_mask_instance` and pushes `AddInstance(doc, instance)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState


class BoxPrediction(Protocol):
    """What is read of an `inference.Prediction` (duck-typed so tests can pass plain objects)."""

    scores: np.ndarray
    category_ids: np.ndarray
    masks: list[np.ndarray]
    mask_offsets: np.ndarray
    image_size: tuple[int, int]
    model: str


def box_mask_instance(
    doc: Document,
    prediction: BoxPrediction,
    category: int | Mapping[int, int],
    index: int = 0,
    default_category: int | None = None,
) -> Instance | None:
    """The `index`-th mask of a box-prompt prediction as a new accepted raster instance of `doc`.

    prediction: masks cropped to their tight boxes with (x0, y0) offsets, for an image of
    (H, W) = prediction.image_size, which must be the document's size. category: the project
    category id to use, or a mapping from the model's category ids to project ids; a model id
    missing from the mapping gets `default_category` (ValueError when that is None too).
    Returns None when the mask is empty (nothing to add). The instance gets a fresh id of `doc`
    (it is not added: push AddInstance), source = the model name, score = the class score, and
    provenance {"model", "score", "prompt": "box", "model_category"}.
    """
    if tuple(prediction.image_size) != (doc.height, doc.width):
        raise ValueError(
            f"prediction is for a {prediction.image_size[1]}x{prediction.image_size[0]} image, "
            f"the document is {doc.width}x{doc.height}"
        )
    mask = np.asarray(prediction.masks[index], dtype=bool)
    if not mask.any():
        return None
    x0, y0 = (int(v) for v in prediction.mask_offsets[index])
    model_category = int(prediction.category_ids[index])
    if isinstance(category, Mapping):
        project_category = category.get(model_category, default_category)
        if project_category is None:
            raise ValueError(f"model category {model_category} has no project category")
    else:
        project_category = category
    score = float(prediction.scores[index])
    return Instance(
        doc.new_id(),
        int(project_category),
        RasterGeometry(mask, x0, y0).tight(),
        source=prediction.model,
        score=score,
        state=InstanceState.ACCEPTED,
        provenance={"model": prediction.model, "score": score, "prompt": "box", "model_category": model_category},
    )
