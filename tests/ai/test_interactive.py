"""The interactive tool in a real window, with a deterministic interactive model (interactive_fakes)."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from app.ai.domain.everything import EverythingOptions
from app.canvas.pointer import Buttons, PointerEvent
from app.core.geometry import RasterGeometry, to_raster
from app.core.instance import Instance
from tests.ai.interactive_fakes import RADIUS, FakeInteractiveModel, fake_engine_factory
from tests.editing.tool_harness import click, drag
from tests.gui import wait_loaded, write_jpeg

pytestmark = pytest.mark.gui


def right_click(tool, x, y):
    tool.press(PointerEvent(x, y, Buttons.RIGHT, Buttons.RIGHT))
    tool.release(PointerEvent(x, y, Buttons.RIGHT, Buttons.NONE))


def contains(geom, x, y) -> bool:
    r = to_raster(geom)
    return r.x <= x < r.x + r.mask.shape[1] and r.y <= y < r.y + r.mask.shape[0] and bool(r.mask[y - r.y, x - r.x])


@pytest.fixture
def model():
    return FakeInteractiveModel()


@pytest.fixture
def opened(qtbot, window, image_folder, model):
    """The window on image_folder with the interactive tool picked and the image encoded."""
    window.interactive._factory = fake_engine_factory(model)
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    window.use_tool("interactive")
    qtbot.waitUntil(lambda: len(model.embedded) >= 1, timeout=5000)
    return window, window.tools["interactive"]


def wait_candidates(qtbot, tool):
    qtbot.waitUntil(lambda: tool.candidates is not None, timeout=5000)


def test_click_shows_candidates_tab_cycles_and_enter_adds_one_undoable_instance(qtbot, opened, model):
    window, tool = opened
    click(tool, 50, 60)
    wait_candidates(qtbot, tool)
    best = tool.shown_mask()
    assert contains(best, 50, 60) and not contains(best, 50 + RADIUS + 3, 60)
    assert abs(best.area() - np.pi * RADIUS**2) < 0.25 * np.pi * RADIUS**2
    assert model.prompts[-1]["multimask"] and model.prompts[-1]["points"] == [(50.0, 60.0, 1)]
    assert tool.key("Tab")
    assert tool.shown_mask().area() > best.area()  # the second candidate: the bigger mask
    tool.key("Tab"), tool.key("Tab")  # back round to the best
    assert tool.shown_mask() == best
    assert tool.key("Return")
    doc = window.document
    assert len(doc) == 1
    inst = next(iter(doc))
    assert inst.geometry == best and inst.category_id == window._current_category()
    assert inst.provenance["tool"] == "interactive" and list(window.selection.ordered) == [inst.id]
    assert not tool.prompting and tool.candidates is None
    window.undo()
    assert len(doc) == 0
    window.redo()
    assert len(doc) == 1


def test_the_decoder_is_warmed_once_after_the_first_embedding(qtbot, opened, model):
    window, _tool = opened
    qtbot.waitUntil(lambda: model.warmed == 1, timeout=5000)
    window.show_image("img2.jpg")  # another embedding: no second warm-up
    qtbot.waitUntil(lambda: len(model.embedded) >= 2, timeout=5000)
    qtbot.wait(50)
    assert model.warmed == 1


def test_negative_click_and_box_prompts(qtbot, opened, model):
    _window, tool = opened
    click(tool, 50, 60)
    wait_candidates(qtbot, tool)
    right_click(tool, 56, 60)
    qtbot.waitUntil(lambda: len(model.prompts) == 2 and not contains(tool.shown_mask(), 56, 60), timeout=5000)
    assert model.prompts[-1]["points"] == [(50.0, 60.0, 1), (56.0, 60.0, 0)]
    assert not model.prompts[-1]["multimask"] and model.prompts[-1]["mask_input"]  # refines the last answer
    tool.clear()
    drag(tool, [(20, 20), (50, 40), (90, 70)])
    qtbot.waitUntil(lambda: tool.candidates is not None and tool.box is not None, timeout=5000)
    assert model.prompts[-1]["box"] == (20.0, 20.0, 90.0, 70.0) and model.prompts[-1]["points"] is None
    assert contains(tool.shown_mask(), 55, 45) and not contains(tool.shown_mask(), 100, 100)


def test_ctrl_z_while_prompting_removes_the_last_point_not_an_edit(qtbot, opened, model):
    window, tool = opened
    click(tool, 30, 30)
    qtbot.waitUntil(lambda: len(model.prompts) == 1, timeout=5000)
    click(tool, 90, 60)
    qtbot.waitUntil(lambda: len(model.prompts) == 2, timeout=5000)
    stack_before = window.stacks.active().count()
    window.undo()
    assert tool.points == [(30, 30, 1)]
    window.undo()
    assert tool.points == [] and not tool.prompting
    assert window.stacks.active().count() == stack_before
    assert tool.key("Escape") is False  # nothing left to clear: Esc is not consumed


def test_refine_adds_and_removes_pixels_of_the_selected_instance_in_one_step(qtbot, opened, model):
    window, tool = opened
    doc = window.document
    square = np.zeros((40, 40), bool)
    square[:] = True
    inst = Instance(doc.new_id(), window._current_category(), RasterGeometry(square, 30, 30))
    from app.editing.commands import AddInstance

    window.push(AddInstance(doc, inst))
    window.selection.set([inst.id])
    click(tool, 100, 50)  # outside: adds a disc there
    wait_candidates(qtbot, tool)
    assert model.prompts[-1]["mask_input"]  # the instance's mask is the prompt's mask input
    right_click(tool, 50, 50)  # inside: takes a hole out
    qtbot.waitUntil(lambda: len(model.prompts) == 2 and tool.candidates is not None and not contains(tool.shown_mask(), 50, 50), timeout=5000)
    count = window.stacks.active().count()
    assert tool.key("Return")
    assert len(doc) == 1 and window.stacks.active().count() == count + 1
    geom = doc.get(inst.id).geometry
    assert contains(geom, 100, 50) and contains(geom, 35, 35) and not contains(geom, 50, 50)
    window.undo()
    assert doc.get(inst.id).geometry == RasterGeometry(square, 30, 30)


def test_navigation_while_encoding_never_applies_a_mask_to_another_image(qtbot, window, image_folder):
    gate = threading.Event()
    model = FakeInteractiveModel(gate)
    window.interactive._factory = fake_engine_factory(model)
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    window.use_tool("interactive")
    tool = window.tools["interactive"]
    first = window.current
    click(tool, 40, 40)  # the encoder is still on this image: the prompt waits
    window.next_image()
    assert window.current != first
    gate.set()
    qtbot.waitUntil(lambda: len(model.embedded) >= 2, timeout=5000)
    qtbot.wait(100)
    assert model.prompts == []  # the waiting prompt of the left image was dropped
    window.canvas.repaint()
    assert not tool.prompting and tool.candidates is None
    assert len(window.document) == 0


def test_embeddings_are_reused_from_disk_and_rebuilt_when_the_image_changes(qtbot, window, image_folder, model):
    window.interactive._factory = fake_engine_factory(model)
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    window.use_tool("interactive")
    qtbot.waitUntil(lambda: len(model.embedded) >= 1, timeout=5000)
    rel = window.current
    folder = image_folder / ".maskpilot" / "embeddings" / "sam_vit_b"
    qtbot.waitUntil(lambda: len(list(folder.glob("*.npz"))) == 3, timeout=5000)  # img1 and the two ahead
    # A fresh model (the app restarted): reopening finds the embedding on disk.
    fresh = FakeInteractiveModel()
    window.interactive._factory = fake_engine_factory(fresh)
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    assert window.current == rel
    window.use_tool("interactive")
    engine = window.interactive.engine
    assert engine.key(rel, str(image_folder / rel)) in window.interactive._ready  # known at once, from disk
    assert engine._model is None  # and the GUI thread did not load the model to find that out
    click(window.tools["interactive"], 40, 40)
    qtbot.waitUntil(lambda: window.tools["interactive"].candidates is not None, timeout=5000)
    assert engine.encoder_runs == 0 and engine.cache.disk_hits == 1  # the click needed no encoder run
    # The image file changes: its embedding is computed again.
    path = image_folder / rel
    write_jpeg(path, value=200)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    newer = FakeInteractiveModel()
    window.interactive._factory = fake_engine_factory(newer)
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    engine = window.interactive.engine
    key = engine.key(rel, str(path))
    qtbot.waitUntil(lambda: key in window.interactive._ready, timeout=5000)
    assert engine.encoder_runs == 1  # the changed image only; the two others are still on disk


def test_auto_edit_box_uses_the_interactive_model_when_it_has_weights(qtbot, opened, model):
    window, _tool = opened
    window.use_tool("auto_edit")
    drag(window.tools["auto_edit"], [(20, 20), (60, 50), (90, 70)])
    qtbot.waitUntil(lambda: len(window.document) == 1, timeout=5000)
    inst = next(iter(window.document))
    assert model.prompts[-1]["box"] == (20.0, 20.0, 90.0, 70.0) and not model.prompts[-1]["multimask"]
    assert inst.provenance["tool"] == "auto_edit" and inst.provenance["model"] == "sam_vit_b"
    assert contains(inst.geometry, 55, 45) and not contains(inst.geometry, 100, 100)
    assert list(window.selection.ordered) == [inst.id]
    window.undo()
    assert len(window.document) == 0


def test_segment_everything_fills_the_review_queue_with_one_undo_step(qtbot, opened, model):
    window, _tool = opened
    window.interactive.everything_options = EverythingOptions(grid=5)
    window.interactive.segment_everything()
    qtbot.waitUntil(lambda: len(window.document) > 0, timeout=10000)
    doc = window.document
    suggestions = list(doc)
    assert all(i.state.value == "suggested" and i.provenance["tool"] == "segment_everything" for i in suggestions)
    assert all(i.category_id == window._current_category() for i in suggestions)
    # every grid point's disc overlaps its neighbours' by less than max_overlap: one per point
    assert len(model.prompts) == 5 * 5 and len(suggestions) == 5 * 5
    assert window.stacks.active().count() == 1
    window.interactive.segment_everything()  # again: replaces, not doubles
    qtbot.waitUntil(lambda: len(model.prompts) == 2 * 5 * 5, timeout=10000)
    qtbot.waitUntil(lambda: window.stacks.active().count() == 2, timeout=5000)
    assert len(doc) == len(suggestions)
    window.undo()
    window.undo()
    assert len(doc) == 0


def test_running_out_of_gpu_memory_is_said_in_the_window(qtbot, window, image_folder):
    model = FakeInteractiveModel()
    factory = fake_engine_factory(model)

    def falling_back(name, session, settings, on_fallback):
        engine = factory(name, session)
        embed = model.embed
        model.embed = lambda rgb: (on_fallback("Out of GPU memory: the interactive model moved to the CPU."), embed(rgb))[1]
        return engine

    window.interactive._factory = falling_back
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    window.use_tool("interactive")
    qtbot.waitUntil(lambda: "moved to the CPU" in window.statusBar().currentMessage(), timeout=5000)
