"""What SAM v1 and SAM 2.1 share: embedding once, answering prompts, device and fallback.

Two ways to answer a prompt:
- `predict_prompt`: the reference predictors' computation, op for op (prompt encoder, mask
  decoder, upsampling of every candidate to the whole image), so masks and scores equal
  `SamPredictor.predict` / `SAM2ImagePredictor.predict`. About 200 ms per click on a 4000 x 3000
  image on two CPU cores.
- `predict_lowres`: the fast path for interactive use. The decoder runs in the cheaper order of
  `fast_decoder` (or the reference order with `exact=True`) and nothing is upsampled: the
  caller asks the returned `LowResPrediction` for the tight crop of the mask it wants
  (`.mask(k)`), optionally limited to the visible region.
Both return candidates best first (by predicted IoU).
"""

from __future__ import annotations

import contextlib
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from inference.device import is_out_of_memory
from inference.errors import DeviceFallbackWarning
from inference.interactive import onnx_decoder
from inference.interactive.embedding import ImageEmbedding
from inference.interactive.fast_decoder import FastMaskDecoder, select_outputs
from inference.interactive.types import Frame, LowResPrediction, Prompt, PromptPrediction
from inference.interactive.upsample import mask_to_logits
from inference.predictor import check_images


class InteractiveModel(ABC):
    """A promptable segmentation model: `embed` an image once, then answer prompts on it.

    Attributes: `name` (registry name), `family` ("sam" or "sam2"), `device`, `module` (the
    package's torch module), `fp16` (on CUDA, run under bfloat16 autocast where the GPU has it).
    Use one model from one thread at a time (it and its embeddings keep lazily built caches).
    """

    family: str = ""
    #: SAM 2.1 clips the low-res logits it returns (and takes back as mask input) to +-32.
    low_res_clip: float | None = None

    def __init__(
        self,
        name: str,
        module: torch.nn.Module,
        device: torch.device,
        fp16: bool = True,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        # Never trained here; weights that need no grad can also be traced as constants.
        self.module = module.eval().requires_grad_(False)
        self.fp16 = fp16
        self.on_fallback = on_fallback
        self.to(device)

    def to(self, device: str | torch.device) -> InteractiveModel:
        """Move the model to `device` and use it from now on (also call it after changing the
        module's weights: the fast decoder keeps re-laid-out copies of some of them)."""
        self.device = torch.device(device)
        self.module.to(self.device)
        self._fast: FastMaskDecoder | None = None  # built on the first fast prediction
        self._onnx: onnx_decoder.OnnxDecoder | None = None  # built by warm_decoder
        return self

    def warm_decoder(self) -> None:
        """Prepare the fast decoder now, so that the first click does not wait for it: on the
        CPU, with ONNX Runtime installed, its ONNX graph (~2 s to export; until it is ready,
        clicks use the torch decoder). Call it from a worker thread, e.g. after `embed`."""
        fast = self._fast_decoder()
        if self._onnx is None and self.device.type == "cpu" and onnx_decoder.wanted():
            try:
                self._onnx = onnx_decoder.OnnxDecoder(fast, high_res=self.family == "sam2")
            except Exception as exc:  # noqa: BLE001 - any exporter failure: torch still works
                warnings.warn(f"{self.name}: the ONNX decoder is unavailable ({exc}); using torch", stacklevel=2)

    # ---- public API -----------------------------------------------------------------------------
    def embed(self, image: np.ndarray) -> ImageEmbedding:
        """Run the image encoder on an RGB uint8 (H, W, 3) image; the result is reused by every
        prompt on that image. The slow part: on the 2-core benchmark CPU ~25 s for ViT-B and
        ~7 s for SAM 2.1 tiny (bench/bench_interactive_models.py). One forward pass, so it
        cannot be cancelled half-way; call it from a worker thread."""
        check_images([image])
        return self._with_fallback(lambda: self._embed(image))

    def predict_prompt(
        self,
        embedding: ImageEmbedding,
        points: object = None,
        box: object = None,
        mask_input: object = None,
        multimask: bool = True,
    ) -> PromptPrediction:
        """Full-resolution masks for a prompt, exactly as the reference predictor computes them.

        points: (x, y, label) triples in image pixels (label 1 positive, 0 negative); box:
        (x0, y0, x1, y1) or None; mask_input: (1, 256, 256) logits of a previous prediction
        (`.mask_input(k)`) or of `mask_input_from_mask`, or None. multimask: three candidates
        (best for a single click) instead of one. See `types` for the coordinate convention.
        """
        prompt, emb = self._check(embedding, points, box, mask_input)

        def run() -> tuple[torch.Tensor, ...]:
            with self._context():
                feats = emb.to(self.device)
                sparse, dense = self._encode_prompt(feats, prompt)
                low, iou = self._decode_exact(feats, sparse, dense, multimask)
                masks = self._postprocess(low, feats) > 0.0
                if self.low_res_clip is not None:
                    low = torch.clamp(low, -self.low_res_clip, self.low_res_clip)
                return masks[0], iou[0], low[0]

        masks, iou, low = self._with_fallback(run)
        order = _best_first(iou)
        return PromptPrediction(
            masks=masks.cpu().numpy()[order],
            scores=iou.float().cpu().numpy()[order],
            low_res_logits=low.float().cpu().numpy()[order],
            image_size=emb.image_size,
            model=self.name,
        )

    def predict_lowres(
        self,
        embedding: ImageEmbedding,
        points: object = None,
        box: object = None,
        mask_input: object = None,
        multimask: bool = True,
        exact: bool = False,
    ) -> LowResPrediction:
        """Low-res logits and scores for a prompt (arguments as `predict_prompt`), best first;
        get masks from the result (`.mask(k)`, `.region_mask`, `.full_mask`). `exact=True`
        runs the reference decoder instead of the faster equivalent."""
        prompt, emb = self._check(embedding, points, box, mask_input)

        def run() -> tuple[torch.Tensor, torch.Tensor]:
            with self._context():
                feats = emb.to(self.device)
                sparse, dense = self._encode_prompt(feats, prompt)
                if exact:
                    low, iou = self._decode_exact(feats, sparse, dense, multimask)
                else:
                    low, iou = self._decode_fast(feats, sparse, dense, multimask)
                return low[0], iou[0]

        low, iou = self._with_fallback(run)
        order = _best_first(iou)
        return LowResPrediction(
            logits=low.float().cpu().numpy()[order],
            scores=iou.float().cpu().numpy()[order],
            frame=emb.frame,
            model=self.name,
            input_clip=self.low_res_clip,
        )

    def embedding_from_arrays(self, arrays: Any) -> ImageEmbedding:
        """`ImageEmbedding.from_arrays` with the features on this model's device; raises
        ValueError when the arrays are not an embedding of this model."""
        emb = ImageEmbedding.from_arrays(arrays, self.device)
        if emb.model != self.name:
            raise ValueError(f"these arrays hold an embedding of {emb.model}, not of {self.name}")
        return emb

    def mask_input_from_mask(self, embedding: ImageEmbedding, mask: np.ndarray) -> np.ndarray:
        """A bool (H, W) mask of the embedded image as a float32 (1, 256, 256) `mask_input`,
        e.g. to refine an existing instance with more clicks."""
        return mask_to_logits(mask, embedding.frame)

    # ---- shared machinery -----------------------------------------------------------------------
    def _check(
        self, emb: ImageEmbedding, points: object, box: object, mask_input: object
    ) -> tuple[Prompt, ImageEmbedding]:
        if emb.model != self.name:
            raise ValueError(f"this embedding was computed by {emb.model}, not {self.name}")
        return Prompt.make(points, box, mask_input), emb

    @contextlib.contextmanager
    def _context(self) -> Iterator[None]:
        """inference_mode, plus bfloat16 autocast on CUDA GPUs that support it (SAM 2's own
        demos run in bf16; bf16 keeps float32's range). GPUs without bf16 run in float32:
        float16's range is not known to be safe for these encoders."""
        with torch.inference_mode():
            if self.fp16 and self.device.type == "cuda" and torch.cuda.is_bf16_supported():
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    yield
            else:
                yield

    def _with_fallback(self, fn: Callable[[], Any]) -> Any:
        """Run `fn`; on a GPU out-of-memory error move to the CPU, warn, and run it again."""
        try:
            return fn()
        except RuntimeError as exc:  # torch.cuda.OutOfMemoryError is a RuntimeError
            if not is_out_of_memory(exc) or self.device.type == "cpu":
                raise
            failed = self.device
        message = f"{self.name}: the {failed.type.upper()} device ran out of memory; continuing on the CPU (slower)."
        warnings.warn(message, DeviceFallbackWarning, stacklevel=3)
        if self.on_fallback is not None:
            self.on_fallback(message)
        if failed.type == "cuda":
            torch.cuda.empty_cache()
        self.to("cpu")
        return fn()

    def _decode_fast(
        self, emb: ImageEmbedding, sparse: torch.Tensor, dense: torch.Tensor, multimask: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if "tokens" not in emb.derived:
            # (N, E) channels-last copy of the image embedding, made once per image.
            emb.derived["tokens"] = emb.features["image_embed"][0].flatten(1).T.contiguous()
        fast = self._fast_decoder()
        # The ONNX graph only on the CPU and in float32 (it was traced so).
        onnx = self._onnx if emb.device.type == "cpu" and not torch.is_autocast_enabled() else None
        masks, iou = (onnx or fast).predict_masks(
            emb.derived["tokens"], sparse, dense, self._fast_high_res(emb)
        )
        return select_outputs(self._mask_decoder(), masks, iou, multimask)

    def _fast_decoder(self) -> FastMaskDecoder:
        fast = self._fast
        if fast is None:
            fast = self._fast = FastMaskDecoder(self._mask_decoder(), self._prompt_encoder())
        return fast

    def _fast_high_res(self, emb: ImageEmbedding) -> tuple[torch.Tensor, torch.Tensor] | None:
        """High-resolution features in the fast decoder's layout (SAM 2.1 only)."""
        return None

    # ---- per family -----------------------------------------------------------------------------
    @abstractmethod
    def _prompt_encoder(self) -> Any:
        """The package's PromptEncoder module."""

    @abstractmethod
    def _mask_decoder(self) -> Any:
        """The package's MaskDecoder module."""

    @abstractmethod
    def _embed(self, image: np.ndarray) -> ImageEmbedding:
        """The reference predictor's `set_image`, returning the features instead of keeping them."""

    @abstractmethod
    def _encode_prompt(
        self, emb: ImageEmbedding, prompt: Prompt
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Sparse (1, T, E) and dense (1, E, 64, 64) prompt embeddings, as the reference does."""

    @abstractmethod
    def _decode_exact(
        self, emb: ImageEmbedding, sparse: torch.Tensor, dense: torch.Tensor, multimask: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The reference mask decoder call: low-res logits (1, K, 256, 256), IoU (1, K)."""

    @abstractmethod
    def _postprocess(self, low: torch.Tensor, emb: ImageEmbedding) -> torch.Tensor:
        """The reference upsampling of low-res logits to (1, K, H, W) logits."""


def frame_of(
    image_size: tuple[int, int], input_size: tuple[int, int], frame_size: int, stretched: bool
) -> Frame:
    """A `Frame` from plain ints (helper for the family modules)."""
    return Frame(
        (int(image_size[0]), int(image_size[1])),
        (int(input_size[0]), int(input_size[1])),
        int(frame_size),
        stretched,
    )


def _best_first(iou: torch.Tensor) -> np.ndarray:
    """Indices sorting the (K,) scores descending; ties keep the decoder's order."""
    return np.argsort(-iou.float().cpu().numpy(), kind="stable")
