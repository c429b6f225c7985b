"""The ONNX Runtime decoder answers every kind of prompt as the torch fast decoder does.

Seeded tiny SAM v1 and SAM 2.1 models in the official architecture (the packages' own modules);
the ONNX graph is exported from the loaded weights by `warm_decoder`, so these tests also show
that the number of prompt tokens stays dynamic (one point, two points and a box, a mask input).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from sam_official_layout import PROMPTS, TINY_SAM, make_image, reference_sam, reference_sam2

from inference.interactive import onnx_decoder
from inference.interactive.sam_v1 import SamModel
from inference.interactive.sam_v2 import Sam2Model

pytestmark = [
    pytest.mark.skipif(not onnx_decoder.available(), reason="onnxruntime not installed"),
    pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning"),
]


def _model(family: str) -> Any:
    if family == "sam":
        return SamModel("sam_test", reference_sam(TINY_SAM, seed=2), torch.device("cpu"))
    return Sam2Model("sam2_test", reference_sam2(seed=2), torch.device("cpu"))


@pytest.fixture(scope="module", params=["sam", "sam2"])
def warmed(request: pytest.FixtureRequest) -> dict[str, Any]:
    model = _model(request.param)
    emb = model.embed(make_image(3))
    model.warm_decoder()
    return {"model": model, "emb": emb}


def _both(model: Any, emb: Any, **prompt: Any) -> tuple[Any, Any]:
    """(ONNX answer, torch answer) of the fast path for one prompt."""
    assert model._onnx is not None
    onnx = model.predict_lowres(emb, **prompt)
    kept, model._onnx = model._onnx, None
    try:
        ref = model.predict_lowres(emb, **prompt)
    finally:
        model._onnx = kept
    return onnx, ref


@pytest.mark.parametrize("prompt", ["one_point", "negative_point", "box", "box_and_points"])
@pytest.mark.parametrize("multimask", [True, False], ids=["multimask", "single"])
def test_onnx_decoder_equals_torch_fast_decoder(warmed: dict[str, Any], prompt: str, multimask: bool) -> None:
    onnx, ref = _both(warmed["model"], warmed["emb"], multimask=multimask, **PROMPTS[prompt])
    assert onnx.logits.shape == ref.logits.shape
    np.testing.assert_allclose(onnx.logits, ref.logits, rtol=0, atol=1e-4)
    np.testing.assert_allclose(onnx.scores, ref.scores, rtol=0, atol=1e-5)


def test_onnx_decoder_takes_a_mask_input(warmed: dict[str, Any]) -> None:
    model, emb = warmed["model"], warmed["emb"]
    first = model.predict_lowres(emb, **PROMPTS["one_point"])
    onnx, ref = _both(model, emb, points=[(640, 300, 1), (900, 500, 0)], mask_input=first.mask_input(0))
    np.testing.assert_allclose(onnx.logits, ref.logits, rtol=0, atol=1e-4)


def test_one_thread_session_answers_as_the_full_one(warmed: dict[str, Any]) -> None:
    """A click during a background encoding runs on one thread (app.ai.domain.prompts)."""
    model, emb = warmed["model"], warmed["emb"]
    many = model.predict_lowres(emb, **PROMPTS["box_and_points"])
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        one = model.predict_lowres(emb, **PROMPTS["box_and_points"])
    finally:
        torch.set_num_threads(before)
    assert 1 in model._onnx._sessions
    np.testing.assert_allclose(one.logits, many.logits, rtol=0, atol=1e-4)


def test_a_failed_export_leaves_the_torch_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model("sam")
    emb = model.embed(make_image(4))

    def broken(*_a: Any, **_k: Any) -> bytes:
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(onnx_decoder, "_export", broken)
    with pytest.warns(UserWarning, match="ONNX decoder is unavailable"):
        model.warm_decoder()
    assert model._onnx is None
    assert model.predict_lowres(emb, **PROMPTS["one_point"]).scores.shape == (3,)


def test_moving_the_model_drops_the_graph(warmed: dict[str, Any]) -> None:
    """The graph holds the weights it was traced with; `to()` (also after new weights) rebuilds."""
    model = _model("sam")
    model.warm_decoder()
    assert model._onnx is not None
    model.to("cpu")
    assert model._onnx is None
