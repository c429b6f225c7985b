"""SAM 2.1 (Hiera tiny/small/base+/large) through Meta's `sam2` package (1.1.0), images only.

The architecture comes from the package's own `build_sam2` with its packaged hydra config
(`configs/sam2.1/sam2.1_hiera_*.yaml`) and `ckpt_path=None`, so the builder never opens a file
and the model gets exactly the settings `build_sam2` users get (dynamic multimask fallback
included). The weights are read here with `weights.load_state_dict_file` (SAM 2 files hold the
state dict under "model") and checked before the model is built. The memory modules for video
are built and loaded too (the official files hold them) but never run.

Embedding and prompts reuse the package's `SAM2Transforms`, `forward_image`, prompt encoder and
mask decoder in the order `SAM2ImagePredictor` calls them, with its defaults (mask threshold 0,
no hole filling or sprinkle removal, so the CUDA extension is never needed).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from inference.errors import WrongModelError
from inference.interactive.base import InteractiveModel, frame_of
from inference.interactive.embedding import ImageEmbedding
from inference.interactive.loading import load_interactive
from inference.interactive.types import Prompt
from inference.weights import check_family, load_state_dict_file

#: Packaged config of each size (hydra config names inside the `sam2` package).
CONFIGS = {
    "tiny": "configs/sam2.1/sam2.1_hiera_t.yaml",
    "small": "configs/sam2.1/sam2.1_hiera_s.yaml",
    "base_plus": "configs/sam2.1/sam2.1_hiera_b+.yaml",
    "large": "configs/sam2.1/sam2.1_hiera_l.yaml",
}
#: (trunk width, trunk blocks) of each size, to name the size a file really holds.
SIGNATURES = {(96, 12): "tiny", (96, 16): "small", (112, 24): "base_plus", (144, 48): "large"}
_PATCH_KEY = "image_encoder.trunk.patch_embed.proj.weight"
# Present only in SAM 2.1 files (SAM 2.0 lacks the spatial no-object embedding).
_SAM21_KEY = "no_obj_embed_spatial"


def build_sam2_module(variant: str, overrides: Sequence[str] = ()) -> Any:
    """A randomly initialized `SAM2Base` of `variant` (a key of CONFIGS), built on the CPU by
    `sam2.build_sam.build_sam2` without a checkpoint. `overrides` are extra hydra overrides
    ("++model.image_encoder.trunk.embed_dim=8", ...), e.g. for small test models."""
    from sam2.build_sam import build_sam2

    return build_sam2(
        CONFIGS[variant],
        ckpt_path=None,
        device="cpu",
        mode="eval",
        hydra_overrides_extra=list(overrides),
    )


def _signature(state: dict[str, torch.Tensor]) -> tuple[int, int] | None:
    width = state.get(_PATCH_KEY)
    if width is None:
        return None
    blocks = {k.split(".")[3] for k in state if k.startswith("image_encoder.trunk.blocks.")}
    return int(width.shape[0]), len(blocks)


def read_sam2_weights(path: Path, variant: str | None) -> dict[str, torch.Tensor]:
    """The state dict of a SAM 2.1 file ({"model": state dict}, or a flat one), checked before
    any model is built: SAM 2 family, version 2.1, and (unless `variant` is None) the size.
    Raises the `WeightsError`s of `load_state_dict_file`, WrongModelError or WeightsMismatchError."""
    state = load_state_dict_file(path, map_location="cpu", unwrap=("model",))
    check_family(state, "sam2", path.name)
    if _SAM21_KEY not in state:
        raise WrongModelError(
            f"{path.name} holds SAM 2.0 weights; this model needs SAM 2.1 weights (sam2.1_hiera_*.pt)."
        )
    sig = _signature(state)
    expected = next((s for s, v in SIGNATURES.items() if v == variant), None)
    if variant is not None and sig is not None and sig != expected:
        found = SIGNATURES.get(sig)
        what = f"SAM 2.1 {found}" if found else f"SAM 2.1 (Hiera width {sig[0]}, {sig[1]} blocks)"
        raise WrongModelError(f"{path.name} holds {what} weights, not SAM 2.1 {variant} weights.")
    return state


class Sam2Model(InteractiveModel):
    """SAM 2.1 as an `InteractiveModel`; outputs equal `sam2.SAM2ImagePredictor`'s."""

    family = "sam2"
    low_res_clip = 32.0

    def __init__(
        self,
        name: str,
        module: Any,
        device: torch.device,
        fp16: bool = True,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        from sam2.utils.transforms import SAM2Transforms

        # SAM2ImagePredictor's defaults: threshold 0, no hole filling, no sprinkle removal.
        with warnings.catch_warnings():
            # It scripts its resize with torch.jit.script, which torch >= 2.10 deprecates.
            warnings.filterwarnings("ignore", "`torch.jit.script` is deprecated", FutureWarning)
            self.transforms = SAM2Transforms(resolution=module.image_size, mask_threshold=0.0)
        super().__init__(name, module, device, fp16, on_fallback)

    def _prompt_encoder(self) -> Any:
        return self.module.sam_prompt_encoder

    def _mask_decoder(self) -> Any:
        return self.module.sam_mask_decoder

    def _embed(self, image: np.ndarray) -> ImageEmbedding:
        model = self.module
        with self._context():
            batch = self.transforms(image)[None].to(self.device)  # (1, 3, 1024, 1024), stretched
            _, feats, _, sizes = model._prepare_backbone_features(model.forward_image(batch))
            if model.directly_add_no_mem_embed:
                # what the video model adds to a frame with no memory; the image predictor too
                feats[-1] = feats[-1] + model.no_mem_embed
            maps = [
                f.permute(1, 2, 0).reshape(1, -1, *s).float()
                for f, s in zip(feats, sizes, strict=True)
            ]
        frame = frame_of(image.shape[:2], batch.shape[-2:], model.image_size, stretched=True)
        features = {"high_res_feat0": maps[0], "high_res_feat1": maps[1], "image_embed": maps[2]}
        return ImageEmbedding(self.name, frame, features)

    def _encode_prompt(
        self, emb: ImageEmbedding, prompt: Prompt
    ) -> tuple[torch.Tensor, torch.Tensor]:
        size = emb.image_size
        points = masks = None
        if len(prompt.points):
            coords = torch.as_tensor(prompt.points, dtype=torch.float, device=self.device)
            coords = self.transforms.transform_coords(coords, normalize=True, orig_hw=size)[None]
            points = (
                coords,
                torch.as_tensor(prompt.labels, dtype=torch.int, device=self.device)[None],
            )
        if prompt.box is not None:
            # A box is two corner points labelled 2 and 3, placed before the clicks.
            box = torch.as_tensor(prompt.box, dtype=torch.float, device=self.device)
            corners = self.transforms.transform_boxes(
                box, normalize=True, orig_hw=size
            )  # (1, 2, 2)
            corner_labels = torch.tensor([[2, 3]], dtype=torch.int, device=self.device)
            if points is None:
                points = (corners, corner_labels)
            else:
                points = (
                    torch.cat([corners, points[0]], dim=1),
                    torch.cat([corner_labels, points[1]], dim=1),
                )
        if prompt.mask_input is not None:
            masks = torch.as_tensor(prompt.mask_input, dtype=torch.float, device=self.device)[None]
        return self.module.sam_prompt_encoder(points=points, boxes=None, masks=masks)

    def _decode_exact(
        self, emb: ImageEmbedding, sparse: torch.Tensor, dense: torch.Tensor, multimask: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        low, iou, _, _ = self.module.sam_mask_decoder(
            image_embeddings=emb.features["image_embed"],
            image_pe=self.module.sam_prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
            repeat_image=False,
            high_res_features=[emb.features["high_res_feat0"], emb.features["high_res_feat1"]],
        )
        return low, iou

    def _postprocess(self, low: torch.Tensor, emb: ImageEmbedding) -> torch.Tensor:
        return self.transforms.postprocess_masks(low, emb.image_size)

    def _fast_high_res(self, emb: ImageEmbedding) -> tuple[torch.Tensor, torch.Tensor] | None:
        if "high_res" not in emb.derived:
            feats = emb.features
            emb.derived["high_res"] = self._fast_decoder().high_res_terms(
                feats["high_res_feat0"], feats["high_res_feat1"]
            )
        return emb.derived["high_res"]


def load_sam2(name: str, variant: str, weights_files: Sequence[str], download_url: str | None, **options: Any) -> Sam2Model:
    """Build SAM 2.1 `variant` with its weights; see `inference.load_model` for the options."""
    return load_interactive(Sam2Model, "sam2", read_sam2_weights, build_sam2_module, name, variant, weights_files, download_url, **options)
