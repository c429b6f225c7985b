"""How uncertain a model was about one image: the number the file list sorts by, so the user
reviews (and labels, and trains on) first what the model knows least.

The measure. For the scores s_i in [0, 1] of the detections an auto-fill run kept as suggestions,

    E = sum_i min(s_i, 1 - s_i)        U = E / (1 + E)  in [0, 1)

Why this one:
- It needs only what every instance model returns. `inference.Prediction` carries boxes,
  scores, category ids and *binary* mask crops: no mask logits, so mask entropy would mean
  changing every model (and keeping float masks of 100 detections per image); flip
  disagreement would run every model twice. Scores are probabilities for all of them (Mask
  R-CNN's and the small model's softmax, YOLACT's softmax), and summing them is O(N).
- min(s, 1 - s) is the chance that keeping a detection at s >= 0.5 or dropping it below is
  wrong, when s is calibrated: 0.97 costs 0.03, 0.5 costs 0.5. Summed, E is the expected number
  of keep/drop decisions a reviewer has to correct on this image. It rises with how many
  detections sit near the decision point and with how near they sit ("detections near the
  threshold, weighted by closeness"), so an image with four borderline objects ranks above one
  with a single borderline object, and both above a confidently labelled one. Class confusion
  counts too: one object found as a circle at 0.6 and as a square at 0.35 adds 0.75.
- The decision point is fixed at 0.5, not the review slider: the value is stored when the run
  happens and must not go stale when the slider moves later; and the batch CLI, whose --score
  is only a floor, stores the same number as the app.
- U = E / (1 + E) is monotone in E, so sorting by U is sorting by E, but it lies in a defined
  range [0, 1): U = 0.5 is one fully uncertain detection's worth, and E = U / (1 - U).
- It is deterministic: a pure function of the multiset of scores (summed in sorted order in
  float64, so the detection order cannot change the last bit).

What it cannot see: objects the model missed entirely (scored below the run's floor). An image
on which nothing was found gets U = 0, which is why never-filled images count as *unknown*
(None) rather than as certain, and sort after every filled one.

Qt-free and numpy-only: the app's auto-fill and `maskpilot-label` call it through
`app.ai.domain.suggestions`, which stores U in the run's `ai_runs` entry (see
`app.formats.document_json.UNCERTAINTY_KEY`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from app.core.instance import Instance


def detection_costs(scores: Iterable[float] | np.ndarray) -> np.ndarray:
    """float64 (N,) min(s, 1 - s) per score: each detection's share of the expected number of
    wrong keep/drop decisions. Scores are clipped to [0, 1]; non-finite ones are left out."""
    raw = scores if isinstance(scores, np.ndarray) else np.fromiter(scores, dtype=np.float64)
    s = np.asarray(raw, dtype=np.float64).reshape(-1)
    s = np.clip(s[np.isfinite(s)], 0.0, 1.0)
    return np.minimum(s, 1.0 - s)


def expected_corrections(scores: Iterable[float] | np.ndarray) -> float:
    """E = sum of `detection_costs`, in [0, N / 2]; 0.0 for no detections."""
    return float(np.sort(detection_costs(scores)).sum())


def image_uncertainty(scores: Iterable[float] | np.ndarray) -> float:
    """U = E / (1 + E) in [0, 1) for the scores of one image's detections (see the module
    docstring); 0.0 when there are none."""
    e = expected_corrections(scores)
    return e / (1.0 + e)


def suggestions_uncertainty(instances: Iterable[Instance]) -> float:
    """`image_uncertainty` of the scores of an auto-fill run's new suggestions (instances
    without a score are left out)."""
    return image_uncertainty([i.score for i in instances if i.score is not None])
