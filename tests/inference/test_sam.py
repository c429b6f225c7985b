"""SAM v1: our loading, embedding and prompting equal segment_anything's SamPredictor.

A seeded random SAM in the official file layout (a flat state dict) is read by our loader; the
reference is the same model driven by `SamPredictor` on the same non-square image.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from sam_official_layout import (
    PROMPTS,
    TINY_SAM,
    assert_masks_match,
    make_image,
    reference_predict,
    reference_sam,
    save_sam_file,
)

import inference
from inference import WrongModelError
from inference.interactive.sam_v1 import SamModel, build_sam_module, read_sam_weights
from inference.weights import load_into_model


def _load_ours(path: Path, arch: Any, name: str = "sam_test") -> SamModel:
    state = read_sam_weights(path, arch)
    module = build_sam_module(arch)
    load_into_model(module, state, "sam", path.name)
    return SamModel(name, module, torch.device("cpu"))


@pytest.fixture(scope="module")
def sam_pair(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Reference predictor with the image set, our model from the saved file, our embedding."""
    from segment_anything import SamPredictor

    ref = reference_sam(TINY_SAM, seed=1)
    path = save_sam_file(ref, tmp_path_factory.mktemp("sam") / "tiny_sam.pth")
    image = make_image(0)
    predictor = SamPredictor(ref)
    predictor.set_image(image)
    ours = _load_ours(path, TINY_SAM)
    return {
        "predictor": predictor,
        "ours": ours,
        "emb": ours.embed(image),
        "path": path,
        "image": image,
    }


def test_embedding_equals_set_image(sam_pair: dict[str, Any]) -> None:
    emb, predictor = sam_pair["emb"], sam_pair["predictor"]
    assert torch.equal(emb.features["image_embed"], predictor.features)
    assert emb.image_size == (750, 1333)
    assert emb.frame.input_size == tuple(predictor.input_size) == (576, 1024)
    assert not emb.frame.stretched and emb.model == "sam_test"
    assert emb.nbytes == 256 * 64 * 64 * 4


@pytest.mark.parametrize("multimask", [True, False], ids=["multimask", "single"])
@pytest.mark.parametrize("prompt", list(PROMPTS))
def test_predict_prompt_equals_sam_predictor(
    sam_pair: dict[str, Any], prompt: str, multimask: bool
) -> None:
    masks, scores, low = reference_predict(sam_pair["predictor"], PROMPTS[prompt], multimask)
    result = sam_pair["ours"].predict_prompt(
        sam_pair["emb"], multimask=multimask, **PROMPTS[prompt]
    )
    assert result.masks.shape == (3 if multimask else 1, 750, 1333) and result.masks.dtype == bool
    assert np.array_equal(result.masks, masks)
    np.testing.assert_allclose(result.scores, scores, rtol=0, atol=1e-4)
    np.testing.assert_allclose(result.low_res_logits, low, rtol=0, atol=1e-4)
    assert (np.diff(result.scores) <= 0).all()  # best first
    assert masks.any() and not masks.all()  # the comparison is not between trivial masks


def test_mask_input_refinement_equals_sam_predictor(sam_pair: dict[str, Any]) -> None:
    ours, emb, predictor = sam_pair["ours"], sam_pair["emb"], sam_pair["predictor"]
    prompt = PROMPTS["one_point"]
    first = ours.predict_prompt(emb, **prompt)
    for mask_input in (first.mask_input(0), ours.mask_input_from_mask(emb, first.masks[1])):
        masks, scores, low = reference_predict(predictor, prompt, False, mask_input=mask_input)
        again = ours.predict_prompt(emb, mask_input=mask_input, multimask=False, **prompt)
        assert np.array_equal(again.masks, masks)
        np.testing.assert_allclose(again.scores, scores, rtol=0, atol=1e-4)
    alone = ours.predict_prompt(emb, mask_input=first.mask_input(0)[0])  # (256, 256) accepted too
    assert alone.masks.shape[0] == 3


