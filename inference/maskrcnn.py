"""torchvision Mask R-CNN (v1 and v2) behind the `Predictor` interface, with masks pasted into crops.

torchvision's own postprocess pastes every 28x28 mask into a full-size image, which costs
N x H x W memory. Here the model's transform, backbone, RPN and RoI heads run as usual, but each
mask is pasted only into its own window with the same arithmetic as torchvision's
`paste_masks_in_image` (1-pixel zero padding of the 28x28 map, box expanded by 30/28 around its
centre and truncated to int64, bilinear resize to the expanded box's (h+1, w+1) size), so the
expanded result is identical to torchvision's output thresholded at > 0.5.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.image_list import ImageList

from inference.device import autocast, is_out_of_memory
from inference.errors import ClassCountError, DeviceFallbackWarning
from inference.predictor import Predictor, check_images, windows_to_numpy
from inference.types import Prediction, tight_crop
from inference.weights import (
    DownloadProgress,
    load_into_model,
    load_state_dict_file,
    resolve_weights,
)

#: Mask probabilities strictly above this become foreground.
MASK_THRESHOLD = 0.5
# torchvision pads the 28x28 mask by one zero pixel on each side before resizing.
_PASTE_PADDING = 1


def build_maskrcnn(
    variant: str, num_classes: int = 91, min_size: int = 800, max_size: int = 1333
) -> MaskRCNN:
    """A randomly initialized torchvision Mask R-CNN ResNet-50-FPN with the module layout of its
    COCO weights: 'v1' uses FrozenBatchNorm2d in the backbone (as torchvision does whenever it
    loads weights), 'v2' the BatchNorm layout of `maskrcnn_resnet50_fpn_v2`."""
    if variant == "v1":
        from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
        from torchvision.ops import FrozenBatchNorm2d

        backbone = resnet_fpn_backbone(
            backbone_name="resnet50", weights=None, norm_layer=FrozenBatchNorm2d, trainable_layers=3
        )
        return MaskRCNN(backbone, num_classes=num_classes, min_size=min_size, max_size=max_size)
    if variant == "v2":
        from torchvision.models.detection import maskrcnn_resnet50_fpn_v2

        return maskrcnn_resnet50_fpn_v2(
            weights=None, weights_backbone=None, num_classes=num_classes, min_size=min_size, max_size=max_size
        )
    raise ValueError(f"unknown Mask R-CNN variant {variant!r}")


def load_maskrcnn_weights(model: MaskRCNN, path: Path, variant: str) -> None:
    """Load a torchvision Mask R-CNN state dict from `path` into `model` (strict, checked keys).

    `num_batches_tracked` buffers are accepted whether or not the model has them. For 'v1' the
    frozen BatchNorm eps is set to 0.0, the value the official COCO_V1 weights were trained with.
    """
    state = load_state_dict_file(path, map_location="cpu")
    own = model.state_dict()
    state = {k: v for k, v in state.items() if k in own or not k.endswith("num_batches_tracked")}
    cls_key = "roi_heads.box_predictor.cls_score.weight"
    if cls_key in state and cls_key in own and state[cls_key].shape[0] != own[cls_key].shape[0]:
        raise ClassCountError(
            f"{path.name} was trained for {state[cls_key].shape[0]} classes (with background), "
            f"but this model expects {own[cls_key].shape[0]}."
        )
    load_into_model(model, state, "maskrcnn", path.name)
    if variant == "v1":
        from torchvision.ops import FrozenBatchNorm2d

        for module in model.modules():
            if isinstance(module, FrozenBatchNorm2d):
                module.eps = 0.0


def paste_masks_in_windows(
    masks: torch.Tensor, boxes: torch.Tensor, image_size: tuple[int, int]
) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """Paste soft masks into per-instance windows, thresholded at > MASK_THRESHOLD.

    masks: float (N, 1, M, M) probabilities; boxes: float32 (N, 4) x1, y1, x2, y2 in
    original-image pixels; image_size: (H, W). Returns, per instance, a bool window and the
    (x0, y0) of its top-left pixel; the window is torchvision's paste region clipped to the image.
    """
    n = masks.shape[0]
    if n == 0:
        return []
    m = masks.shape[-1]
    padded = F.pad(masks.float(), (_PASTE_PADDING,) * 4)
    scale = float(m + 2 * _PASTE_PADDING) / m
    # Same float32 ops, in the same order, as torchvision's expand_boxes, so int truncation agrees.
    w_half = (boxes[:, 2] - boxes[:, 0]) * 0.5 * scale
    h_half = (boxes[:, 3] - boxes[:, 1]) * 0.5 * scale
    x_c = (boxes[:, 2] + boxes[:, 0]) * 0.5
    y_c = (boxes[:, 3] + boxes[:, 1]) * 0.5
    expanded = torch.stack((x_c - w_half, y_c - h_half, x_c + w_half, y_c + h_half), dim=1)
    int_boxes = expanded.to(torch.int64).tolist()
    im_h, im_w = image_size
    windows: list[torch.Tensor] = []
    origins: list[tuple[int, int]] = []
    for i, (bx0, by0, bx1, by1) in enumerate(int_boxes):
        w = max(bx1 - bx0 + 1, 1)
        h = max(by1 - by0 + 1, 1)
        x0, x1 = max(bx0, 0), min(bx1 + 1, im_w)
        y0, y1 = max(by0, 0), min(by1 + 1, im_h)
        if x1 <= x0 or y1 <= y0:
            windows.append(padded.new_zeros((0, 0), dtype=torch.bool))
            origins.append((min(max(x0, 0), im_w), min(max(y0, 0), im_h)))
            continue
        resized = F.interpolate(padded[i : i + 1], size=(h, w), mode="bilinear", align_corners=False)[0, 0]
        windows.append(resized[y0 - by0 : y1 - by0, x0 - bx0 : x1 - bx0] > MASK_THRESHOLD)
        origins.append((x0, y0))
    return list(zip(windows_to_numpy(windows), origins, strict=True))


def rescale_boxes(boxes: torch.Tensor, resized: tuple[int, int], original: tuple[int, int]) -> torch.Tensor:
    """Map (N, 4) xyxy boxes from the network's resized (h, w) frame back to the original (H, W),
    computing the ratios in float32 as torchvision's postprocess does."""
    ratio_h = torch.tensor(original[0], dtype=torch.float32, device=boxes.device) / torch.tensor(
        resized[0], dtype=torch.float32, device=boxes.device
    )
    ratio_w = torch.tensor(original[1], dtype=torch.float32, device=boxes.device) / torch.tensor(
        resized[1], dtype=torch.float32, device=boxes.device
    )
    x1, y1, x2, y2 = boxes.unbind(1)
    return torch.stack((x1 * ratio_w, y1 * ratio_h, x2 * ratio_w, y2 * ratio_h), dim=1)


