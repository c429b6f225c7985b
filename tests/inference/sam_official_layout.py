"""Reference SAM / SAM 2.1 models built by Meta's packages, saved in the official file layouts.

The official SAM v1 files are flat state dicts; the SAM 2.1 files are {"model": state dict}.
The reference models here are built with the packages' own builders (random init, seeded) and
saved exactly that way, so our loader reads them like a downloaded file. Small sizes keep the
fast tests to seconds: a 64-wide, 2-block ViT for SAM v1 and an 8-wide, 5-block Hiera for
SAM 2.1; their prompt encoders and mask decoders are the full-size ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from inference.interactive.sam_v1 import SamArch

TINY_SAM = SamArch(embed_dim=64, depth=2, num_heads=2, global_attn_indexes=(1,))
# Hiera stages [1, 1, 2, 1]: blocks 1, 2 and 4 pool their queries and must stay windowed, so
# block 3 takes the global attention.
TINY_SAM2_OVERRIDES = (
    "++model.image_encoder.trunk.embed_dim=8",
    "++model.image_encoder.trunk.num_heads=1",
    "++model.image_encoder.trunk.stages=[1,1,2,1]",
    "++model.image_encoder.trunk.global_att_blocks=[3]",
    "++model.image_encoder.neck.backbone_channel_list=[64,32,16,8]",
    "++model.memory_attention.num_layers=1",
)
#: Non-square, so resizing to the long side, padding (SAM v1) and stretching (SAM 2.1) all matter.
IMAGE_SHAPE = (750, 1333, 3)

#: name -> prompt keywords (points as (x, y, label), box as (x0, y0, x1, y1)).
PROMPTS: dict[str, dict[str, Any]] = {
    "one_point": {"points": [(640, 300, 1)]},
    "negative_point": {"points": [(640, 300, 1), (200, 620, 0)]},
    "box": {"box": (150, 90, 1010, 640)},
    "box_and_points": {"box": (150, 90, 1010, 640), "points": [(500, 333, 1), (950, 120, 0)]},
    "fractional_point": {"points": [(0.25, 749.75, 1)]},
}


def make_image(seed: int = 0) -> np.ndarray:
    """A smooth RGB uint8 image of IMAGE_SHAPE (random blobs), so resizing is not trivial."""
    rng = np.random.default_rng(seed)
    h, w, _ = IMAGE_SHAPE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros(IMAGE_SHAPE, np.float32)
    for _ in range(12):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(40, 250)
        img += (
            rng.uniform(0, 255, 3)
            * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))[..., None]
        )
    img += rng.normal(0, 8, IMAGE_SHAPE)
    return np.clip(img, 0, 255).astype(np.uint8)


def reference_sam(arch: str | SamArch = TINY_SAM, seed: int = 0) -> Any:
    """segment_anything's Sam, randomly initialized with `seed`, in eval mode."""
    from segment_anything.build_sam import _build_sam, sam_model_registry

    torch.manual_seed(seed)
    if isinstance(arch, str):
        return sam_model_registry[arch](checkpoint=None).eval()
    return _build_sam(
        arch.embed_dim, arch.depth, arch.num_heads, list(arch.global_attn_indexes)
    ).eval()


def reference_sam2(overrides: tuple[str, ...] = TINY_SAM2_OVERRIDES, seed: int = 0) -> Any:
    """sam2's SAM2Base of the 2.1 tiny config (with `overrides`), randomly initialized."""
    from sam2.build_sam import build_sam2

    torch.manual_seed(seed)
    return build_sam2(
        "configs/sam2.1/sam2.1_hiera_t.yaml",
        None,
        device="cpu",
        hydra_overrides_extra=list(overrides),
    )


def save_sam_file(model: Any, path: Path) -> Path:
    """Save as the official SAM v1 files are: a flat state dict."""
    torch.save(model.state_dict(), path)
    return path


def save_sam2_file(model: Any, path: Path) -> Path:
    """Save as the official SAM 2.1 files are: {"model": state dict}."""
    torch.save({"model": model.state_dict()}, path)
    return path


def reference_predict(
    predictor: Any,
    prompt: dict[str, Any],
    multimask: bool,
    mask_input: Any = None,
    logits: bool = False,
) -> tuple:
    """Call SamPredictor / SAM2ImagePredictor.predict with a prompt of PROMPTS' form; returns
    (masks (K, H, W), scores (K,), low-res logits (K, 256, 256)) sorted best first as ours do;
    masks are bool, or the full-resolution float logits with `logits`."""
    points = prompt.get("points")
    coords = np.array([p[:2] for p in points], dtype=np.float64) if points else None
    labels = np.array([p[2] for p in points]) if points else None
    box = np.array(prompt["box"], dtype=np.float64) if prompt.get("box") is not None else None
    masks, scores, low = predictor.predict(
        point_coords=coords,
        point_labels=labels,
        box=box,
        mask_input=mask_input,
        multimask_output=multimask,
        return_logits=logits,
    )
    order = np.argsort(-scores, kind="stable")
    return (masks[order] if logits else masks[order].astype(bool)), scores[order], low[order]


def assert_masks_match(
    ours: np.ndarray, ref_logits: np.ndarray, ref_masks: np.ndarray, margin: float = 1e-3
) -> None:
    """Masks equal except at pixels whose reference logit lies within `margin` of the threshold
    (where a float32 rounding difference may flip them); at most 0.01 % of pixels may differ."""
    differ = ours != ref_masks
    assert not (differ & (np.abs(ref_logits) > margin)).any()
    assert differ.mean() <= 1e-4
