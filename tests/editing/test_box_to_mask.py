"""Auto-Edit: BoxToMaskTool (model request or GrabCut fallback) and box_mask_instance."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from app.ai.domain.box_prompt import box_mask_instance
from app.canvas.pointer import Buttons, PointerEvent
from app.core.document import Document
from app.core.geometry import RasterGeometry, mask_iou
from app.core.instance import InstanceState
from app.editing.commands import AddInstance
from app.editing.tools.box_to_mask import BoxToMaskTool
from tests.editing.test_fill_grabcut_tools import Harness, drag, object_image


def test_grabcut_fallback_creates_a_selected_instance(qtbot):
    img, truth = object_image()
    h = Harness(img)
    tool = BoxToMaskTool(h.context)
    assert tool.name == "auto_edit"
    drag(tool, (32.4, 22.7), (108.2, 78.9))
    assert len(h.doc) == 1 and h.stack.count() == 1
    inst = h.doc.instances[0]
    assert inst.category_id == 3 and inst.is_raster and inst.state is InstanceState.ACCEPTED
    assert mask_iou(inst.geometry, RasterGeometry.from_full(truth)) > 0.8
    assert inst.provenance == {"tool": "auto_edit", "method": "grabcut"}
    assert h.selection.ordered == (inst.id,)
    assert h.messages and "GrabCut" in h.messages[-1]
    h.stack.undo()
    assert len(h.doc) == 0


def test_model_request_taken_means_the_tool_adds_nothing(qtbot):
    img, _ = object_image()
    h = Harness(img)
    requests = []
    h.context.segment_box = lambda box: requests.append(box) or True
    tool = BoxToMaskTool(h.context)
    drag(tool, (32.4, 22.7), (108.2, 78.9))
    assert requests == [(32.0, 22.0, 109.0, 79.0)]
    assert all(isinstance(v, float) for v in requests[0])
    assert len(h.doc) == 0 and h.stack.count() == 0 and not tool.dragging


def test_model_declining_falls_back_to_grabcut(qtbot):
    img, truth = object_image()
    h = Harness(img)
    requests = []
    h.context.segment_box = lambda box: requests.append(box) and False
    drag(BoxToMaskTool(h.context), (30, 20), (110, 80))
    assert len(requests) == 1 and len(h.doc) == 1
    assert mask_iou(h.doc.instances[0].geometry, RasterGeometry.from_full(truth)) > 0.8


def test_stray_click_and_escape_send_nothing(qtbot):
    img, _ = object_image()
    h = Harness(img)
    requests = []
    h.context.segment_box = lambda box: requests.append(box) or True
    tool = BoxToMaskTool(h.context)
    drag(tool, (50, 50), (52, 52))  # under 4 px: a click
    tool.press(PointerEvent(30, 20, Buttons.LEFT, Buttons.LEFT))
    tool.move(PointerEvent(110, 80, buttons=Buttons.LEFT))
    assert tool.key("Escape")
    tool.release(PointerEvent(110, 80, Buttons.LEFT))
    assert requests == [] and len(h.doc) == 0


# ---- box_mask_instance ---------------------------------------------------------------------


def fake_prediction(masks, offsets, cats=(7,), scores=(0.8,), size=(50, 80)):
    return SimpleNamespace(
        scores=np.array(scores, np.float32), category_ids=np.array(cats), masks=masks,
        mask_offsets=np.array(offsets).reshape(-1, 2), image_size=size, model="maskrcnn_test",
    )  # fmt: skip


def test_box_mask_instance_fields_geometry_and_mapping():
    doc = Document("a.png", 80, 50)
    m = np.zeros((6, 5), bool)
    m[1:5, 1:4] = True  # not tight: the instance is
    pred = fake_prediction([m], [(10, 20)])
    inst = box_mask_instance(doc, pred, 3)
    assert inst.category_id == 3 and inst.source == "maskrcnn_test" and inst.state is InstanceState.ACCEPTED
    assert inst.score == pytest.approx(0.8) and inst.id not in doc
    assert inst.provenance == {"model": "maskrcnn_test", "score": pytest.approx(0.8), "prompt": "box", "model_category": 7}
    assert inst.geometry.bbox() == (11, 21, 14, 25) and inst.geometry.area() == 12
    assert box_mask_instance(doc, pred, {7: 2}).category_id == 2
    assert box_mask_instance(doc, pred, {1: 2}, default_category=5).category_id == 5
    with pytest.raises(ValueError):
        box_mask_instance(doc, pred, {1: 2})
    with pytest.raises(ValueError):
        box_mask_instance(doc, fake_prediction([m], [(10, 20)], size=(80, 50)), 3)
    assert box_mask_instance(doc, fake_prediction([np.zeros((0, 0), bool)], [(0, 0)]), 3) is None


def test_real_random_init_maskrcnn_box_prompt_creates_an_instance(qtbot):
    """The whole Auto-Edit path with a real (random-init) Mask R-CNN, run synchronously: the
    tool's request goes to masks_for_boxes, the result becomes an undoable instance."""
    import torch

    from inference.maskrcnn import MaskRCNNPredictor
    from inference.training.small_maskrcnn import build_small_maskrcnn

    torch.manual_seed(0)
    model = build_small_maskrcnn(num_classes=4)
    with torch.no_grad():
        model.roi_heads.mask_predictor.mask_fcn_logits.bias.fill_(3.0)  # confident masks
    predictor = MaskRCNNPredictor("maskrcnn_small", model, torch.device("cpu"), [(1, "a"), (2, "b"), (3, "c")])
    assert hasattr(predictor, "masks_for_boxes")
    img, _ = object_image()
    h = Harness(img)
    results = []

    def segment_box(box):
        pred = predictor.masks_for_boxes(h.image, np.array([box], np.float32))
        results.append(pred)
        inst = box_mask_instance(h.doc, pred, {1: 4, 2: 5, 3: 6})
        h.stack.push(AddInstance(h.doc, inst))
        return True

    h.context.segment_box = segment_box
    drag(BoxToMaskTool(h.context), (30.2, 20.6), (110.9, 80.1))
    assert len(h.doc) == 1 and h.stack.count() == 1
    inst, pred = h.doc.instances[0], results[0]
    assert inst.category_id == {1: 4, 2: 5, 3: 6}[int(pred.category_ids[0])]
    assert inst.source == "maskrcnn_small" and 0 < inst.score <= 1
    assert np.array_equal(inst.geometry.full(100, 140), pred.full_mask(0))
    x0, y0, x1, y1 = inst.geometry.bbox()
    assert inst.geometry.area() > 0.5 * 80 * 60  # bias 3 => nearly the whole box
    assert x0 >= 29 and y0 >= 19 and x1 <= 112 and y1 <= 82
    h.stack.undo()
    assert len(h.doc) == 0
