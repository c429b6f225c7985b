"""A trained project model behind the same `Predictor` interface as the registry's models.

The network predicts labels 1..K (0 is background), one per project class in the order the
training job fixed; the predictor reports the project's own category ids instead, so auto-fill
and maskpilot-label treat it like any other instance model and no class-name matching is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from inference.maskrcnn import MaskRCNNPredictor
from inference.training.models import ModelSpec, build_from_spec
from inference.types import Prediction
from inference.weights import load_into_model, load_state_dict_file


class ProjectModelPredictor(MaskRCNNPredictor):
    """A Mask R-CNN whose label k is the project category `categories[k - 1][0]`.

    categories: (project category id, name) in label order, as the model's card lists them;
    `self.categories` is that list, so `Prediction.category_ids` are project ids.
    """

    def __init__(
        self,
        name: str,
        model: torch.nn.Module,
        device: torch.device,
        categories: Sequence[tuple[int, str]],
        batch_size: int = 1,
        fp16: bool = True,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(name, model, device, categories, batch_size, fp16, on_fallback)
        self._label_to_id = np.array([0] + [int(cid) for cid, _ in categories], dtype=np.int64)
        self._id_to_label = {int(cid): k for k, (cid, _) in enumerate(categories, start=1)}

    def _relabel(self, pred: Prediction) -> Prediction:
        pred.category_ids = self._label_to_id[pred.category_ids]
        return pred

    def _postprocess(self, outputs, inputs, batch, score_threshold, max_detections) -> list[Prediction]:  # type: ignore[no-untyped-def]
        preds = super()._postprocess(outputs, inputs, batch, score_threshold, max_detections)
        return [self._relabel(p) for p in preds]

    def masks_for_boxes(self, image, boxes, category_ids=None) -> Prediction:  # type: ignore[no-untyped-def]
        """As MaskRCNNPredictor.masks_for_boxes, with project category ids in and out."""
        labels = None
        if category_ids is not None:
            ids = np.asarray(category_ids, dtype=np.int64).reshape(-1)
            unknown = sorted({int(c) for c in ids} - set(self._id_to_label))
            if unknown:
                raise ValueError(f"the model was not trained on category ids {unknown}")
            labels = np.array([self._id_to_label[int(c)] for c in ids], dtype=np.int64)
        return self._relabel(super().masks_for_boxes(image, boxes, labels))


def load_project_predictor(
    name: str,
    weights: str | Path,
    spec: ModelSpec,
    categories: Sequence[tuple[int, str]],
    device: torch.device,
    batch_size: int = 1,
    fp16: bool = True,
    on_fallback: Callable[[str], None] | None = None,
) -> ProjectModelPredictor:
    """Rebuild the model of `spec`, load its weights-only state dict strictly (WeightsError
    subclasses name what does not fit) and wrap it. `name` is how results are attributed
    ("project:<name>")."""
    if spec.num_classes != len(categories) + 1:
        raise ValueError(f"the spec has {spec.num_classes - 1} classes, the card lists {len(categories)}")
    path = Path(weights)
    state = load_state_dict_file(path, map_location="cpu")
    model = build_from_spec(spec)
    load_into_model(model, state, "maskrcnn", path.name)
    return ProjectModelPredictor(name, model, device, categories, batch_size, fp16, on_fallback)
