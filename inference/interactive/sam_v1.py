"""Segment Anything (SAM v1, ViT-B/L/H) through Meta's `segment-anything` package (1.0).

The package builds the architecture (with `checkpoint=None`, so it never opens a file: its own
loader calls `torch.load` without `weights_only`); the weights are read here with
`weights.load_state_dict_file` and checked before the model is built, so a wrong file fails
at once. The official files are flat state dicts (`sam_vit_b_01ec64.pth`, ...).

Embedding and prompts reuse the package's `ResizeLongestSide`, `Sam.preprocess`, prompt encoder,
mask decoder and `Sam.postprocess_masks`, in the order `SamPredictor` calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from segment_anything.modeling import Sam
from segment_anything.utils.transforms import ResizeLongestSide

from inference.errors import WrongModelError
from inference.interactive.base import InteractiveModel, frame_of
from inference.interactive.embedding import ImageEmbedding
from inference.interactive.loading import load_interactive
from inference.interactive.types import Prompt
from inference.weights import check_family, load_state_dict_file


@dataclass(frozen=True)
class SamArch:
    """Image-encoder size of a SAM v1 model (its prompt encoder and decoder never change);
    for sizes other than the official three, e.g. small models in tests."""

    embed_dim: int
    depth: int
    num_heads: int
    global_attn_indexes: tuple[int, ...]


#: Width of the image encoder (`image_encoder.patch_embed.proj.weight` rows) of each official size.
WIDTHS = {"vit_b": 768, "vit_l": 1024, "vit_h": 1280}
_PATCH_KEY = "image_encoder.patch_embed.proj.weight"


def build_sam_module(arch: str | SamArch) -> Sam:
    """A randomly initialized SAM, built by the package without a checkpoint (so it never reads
    a file): an official size by name ("vit_b", "vit_l", "vit_h") or any `SamArch`."""
    # (`segment_anything.build_sam` is also the name of a function, hence the `from` import.)
    from segment_anything.build_sam import _build_sam, sam_model_registry

    if isinstance(arch, str):
        return sam_model_registry[arch](checkpoint=None)
    # _build_sam is the function behind the package's three public builders.
    return _build_sam(
        encoder_embed_dim=arch.embed_dim,
        encoder_depth=arch.depth,
        encoder_num_heads=arch.num_heads,
        encoder_global_attn_indexes=list(arch.global_attn_indexes),
        checkpoint=None,
    )


def read_sam_weights(path: Path, arch: str | SamArch) -> dict[str, torch.Tensor]:
    """The state dict of a SAM v1 file, checked to be SAM v1 of `arch`'s size before any model
    is built. Raises the `WeightsError`s of `load_state_dict_file`, WrongModelError (another
    family such as SAM 2, or another SAM size: the message names it) or WeightsMismatchError."""
    state = load_state_dict_file(path, map_location="cpu", unwrap=("model",))
    check_family(state, "sam", path.name)
    width = WIDTHS[arch] if isinstance(arch, str) else arch.embed_dim
    found = state.get(_PATCH_KEY)
    if found is not None and found.shape[0] != width:
        size = next((k for k, v in WIDTHS.items() if v == found.shape[0]), None)
        what = f"SAM {size.replace('_', '-').upper()}" if size else f"SAM (width {found.shape[0]})"
        raise WrongModelError(
            f"{path.name} holds {what} weights, not those of this model (width {width})."
        )
    return state


class SamModel(InteractiveModel):
    """SAM v1 as an `InteractiveModel`; outputs equal `segment_anything.SamPredictor`'s."""

    family = "sam"
    module: Sam

    def __init__(
        self,
        name: str,
        module: Sam,
        device: torch.device,
        fp16: bool = True,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        self.transform = ResizeLongestSide(module.image_encoder.img_size)
        super().__init__(name, module, device, fp16, on_fallback)

    def _prompt_encoder(self) -> Any:
        return self.module.prompt_encoder

    def _mask_decoder(self) -> Any:
        return self.module.mask_decoder

    def _embed(self, image: np.ndarray) -> ImageEmbedding:
        with self._context():
            resized = self.transform.apply_image(image)  # uint8, long side 1024 (PIL resize)
            tensor = (
                torch.as_tensor(resized, device=self.device).permute(2, 0, 1).contiguous()[None]
            )
            features = self.module.image_encoder(self.module.preprocess(tensor))
        frame = frame_of(
            image.shape[:2], tensor.shape[-2:], self.module.image_encoder.img_size, stretched=False
        )
        return ImageEmbedding(self.name, frame, {"image_embed": features.float()})

    def _encode_prompt(
        self, emb: ImageEmbedding, prompt: Prompt
    ) -> tuple[torch.Tensor, torch.Tensor]:
        size = emb.image_size
        points = boxes = masks = None
        if len(prompt.points):
            coords = self.transform.apply_coords(prompt.points, size)
            points = (
                torch.as_tensor(coords, dtype=torch.float, device=self.device)[None],
                torch.as_tensor(prompt.labels, dtype=torch.int, device=self.device)[None],
            )
        if prompt.box is not None:
            boxes = torch.as_tensor(
                self.transform.apply_boxes(prompt.box, size), dtype=torch.float, device=self.device
            )[None]
        if prompt.mask_input is not None:
            masks = torch.as_tensor(prompt.mask_input, dtype=torch.float, device=self.device)[None]
        return self.module.prompt_encoder(points=points, boxes=boxes, masks=masks)

    def _decode_exact(
        self, emb: ImageEmbedding, sparse: torch.Tensor, dense: torch.Tensor, multimask: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.module.mask_decoder(
            image_embeddings=emb.features["image_embed"],
            image_pe=self.module.prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
        )

    def _postprocess(self, low: torch.Tensor, emb: ImageEmbedding) -> torch.Tensor:
        return self.module.postprocess_masks(low, emb.frame.input_size, emb.image_size)


def load_sam(name: str, variant: str, weights_files: Sequence[str], download_url: str | None, **options: Any) -> SamModel:
    """Build SAM v1 `variant` with its weights; see `inference.load_model` for the options."""
    return load_interactive(SamModel, "sam", read_sam_weights, build_sam_module, name, variant, weights_files, download_url, **options)
