"""The model registry: one entry per model name, builders import torch only when called.

Adding a model is one module plus one entry in `_REGISTRY`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.categories import COCO_CATEGORIES, VOC_CATEGORIES
from inference.errors import InferenceError, UnknownModelError

if TYPE_CHECKING:
    from inference.interactive.base import InteractiveModel
    from inference.predictor import Predictor


@dataclass(frozen=True)
class ModelInfo:
    """What the app needs to list a model before loading it.

    name: registry key passed to `load_model`.
    kind: "instance" (`Predictor.predict` returns `Prediction`s), "semantic" (returns
        `SemanticPrediction`s: a class map per image) or "interactive" (`load_model` returns an
        `InteractiveModel`: embed an image, then masks per prompt; no categories).
    categories: (category id, name) pairs the model predicts (empty for "interactive").
    weights_files: file names accepted as this model's weights, searched in the weights folders.
    download_url: where the official file can be downloaded from (used only on request).
    family: "maskrcnn", "yolact", "segmentation", "sam" (Segment Anything v1) or "sam2" (SAM 2.1).
    """

    name: str
    display_name: str
    kind: str
    categories: tuple[tuple[int, str], ...]
    weights_files: tuple[str, ...]
    download_url: str | None
    family: str


#: builder(info, weights, device, **options) -> Predictor (or InteractiveModel)
Builder = Callable[..., "Predictor | InteractiveModel"]


def _build_maskrcnn(variant: str) -> Builder:
    def build(info: ModelInfo, weights: str | Path | None, device: Any, **options: Any) -> Predictor:
        from inference.maskrcnn import load_maskrcnn

        return load_maskrcnn(
            info.name, variant, info.categories, info.weights_files, info.download_url,
            weights=weights, device=device, **options,
        )  # fmt: skip

    return build


def _build_yolact(info: ModelInfo, weights: str | Path | None, device: Any, **options: Any) -> Predictor:
    from inference.yolact.predictor import load_yolact

    return load_yolact(
        info.name, info.weights_files, info.download_url, weights=weights, device=device, **options
    )


def _build_semantic(arch: str) -> Builder:
    def build(info: ModelInfo, weights: str | Path | None, device: Any, **options: Any) -> Predictor:
        from inference.semantic import load_semantic

        return load_semantic(
            info.name, arch, info.categories, info.weights_files, info.download_url,
            weights=weights, device=device, **options,
        )  # fmt: skip

    return build


#: How to install the packages the interactive models are built from (see the Makefile).
_PACKAGE_HINTS = {
    "segment_anything": "pip install segment-anything==1.0",
    "sam2": "SAM2_BUILD_CUDA=0 pip install --no-build-isolation sam2==1.1.0",
}


def _build_interactive(module: str, variant: str) -> Builder:
    def build(info: ModelInfo, weights: str | Path | None, device: Any, **options: Any) -> InteractiveModel:
        import importlib.util

        package = "segment_anything" if module == "sam" else "sam2"
        if importlib.util.find_spec(package) is None:
            raise InferenceError(
                f"{info.display_name} needs Meta's '{package}' package, which is not installed. "
                f"Install it with: {_PACKAGE_HINTS[package]}"
            )
        if module == "sam":
            from inference.interactive.sam_v1 import load_sam as load
        else:
            from inference.interactive.sam_v2 import load_sam2 as load
        return load(info.name, variant, info.weights_files, info.download_url, weights=weights, device=device, **options)

    return build


_TV = "https://download.pytorch.org/models/"
_HF = "https://huggingface.co/dbolya/{repo}/resolve/main/{file}"
# Meta's official download locations (segment-anything and sam2 READMEs / download scripts).
_SAM_URL = "https://dl.fbaipublicfiles.com/segment_anything/"
_SAM21_URL = "https://dl.fbaipublicfiles.com/segment_anything_2/092824/"


def _sam_entry(variant: str, file: str, display: str) -> tuple[ModelInfo, Builder]:
    name = f"sam_{variant}"
    info = ModelInfo(name, display, "interactive", (), (file,), _SAM_URL + file, "sam")
    return info, _build_interactive("sam", variant)


def _sam21_entry(variant: str, display: str) -> tuple[ModelInfo, Builder]:
    name = f"sam2.1_hiera_{variant}"
    info = ModelInfo(name, display, "interactive", (), (f"{name}.pt",), f"{_SAM21_URL}{name}.pt", "sam2")
    return info, _build_interactive("sam2", variant)


def _yolact_info(name: str, display: str, repo: str) -> ModelInfo:
    file = f"{name}_54_800000.pth"
    return ModelInfo(
        name, display, "instance", COCO_CATEGORIES, (file,), _HF.format(repo=repo, file=file), "yolact"
    )


_REGISTRY: dict[str, tuple[ModelInfo, Builder]] = {
    "maskrcnn_resnet50_fpn": (
        ModelInfo(
            "maskrcnn_resnet50_fpn", "Mask R-CNN ResNet-50 FPN (COCO)", "instance", COCO_CATEGORIES,
            ("maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth",),
            _TV + "maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth", "maskrcnn",
        ),
        _build_maskrcnn("v1"),
    ),
    "maskrcnn_resnet50_fpn_v2": (
        ModelInfo(
            "maskrcnn_resnet50_fpn_v2", "Mask R-CNN ResNet-50 FPN v2 (COCO)", "instance", COCO_CATEGORIES,
            ("maskrcnn_resnet50_fpn_v2_coco-73cbd019.pth",),
            _TV + "maskrcnn_resnet50_fpn_v2_coco-73cbd019.pth", "maskrcnn",
        ),
        _build_maskrcnn("v2"),
    ),
    "yolact_base": (_yolact_info("yolact_base", "YOLACT ResNet-101 550 (COCO)", "yolact-base"), _build_yolact),
    "yolact_resnet50": (
        _yolact_info("yolact_resnet50", "YOLACT ResNet-50 550 (COCO)", "yolact-resnet50"), _build_yolact
    ),
    "yolact_darknet53": (
        _yolact_info("yolact_darknet53", "YOLACT DarkNet-53 550 (COCO)", "yolact-darknet53"), _build_yolact
    ),
    "yolact_im700": (_yolact_info("yolact_im700", "YOLACT ResNet-101 700 (COCO)", "yolact-im700"), _build_yolact),
    "yolact_plus_base": (
        _yolact_info("yolact_plus_base", "YOLACT++ ResNet-101 550 (COCO)", "yolact-plus-base"), _build_yolact
    ),
    "yolact_plus_resnet50": (
        _yolact_info("yolact_plus_resnet50", "YOLACT++ ResNet-50 550 (COCO)", "yolact-plus-resnet50"), _build_yolact
    ),
    "fcn_resnet50": (
        ModelInfo(
            "fcn_resnet50", "FCN ResNet-50 semantic (21 VOC classes)", "semantic", VOC_CATEGORIES,
            ("fcn_resnet50_coco-1167a1af.pth",), _TV + "fcn_resnet50_coco-1167a1af.pth", "segmentation",
        ),
        _build_semantic("fcn"),
    ),
    "deeplabv3_resnet50": (
        ModelInfo(
            "deeplabv3_resnet50", "DeepLabV3 ResNet-50 semantic (21 VOC classes)", "semantic", VOC_CATEGORIES,
            ("deeplabv3_resnet50_coco-cd0a2569.pth",), _TV + "deeplabv3_resnet50_coco-cd0a2569.pth",
            "segmentation",
        ),
        _build_semantic("deeplabv3"),
    ),
    "sam_vit_b": _sam_entry("vit_b", "sam_vit_b_01ec64.pth", "Segment Anything ViT-B (interactive)"),
    "sam_vit_l": _sam_entry("vit_l", "sam_vit_l_0b3195.pth", "Segment Anything ViT-L (interactive)"),
    "sam_vit_h": _sam_entry("vit_h", "sam_vit_h_4b8939.pth", "Segment Anything ViT-H (interactive)"),
    "sam2.1_hiera_tiny": _sam21_entry("tiny", "SAM 2.1 Hiera tiny (interactive)"),
    "sam2.1_hiera_small": _sam21_entry("small", "SAM 2.1 Hiera small (interactive)"),
    "sam2.1_hiera_base_plus": _sam21_entry("base_plus", "SAM 2.1 Hiera base+ (interactive)"),
    "sam2.1_hiera_large": _sam21_entry("large", "SAM 2.1 Hiera large (interactive)"),
}  # fmt: skip


def list_models() -> list[ModelInfo]:
    """Every registered model, in registry order. Does not import torch."""
    return [info for info, _ in _REGISTRY.values()]


def get_model_info(name: str) -> ModelInfo:
    """The registry entry of `name`; raises UnknownModelError listing the known names."""
    try:
        return _REGISTRY[name][0]
    except KeyError:
        raise UnknownModelError(f"Unknown model '{name}'. Known models: {', '.join(_REGISTRY)}") from None


def load_model(
    name: str, weights: str | Path | None = None, device: str = "auto", **options: Any
) -> Predictor | InteractiveModel:
    """Build model `name` with its weights and return its predictor (for an "interactive"
    model, an `InteractiveModel`: `embed`, `predict_prompt`, `predict_lowres`).

    weights: a weights file path, a bare file name or a folder; None searches the registered file
        names in the user weights folder and torch's cache (see `inference.weights`).
    device: "auto" (CUDA, then MPS, then CPU), "cpu", "cuda", "cuda:1", "mps".
    options (all keyword-only, all optional):
        random_init (bool): with weights=None, skip the weights search and keep random weights
            (for tests and timing); an explicit `weights` is still loaded.
        batch_size (int, default 1), fp16 (bool, default True: autocast on CUDA only),
        download (bool, default False): fetch the official file when none is found locally,
        download_progress (callable(done_bytes, total_bytes)),
        on_fallback (callable(message)): called when a GPU OOM moves the model to the CPU.
        Mask R-CNN: min_size (800), max_size (1333) of torchvision's resize.
        Semantic (FCN, DeepLabV3): min_size (520), max_size (2048), probabilities (False): also
            return float16 (C, H, W) class probabilities.
        YOLACT: config (name of a YOLACT config, when the file name does not tell, e.g. a renamed
            im700 file), input_size (override the square input side; anchors keep their scales).
        Interactive (SAM, SAM 2.1): random_init, fp16 (bfloat16 autocast on CUDA GPUs that have
            it), download, download_progress, on_fallback; no batch_size.
    Raises UnknownModelError, WeightsError subclasses, DeviceError.
    """
    info = get_model_info(name)
    from inference.device import resolve_device

    return _REGISTRY[name][1](info, weights, resolve_device(device), **options)
