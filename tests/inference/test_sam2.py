"""SAM 2.1: our loading, embedding and prompting equal sam2's SAM2ImagePredictor.

A seeded random SAM 2.1 built by `sam2.build_sam.build_sam2`, saved as the official files are
({"model": state dict}), is read by our loader; the reference is the same model driven by
`SAM2ImagePredictor` on the same non-square image.
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
    TINY_SAM2_OVERRIDES,
    assert_masks_match,
    make_image,
    reference_predict,
    reference_sam2,
    save_sam2_file,
)

import inference
from inference import WrongModelError
from inference.interactive.sam_v2 import Sam2Model, build_sam2_module, read_sam2_weights
from inference.weights import load_into_model

# The reference SAM2ImagePredictor builds SAM2Transforms, which calls the deprecated torch.jit.script.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")


def _load_ours(path: Path, name: str = "sam2_test") -> Sam2Model:
    state = read_sam2_weights(path, variant=None)  # a test size: no official size to check
    module = build_sam2_module("tiny", TINY_SAM2_OVERRIDES)
    load_into_model(module, state, "sam2", path.name)
    return Sam2Model(name, module, torch.device("cpu"))


@pytest.fixture(scope="module")
def sam2_pair(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from sam2.sam2_image_predictor import SAM2ImagePredictor

    ref = reference_sam2(seed=1)
    path = save_sam2_file(ref, tmp_path_factory.mktemp("sam2") / "tiny_sam2.pt")
    image = make_image(0)
    predictor = SAM2ImagePredictor(ref)
    predictor.set_image(image)
    ours = _load_ours(path)
    return {"predictor": predictor, "ours": ours, "emb": ours.embed(image), "path": path}


def test_embedding_equals_set_image(sam2_pair: dict[str, Any]) -> None:
    emb, feats = sam2_pair["emb"], sam2_pair["predictor"]._features
    assert torch.equal(emb.features["image_embed"], feats["image_embed"])
    for i, level in enumerate(feats["high_res_feats"]):
        assert torch.equal(emb.features[f"high_res_feat{i}"], level)
    assert (
        emb.frame.stretched
        and emb.frame.input_size == (1024, 1024)
        and emb.image_size == (750, 1333)
    )
    assert emb.nbytes == (256 * 64 * 64 + 64 * 128 * 128 + 32 * 256 * 256) * 4


@pytest.mark.parametrize("multimask", [True, False], ids=["multimask", "single"])
@pytest.mark.parametrize("prompt", list(PROMPTS))
def test_predict_prompt_equals_sam2_image_predictor(
    sam2_pair: dict[str, Any], prompt: str, multimask: bool
) -> None:
    masks, scores, low = reference_predict(sam2_pair["predictor"], PROMPTS[prompt], multimask)
    result = sam2_pair["ours"].predict_prompt(
        sam2_pair["emb"], multimask=multimask, **PROMPTS[prompt]
    )
    assert result.masks.shape == (3 if multimask else 1, 750, 1333) and result.masks.dtype == bool
    assert np.array_equal(result.masks, masks)
    np.testing.assert_allclose(result.scores, scores, rtol=0, atol=1e-4)
    np.testing.assert_allclose(result.low_res_logits, low, rtol=0, atol=1e-4)
    assert (np.diff(result.scores) <= 0).all()
    assert masks.any() and not masks.all()


def test_mask_input_refinement_equals_sam2_image_predictor(sam2_pair: dict[str, Any]) -> None:
    ours, emb, predictor = sam2_pair["ours"], sam2_pair["emb"], sam2_pair["predictor"]
    prompt = PROMPTS["negative_point"]
    first = ours.predict_prompt(emb, **prompt)
    assert np.abs(first.low_res_logits).max() <= 32.0  # SAM 2.1 clips what it feeds back
    for mask_input in (first.mask_input(0), ours.mask_input_from_mask(emb, first.masks[2])):
        masks, scores, _ = reference_predict(predictor, prompt, False, mask_input=mask_input)
        again = ours.predict_prompt(emb, mask_input=mask_input, multimask=False, **prompt)
        assert np.array_equal(again.masks, masks)
        np.testing.assert_allclose(again.scores, scores, rtol=0, atol=1e-4)
    fast = ours.predict_lowres(emb, **prompt)
    np.testing.assert_allclose(fast.mask_input(0), first.mask_input(0), rtol=0, atol=1e-4)


@pytest.mark.parametrize("prompt", ["one_point", "box_and_points"])
@pytest.mark.parametrize("multimask", [True, False], ids=["multimask", "single"])
def test_fast_path_matches_sam2_image_predictor(
    sam2_pair: dict[str, Any], prompt: str, multimask: bool
) -> None:
    """Single-mask output also exercises the stability fallback of `build_sam2`'s decoder."""
    ours, emb, predictor = sam2_pair["ours"], sam2_pair["emb"], sam2_pair["predictor"]
    logits, scores, low = reference_predict(predictor, PROMPTS[prompt], multimask, logits=True)
    fast = ours.predict_lowres(emb, multimask=multimask, **PROMPTS[prompt])
    np.testing.assert_allclose(fast.mask_input(0)[0], low[0], rtol=0, atol=1e-4)
    np.testing.assert_allclose(fast.scores, scores, rtol=0, atol=1e-4)
    for k in range(len(scores)):
        crop, (x0, y0) = fast.mask(k)
        full = np.zeros((750, 1333), bool)
        full[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
        assert_masks_match(full, logits[k], logits[k] > 0)


def test_exact_lowres_upsampling_equals_full_path(sam2_pair: dict[str, Any]) -> None:
    ours, emb = sam2_pair["ours"], sam2_pair["emb"]
    prompt = PROMPTS["box"]
    full = ours.predict_prompt(emb, **prompt)
    low = ours.predict_lowres(emb, exact=True, **prompt)
    logits, _, _ = reference_predict(sam2_pair["predictor"], prompt, True, logits=True)
    for k in range(3):
        assert_masks_match(low.full_mask(k), logits[k], full.masks[k])


def test_file_of_another_size_is_refused(sam2_pair: dict[str, Any]) -> None:
    with pytest.raises(
        WrongModelError, match=r"Hiera width 8, 5 blocks\) weights, not SAM 2.1 tiny"
    ):
        inference.load_model("sam2.1_hiera_tiny", weights=sam2_pair["path"], device="cpu")


def test_flat_sam2_state_dict_is_accepted(sam2_pair: dict[str, Any], tmp_path: Path) -> None:
    flat = tmp_path / "flat.pt"
    torch.save(sam2_pair["ours"].module.state_dict(), flat)
    assert set(read_sam2_weights(flat, None)) == set(sam2_pair["ours"].module.state_dict())


def test_sam2_0_file_is_refused(tmp_path: Path) -> None:
    old = reference_sam2_0(tmp_path / "sam2_hiera_tiny.pt")
    with pytest.raises(WrongModelError, match="SAM 2.0 weights"):
        inference.load_model("sam2.1_hiera_tiny", weights=old, device="cpu")


def reference_sam2_0(path: Path) -> Path:
    """A tiny SAM 2 (not 2.1) model, saved in the official layout."""
    from sam2.build_sam import build_sam2

    model = build_sam2(
        "configs/sam2/sam2_hiera_t.yaml",
        None,
        device="cpu",
        hydra_overrides_extra=list(TINY_SAM2_OVERRIDES),
    )
    return save_sam2_file(model, path)


@pytest.fixture
def reuse_memory() -> Iterator[None]:
    """glibc would mmap (and page-fault) every large encoder tensor afresh: much of the time."""
    with inference.reuse_freed_memory():
        yield


@pytest.mark.slow
def test_full_sam2_1_tiny_through_the_registry_equals_sam2_image_predictor(
    tmp_path: Path, reuse_memory: None
) -> None:
    from sam2.sam2_image_predictor import SAM2ImagePredictor

    torch.set_num_threads(2)
    ref = reference_sam2(overrides=(), seed=2)
    path = save_sam2_file(ref, tmp_path / "sam2.1_hiera_tiny.pt")
    model = inference.load_model("sam2.1_hiera_tiny", weights=path, device="cpu")
    assert isinstance(model, Sam2Model) and model.family == "sam2"
    image = make_image(3)
    predictor = SAM2ImagePredictor(ref)
    predictor.set_image(image)
    emb = model.embed(image)
    assert torch.equal(emb.features["image_embed"], predictor._features["image_embed"])
    for name, multimask in (("one_point", True), ("box_and_points", False)):
        masks, scores, low = reference_predict(predictor, PROMPTS[name], multimask)
        result = model.predict_prompt(emb, multimask=multimask, **PROMPTS[name])
        assert np.array_equal(result.masks, masks)
        np.testing.assert_allclose(result.scores, scores, rtol=0, atol=1e-4)
        fast = model.predict_lowres(emb, multimask=multimask, **PROMPTS[name])
        np.testing.assert_allclose(fast.mask_input(0)[0], low[0], rtol=0, atol=1e-4)


def test_size_signatures_match_the_packaged_configs() -> None:
    """SIGNATURES (used to name the size a file holds) agree with sam2's own configs."""
    import inspect

    from hydra import compose
    from sam2.modeling.backbones.hieradet import Hiera

    from inference.interactive.sam_v2 import CONFIGS, SIGNATURES

    default_stages = inspect.signature(Hiera.__init__).parameters["stages"].default
    for variant, config in CONFIGS.items():
        trunk = compose(config_name=config).model.image_encoder.trunk
        stages = trunk.get("stages", default_stages)
        assert SIGNATURES[(trunk.embed_dim, sum(stages))] == variant
