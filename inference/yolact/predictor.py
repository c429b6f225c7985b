"""YOLACT behind the `Predictor` interface.

Preprocessing follows the reference GPU path: the RGB 0-255 float image is stretched to a
input_size x input_size square (bilinear, align_corners=False, aspect ratio not kept), then
normalized with the config's RGB mean/std (ResNet) or divided by 255 (DarkNet).
Reported boxes are integer-valued like the reference's (scaled, clamped, truncated).
YOLACT++ scores are class score x predicted mask IoU, as the reference displays them; the score
threshold drops detections by class score first (as the reference does) and then by that product.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from inference.categories import COCO_CATEGORIES, COCO_CONTIGUOUS_TO_ID
from inference.predictor import Predictor, windows_to_numpy
from inference.types import Prediction, tight_crop
from inference.weights import DownloadProgress, resolve_weights
from inference.yolact.anchors import feature_map_sizes, make_priors
from inference.yolact.checkpoint import load_yolact_file
from inference.yolact.config import CONFIGS, YolactConfig, config_name_from_filename
from inference.yolact.model import FastMaskIoUNet, Yolact, YolactOutput
from inference.yolact.postprocess import (
    Detections,
    SoftMasks,
    assemble_masks,
    cropped_soft_masks,
    detect,
    image_boxes,
    rescore,
)


class YolactPredictor(Predictor):
    """Runs a `Yolact`; `class_to_category[c]` is the category id of foreground class index c."""

    model: Yolact

    def __init__(
        self,
        name: str,
        model: Yolact,
        device: torch.device,
        categories: Sequence[tuple[int, str]],
        class_to_category: Sequence[int],
        batch_size: int = 1,
        fp16: bool = True,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(name, model, device, categories, batch_size, fp16, on_fallback)
        self.cfg = model.cfg
        if len(class_to_category) != self.cfg.num_classes - 1:
            raise ValueError(f"{len(class_to_category)} category ids for {self.cfg.num_classes - 1} classes")
        self.class_to_category = np.asarray(class_to_category, dtype=np.int64)
        self._priors: dict[tuple[str, tuple[tuple[int, int], ...]], torch.Tensor] = {}

    def _preprocess(self, batch: list[np.ndarray]) -> torch.Tensor:
        size = self.cfg.input_size
        resized = [
            F.interpolate(
                torch.from_numpy(np.ascontiguousarray(img)).to(self.device).permute(2, 0, 1)[None].float(),
                size=(size, size), mode="bilinear", align_corners=False,
            )
            for img in batch
        ]  # fmt: skip
        x = torch.cat(resized)
        if self.cfg.mean is None or self.cfg.std is None:
            return x / 255.0
        mean = torch.tensor(self.cfg.mean, device=self.device).view(1, 3, 1, 1)
        std = torch.tensor(self.cfg.std, device=self.device).view(1, 3, 1, 1)
        return (x - mean) / std

    def _forward(self, inputs: torch.Tensor) -> YolactOutput:
        return self.model(inputs)

    def priors(self, level_sizes: list[tuple[int, int]]) -> torch.Tensor:
        """(P, 4) priors for these prediction-level sizes on the current device (cached)."""
        key = (str(self.device), tuple(level_sizes))
        if key not in self._priors:
            self._priors[key] = make_priors(level_sizes, self.cfg, self.device)
        return self._priors[key]

    def _postprocess(
        self,
        outputs: YolactOutput,
        inputs: torch.Tensor,
        batch: list[np.ndarray],
        score_threshold: float,
        max_detections: int,
    ) -> list[Prediction]:
        priors = self.priors(outputs.level_sizes)
        preds: list[Prediction] = []
        for b, img in enumerate(batch):
            image_size = (int(img.shape[0]), int(img.shape[1]))
            dets = detect(outputs.loc[b], outputs.conf[b], outputs.coeffs[b], priors, self.cfg, max_detections)
            keep = dets.scores > score_threshold
            dets = Detections(*(t[keep] for t in dets))
            soft = cropped_soft_masks(outputs.proto[b], dets)
            if self.model.maskiou_net is not None:
                dets, soft = self._rescored(dets, soft, score_threshold)
            placed = assemble_masks(outputs.proto[b], dets, image_size, soft)
            windows = windows_to_numpy([w for w, _ in placed])
            boxes = image_boxes(dets.boxes, image_size).cpu().numpy().astype(np.float32)
            crops = [
                tight_crop(win, x0, y0, boxes[i], image_size)
                for i, (win, (_, (x0, y0))) in enumerate(zip(windows, placed, strict=True))
            ]
            preds.append(
                Prediction(
                    boxes=boxes,
                    scores=dets.scores.cpu().numpy(),
                    category_ids=self.class_to_category[dets.classes.cpu().numpy()],
                    masks=[c for c, _ in crops],
                    mask_offsets=np.array([o for _, o in crops], dtype=np.int64).reshape(-1, 2),
                    image_size=image_size,
                    model=self.name,
                )
            )
        return preds

    def _rescored(self, dets: Detections, soft: SoftMasks, score_threshold: float) -> tuple[Detections, SoftMasks]:
        """YOLACT++: scores times the predicted mask IoU, then the threshold again and sorted."""
        assert self.model.maskiou_net is not None
        if not len(dets.scores):
            return dets, soft
        scores = rescore(dets.scores, dets.classes, self.model.maskiou_net(soft.masks[:, None]))
        order = torch.argsort(scores, descending=True)
        order = order[scores[order] > score_threshold]
        picked = order.tolist()
        dets = Detections(dets.boxes[order], dets.coeffs[order], dets.classes[order], scores[order])
        return dets, SoftMasks(soft.masks[order], [soft.cols[i] for i in picked], [soft.rows[i] for i in picked])


def choose_config(name: str, path: Path | None, config: str | None, input_size: int | None) -> YolactConfig:
    """The config to build: `config` if given, else the one named by the file (as the reference
    does), else the registry entry `name`; `input_size` overrides the square input side."""
    chosen = config or (config_name_from_filename(path) if path is not None else None) or name
    if chosen not in CONFIGS:
        raise ValueError(f"Unknown YOLACT config '{chosen}'. Known: {', '.join(CONFIGS)}")
    cfg = CONFIGS[chosen]
    if input_size:
        cfg = dataclasses.replace(cfg, input_size=input_size)
    # The mask-IoU net's unpadded convs need prototypes of FastMaskIoUNet.MIN_SIDE cells (input 249).
    if cfg.mask_iou and 2 * feature_map_sizes(cfg.input_size, cfg.backbone)[0] < FastMaskIoUNet.MIN_SIDE:
        raise ValueError(f"YOLACT++ needs an input size of at least 249 pixels (got {cfg.input_size}).")
    return cfg


def load_yolact(
    name: str,
    weights_files: Sequence[str],
    download_url: str | None,
    weights: str | Path | None = None,
    device: torch.device | None = None,
    random_init: bool = False,
    config: str | None = None,
    input_size: int | None = None,
    batch_size: int = 1,
    fp16: bool = True,
    download: bool = False,
    download_progress: DownloadProgress | None = None,
    on_fallback: Callable[[str], None] | None = None,
) -> YolactPredictor:
    """Build a COCO YOLACT predictor; see `inference.load_model` for the options."""
    path = None
    if not (random_init and weights is None):
        path = resolve_weights(name, weights_files, weights, download_url, download, download_progress)
    cfg = choose_config(name, path, config, input_size)
    model = Yolact(cfg)
    if path is not None:
        load_yolact_file(model, path)
    return YolactPredictor(
        cfg.name, model, device or torch.device("cpu"), COCO_CATEGORIES, COCO_CONTIGUOUS_TO_ID,
        batch_size, fp16, on_fallback,
    )  # fmt: skip
