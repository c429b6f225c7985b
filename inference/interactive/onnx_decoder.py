"""The fast mask decoder run by ONNX Runtime on the CPU: ~25 % faster per click than torch.

Why: on the 2-core benchmark CPU a click's decoder took ~47 ms in torch (`fast_decoder`) and
~35 ms in ONNX Runtime, which fuses the element-wise work (GELU, layer norms, softmax over the
few prompt tokens) into the matrix products; the click-to-repainted-mask budget is 60 ms.

The graph is `FastMaskDecoder.predict_masks`, traced from the weights already loaded (no file is
read: the serialized graph lives in memory and holds the re-laid-out weights), with the number
of prompt tokens left dynamic. Exporting takes ~2 s, so `InteractiveModel.warm_decoder` does it
in the encoder's thread; until then clicks use torch. Sessions are made per thread count, so a
click during a background encoding runs on one thread as the torch path does (prompts.py).
Results equal the torch graph's to float32 rounding (~1e-6 on logits).
"""

from __future__ import annotations

import io
import os
import warnings
from typing import Any

import numpy as np
import torch

from inference.interactive.fast_decoder import FastMaskDecoder


def available() -> bool:
    """ONNX Runtime and onnx (torch.onnx's exporter needs it) are installed."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def wanted() -> bool:
    """Use it: installed, and not turned off with MASKPILOT_DECODER=torch (troubleshooting)."""
    return os.environ.get("MASKPILOT_DECODER", "auto").lower() != "torch" and available()


class _Graph(torch.nn.Module):
    """FastMaskDecoder.predict_masks as a module, for the tracer."""

    def __init__(self, fast: FastMaskDecoder) -> None:
        super().__init__()
        self.fast = fast

    def forward(self, tokens: torch.Tensor, sparse: torch.Tensor, dense: torch.Tensor, *high_res: torch.Tensor):
        return self.fast.predict_masks(tokens, sparse, dense, tuple(high_res) if high_res else None)


class OnnxDecoder:
    """`FastMaskDecoder.predict_masks` (same arguments, torch tensors in and out) in ONNX Runtime.

    `fast`'s modules must not require grad (the tracer keeps weights as constants);
    `high_res`: the model is SAM 2.1 (two more inputs, from `high_res_terms`)."""

    def __init__(self, fast: FastMaskDecoder, high_res: bool) -> None:
        self.inputs = ["tokens", "sparse", "dense"] + (["high_res0", "high_res1"] if high_res else [])
        self.model_bytes = _export(fast, high_res)
        self._sessions: dict[int, Any] = {}
        for threads in {1, torch.get_num_threads()}:  # both made now, not on a click
            self._session(threads)

    def predict_masks(
        self, tokens: torch.Tensor, sparse: torch.Tensor, dense: torch.Tensor,
        high_res: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
        arrays = [tokens, sparse, dense, *(high_res or ())]
        feed = {n: np.ascontiguousarray(a.detach().float().cpu().numpy()) for n, a in zip(self.inputs, arrays)}
        masks, iou = self._session(torch.get_num_threads()).run(None, feed)
        return torch.from_numpy(masks), torch.from_numpy(iou)

    def _session(self, threads: int) -> Any:
        session = self._sessions.get(threads)
        if session is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, threads)
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            # Idle pool threads would otherwise spin after each click, taking CPU from the
            # encoder and the GUI.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = ort.InferenceSession(self.model_bytes, options, providers=["CPUExecutionProvider"])
            self._sessions[threads] = session
        return session


def _export(fast: FastMaskDecoder, high_res: bool) -> bytes:
    """The serialized ONNX graph of `fast` (traced on dummy inputs of the right shapes)."""
    h, w = fast.grid
    dim = fast.pe_tokens.shape[1]
    args = [torch.zeros(h * w, dim), torch.zeros(1, 3, dim), torch.zeros(1, dim, h, w)]
    names = ["tokens", "sparse", "dense"]
    if high_res:
        c0 = fast.w2.shape[1] // 4
        c1 = fast.w1.shape[1] // 4
        args += list(fast.high_res_terms(torch.zeros(1, c0, 4 * h, 4 * w), torch.zeros(1, c1, 2 * h, 2 * w)))
        names += ["high_res0", "high_res1"]
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about Python ints in shapes: expected
        torch.onnx.export(
            _Graph(fast), tuple(args), buffer, input_names=names, output_names=["masks", "iou"],
            dynamic_axes={"sparse": {1: "tokens"}}, opset_version=17, dynamo=False,
        )  # fmt: skip
    return buffer.getvalue()
