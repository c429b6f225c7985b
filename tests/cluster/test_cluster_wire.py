"""The --ray-gather result encoding: arrays only, read back without unpickling."""

from __future__ import annotations

import numpy as np
import pytest

from app.cli.cluster_wire import pack_result, unpack_result
from inference.types import Prediction, SemanticPrediction


def _prediction(rng: np.random.Generator) -> Prediction:
    masks = [rng.random((h, w)) > 0.5 for h, w in ((3, 5), (7, 2), (0, 0), (1, 1))]
    return Prediction(
        boxes=rng.random((4, 4)) * 10,
        scores=np.sort(rng.random(4))[::-1],
        category_ids=[3, 1, 7, 3],
        masks=masks,
        mask_offsets=[[0, 0], [5, 2], [4, 4], [9, 9]],
        image_size=(12, 10),
        model="maskrcnn_resnet50_fpn",
    )


def test_a_result_survives_the_trip_bit_for_bit() -> None:
    rng = np.random.default_rng(4)
    pred = _prediction(rng)
    sem = SemanticPrediction(
        rng.integers(0, 21, (12, 10)).astype(np.uint8),
        ((0, "bg"), (15, "person")),
        (12, 10),
        "deeplab",
    )
    back, back_sem = unpack_result(pack_result((pred, sem)))
    for name in ("boxes", "scores", "category_ids", "mask_offsets"):
        np.testing.assert_array_equal(getattr(back, name), getattr(pred, name))
    assert [m.shape for m in back.masks] == [m.shape for m in pred.masks]
    assert all(np.array_equal(a, b) for a, b in zip(back.masks, pred.masks, strict=True))
    assert (back.image_size, back.model) == (pred.image_size, pred.model)
    assert (
        back_sem is not None
        and back_sem.categories == sem.categories
        and back_sem.model == "deeplab"
    )
    np.testing.assert_array_equal(back_sem.class_map, sem.class_map)


def test_an_empty_prediction_without_semantics() -> None:
    back, sem = unpack_result(pack_result((Prediction.empty((5, 6), "m"), None)))
    assert len(back) == 0 and back.image_size == (5, 6) and sem is None


def test_anything_else_is_refused_without_unpickling() -> None:
    import io
    import pickle

    with pytest.raises(ValueError, match="not a packed result"):
        unpack_result(b"not an npz")
    hostile = io.BytesIO()  # an npz whose member is an object array: np.load must refuse it
    np.savez(hostile, meta=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="not a packed result"):
        unpack_result(hostile.getvalue())
    with pytest.raises(ValueError):
        unpack_result(pickle.dumps((1, 2)))
