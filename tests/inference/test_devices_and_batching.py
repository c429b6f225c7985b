"""Device choice, CPU fallback on out-of-memory, batching, cancellation and progress."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import inference
from inference import Cancelled, DeviceError, DeviceFallbackWarning
from inference.device import is_out_of_memory, resolve_device
from inference.predictor import check_images

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(scope="module")
def predictor():
    torch.manual_seed(0)
    pred = inference.load_model("yolact_resnet50", device="cpu", random_init=True, input_size=96)
    with torch.no_grad():  # peaky class scores, so that images produce detections
        pred.model.prediction_layers[0].conf_layer.weight.mul_(300)
    return pred


def _images(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (40 + 7 * i, 60 - 3 * i, 3), dtype=np.uint8) for i in range(n)]


def _same(a: inference.Prediction, b: inference.Prediction) -> bool:
    return (
        np.array_equal(a.boxes, b.boxes)
        and np.allclose(a.scores, b.scores, atol=1e-6)
        and np.array_equal(a.category_ids, b.category_ids)
        and all(np.array_equal(a.full_mask(i), b.full_mask(i)) for i in range(len(a)))
    )


def test_auto_device_follows_availability() -> None:
    dev = resolve_device("auto")
    if torch.cuda.is_available():
        assert dev.type == "cuda"
    elif torch.backends.mps.is_available():
        assert dev.type == "mps"
    else:
        assert dev.type == "cpu"
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(DeviceError):
        resolve_device("tpu7")


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_cuda_request_without_gpu_is_a_clear_error() -> None:
    with pytest.raises(DeviceError, match="CUDA"):
        resolve_device("cuda")


def test_batches_give_the_same_results_as_single_images(predictor) -> None:
    images = _images(5)
    predictor.batch_size = 1
    singles = predictor.predict(images, score_threshold=0.1)
    predictor.batch_size = 3
    batched = predictor.predict(images, score_threshold=0.1)
    predictor.batch_size = 1
    assert sum(len(p) for p in singles) > 0
    assert all(_same(a, b) for a, b in zip(singles, batched, strict=True))
    assert [p.image_size for p in batched] == [im.shape[:2] for im in images]


def test_strided_views_are_accepted(predictor) -> None:
    image = _images(1, seed=9)[0]
    view = image[::-1, :, ::-1]  # negative strides, as from a BGR->RGB flip
    got = predictor.predict([view], score_threshold=0.1)[0]
    assert _same(got, predictor.predict([np.ascontiguousarray(view)], score_threshold=0.1)[0])


def test_progress_and_cancel(predictor) -> None:
    images = _images(5)
    predictor.batch_size = 2
    calls: list[tuple[int, int]] = []
    predictor.predict(images, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]
    checks = iter([False, False, True])
    with pytest.raises(Cancelled) as info:
        predictor.predict(images, should_stop=lambda: next(checks))
    predictor.batch_size = 1
    assert len(info.value.partial) == 4  # two batches finished before the stop request
    assert all(isinstance(p, inference.Prediction) for p in info.value.partial)


def test_out_of_memory_falls_back_to_cpu(predictor, monkeypatch: pytest.MonkeyPatch) -> None:
    images = _images(2, seed=3)
    expected = predictor.predict(images, score_threshold=0.1)
    original = predictor._preprocess
    attempts: list[str] = []

    def preprocess_oom_once(batch):
        attempts.append(str(predictor.device))
        if len(attempts) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return original(batch)

    monkeypatch.setattr(predictor, "_preprocess", preprocess_oom_once)
    # Pretend the model sits on a GPU; the injected OOM fires in the first stage, before any
    # CUDA work is attempted, so the test runs on machines without a GPU.
    monkeypatch.setattr(predictor, "device", torch.device("cuda"))
    messages: list[str] = []
    predictor.on_fallback = messages.append
    with pytest.warns(DeviceFallbackWarning, match="out of memory"):
        got = predictor.predict(images, score_threshold=0.1)
    predictor.on_fallback = None
    assert attempts == ["cuda", "cpu", "cpu"]  # failed batch retried on the CPU, then the next
    assert predictor.device == torch.device("cpu") and len(messages) == 1
    assert all(_same(a, b) for a, b in zip(expected, got, strict=True))


def test_out_of_memory_on_cpu_is_raised(predictor, monkeypatch: pytest.MonkeyPatch) -> None:
    def forward_oom(inputs):
        raise RuntimeError("DefaultCPUAllocator: not enough memory: you tried to allocate ... out of memory")

    monkeypatch.setattr(predictor, "_forward", forward_oom)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviceFallbackWarning)
        with pytest.raises(RuntimeError, match="not enough memory"):
            predictor.predict(_images(1))


def test_is_out_of_memory() -> None:
    assert is_out_of_memory(torch.cuda.OutOfMemoryError("x"))
    assert is_out_of_memory(RuntimeError("MPS backend out of memory (MPS allocated: 1 GB)"))
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
    assert not is_out_of_memory(ValueError("out of memory"))


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4, 3), np.float32), np.zeros((0, 4, 3), np.uint8)],
    ids=["gray", "rgba", "float", "empty"],
)
def test_image_validation(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="image 1"):
        check_images([np.zeros((4, 4, 3), np.uint8), bad])


@pytest.mark.gpu
@needs_cuda
def test_fp16_on_cuda_matches_fp32(predictor) -> None:
    images = _images(3, seed=7)
    cpu = predictor.predict(images, score_threshold=0.1)
    predictor.to("cuda")
    try:
        predictor.fp16 = False
        fp32 = predictor.predict(images, score_threshold=0.1)
        predictor.fp16 = True
        fp16 = predictor.predict(images, score_threshold=0.1)
    finally:
        predictor.to("cpu")
    for a, b, c in zip(cpu, fp32, fp16, strict=True):
        assert len(a) == len(b)
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-3)
        assert abs(len(c) - len(b)) <= max(2, len(b) // 10)
