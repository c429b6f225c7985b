"""torchvision FCN / DeepLabV3 ResNet-50 (21 PASCAL VOC classes) as semantic `Predictor`s.

Preprocessing follows the weights' own transforms (shorter side resized to 520, ImageNet mean and
std). Images of one batch are resized independently and zero-padded (after normalization, i.e.
the mean colour) to a common size. torchvision's models upsample logits to the padded input and
a caller would then crop and resize again to the original image; here the two bilinear steps are
folded into one `grid_sample` from the stride-8 logits straight to original pixels, done in bands
of rows so that a 24 MP image never holds a full (21, H, W) float map unless probabilities were
asked for. The auxiliary FCN head of the official checkpoints is loaded but never run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from inference.errors import ClassCountError, WrongModelError
from inference.predictor import Predictor, ProgressCallback, StopCallback
from inference.types import SemanticPrediction
from inference.weights import (
    DownloadProgress,
    identify_architecture,
    load_into_model,
    load_state_dict_file,
    resolve_weights,
)

_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)
#: Padded inputs are rounded up to this multiple (the backbone's output stride).
_STRIDE = 8
#: Elements of float logits resampled at once (C x rows x W); bounds the memory of one band.
_BAND_ELEMENTS = 1 << 24


def build_segmentation_model(arch: str, num_classes: int = 21, aux_loss: bool = True) -> torch.nn.Module:
    """A randomly initialized torchvision `fcn_resnet50` or `deeplabv3_resnet50` ('fcn' or
    'deeplabv3'); `aux_loss=True` gives the module layout of the official VOC-on-COCO weights."""
    from torchvision.models import segmentation

    builders = {"fcn": segmentation.fcn_resnet50, "deeplabv3": segmentation.deeplabv3_resnet50}
    if arch not in builders:
        raise ValueError(f"unknown segmentation architecture {arch!r}")
    return builders[arch](weights=None, weights_backbone=None, num_classes=num_classes, aux_loss=aux_loss)


def load_segmentation_weights(model: torch.nn.Module, path: Path) -> None:
    """Load a torchvision segmentation state dict (strict, checked). A file without the auxiliary
    head (trained with aux_loss=False) is accepted: the model's aux head is dropped first."""
    state = load_state_dict_file(path, map_location="cpu")
    found = identify_architecture(state)
    if found is not None:
        raise WrongModelError(f"{path.name} holds {found} instance-segmentation weights, not a semantic model's.")
    if not any(k.startswith("aux_classifier.") for k in state):
        model.aux_classifier = None
    own = model.state_dict()
    # The classifier's last conv (highest layer index) has one output channel per class.
    last = max((k for k in own if k.startswith("classifier.") and k.endswith(".weight")), key=_layer_index)
    if last in state and state[last].shape[0] != own[last].shape[0]:
        raise ClassCountError(
            f"{path.name} was trained for {state[last].shape[0]} classes, "
            f"but this model expects {own[last].shape[0]}."
        )
    load_into_model(model, state, "semantic", path.name)


def _layer_index(key: str) -> int:
    parts = key.split(".")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else -1


