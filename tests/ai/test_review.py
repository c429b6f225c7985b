"""Suggestion review: accept, reject, undo/redo, accept all, reject the rest, the live threshold,
duplicate hiding, keyboard review, layer panel buttons, file list counts, provenance on disk."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack

from app.ai.review_controller import REVIEW_ACTIONS, ReviewController
from app.canvas.canvas import Canvas
from app.canvas.render import score_tags
from app.canvas.selection import Selection
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.editing.commands import GeometryEdit, PaintStroke
from app.formats.store import ProjectStore
from app.panels.file_list import FileListPanel, FileState
from app.panels.layer_panel import LayerPanel

pytestmark = pytest.mark.gui


def square(x: int, y: int, size: int = 10) -> RasterGeometry:
    return RasterGeometry(np.ones((size, size), bool), x, y)


class Rig:
    """A controller over real widgets (canvas, layer panel, file list) and one undo stack."""

    def __init__(self, qtbot) -> None:
        self.doc = Document("b.jpg", 200, 100)
        self.labels = LabelSet.from_names(["person", "car"])
        self.man = self._add(square(10, 10), None, InstanceState.ACCEPTED)  # a person
        self.dup = self._add(square(11, 10), 0.97)  # IoU 0.82 with it: a hidden duplicate
        self.hi = self._add(square(40, 40), 0.9)
        self.mid = self._add(square(70, 40), 0.6)
        self.lo = self._add(square(100, 40), 0.3)
        self.stack = QUndoStack()
        self.selection = Selection()
        self.messages: list[str] = []
        self.canvas = Canvas()
        self.canvas.resize(400, 200)
        self.canvas.set_document(self.doc, self.labels)
        self.layers = LayerPanel(self.selection)
        self.layers.model.set_document(self.doc, self.labels)
        self.files = FileListPanel()
        self.files.model.set_files(
            ["a.jpg", "b.jpg", "c.jpg", "d.jpg"],
            {"b.jpg": FileState("in_progress", 4), "d.jpg": FileState("new", 2), "c.jpg": FileState("done", 0)},
        )
        self.shown: list[str] = []
        for w in (self.canvas, self.layers, self.files):
            qtbot.addWidget(w)
        self.review = ReviewController(
            document=lambda: self.doc, push=self.stack.push, selection=self.selection, canvas=self.canvas,
            message=self.messages.append, files=self.files, current=lambda: "b.jpg", show_image=self.shown.append,
        )
        self.review.attach_layer_panel(self.layers)
        self.review.set_document(self.doc, "b.jpg")

    def _add(self, geom, score, state=InstanceState.SUGGESTED) -> int:
        iid = self.doc.new_id()
        source = "manual" if state is InstanceState.ACCEPTED else "maskrcnn"
        prov = {} if state is InstanceState.ACCEPTED else {"model": "maskrcnn_r50", "weights": "coco"}
        self.doc.add(Instance(iid, 1, geom, source=source, score=score, state=state, provenance=prov))
        return iid

    def states(self) -> dict[int, str]:
        return {i.id: i.state.value for i in self.doc}

    def rows(self) -> set[int]:
        m = self.layers.model
        return {m.instance_id(r) for r in range(m.rowCount())}


@pytest.fixture
def rig(qtbot) -> Rig:
    return Rig(qtbot)


def test_accept_keeps_provenance_and_undo_redo(rig):
    rig.selection.set([rig.mid])
    rig.review.accept_selected()
    inst = rig.doc.get(rig.mid)
    assert inst.state is InstanceState.ACCEPTED
    assert (inst.source, inst.score) == ("maskrcnn", 0.6)
    assert inst.provenance["model"] == "maskrcnn_r50" and inst.provenance["weights"] == "coco"
    assert inst.provenance["score"] == 0.6
    stamp = inst.provenance["accepted_at"]
    assert rig.stack.count() == 1
    rig.stack.undo()
    inst = rig.doc.get(rig.mid)
    assert inst.is_suggestion and "accepted_at" not in inst.provenance and "score" not in inst.provenance
    rig.stack.redo()
    assert rig.doc.get(rig.mid).provenance["accepted_at"] == stamp


def test_reject_removes_and_undo_restores_z_order(rig):
    order = [i.id for i in rig.doc]
    rig.selection.set([rig.hi, rig.mid])
    rig.review.reject_selected()
    assert rig.hi not in rig.doc and rig.mid not in rig.doc
    assert rig.stack.count() == 1  # a batch is one step
    rig.stack.undo()
    assert [i.id for i in rig.doc] == order
    assert rig.doc.get(rig.hi).is_suggestion


def test_accept_all_takes_shown_suggestions_only_in_one_step(rig):
    rig.review.accept_all()
    states = rig.states()
    assert states[rig.hi] == states[rig.mid] == "accepted"
    assert states[rig.lo] == "suggested"  # below 0.5
    assert states[rig.dup] == "suggested"  # hidden duplicate
    assert rig.stack.count() == 1
    rig.stack.undo()
    assert rig.doc.pending_count() == 4


def test_reject_rest_after_accept_all_leaves_no_pending_suggestion(rig):
    order = [i.id for i in rig.doc]
    rig.review.accept_all()
    rig.review.reject_rest()
    assert {i.id for i in rig.doc} == {rig.man, rig.hi, rig.mid}
    assert rig.doc.pending_count() == 0
    assert rig.stack.count() == 2
    rig.stack.undo()
    assert [i.id for i in rig.doc] == order and rig.doc.pending_count() == 2
    rig.stack.undo()
    assert rig.doc.pending_count() == 4


def test_reject_rest_removes_shown_and_hidden_but_not_locked_suggestions(rig):
    rig.selection.set([rig.hi])
    rig.review.accept_selected()
    rig.doc.set_fields(rig.lo, locked=True)
    rig.review.reject_rest()
    assert {i.id for i in rig.doc} == {rig.man, rig.hi, rig.lo}
    assert rig.files.model.state("b.jpg").pending == 1


def test_threshold_refilters_live_without_touching_the_document(rig, qtbot):
    revision = rig.doc.revision
    assert rig.review.visible_ids() == {rig.hi, rig.mid}
    assert rig.rows() == {rig.man, rig.hi, rig.mid}
    assert rig.canvas.hit(72, 45) == rig.mid
    with qtbot.waitSignal(rig.review.filter_changed):
        rig.review.set_threshold(0.8)
    assert rig.review.visible_ids() == {rig.hi}
    assert rig.rows() == {rig.man, rig.hi}
    assert rig.canvas.hit(72, 45) is None  # hidden suggestions cannot be clicked
    assert rig.canvas.hit(15, 15) == rig.man  # accepted instances are never filtered
    tags = score_tags(rig.doc, rig.labels, rig.canvas.view, (rig.canvas.width(), rig.canvas.height()), rig.canvas.style, visible_filter=rig.canvas.visible_filter)
    assert [t.text for t in tags] == ["person 0.90"]
    rig.review.set_threshold(0.1)
    assert rig.review.visible_ids() == {rig.hi, rig.mid, rig.lo}
    assert rig.canvas.hit(105, 45) == rig.lo
    assert rig.doc.revision == revision and rig.stack.count() == 0
    assert rig.layers.pending_label.text() == "pending: 3 shown of 4"


def test_threshold_hides_the_overlay_pixels_of_filtered_suggestions(rig):
    canvas = rig.canvas
    canvas.fit()

    def alpha_at(x: float, y: float) -> int:
        canvas.invalidate_overlay()
        sx, sy = canvas.view.to_screen(x, y)
        return int(canvas._ensure_overlay().pixelColor(int(sx), int(sy)).alpha())

    assert alpha_at(75, 45) > 0
    rig.review.set_threshold(0.7)
    assert alpha_at(75, 45) == 0


def test_duplicates_hidden_by_default_and_can_be_shown(rig):
    assert rig.dup not in rig.review.visible_ids()
    rig.review.set_hide_duplicates(False)
    assert rig.dup in rig.review.visible_ids() and rig.dup in rig.rows()
    assert rig.review.pending_ids()[0] == rig.dup  # highest score first


def test_keyboard_review_walks_the_queue(rig):
    rig.canvas.zoom_to(4.0)
    rig.review.next_suggestion()
    assert rig.selection.ordered == (rig.hi,)
    x0, y0, x1, y1 = rig.doc.get(rig.hi).bbox()
    cx, cy = rig.canvas.view.to_screen((x0 + x1) / 2, (y0 + y1) / 2)
    assert abs(cx - rig.canvas.width() / 2) < 1 and abs(cy - rig.canvas.height() / 2) < 1  # centred
    rig.review.accept_selected()  # Y: accepts it, moves on to the next one
    assert rig.doc.get(rig.hi).state is InstanceState.ACCEPTED
    assert rig.selection.ordered == (rig.mid,)
    rig.review.reject_selected()  # N
    assert rig.mid not in rig.doc
    assert rig.selection.ordered == ()  # the queue (score >= 0.5) is empty
    rig.review.accept_selected()
    assert rig.messages[-1] == "No suggestion selected."
    assert rig.stack.count() == 2


def test_nothing_selected_acts_on_the_first_in_queue_and_accepted_selection_does_nothing(rig):
    rig.review.accept_selected()
    assert rig.doc.get(rig.hi).state is InstanceState.ACCEPTED
    rig.selection.set([rig.man])
    rig.review.reject_selected()
    assert rig.stack.count() == 1 and rig.man in rig.doc


def test_layer_panel_buttons(rig, qtbot):
    assert not rig.layers.accept_button.isEnabled()
    rig.selection.set([rig.man])
    assert not rig.layers.accept_button.isEnabled()
    rig.selection.set([rig.man, rig.mid])
    assert rig.layers.accept_button.isEnabled() and rig.layers.reject_button.isEnabled()
    rig.layers.accept_button.click()
    assert rig.doc.get(rig.mid).state is InstanceState.ACCEPTED
    assert rig.doc.get(rig.man).state is InstanceState.ACCEPTED
    rig.selection.set([rig.hi])
    rig.layers.reject_button.click()
    assert rig.hi not in rig.doc


def test_file_list_counts_follow_review_and_undo(rig):
    model = rig.files.model
    rig.review.set_document(rig.doc, "b.jpg")
    rig.selection.set([rig.hi])
    rig.review.reject_selected()
    assert model.state("b.jpg").pending == 3
    rig.review.accept_all()
    assert model.state("b.jpg").pending == 2
    rig.stack.undo()
    rig.stack.undo()
    assert model.state("b.jpg").pending == 4


def test_next_image_with_pending(rig):
    rig.review.next_image_with_pending()
    assert rig.shown == ["d.jpg"]
    assert rig.files.next_with_pending("d.jpg") == "b.jpg"  # wraps around
    rig.files.model.update_state("d.jpg", pending=0)
    assert rig.files.next_with_pending("b.jpg") is None
    rig.review.next_image_with_pending()
    assert rig.shown == ["d.jpg"] and "No other image" in rig.messages[-1]


def test_provenance_survives_a_store_round_trip(rig, tmp_path):
    rig.selection.set([rig.hi])
    rig.review.accept_selected()
    store = ProjectStore(tmp_path)
    store.save_document(rig.doc)
    assert store.index()["b.jpg"].pending == 3
    loaded = ProjectStore(tmp_path).load_document("b.jpg", 200, 100).document
    inst = loaded.get(rig.hi)
    assert inst.state is InstanceState.ACCEPTED and (inst.source, inst.score) == ("maskrcnn", 0.9)
    assert inst.provenance == rig.doc.get(rig.hi).provenance
    assert {"model", "score", "accepted_at", "weights"} <= set(inst.provenance)
    assert loaded.get(rig.lo).is_suggestion


def test_canvas_paints_score_tags(rig):
    rig.canvas.fit()
    rig.canvas.show()
    size = (rig.canvas.width(), rig.canvas.height())
    tags = score_tags(rig.doc, rig.labels, rig.canvas.view, size, rig.canvas.style, visible_filter=rig.canvas.visible_filter)
    assert {t.text for t in tags} == {"person 0.90", "person 0.60"}
    with_tags = rig.canvas.grab().toImage()
    rig.canvas.style.score_tags = False
    without = rig.canvas.grab().toImage()
    tag = next(t for t in tags if t.text == "person 0.90")
    # The tag sits just above the box's top-left corner: a class-coloured edge, then white text.
    y = int(tag.y) - 6
    edge = with_tags.pixelColor(int(tag.x) + 1, y)
    assert (edge.red(), edge.green(), edge.blue()) == rig.labels.color(1)
    text_row = [with_tags.pixelColor(x, y) for x in range(int(tag.x) + 6, int(tag.x) + 40)]
    assert max(c.lightness() for c in text_row) > 150
    assert [without.pixelColor(x, y) for x in range(int(tag.x) + 6, int(tag.x) + 40)] != text_row


def test_review_shortcuts_do_not_clash_with_the_window_actions():
    from app.ai.autofill_controller import AI_ACTIONS
    from app.window.actions import ACTIONS

    taken = {s.upper() for spec in ACTIONS + AI_ACTIONS for s in spec.shortcuts}
    ours = [s.upper() for spec in REVIEW_ACTIONS for s in spec.shortcuts]
    assert len(ours) == len(set(ours))
    assert not taken & set(ours) and "I" not in ours
    assert {spec.key for spec in REVIEW_ACTIONS}.isdisjoint(spec.key for spec in ACTIONS)
    assert all(spec.slot.startswith("review.") for spec in REVIEW_ACTIONS)
    assert all(hasattr(ReviewController, spec.slot.split(".")[1]) for spec in REVIEW_ACTIONS)


def test_review_in_the_main_window(window, image_folder, qtbot):
    from tests.gui import wait_loaded

    win = window
    win.open_folder(image_folder)
    wait_loaded(qtbot, win)
    review = win.review
    first = win.current
    doc = win.document
    for k, score in enumerate((0.9, 0.4)):  # as the inference worker adds them: no undo step
        doc.add(Instance(doc.new_id(), 1, square(10 + 30 * k, 10), source="fake", score=score, state=InstanceState.SUGGESTED))
    review.set_document(doc, first)
    assert win.files.model.state(first).pending == 2
    review.accept_all()
    assert doc.pending_count() == 1 and win.files.model.state(first).pending == 1
    win.undo()
    assert doc.pending_count() == 2
    win.redo()
    review.reject_rest()
    assert doc.pending_count() == 0 and len(doc) == 1
    win.undo()
    # Another image with a pending suggestion: "next image with pending" goes there.
    paths = win.files.model.paths()
    other = next(p for p in paths if p != first and win.files.model.state(p).status != "error")
    win.files.model.update_state(other, pending=3)
    review.next_image_with_pending()
    assert win.current == other


@pytest.mark.parametrize("seed", range(4))
def test_cached_shown_set_matches_a_fresh_computation_after_any_edit(qtbot, seed):
    """The controller updates its duplicate cache edit by edit; it must always agree with
    app.ai.domain.review computed from scratch (accept, reject, undo, reshaping, reclassing, removal)."""
    from app.ai.domain.review import visible_suggestions
    from app.editing.commands import RemoveInstance, SetFields, SetGeometry

    rng = np.random.default_rng(seed)
    doc = Document("r.jpg", 120, 80)
    for _ in range(24):
        x, y, size = int(rng.integers(0, 100)), int(rng.integers(0, 60)), int(rng.integers(6, 16))
        cat, score = int(rng.integers(1, 3)), float(rng.random())
        state = InstanceState.SUGGESTED if rng.random() < 0.6 else InstanceState.ACCEPTED
        doc.add(Instance(doc.new_id(), cat, square(x, y, size), source="fake", score=score, state=state))
        if rng.random() < 0.4:  # a near copy, so duplicates exist
            doc.add(Instance(doc.new_id(), cat, square(x + 1, y, size), source="fake", score=0.9, state=InstanceState.SUGGESTED))
    stack, selection, canvas = QUndoStack(), Selection(), Canvas()
    qtbot.addWidget(canvas)
    canvas.set_document(doc, LabelSet.from_names(["a", "b"]))
    rc = ReviewController(lambda: doc, stack.push, selection, canvas, lambda _t: None)
    rc.set_document(doc, "r.jpg")
    for _step in range(40):
        assert rc.visible_ids() == visible_suggestions(doc, rc.threshold, rc.hide_duplicates)
        ids = [i.id for i in doc]
        iid = int(rng.choice(ids))
        op = int(rng.integers(0, 7))
        if op == 0:
            selection.set([iid])
            rc.accept_selected()
        elif op == 1:
            selection.set([iid])
            rc.reject_selected()
        elif op == 2 and stack.canUndo():
            stack.undo()
        elif op == 3:
            g = doc.get(iid).geometry
            stack.push(SetGeometry(doc, iid, RasterGeometry(np.ones((g.mask.shape[0], g.mask.shape[1] + 3), bool), g.x, g.y)))
        elif op == 4:
            stack.push(SetFields(doc, iid, category_id=3 - doc.get(iid).category_id))
        elif op == 5:
            stack.push(RemoveInstance(doc, iid))
        else:
            rc.set_threshold(float(rng.random()))


def test_layer_rows_mark_suggestions(rig):
    from PySide6.QtCore import Qt

    from app.panels.layer_panel import COL_SCORE

    m = rig.layers.model
    row_of = {m.instance_id(r): r for r in range(m.rowCount())}
    assert m.index(row_of[rig.mid], 0).data(Qt.FontRole).italic()
    assert m.index(row_of[rig.man], 0).data(Qt.FontRole) is None
    assert m.index(row_of[rig.mid], COL_SCORE).data() == "0.60"
    assert rig.layers.pending_label.text() == "pending: 2 shown of 4"
    rig.review.set_hide_duplicates(False)
    rig.review.set_threshold(0.0)
    assert rig.layers.pending_label.text() == "pending: 4"


def test_editing_a_suggestions_shape_accepts_it_in_the_same_undo_step(rig):
    before = rig.doc.get(rig.mid).geometry
    rig.stack.push(GeometryEdit(rig.doc, rig.mid, before, square(72, 40)))
    assert rig.stack.count() == 1
    edited = rig.doc.get(rig.mid)
    assert edited.state is InstanceState.ACCEPTED
    assert edited.provenance["model"] == "maskrcnn_r50" and "accepted_at" in edited.provenance
    rig.review.reject_rest()  # the corrected mask is the user's work now
    assert rig.mid in {i.id for i in rig.doc}
    rig.stack.undo()
    rig.stack.undo()
    back = rig.doc.get(rig.mid)
    assert back.state is InstanceState.SUGGESTED and back.geometry is before
    assert "accepted_at" not in back.provenance
    rig.stack.redo()
    assert rig.doc.get(rig.mid).state is InstanceState.ACCEPTED


def test_a_brush_stroke_on_a_suggestion_accepts_it_and_undo_restores_both(rig):
    box = (70, 40, 75, 45)
    after = np.zeros((5, 5), bool)  # erase a corner, painted live as the brush tool does
    old = rig.doc.write_pixels(rig.mid, box, after)
    rig.stack.push(PaintStroke(rig.doc, rig.mid, box, old, after, "Erase"))
    assert rig.doc.get(rig.mid).state is InstanceState.ACCEPTED
    assert rig.stack.count() == 1
    rig.stack.undo()
    inst = rig.doc.get(rig.mid)
    assert inst.state is InstanceState.SUGGESTED and inst.geometry.region(box).all()
    rig.stack.redo()
    inst = rig.doc.get(rig.mid)
    assert inst.state is InstanceState.ACCEPTED and not inst.geometry.region(box).any()


def test_editing_an_accepted_instance_leaves_its_review_fields_alone(rig):
    man = rig.doc.get(rig.man)
    rig.stack.push(GeometryEdit(rig.doc, rig.man, man.geometry, square(12, 12)))
    assert rig.doc.get(rig.man).provenance == man.provenance
    assert rig.doc.get(rig.man).state is InstanceState.ACCEPTED


def test_threshold_and_duplicate_choice_are_remembered(window, qtbot):
    from app.window.main_window import MainWindow

    window.ai.panel.set_threshold(0.7)
    window.ai.panel.hide_dups.setChecked(False)
    assert window.review.threshold == pytest.approx(0.7) and not window.review.hide_duplicates
    again = MainWindow()
    qtbot.addWidget(again)
    try:
        assert again.ai.panel.threshold() == pytest.approx(0.7) and not again.ai.panel.hide_dups.isChecked()
        assert again.review.threshold == pytest.approx(0.7) and not again.review.hide_duplicates
    finally:
        again.close()