class MaskRCNNPredictor(Predictor):
    """Any torchvision `MaskRCNN` as a Predictor. Label index k is reported as category id k
    (true for torchvision's COCO weights, and for models trained with labels = category ids)."""

    model: MaskRCNN

    def _configure(self, score_threshold: float, max_detections: int) -> None:
        # RoIHeads applies both limits itself (scores > thresh, then top-k after NMS).
        self.model.roi_heads.score_thresh = float(score_threshold)
        self.model.roi_heads.detections_per_img = int(max_detections)

    def _preprocess(self, batch: list[np.ndarray]) -> tuple[ImageList, list[tuple[int, int]]]:
        tensors = [
            # ascontiguousarray: views such as img[..., ::-1] (BGR->RGB) have negative strides.
            torch.from_numpy(np.ascontiguousarray(img)).to(self.device).permute(2, 0, 1).float().div_(255.0)
            for img in batch
        ]
        image_list, _ = self.model.transform(tensors)
        return image_list, [img.shape[:2] for img in batch]

    def _forward(self, inputs: tuple[ImageList, list[tuple[int, int]]]) -> list[dict[str, torch.Tensor]]:
        image_list, _ = inputs
        features = self.model.backbone(image_list.tensors)
        proposals, _ = self.model.rpn(image_list, features)
        detections, _ = self.model.roi_heads(features, proposals, image_list.image_sizes)
        return detections

    def _postprocess(
        self,
        outputs: list[dict[str, torch.Tensor]],
        inputs: tuple[ImageList, list[tuple[int, int]]],
        batch: list[np.ndarray],
        score_threshold: float,
        max_detections: int,
    ) -> list[Prediction]:
        image_list, original_sizes = inputs
        preds: list[Prediction] = []
        for det, resized, original in zip(outputs, image_list.image_sizes, original_sizes, strict=True):
            boxes = rescale_boxes(det["boxes"].float(), tuple(resized), original)
            windows = paste_masks_in_windows(det["masks"], boxes, original)
            boxes_np = boxes.cpu().numpy()
            crops = [tight_crop(win, x0, y0, boxes_np[i], original) for i, (win, (x0, y0)) in enumerate(windows)]
            preds.append(
                Prediction(
                    boxes=boxes_np,
                    scores=det["scores"].float().cpu().numpy(),
                    category_ids=det["labels"].cpu().numpy(),
                    masks=[c for c, _ in crops],
                    mask_offsets=np.array([o for _, o in crops], dtype=np.int64).reshape(-1, 2),
                    image_size=original,
                    model=self.name,
                )
            )
        return preds

    # ---- box prompts (Auto-Edit) ----------------------------------------------------------
    def masks_for_boxes(
        self,
        image: np.ndarray,
        boxes: np.ndarray | Sequence[Sequence[float]],
        category_ids: np.ndarray | Sequence[int] | None = None,
    ) -> Prediction:
        """Masks for user-drawn boxes: the RoI heads run on the given boxes instead of proposals.

        image: RGB uint8 (H, W, 3). boxes: float (K, 4) x1, y1, x2, y2 in image pixels (pixel
        corners, see inference.types); they are clipped to the image and each must keep a
        positive width and height. category_ids: optional (K,) dataset category ids (label k is
        category id k) forcing the mask channel; by default the box head's best non-background
        class is used. Returns a Prediction with one entry per box, in input order (not sorted):
        boxes are the clipped input boxes, scores the box head's softmax probability of the
        chosen class, masks pasted as torchvision does (so a mask may spill at most ~1 pixel past
        its box), thresholded at > MASK_THRESHOLD and cropped tight (possibly empty). The
        backbone runs once for all boxes. On CUDA out-of-memory the model moves to the CPU
        (DeviceFallbackWarning) and the call is retried there.
        """
        check_images([image])
        h, w = image.shape[:2]
        arr = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        if not np.isfinite(arr).all():
            raise ValueError("boxes must be finite")
        arr = np.clip(arr, 0.0, [w, h, w, h]).astype(np.float32)
        if ((arr[:, 2] <= arr[:, 0]) | (arr[:, 3] <= arr[:, 1])).any():
            raise ValueError("every box needs x2 > x1 and y2 > y1 inside the image")
        num_classes = int(self.model.roi_heads.box_predictor.cls_score.out_features)
        labels = None
        if category_ids is not None:
            labels = np.asarray(category_ids, dtype=np.int64).reshape(-1)
            if len(labels) != len(arr) or ((labels < 1) | (labels >= num_classes)).any():
                raise ValueError(f"category_ids must be {len(arr)} ids in 1..{num_classes - 1}")
        if len(arr) == 0:
            return Prediction.empty((h, w), self.name)
        try:
            return self._masks_for_boxes(image, arr, labels)
        except (torch.cuda.OutOfMemoryError, RuntimeError) as exc:
            if not is_out_of_memory(exc) or self.device.type == "cpu":
                raise
        message = f"{self.name}: the GPU ran out of memory; continuing on the CPU (slower)."
        warnings.warn(message, DeviceFallbackWarning, stacklevel=2)
        if self.on_fallback is not None:
            self.on_fallback(message)
        self.to("cpu")
        return self._masks_for_boxes(image, arr, labels)

    def _masks_for_boxes(self, image: np.ndarray, boxes: np.ndarray, labels: np.ndarray | None) -> Prediction:
        from torchvision.models.detection.transform import resize_boxes

        heads = self.model.roi_heads
        original = image.shape[:2]
        with torch.inference_mode():
            image_list, _ = self._preprocess([image])
            resized = tuple(image_list.image_sizes[0])
            user_boxes = torch.from_numpy(boxes).to(self.device)
            # The same float32 ratios as GeneralizedRCNNTransform uses for training targets.
            net_boxes = [resize_boxes(user_boxes, original, resized)]
            with autocast(self.device, self.fp16):
                features = self.model.backbone(image_list.tensors)
                box_features = heads.box_head(heads.box_roi_pool(features, net_boxes, image_list.image_sizes))
                class_logits, _ = heads.box_predictor(box_features)
                probs = F.softmax(class_logits.float(), dim=-1)
                if labels is None:
                    chosen = probs[:, 1:].argmax(dim=1) + 1  # 0 is background
                else:
                    chosen = torch.from_numpy(labels).to(self.device)
                rows = torch.arange(len(chosen), device=self.device)
                scores = probs[rows, chosen]
                mask_features = heads.mask_head(heads.mask_roi_pool(features, net_boxes, image_list.image_sizes))
                mask_logits = heads.mask_predictor(mask_features)
            mask_probs = mask_logits[rows, chosen].float().sigmoid()[:, None]
            # Paste with the user's own (clipped) boxes, not a resized round trip of them.
            windows = paste_masks_in_windows(mask_probs, user_boxes, original)
        crops = [tight_crop(win, x0, y0, boxes[i], original) for i, (win, (x0, y0)) in enumerate(windows)]
        return Prediction(
            boxes=boxes,
            scores=scores.cpu().numpy(),
            category_ids=chosen.cpu().numpy(),
            masks=[c for c, _ in crops],
            mask_offsets=np.array([o for _, o in crops], dtype=np.int64).reshape(-1, 2),
            image_size=original,
            model=self.name,
        )


def load_maskrcnn(
    name: str,
    variant: str,
    categories: Sequence[tuple[int, str]],
    weights_files: Sequence[str],
    download_url: str | None,
    weights: str | Path | None = None,
    device: torch.device | None = None,
    random_init: bool = False,
    min_size: int = 800,
    max_size: int = 1333,
    batch_size: int = 1,
    fp16: bool = True,
    download: bool = False,
    download_progress: DownloadProgress | None = None,
    on_fallback: Callable[[str], None] | None = None,
) -> MaskRCNNPredictor:
    """Build a COCO Mask R-CNN predictor; see `inference.load_model` for the options."""
    path = None
    if not (random_init and weights is None):
        path = resolve_weights(name, weights_files, weights, download_url, download, download_progress)
    model = build_maskrcnn(variant, num_classes=91, min_size=min_size, max_size=max_size)
    if path is not None:
        load_maskrcnn_weights(model, path, variant)
    return MaskRCNNPredictor(
        name, model, device or torch.device("cpu"), categories, batch_size, fp16, on_fallback
    )
