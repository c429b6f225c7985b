"""Qt-free inference package. Importing it never imports torch: models are built on demand.

Public API:
    list_models() -> list[ModelInfo]
    load_model(name, weights=None, device="auto", **options) -> Predictor
    Predictor.predict(images, score_threshold=0.3, max_detections=100, should_stop=None,
                      progress=None) -> list[Prediction]
    Prediction (numpy-only result), SemanticPrediction (class map of a "semantic" model), errors (WeightsError and subclasses, Cancelled, ...).
    Interactive models (kind "interactive": SAM v1, SAM 2.1; see inference.interactive):
        load_model(...) -> InteractiveModel; .embed(rgb) -> ImageEmbedding (cacheable: nbytes,
        to_arrays/from_arrays, save/load); .predict_prompt(emb, points, box, mask_input,
        multimask) -> PromptPrediction (full-resolution masks, as Meta's predictors);
        .predict_lowres(...) -> LowResPrediction (fast path: masks cropped or per region).
    reuse_freed_memory(), torch_threads(n): process-wide CPU settings for batch runs (context managers).
"""

from __future__ import annotations

from inference.cpu_tuning import reuse_freed_memory, torch_threads
from inference.errors import (
    Cancelled,
    ClassCountError,
    DeviceError,
    DeviceFallbackWarning,
    InferenceError,
    UnknownModelError,
    WeightsCorruptError,
    WeightsError,
    WeightsFormatError,
    WeightsMismatchError,
    WeightsNotFoundError,
    WeightsUnsafeError,
    WrongModelError,
)
from inference.interactive import ImageEmbedding, LowResPrediction, PromptPrediction
from inference.registry import ModelInfo, get_model_info, list_models, load_model
from inference.types import Prediction, SemanticPrediction
from inference.weights import find_weights

__all__ = [
    "Cancelled",
    "ClassCountError",
    "DeviceError",
    "DeviceFallbackWarning",
    "ImageEmbedding",
    "InferenceError",
    "LowResPrediction",
    "ModelInfo",
    "Prediction",
    "PromptPrediction",
    "SemanticPrediction",
    "UnknownModelError",
    "WeightsCorruptError",
    "WeightsError",
    "WeightsFormatError",
    "WeightsMismatchError",
    "WeightsNotFoundError",
    "WeightsUnsafeError",
    "WrongModelError",
    "find_weights",
    "get_model_info",
    "list_models",
    "load_model",
    "reuse_freed_memory",
    "torch_threads",
]
