"""Embedding cache format, windowed upsampling, mask inputs and import hygiene of inference.interactive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sam_official_layout import TINY_SAM, TINY_SAM2_OVERRIDES, make_image, reference_sam

from inference.interactive import Frame, ImageEmbedding, Prompt
from inference.interactive.sam_v1 import SamModel
from inference.interactive.sam_v2 import Sam2Model, build_sam2_module
from inference.interactive.upsample import axis_taps, mask_bounds, mask_to_logits, region_logits

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")

# float16 keeps ~3 significant digits: masks may differ only along their borders.
FP16_SCORE_TOL = 5e-3
FP16_MAX_CHANGED_PIXELS = 0.005


@pytest.fixture(scope="module", params=["sam", "sam2"])
def model_and_embedding(request: pytest.FixtureRequest) -> tuple[Any, ImageEmbedding]:
    if request.param == "sam":
        model = SamModel("sam_test", reference_sam(TINY_SAM, seed=5), torch.device("cpu"))
    else:
        torch.manual_seed(5)
        module = build_sam2_module("tiny", TINY_SAM2_OVERRIDES)
        model = Sam2Model("sam2_test", module, torch.device("cpu"))
    return model, model.embed(make_image(1))


def test_arrays_round_trip_gives_the_same_masks(
    model_and_embedding: tuple[Any, ImageEmbedding],
) -> None:
    model, emb = model_and_embedding
    arrays = emb.to_arrays()
    assert all(a.dtype != object for a in arrays.values())
    features = {k: v for k, v in arrays.items() if k.startswith("feature.")}
    assert all(v.dtype == np.float16 for v in features.values())
    assert sum(v.nbytes for v in features.values()) * 2 == emb.nbytes
    back = model.embedding_from_arrays(arrays)
    assert back.model == emb.model and back.frame == emb.frame
    with pytest.raises(ValueError, match="not of"):
        model.embedding_from_arrays({**arrays, "model": np.array("another_model")})
    for name, tensor in emb.features.items():
        assert torch.equal(back.features[name], tensor.half().float())
    prompt = {"points": [(600, 350, 1), (100, 100, 0)]}
    before, after = model.predict_prompt(emb, **prompt), model.predict_prompt(back, **prompt)
    np.testing.assert_allclose(after.scores, before.scores, rtol=0, atol=FP16_SCORE_TOL)
    assert (after.masks != before.masks).mean() <= FP16_MAX_CHANGED_PIXELS


def test_save_and_load_file(
    model_and_embedding: tuple[Any, ImageEmbedding], tmp_path: Path
) -> None:
    model, emb = model_and_embedding
    path = tmp_path / "embedding.npz"
    emb.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["embedding.npz"]  # no temporary file left
    back = ImageEmbedding.load(path)
    assert back.frame == emb.frame and back.features.keys() == emb.features.keys()
    assert np.array_equal(model.predict_lowres(back, box=(100, 100, 800, 600)).logits,
                          model.predict_lowres(ImageEmbedding.from_arrays(emb.to_arrays()), box=(100, 100, 800, 600)).logits)  # fmt: skip


def test_bad_embedding_files_are_refused(tmp_path: Path) -> None:
    pickled = tmp_path / "pickled.npz"
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"PK\x03\x04 not a zip")
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, version=np.array(99))
    for path in (pickled, junk, wrong):
        with pytest.raises(ValueError):
            ImageEmbedding.load(path)


@pytest.mark.parametrize(
    ("n_in", "n_out"), [(256, 1024), (1024, 576), (576, 750), (256, 1333), (256, 7), (3, 2)]
)
def test_single_step_taps_equal_interpolate(n_in: int, n_out: int) -> None:
    x = torch.randn(1, 1, n_in, 1)
    ref = F.interpolate(x, (n_out, 1), mode="bilinear", align_corners=False)[0, 0, :, 0]
    index, weight = axis_taps([(n_out, n_out)], n_low=n_in)
    ours = (x[0, 0, :, 0].numpy()[index] * weight).sum(axis=1)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=0, atol=1e-5)


@pytest.mark.parametrize("frame", [Frame((750, 1333), (576, 1024), 1024, False), Frame((3001, 17), (1024, 6), 1024, False),
                                   Frame((750, 1333), (1024, 1024), 1024, True)])  # fmt: skip
def test_region_logits_equal_the_reference_upsampling(frame: Frame) -> None:
    low = torch.randn(1, 1, 256, 256)
    if frame.stretched:
        ref = F.interpolate(low, frame.image_size, mode="bilinear", align_corners=False)
    else:
        big = F.interpolate(low, (1024, 1024), mode="bilinear", align_corners=False)
        big = big[..., : frame.input_size[0], : frame.input_size[1]]
        ref = F.interpolate(big, frame.image_size, mode="bilinear", align_corners=False)
    ref = ref[0, 0].numpy()
    h, w = frame.image_size
    np.testing.assert_allclose(
        region_logits(low[0, 0].numpy(), frame, (0, 0, w, h)), ref, rtol=0, atol=1e-5
    )
    window = (w // 3, h // 4, w - 2, h // 2 + 1)
    part = region_logits(low[0, 0].numpy(), frame, window)
    np.testing.assert_allclose(part, ref[h // 4 : h // 2 + 1, w // 3 : w - 2], rtol=0, atol=1e-5)
    assert region_logits(low[0, 0].numpy(), frame, (-50, -50, 3, 2)).shape == (2, 3)  # clipped


def test_mask_bounds_contain_every_pixel() -> None:
    frame = Frame((750, 1333), (576, 1024), 1024, False)
    low = np.full((256, 256), -5.0, np.float32)
    low[40:60, 100:103] = 3.0
    low[10, 200] = 0.5
    x0, y0, x1, y1 = mask_bounds(low, frame)
    full = region_logits(low, frame, (0, 0, 1333, 750)) > 0
    ys, xs = np.nonzero(full)
    assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1
    assert (x1 - x0) * (y1 - y0) < 0.2 * full.size  # and they are useful
    assert mask_bounds(np.full((256, 256), -1.0, np.float32), frame) == (0, 0, 0, 0)


@pytest.mark.parametrize("stretched", [False, True])
def test_mask_to_logits_round_trips(stretched: bool) -> None:
    frame = Frame((750, 1333), (1024, 1024) if stretched else (576, 1024), 1024, stretched)
    mask = np.zeros((750, 1333), bool)
    mask[200:500, 300:900] = True
    logits = mask_to_logits(mask, frame)
    assert logits.shape == (1, 256, 256) and logits.dtype == np.float32
    back = region_logits(logits[0], frame, (0, 0, 1333, 750)) > 0
    assert (back & mask).sum() / (back | mask).sum() > 0.97
    with pytest.raises(ValueError):
        mask_to_logits(mask[:10], frame)


def test_prompt_normalisation() -> None:
    p = Prompt.make(points=[(1, 2, 1), (3.5, 4, 0)], box=[0, 0, 10, 10])
    assert p.points.dtype == np.float64 and p.points.tolist() == [[1, 2], [3.5, 4]]
    assert p.labels.tolist() == [1, 0] and p.box.tolist() == [0, 0, 10, 10] and p.mask_input is None
    assert Prompt.make(mask_input=np.zeros((256, 256))).mask_input.shape == (1, 256, 256)
    for bad in ({"points": [(np.nan, 1, 1)]}, {"box": (0, 0, np.inf, 1)}, {"points": []}):
        with pytest.raises(ValueError):
            Prompt.make(**bad)


def test_importing_interactive_does_not_import_torch_or_the_packages() -> None:
    code = (
        "import sys, inference, inference.interactive\n"
        "from inference.interactive import ImageEmbedding, LowResPrediction, PromptPrediction\n"
        "models = [m for m in inference.list_models() if m.kind == 'interactive']\n"
        "assert len(models) == 7, models\n"
        "bad = [m for m in ('torch', 'segment_anything', 'sam2', 'hydra', 'PySide6') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr


def test_out_of_memory_moves_the_model_to_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GPU OOM during embed warns, calls on_fallback, and finishes on the CPU (simulated: the
    model believes it is on CUDA and its first encoder run raises CUDA's OOM message)."""
    from inference import DeviceFallbackWarning

    messages: list[str] = []
    model = SamModel(
        "sam_test", reference_sam(TINY_SAM), torch.device("cpu"), on_fallback=messages.append
    )
    model.device = torch.device("cuda")
    real_embed = model._embed
    calls: list[str] = []

    def embed_once_oom(image: np.ndarray) -> ImageEmbedding:
        calls.append(model.device.type)
        if model.device.type == "cuda":
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_embed(image)

    monkeypatch.setattr(model, "_embed", embed_once_oom)
    with pytest.warns(DeviceFallbackWarning, match="ran out of memory"):
        emb = model.embed(make_image(2)[:200, :300])
    assert calls == ["cuda", "cpu"] and model.device.type == "cpu" and len(messages) == 1
    assert emb.image_size == (200, 300)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("family", ["sam", "sam2"])
def test_cuda_bf16_agrees_with_the_cpu(family: str) -> None:
    torch.manual_seed(7)
    module = (
        reference_sam(TINY_SAM)
        if family == "sam"
        else build_sam2_module("tiny", TINY_SAM2_OVERRIDES)
    )
    cls = SamModel if family == "sam" else Sam2Model
    cpu = cls("m", module, torch.device("cpu"), fp16=False)
    image = make_image(4)
    on_cpu = cpu.predict_prompt(cpu.embed(image), **{"points": [(600, 350, 1)]})
    gpu = cpu.to("cuda")
    gpu.fp16 = True
    emb = gpu.embed(image)
    assert emb.device.type == "cuda"
    on_gpu = gpu.predict_prompt(emb, points=[(600, 350, 1)])
    fast = gpu.predict_lowres(emb, points=[(600, 350, 1)])
    np.testing.assert_allclose(on_gpu.scores, on_cpu.scores, rtol=0, atol=0.05)
    assert (on_gpu.masks != on_cpu.masks).mean() < 0.05
    np.testing.assert_allclose(fast.scores, on_gpu.scores, rtol=0, atol=0.05)