@pytest.mark.parametrize("prompt", ["one_point", "box_and_points"])
def test_fast_path_matches_sam_predictor(sam_pair: dict[str, Any], prompt: str) -> None:
    """The re-ordered decoder and the windowed upsampling agree with the reference to float32
    rounding: low-res logits within 1e-4, full-resolution masks equal off the threshold."""
    ours, emb, predictor = sam_pair["ours"], sam_pair["emb"], sam_pair["predictor"]
    logits, scores, low = reference_predict(predictor, PROMPTS[prompt], True, logits=True)
    fast = ours.predict_lowres(emb, **PROMPTS[prompt])
    np.testing.assert_allclose(fast.logits, low, rtol=0, atol=1e-4)
    np.testing.assert_allclose(fast.scores, scores, rtol=0, atol=1e-4)
    for k in range(3):
        crop, (x0, y0) = fast.mask(k)
        full = np.zeros((750, 1333), bool)
        full[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
        assert_masks_match(full, logits[k], logits[k] > 0)
        if crop.size:  # tight: every border row and column of the crop has a pixel
            assert crop[0].any() and crop[-1].any() and crop[:, 0].any() and crop[:, -1].any()
    window = (100, 50, 700, 400)
    assert_masks_match(
        fast.region_mask(window, 0), logits[0][50:400, 100:700], logits[0][50:400, 100:700] > 0
    )
    region_crop, (rx, ry) = fast.mask(0, region=window)
    assert (
        rx >= 100
        and ry >= 50
        and rx + region_crop.shape[1] <= 700
        and ry + region_crop.shape[0] <= 400
    )


def test_exact_lowres_upsampling_equals_full_path(sam_pair: dict[str, Any]) -> None:
    ours, emb = sam_pair["ours"], sam_pair["emb"]
    prompt = PROMPTS["negative_point"]
    full = ours.predict_prompt(emb, **prompt)
    low = ours.predict_lowres(emb, exact=True, **prompt)
    np.testing.assert_array_equal(low.logits, full.low_res_logits)
    logits, _, _ = reference_predict(sam_pair["predictor"], prompt, True, logits=True)
    for k in range(3):
        assert_masks_match(low.full_mask(k), logits[k], full.masks[k])


def test_other_sam_size_is_refused_before_building(sam_pair: dict[str, Any]) -> None:
    with pytest.raises(WrongModelError, match="width 64.*width 768"):
        inference.load_model("sam_vit_b", weights=sam_pair["path"], device="cpu")


def test_embedding_of_another_model_is_refused(sam_pair: dict[str, Any]) -> None:
    other = _load_ours(sam_pair["path"], TINY_SAM, name="other")
    with pytest.raises(ValueError, match="computed by sam_test"):
        other.predict_prompt(sam_pair["emb"], points=[(1, 1, 1)])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"points": [(1, 2)]},
        {"points": [(1, 2, 5)]},
        {"box": (1, 2, 3)},
        {"mask_input": np.zeros((64, 64))},
    ],
)
def test_malformed_prompts_are_refused(sam_pair: dict[str, Any], kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        sam_pair["ours"].predict_prompt(sam_pair["emb"], **kwargs)


@pytest.fixture
def reuse_memory() -> Iterator[None]:
    """glibc would mmap (and page-fault) every large encoder tensor afresh: much of the time."""
    with inference.reuse_freed_memory():
        yield


@pytest.mark.slow
def test_full_vit_b_through_the_registry_equals_sam_predictor(
    tmp_path: Path, reuse_memory: None
) -> None:
    """Full-size ViT-B in the official layout, loaded by `inference.load_model`."""
    from segment_anything import SamPredictor

    torch.set_num_threads(2)  # two ViT-B encoder runs; the autouse fixture restores the count
    ref = reference_sam("vit_b", seed=2)
    path = save_sam_file(ref, tmp_path / "sam_vit_b_01ec64.pth")
    model = inference.load_model("sam_vit_b", weights=path, device="cpu")
    assert isinstance(model, SamModel) and model.family == "sam"
    image = make_image(3)
    predictor = SamPredictor(ref)
    predictor.set_image(image)
    emb = model.embed(image)
    assert torch.equal(emb.features["image_embed"], predictor.features)
    for name, multimask in (("one_point", True), ("box_and_points", False)):
        masks, scores, low = reference_predict(predictor, PROMPTS[name], multimask)
        result = model.predict_prompt(emb, multimask=multimask, **PROMPTS[name])
        assert np.array_equal(result.masks, masks)
        np.testing.assert_allclose(result.scores, scores, rtol=0, atol=1e-4)
        fast = model.predict_lowres(emb, multimask=multimask, **PROMPTS[name])
        np.testing.assert_allclose(fast.logits, low, rtol=0, atol=1e-4)
