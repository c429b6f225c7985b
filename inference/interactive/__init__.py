"""Interactive (click-to-mask) models: Segment Anything v1 and SAM 2.1, without Qt.

    model = inference.load_model("sam_vit_b", weights=PATH, device="auto")
    emb = model.embed(rgb)                      # once per image; cache it (emb.nbytes, emb.save)
    low = model.predict_lowres(emb, points=[(x, y, 1)])   # per click, fast
    crop, (x0, y0) = low.mask(0)                # best mask, cropped to its box
    exact = model.predict_prompt(emb, points=[(x, y, 1)], box=None, mask_input=None)

Importing this package does not import torch: the model modules (`base`, `sam_v1`, `sam_v2`,
`fast_decoder`, `upsample`) do, and only the registry's builders import them.
"""

from __future__ import annotations

from inference.interactive.embedding import ImageEmbedding
from inference.interactive.types import LOW_RES, Frame, LowResPrediction, Prompt, PromptPrediction

__all__ = ["LOW_RES", "Frame", "ImageEmbedding", "LowResPrediction", "Prompt", "PromptPrediction"]