class SemanticPredictor(Predictor):
    """A torchvision segmentation model (backbone + classifier) as a Predictor of
    `SemanticPrediction`s. Channel c of the logits is category `categories[c]`."""

    def __init__(self, *args: Any, min_size: int = 520, max_size: int = 2048,
                 probabilities: bool = False, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.min_size = int(min_size)
        self.max_size = int(max_size)
        self.probabilities = bool(probabilities)
        ids = [cid for cid, _ in self.categories]
        self._dtype = np.uint8 if max(ids) < 256 and min(ids) >= 0 else np.int32
        self._channel_ids = np.asarray(ids, dtype=self._dtype)

    def predict(  # type: ignore[override]
        self,
        images: Sequence[np.ndarray],
        score_threshold: float = 0.0,
        max_detections: int = 0,
        should_stop: StopCallback | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[SemanticPrediction]:
        """Segment RGB uint8 (H, W, 3) images; returns one `SemanticPrediction` per image.

        `score_threshold` and `max_detections` are accepted for interface compatibility and
        ignored. Batching, `should_stop` (raises `Cancelled` with the finished results in
        `.partial`), `progress(done, total)` and the out-of-memory CPU fallback are those of
        `Predictor.predict`.
        """
        return super().predict(images, score_threshold, max_detections, should_stop, progress)  # type: ignore[return-value]

    def _scaled_size(self, h: int, w: int) -> tuple[int, int]:
        scale = self.min_size / min(h, w)
        if max(h, w) * scale > self.max_size:
            scale = self.max_size / max(h, w)
        return max(1, round(h * scale)), max(1, round(w * scale))

    def _preprocess(self, batch: list[np.ndarray]) -> tuple[torch.Tensor, list[tuple[int, int]]]:
        sizes = [self._scaled_size(*img.shape[:2]) for img in batch]
        hp = -(-max(s[0] for s in sizes) // _STRIDE) * _STRIDE
        wp = -(-max(s[1] for s in sizes) // _STRIDE) * _STRIDE
        out = torch.zeros((len(batch), 3, hp, wp), dtype=torch.float32, device=self.device)
        mean = torch.tensor(_MEAN, device=self.device).view(3, 1, 1)
        std = torch.tensor(_STD, device=self.device).view(3, 1, 1)
        for i, (img, (h, w)) in enumerate(zip(batch, sizes, strict=True)):
            t = torch.from_numpy(np.ascontiguousarray(img)).to(self.device).permute(2, 0, 1).float().div_(255.0)
            t = F.interpolate(t[None], size=(h, w), mode="bilinear", align_corners=False, antialias=True)[0]
            out[i, :, :h, :w] = (t - mean) / std
        return out, sizes

    def _forward(self, inputs: tuple[torch.Tensor, list[tuple[int, int]]]) -> torch.Tensor:
        x, _ = inputs
        features = self.model.backbone(x)
        return self.model.classifier(features["out"])

    def _postprocess(
        self,
        outputs: torch.Tensor,
        inputs: tuple[torch.Tensor, list[tuple[int, int]]],
        batch: list[np.ndarray],
        score_threshold: float,
        max_detections: int,
    ) -> list[SemanticPrediction]:  # type: ignore[override]
        padded, sizes = inputs
        hp, wp = padded.shape[-2:]
        logits = outputs.float()
        return [
            self._to_image(logits[i], (sizes[i][0] / hp, sizes[i][1] / wp), img.shape[:2])
            for i, img in enumerate(batch)
        ]

    def _to_image(self, logits: torch.Tensor, frac: tuple[float, float], size: tuple[int, int]) -> SemanticPrediction:
        """Resample (C, h, w) logits, whose top-left `frac` (fraction of rows, of columns) covers
        the image, to the original (H, W) and take the arg-max, band by band."""
        c = logits.shape[0]
        h, w = size
        # Normalized grid_sample coordinates (align_corners=False) of original pixel centres:
        # pixel x maps to the continuous position (x + 0.5) / W of the image, i.e. of frac of the map.
        gx = (torch.arange(w, device=logits.device, dtype=torch.float32) + 0.5) * (2 * frac[1] / w) - 1
        gy_all = (torch.arange(h, device=logits.device, dtype=torch.float32) + 0.5) * (2 * frac[0] / h) - 1
        rows = max(1, _BAND_ELEMENTS // max(c * w, 1))
        class_map = np.empty((h, w), dtype=self._dtype)
        probs = np.empty((c, h, w), dtype=np.float16) if self.probabilities else None
        for y0 in range(0, h, rows):
            gy = gy_all[y0 : y0 + rows]
            grid = torch.stack(torch.meshgrid(gy, gx, indexing="ij")[::-1], dim=-1)[None]
            band = F.grid_sample(logits[None], grid, mode="bilinear", padding_mode="border", align_corners=False)[0]
            class_map[y0 : y0 + len(gy)] = self._channel_ids[band.argmax(0).cpu().numpy()]
            if probs is not None:
                probs[:, y0 : y0 + len(gy)] = band.softmax(0).half().cpu().numpy()
        return SemanticPrediction(class_map, tuple(self.categories), size, self.name, probs)


def load_semantic(
    name: str,
    arch: str,
    categories: Sequence[tuple[int, str]],
    weights_files: Sequence[str],
    download_url: str | None,
    weights: str | Path | None = None,
    device: torch.device | None = None,
    random_init: bool = False,
    min_size: int = 520,
    max_size: int = 2048,
    probabilities: bool = False,
    batch_size: int = 1,
    fp16: bool = True,
    download: bool = False,
    download_progress: DownloadProgress | None = None,
    on_fallback: Callable[[str], None] | None = None,
) -> SemanticPredictor:
    """Build a VOC semantic predictor; see `inference.load_model` for the options. Extra ones:
    min_size (shorter side after resize, 520), max_size (cap of the longer side, 2048),
    probabilities (also return float16 (C, H, W) class probabilities; off by default)."""
    path = None
    if not (random_init and weights is None):
        path = resolve_weights(name, weights_files, weights, download_url, download, download_progress)
    model = build_segmentation_model(arch, num_classes=len(categories))
    if path is not None:
        load_segmentation_weights(model, path)
    return SemanticPredictor(
        name, model, device or torch.device("cpu"), categories, batch_size, fp16, on_fallback,
        min_size=min_size, max_size=max_size, probabilities=probabilities,
    )  # fmt: skip
