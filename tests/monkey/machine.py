"""The monkey: a Hypothesis state machine that drives a real MainWindow (offscreen) with user
actions and checks, after every step, that the document, the canvas, the files on disk, the
undo history and the file list still agree.

Every rule goes through an entry point the UI uses: a window slot or controller method named in
the action table (`win.undo`, `win.edits.merge_selected`, `win.review.accept_all`...), a tool of
app/editing/tools driven with the canvas's PointerEvents (as tests/editing/tool_harness.py does),
the AI panel's slider, and the import/export dialogs (their Start button). The models are
deterministic stand-ins: tests/ai/test_autofill.py's FakePredictor in the real inference worker
thread, and tests/ai/interactive_fakes.py's interactive model in the real prompt engine.

`MonkeyConfig` says where the generated folders go and how often the costlier invariants run;
`STATS` counts steps and checks (bench/bench_monkey.py prints them).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app.canvas.pointer import Buttons, Modifiers, PointerEvent
from app.core import rle
from app.core.categories import LabelSet
from app.core.geometry import PolygonGeometry, RasterGeometry, to_raster
from app.core.instance import InstanceState
from app.formats.document_json import geometry_from_dict, geometry_to_dict
from app.formats.store import ProjectStore
from app.window import browse

W, H = 96, 72
N_IMAGES = 4
MODEL = "maskrcnn_resnet50_fpn"  # a registered name (its class names); the fake replaces the network
EXPORT_FORMATS = ("coco", "panoptic", "png", "labelme", "yolo")
WAIT_S = 60.0  # only a hang reaches this: every wait is for work that finishes in milliseconds


@dataclass
class MonkeyConfig:
    root: Path | None = None  # where each example's folder is made (a fresh temp folder if None)
    heavy_every: int = 15  # undo-to-bottom/redo-to-top and export->import round trip, every N steps
    mutate: object = None  # a callable(machine) run after setup (the planted-bug demo uses none)


CONFIG = MonkeyConfig()


@dataclass
class Stats:
    steps: int = 0
    checks: int = 0
    examples: int = 0
    rules: dict = field(default_factory=dict)

    def reset(self) -> None:
        self.steps = self.checks = self.examples = 0
        self.rules = {}


STATS = Stats()


# ---- the generated folder ------------------------------------------------------------------------
def rects_of(i: int) -> list[tuple[int, int, int, int, int]]:
    """Two bright rectangles (x0, y0, x1, y1, grey value) drawn into image i."""
    return [(6 + 9 * i, 5 + 4 * i, 40 + 9 * i, 30 + 4 * i, 230), (50 - 5 * i, 38, 88 - 3 * i, 66 - i, 160)]


def make_template(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(N_IMAGES):
        img = np.full((H, W, 3), 30, np.uint8)
        for x0, y0, x1, y1, v in rects_of(i):
            img[y0:y1, x0:x1] = v
        ok, buf = cv2.imencode(".png", img)
        (folder / f"im{i}.png").write_bytes(buf.tobytes())
    return folder


class FakePredictor:
    """Finds each bright region of the image (threshold, connected components) and returns it
    as a suggestion with its exact mask: a deterministic model, cheap enough for thousands of runs."""

    def __init__(self) -> None:
        from inference.categories import COCO_CATEGORIES

        self.categories = list(COCO_CATEGORIES)
        self.calls = 0

    def predict(self, images, score_threshold=0.3, max_detections=100, should_stop=None, progress=None):
        from inference import Prediction

        out = []
        for rgb in images:
            self.calls += 1
            n, labels, stats, _ = cv2.connectedComponentsWithStats((rgb[..., 0] > 100).astype(np.uint8))
            boxes, scores, cats, masks, offsets = [], [], [], [], []
            for k in range(1, n):
                x, y, w, h = (int(v) for v in stats[k, :4])
                boxes.append([x, y, x + w, y + h])
                scores.append(0.9 if k % 2 else 0.4)
                cats.append(1 if k % 2 else 3)
                masks.append(labels[y : y + h, x : x + w] == k)
                offsets.append([x, y])
            out.append(Prediction(boxes=np.array(boxes, np.float32).reshape(-1, 4), scores=np.array(scores, np.float32),
                                  category_ids=np.array(cats, np.int64), masks=masks, mask_offsets=offsets,
                                  image_size=rgb.shape[:2], model=MODEL))  # fmt: skip
        return out


# ---- pumping the event loop -------------------------------------------------------------------
def pump(until=None, timeout: float = WAIT_S) -> bool:
    """Process Qt events until `until()` holds (or once, without it); False on a hang."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    end = time.monotonic() + timeout
    while True:
        app.processEvents()
        if until is None or until():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.001)


def ev(x, y, button=Buttons.LEFT, buttons=None, mods=Modifiers.NONE, double=False) -> PointerEvent:
    return PointerEvent(float(x), float(y), button, button if buttons is None else buttons, mods, double)


def click(tool, x, y, mods=Modifiers.NONE, double=False) -> None:
    tool.press(ev(x, y, mods=mods, double=double))
    tool.release(ev(x, y, buttons=Buttons.NONE, mods=mods))


def drag(tool, points, mods=Modifiers.NONE) -> None:
    (x0, y0), rest = points[0], points[1:]
    tool.press(ev(x0, y0, mods=mods))
    for x, y in rest:
        tool.move(ev(x, y, Buttons.NONE, Buttons.LEFT, mods))
    x1, y1 = points[-1]
    tool.release(ev(x1, y1, buttons=Buttons.NONE, mods=mods))


# ---- what a document is, for comparisons ----------------------------------------------------------
def snapshot(doc) -> tuple:
    """Everything the undo history must restore: status and the instances (deep copies)."""
    return (doc.status, [inst.copy() for inst in doc])


def describe(snap: tuple) -> str:
    status, insts = snap
    return f"{status.value}: " + ", ".join(f"#{i.id}/{i.category_id}/{i.state.value}/{type(i.geometry).__name__}{i.bbox()}" for i in insts)


def diff(a: tuple, b: tuple) -> str:
    """The first difference between two snapshots, field by field."""
    if a[0] != b[0]:
        return f"status {a[0].value} != {b[0].value}"
    ia, ib = {i.id: i for i in a[1]}, {i.id: i for i in b[1]}
    if list(ia) != list(ib):
        return f"ids (z-order) {list(ia)} != {list(ib)}"
    for iid, x in ia.items():
        y = ib[iid]
        for name in ("category_id", "geometry", "source", "score", "state", "visible", "locked", "provenance"):
            if getattr(x, name) != getattr(y, name):
                return f"#{iid}.{name}: {getattr(x, name)!r} != {getattr(y, name)!r}"[:600]
    return "equal"


def raster(geom, doc) -> RasterGeometry:
    return to_raster(geom, (doc.height, doc.width))


def validate_document(doc) -> None:
    """Ids unique and consistent, geometry well formed and inside the image, RLE consistent."""
    ids = [i.id for i in doc]
    assert len(ids) == len(set(ids)), f"duplicate ids {ids}"
    assert all(doc.get(i) is inst for i, inst in zip(ids, doc)), "id index out of step with the list"
    assert all(i < doc._next_id for i in ids), "an id at or above the next new id"
    for inst in doc:
        g = inst.geometry
        assert inst.state in (InstanceState.ACCEPTED, InstanceState.SUGGESTED)
        if isinstance(g, RasterGeometry):
            assert g.mask.dtype == bool and g.mask.ndim == 2, f"#{inst.id}: mask {g.mask.dtype} {g.mask.shape}"
            assert g.tight() is g or g.is_empty(), f"#{inst.id}: raster not tight"
            if not g.is_empty():
                x0, y0, x1, y1 = g.bbox()
                assert 0 <= x0 and 0 <= y0 and x1 <= doc.width and y1 <= doc.height, f"#{inst.id}: raster {g.bbox()} outside {doc.width}x{doc.height}"
                code = rle.encode(g.mask)
                assert np.array_equal(rle.decode(code), g.mask), f"#{inst.id}: RLE does not decode to the mask"
                full = rle.encode_crop(g.mask, g.x, g.y, doc.height, doc.width)
                assert np.array_equal(rle.decode(full)[y0:y1, x0:x1], g.mask), f"#{inst.id}: crop RLE inconsistent"
        else:
            assert isinstance(g, PolygonGeometry), f"#{inst.id}: geometry {type(g)}"
            for ring in (*g.parts, *g.holes):
                assert ring.ndim == 2 and ring.shape[1] == 2 and len(ring) >= 3, f"#{inst.id}: ring {ring.shape}"
                assert np.isfinite(ring).all(), f"#{inst.id}: non-finite vertex"
                assert (ring >= 0).all() and (ring[:, 0] <= doc.width).all() and (ring[:, 1] <= doc.height).all(), f"#{inst.id}: vertex outside the image"
        assert geometry_from_dict(json.loads(json.dumps(geometry_to_dict(g)))) == g, f"#{inst.id}: geometry does not survive the store's encoding"


# ---- the machine -------------------------------------------------------------------------------
class MonkeyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        from PySide6.QtCore import QSettings

        from app.window.main_window import MainWindow
        from tests.ai.interactive_fakes import FakeInteractiveModel, fake_engine_factory

        STATS.examples += 1
        self.errors: list[str] = []
        self._hook = sys.excepthook
        sys.excepthook = self._excepthook  # an exception in a Qt slot lands here: a crash
        QSettings("MaskPilot", "MaskPilot").clear()
        self.tmp = Path(tempfile.mkdtemp(prefix="monkey-", dir=CONFIG.root))
        self.folder = make_template(self.tmp / "imgs")
        self.exports = self.tmp / "exports"
        self.exports.mkdir()
        self.export_files: list[tuple[str, Path]] = []
        self.win = win = MainWindow()
        win.resize(900, 640)
        win.show()
        self.predictor = FakePredictor()
        win.ai.worker.load_model = lambda spec, on_fallback: self.predictor
        win.ai.refresh_models()
        win.ai.panel.model_box.setCurrentIndex(win.ai.panel.model_box.findData(MODEL))
        self.sam = FakeInteractiveModel()
        win.interactive._factory = fake_engine_factory(self.sam)
        win.edits.ask_tolerance = lambda: (self.tolerance, True)
        win.transfer.ask_import_labelme = lambda count: False
        self.tolerance = 1.0
        assert win.open_folder(self.folder)
        self._wait_image()
        self.history: dict[str, list] = {}
        self.step = 0
        self._watch_pushes()
        self._record_history()
        if CONFIG.mutate is not None:
            CONFIG.mutate(self)

    def _excepthook(self, kind, value, tb) -> None:
        import traceback

        self.errors.append("".join(traceback.format_exception(kind, value, tb)))

    # ---- helpers ---------------------------------------------------------------------------
    @property
    def doc(self):
        return self.win.document

    def _wait_image(self) -> None:
        win = self.win

        def shown() -> bool:
            img = win.canvas.image
            return win.current is None or (img is not None and Path(img.source).name == Path(win.current).name)

        assert pump(shown), f"image {win.current} never loaded"

    def _wait_background(self) -> None:
        assert pump(lambda: not self.win.background.busy), "GrabCut never finished"

    def _pick(self, k: int):
        doc = self.doc
        return doc.instances[k % len(doc)] if doc is not None and len(doc) else None

    def _select(self, ks: list[int]) -> None:
        doc = self.doc
        ids = list(dict.fromkeys(doc.instances[k % len(doc)].id for k in ks)) if len(doc) else []
        self.win.selection.set(ids)

    def _tool(self, name: str):
        self.win.use_tool(name)
        assert self.win.canvas.tool is self.win.tools[name]
        return self.win.canvas.tool

    def _watch_pushes(self) -> None:
        """Note the index each push lands at (every push comes from Python: tools, controllers),
        so the history marks above it, now unreachable, are dropped."""
        from PySide6.QtGui import QUndoStack

        self._pushed: dict[int, int] = {}
        self._real_push = real = QUndoStack.push

        def push(stack, command) -> None:
            key = id(stack)
            self._pushed[key] = min(self._pushed.get(key, stack.index()), stack.index())
            real(stack, command)

        QUndoStack.push = push

    def _record_history(self) -> None:
        """For each open image, the document at every undo index the monkey has seen (index 0:
        the document at load, while its stack was empty). Undo and redo must land on exactly these."""
        session, stacks = self.win.session, self.win.stacks._stacks
        for rel, doc in session.documents.items():
            stack = stacks.get(rel)
            known = self.history.get(rel)
            if stack is None or stack.count() == 0:
                self.history[rel] = [stack, {0: snapshot(doc)}]
                continue
            if known is None or (known[0] is not None and known[0] is not stack):
                self.history.pop(rel, None)  # a history the monkey did not see from its start
                continue
            known[0] = stack
            marks = known[1]
            pushed = self._pushed.get(id(stack))
            if pushed is not None:
                for k in [k for k in marks if k > pushed]:
                    del marks[k]
            marks[stack.index()] = snapshot(doc)
        self._pushed.clear()
        for rel in [r for r in self.history if r not in session.documents]:
            del self.history[rel]

    def _count(self, name: str) -> None:
        STATS.rules[name] = STATS.rules.get(name, 0) + 1

    # ---- drawing -------------------------------------------------------------------------------
    @rule(pts=st.lists(st.tuples(st.integers(0, W), st.integers(0, H)), min_size=3, max_size=6),
          mode=st.sampled_from(["new", "new", "part", "hole"]), k=st.integers(0, 99), close=st.sampled_from(["double", "enter", "first"]))  # fmt: skip
    def draw_polygon(self, pts, mode, k, close):
        self._count("draw_polygon")
        tool = self._tool("polygon")
        mods = {"new": Modifiers.NONE, "part": Modifiers.CTRL, "hole": Modifiers.ALT}[mode]
        if mode != "new":
            polys = [i for i in self.doc if i.is_polygon]
            self.win.selection.set([polys[k % len(polys)].id] if polys else [])
        for x, y in pts:
            click(tool, x, y)
        if close == "double":
            x, y = pts[-1]
            tool.press(ev(x, y, mods=mods, double=True))
            tool.release(ev(x, y, buttons=Buttons.NONE, mods=mods))
        elif close == "enter" or len(tool.points) < 3:
            tool.key("Return")  # Enter closes with no modifier
        else:
            click(tool, *pts[0], mods=mods)
        tool.cancel()

    @rule(pts=st.lists(st.tuples(st.integers(-4, W + 4), st.integers(-4, H + 4)), min_size=1, max_size=4),
          radius=st.integers(1, 9), k=st.none() | st.integers(0, 99), erase=st.booleans(), protect=st.booleans())  # fmt: skip
    def brush(self, pts, radius, k, erase, protect):
        self._count("erase" if erase else "brush")
        act = self.win.actions_by_key["protect"]
        if act.isChecked() != protect:
            act.trigger()  # the menu entry: toggles and tells both tools
        tool = self._tool("eraser" if erase else "brush")
        assert tool.protect_others == protect
        tool.set_radius(radius)
        target = None if k is None else self._pick(k)
        self.win.selection.set([target.id] if target is not None else [])
        drag(tool, [(x + 0.5, y + 0.5) for x, y in pts])

    @rule(x=st.integers(0, W - 1), y=st.integers(0, H - 1), k=st.none() | st.integers(0, 99))
    def fill(self, x, y, k):
        self._count("fill")
        tool = self._tool("fill")
        target = None if k is None else self._pick(k)
        self.win.selection.set([target.id] if target is not None else [])
        click(tool, x + 0.5, y + 0.5)

    @rule(a=st.tuples(st.integers(0, W), st.integers(0, H)), b=st.tuples(st.integers(0, W), st.integers(0, H)))
    def grabcut(self, a, b):
        self._count("grabcut")
        tool = self._tool("grabcut")
        drag(tool, [a, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), b])
        self._wait_background()

    @rule(pts=st.lists(st.tuples(st.integers(0, W - 1), st.integers(0, H - 1), st.booleans()), min_size=1, max_size=3),
          box=st.none() | st.tuples(st.integers(0, W // 2), st.integers(0, H // 2), st.integers(8, W // 2), st.integers(8, H // 2)),
          k=st.none() | st.integers(0, 99), tabs=st.integers(0, 2), commit=st.booleans())  # fmt: skip
    def interactive_prompt(self, pts, box, k, tabs, commit):
        self._count("interactive")
        target = None if k is None else self._pick(k)
        self.win.selection.set([target.id] if target is not None else [])
        tool = self._tool("interactive")
        if box is not None:
            x, y, w, h = box
            drag(tool, [(x, y), (x + w / 2, y + h / 2), (x + w, y + h)])
        for x, y, include in pts:
            button = Buttons.LEFT if include else Buttons.RIGHT
            tool.press(ev(x + 0.5, y + 0.5, button))
            tool.release(ev(x + 0.5, y + 0.5, button, Buttons.NONE))
        if tool.prompting:
            assert pump(lambda: tool.candidates is not None), "the interactive model never answered"
            self.win.canvas.repaint()  # paint now, not whenever a paint event comes: reproducible
            for _ in range(tabs):
                tool.key("Tab")
                self.win.canvas.repaint()
        tool.key("Return" if commit else "Escape")
        tool.key("Escape")
        self._tool("select")

    # ---- select tool: click, move, vertex drag -----------------------------------------------------
    @rule(x=st.integers(0, W - 1), y=st.integers(0, H - 1), toggle=st.booleans())
    def click_select(self, x, y, toggle):
        self._count("click_select")
        tool = self._tool("select")
        self.win.selection.set([])  # a fresh click, not a vertex grab of an earlier selection
        click(tool, x + 0.5, y + 0.5, Modifiers.CTRL if toggle else Modifiers.NONE)

    @rule(k=st.integers(0, 99), dx=st.integers(-30, 30), dy=st.integers(-30, 30))
    def move_instance(self, k, dx, dy):
        """Drag an instance by one of its own pixels, keeping it inside the image."""
        self._count("move_instance")
        inst = self._pick(k)
        if inst is None or not inst.visible:
            return
        r = raster(inst.geometry, self.doc)
        if r.is_empty():
            return
        x0, y0, x1, y1 = inst.bbox()
        dx = int(np.clip(dx, -x0, self.doc.width - x1))
        dy = int(np.clip(dy, -y0, self.doc.height - y1))
        ys, xs = np.nonzero(r.mask)
        px, py = xs[len(xs) // 2] + r.x + 0.5, ys[len(ys) // 2] + r.y + 0.5
        tool = self._tool("select")
        self.win.selection.set([])
        if self.win.canvas.hit(px, py) != inst.id:
            return  # covered by another instance: the click would grab that one
        drag(tool, [(px, py), (px + dx / 2, py + dy / 2), (px + dx, py + dy)])

    @rule(k=st.integers(0, 99), v=st.integers(0, 99), to=st.tuples(st.integers(0, W), st.integers(0, H)))
    def drag_vertex(self, k, v, to):
        self._count("drag_vertex")
        polys = [i for i in self.doc if i.is_polygon and not i.locked]
        if not polys:
            return
        inst = polys[k % len(polys)]
        rings = [*inst.geometry.parts, *inst.geometry.holes]
        ring = rings[v % len(rings)]
        px, py = ring[(v // len(rings)) % len(ring)]
        tool = self._tool("select")
        self.win.selection.set([inst.id])
        drag(tool, [(px, py), ((px + to[0]) / 2, (py + to[1]) / 2), to])

    # ---- edits of the selection ------------------------------------------------------------------
    @rule(ks=st.lists(st.integers(0, 99), min_size=1, max_size=3),
          op=st.sampled_from(["merge", "split", "subtract", "to_polygon", "to_mask", "delete", "copy", "paste", "duplicate"]),
          tolerance=st.sampled_from([0.0, 1.0, 2.5]))  # fmt: skip
    def selection_edit(self, ks, op, tolerance):
        self._count(op)
        self._select(ks)
        self.tolerance = tolerance
        edits = self.win.edits
        {
            "merge": edits.merge_selected, "split": edits.split_selected, "subtract": edits.subtract_above,
            "to_polygon": lambda: edits.convert_selected("polygon"), "to_mask": lambda: edits.convert_selected("mask"),
            "delete": self.win.delete_selected, "copy": edits.copy_selected, "paste": edits.paste,
            "duplicate": edits.duplicate_selected,
        }[op]()  # fmt: skip

    @rule(ks=st.lists(st.integers(0, 99), min_size=1, max_size=3), n=st.integers(1, 4))
    def set_class(self, ks, n):
        self._count("set_class")
        self._select(ks)
        self.win.edits.set_class_number(n)

    @rule(k=st.integers(0, 99), z=st.integers(0, 99))
    def reorder(self, k, z):
        self._count("reorder")
        inst = self._pick(k)
        if inst is not None:
            self.win.layers.model.reorder_requested.emit(inst.id, z % len(self.doc))  # the layer panel's drop

    @rule(k=st.integers(0, 99), field=st.sampled_from(["visible", "locked"]))
    def hide_or_lock(self, k, field):
        self._count(f"toggle_{field}")
        inst = self._pick(k)
        if inst is not None:
            self.win.layers.model.edit_requested.emit(inst.id, field, not getattr(inst, field))  # the eye / lock

    @rule()
    def mark_done(self):
        self._count("mark_done")
        self.win.edits.toggle_done()

    # ---- history -----------------------------------------------------------------------------------
    @rule(n=st.integers(1, 5), redo=st.booleans())
    def undo_redo(self, n, redo):
        self._count("redo" if redo else "undo")
        for _ in range(n):
            self.win.redo() if redo else self.win.undo()

    @rule(redo_after=st.booleans())
    def undo_all(self, redo_after):
        self._count("undo_all")
        stack = self.win.stacks.active()
        while stack is not None and stack.canUndo():
            self.win.undo()
        while redo_after and stack is not None and stack.canRedo():
            self.win.redo()

    # ---- images ------------------------------------------------------------------------------------
    @rule(how=st.sampled_from(["next", "prev", "jump", "unfinished"]), j=st.integers(0, N_IMAGES - 1))
    def switch_image(self, how, j):
        self._count(f"image_{how}")
        win = self.win
        {"next": win.next_image, "prev": win.prev_image, "unfinished": win.next_unfinished,
         "jump": lambda: win.files.image_activated.emit(win.files.model.paths()[j])}[how]()  # fmt: skip
        self._wait_image()

    @rule()
    def autosave_fires(self):
        self._count("autosave")
        self.win.session._timer.timeout.emit()  # what the debounce timer does when it runs out

    # ---- AI ----------------------------------------------------------------------------------------
    @rule(scope=st.sampled_from(["current", "current", "all"]))
    def autofill(self, scope):
        self._count(f"autofill_{scope}")
        self.win.ai.autofill(scope)
        assert pump(lambda: not self.win.ai.busy), "auto-fill never finished"

    @rule(how=st.sampled_from(["accept", "reject", "accept_all", "reject_rest", "next"]), ks=st.none() | st.lists(st.integers(0, 99), max_size=2))
    def review(self, how, ks):
        self._count(f"review_{how}")
        if ks is None:
            self.win.selection.set([])
        else:
            self._select(ks)
        r = self.win.review
        {"accept": r.accept_selected, "reject": r.reject_selected, "accept_all": r.accept_all,
         "reject_rest": r.reject_rest, "next": r.next_suggestion}[how]()  # fmt: skip

    @rule(value=st.integers(1, 19))
    def threshold(self, value):
        self._count("threshold")
        self.win.ai.panel.slider.setValue(value * 5)  # the user drags the slider

    # ---- import / export through the dialogs -----------------------------------------------------------
    @rule(fmt=st.sampled_from(EXPORT_FORMATS), suggestions=st.booleans())
    def export(self, fmt, suggestions):
        from app.import_export.export_dialog import FORMATS, ExportDialog

        self._count(f"export_{fmt}")
        win = self.win
        dlg = ExportDialog(*win.transfer._dialog_args(win.session), selected=win.files.selected_paths(), parent=win)
        dlg.set_format(fmt)
        suffix = next(s for k, _, s in FORMATS if k == fmt)
        out = self.exports / f"{len(self.export_files)}{suffix}"
        dlg.out_edit.setText(str(out))
        dlg.suggestions_check.setChecked(suggestions)
        done = []
        dlg.exported.connect(done.append)
        dlg.start_button.click()
        assert pump(lambda: bool(done)), f"{fmt} export never finished"
        assert not done[0].cancelled
        self.export_files.append((fmt, out))
        dlg.close()
        dlg.deleteLater()

    @precondition(lambda self: any(fmt in ("coco", "labelme") for fmt, _ in self.export_files))
    @rule(j=st.integers(0, 99), as_suggestions=st.booleans())
    def import_labels(self, j, as_suggestions):
        from app.import_export.import_dialog import ImportDialog

        win = self.win
        if sum(len(d) for d in win.session.documents.values()) > 60:
            return  # imports append: keep the documents small
        files = [(fmt, p) for fmt, p in self.export_files if fmt in ("coco", "labelme")]
        fmt, path = files[j % len(files)]
        self._count(f"import_{fmt}")
        dlg = ImportDialog(*win.transfer._dialog_args(win.session), parent=win, format=fmt, source=str(path))
        dlg.source_edit.setText(str(path))
        if fmt == "coco":
            dlg.suggestions_check.setChecked(as_suggestions)
        done = []
        dlg.imported.connect(win.reload_images)  # as LabelTransfer.import_labels connects it
        dlg.imported.connect(done.append)
        dlg.start_button.click()
        assert pump(lambda: bool(done)), f"{fmt} import never finished"
        dlg.close()
        dlg.deleteLater()
        self._wait_image()

    # ---- invariants ------------------------------------------------------------------------------
    @invariant()
    def step_checks(self):
        self.step += 1
        STATS.steps += 1
        assert not self.errors, f"an exception reached the event loop:\n{self.errors[0]}"
        win = self.win
        doc = self.doc
        assert doc is not None and win.current is not None
        assert win.session.documents.get(win.current) is doc, "the window edits a document the session does not hold"
        validate_document(doc)
        win.canvas.repaint()  # a paint error shows at this step, not at a later paint event
        assert not self.errors, f"an exception reached the event loop:\n{self.errors[0]}"
        self._check_canvas(doc)
        self._check_saved_files()
        self._record_history()
        STATS.checks += 3
        if self.step % CONFIG.heavy_every == 0:
            self.heavy_checks()

    def heavy_checks(self) -> None:
        self._check_history()
        self._check_file_list()
        self._check_round_trip()
        STATS.checks += 3

    def _check_canvas(self, doc) -> None:
        """A few pixels deep inside each shown instance, not under a shown instance above it:
        the canvas's hit test and its label map (what is drawn) both name that instance."""
        canvas = self.win.canvas
        assert canvas.document is doc
        shown_filter = canvas.visible_filter
        shown = [i for i in doc if i.visible and (shown_filter is None or shown_filter(i))]
        covered = np.zeros((doc.height, doc.width), bool)
        lm = canvas.instances.map
        lm.sync()
        for inst in reversed(shown):  # top first
            full = raster(inst.geometry, doc).full(doc.height, doc.width)
            core = cv2.erode(full.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~covered
            reach = full.astype(np.uint8)
            if inst.is_polygon:  # the map fills polygons with cv2.fillPoly, which also paints
                # the pixels an outline crosses (a sliver shows as a line): those are ambiguous
                rings = [np.round(r * 16).astype(np.int32) for r in (*inst.geometry.parts, *inst.geometry.holes)]
                cv2.polylines(reach, rings, True, 1, 1, cv2.LINE_8, 4)
            covered |= cv2.dilate(reach, np.ones((3, 3), np.uint8)).astype(bool)
            ys, xs = np.nonzero(core)
            for j in np.linspace(0, len(xs) - 1, min(3, len(xs))).astype(int) if len(xs) else []:
                x, y = int(xs[j]), int(ys[j])
                hit = canvas.hit(x + 0.5, y + 0.5)
                assert hit == inst.id, f"hit test at ({x}, {y}) gives {hit}, the document shows #{inst.id} there"
                slot = int(lm.sample(0, np.array([x]), np.array([y]))[0, 0])
                drawn = lm.instances[slot].id if slot and lm.instances[slot] is not None else None
                assert drawn == inst.id, f"the canvas draws {drawn} at ({x}, {y}), the document holds #{inst.id}"
        for inst in doc:  # a hidden instance (eye off, or under the threshold) is never hit
            if inst not in shown and not raster(inst.geometry, doc).is_empty():
                r = raster(inst.geometry, doc)
                ys, xs = np.nonzero(r.mask)
                assert canvas.hit(xs[0] + r.x + 0.5, ys[0] + r.y + 0.5) != inst.id, f"hidden #{inst.id} is hit"

    def _check_saved_files(self) -> None:
        """Every document the session counts as saved loads from disk equal to memory."""
        session = self.win.session
        store = ProjectStore(session.folder, session.store.root)
        for rel, doc in session.documents.items():
            if doc.revision != session._saved_revision.get(rel):
                continue
            if not (session.store.root / "labels").exists():
                continue
            disk = store.load_document(rel, doc.width, doc.height)
            if disk.warning and "no label" in disk.warning.lower():
                continue
            assert disk.warning is None, f"{rel}: {disk.warning}"
            if len(doc) == 0 and len(disk.document) == 0:
                continue
            assert snapshot(disk.document) == snapshot(doc), f"{rel} on disk differs from memory: {diff(snapshot(disk.document), snapshot(doc))}"

    def _check_history(self) -> None:
        """Undo to the bottom gives the document at load, and every state between comes back
        on the way up; redo to the top, then back to where the user was, gives the current one."""
        win = self.win
        for rel, (stack, marks) in list(self.history.items()):
            doc = win.session.documents.get(rel)
            if stack is None or doc is None or stack.count() == 0:
                continue
            now, index = snapshot(doc), stack.index()
            for k in sorted(marks):
                if k > stack.count():
                    continue
                stack.setIndex(k)
                what = "undo to the bottom is not the state at load" if k == 0 else f"undo/redo to step {k} is not the state seen there"
                assert snapshot(doc) == marks[k], f"{rel}: {what}: {diff(snapshot(doc), marks[k])}"
            stack.setIndex(stack.count())
            stack.setIndex(index)
            assert snapshot(doc) == now, f"{rel}: redo to where we were is not the current state: {diff(snapshot(doc), now)}"
        win.selection.set([i for i in win.selection.ordered if i in win.document])

    def _check_file_list(self) -> None:
        """After a save, the file list shows what the store's index (and index.json) says."""
        win = self.win
        assert win._save_all()
        pump()
        session = win.session
        index = session.store.index()
        fresh = ProjectStore(session.folder, session.store.root).index()
        assert {r: e.summary() for r, e in fresh.items()} == {r: e.summary() for r, e in index.items()}, "index.json differs from the store's index"
        states = browse.file_states(index, "")
        model = win.files.model
        assert len(model.paths()) == N_IMAGES
        for rel in model.paths():
            want = states.get(rel)
            got = model.state(rel)
            if want is None:
                assert got.status == "new" and got.pending == 0, f"{rel}: file list {got}, no label file"
            else:
                assert (got.status, got.pending) == (want.status, want.pending), f"{rel}: file list {got}, index {want}"
        counts = {k: 0 for k in model.counts()}
        for rel in model.paths():
            counts[(states.get(rel) or type(model.state(rel))()).shown] += 1
        assert model.counts() == counts

    def _check_round_trip(self) -> None:
        """COCO (RLE) export -> import into a fresh folder gives every instance back pixel for
        pixel; the other formats export and, where the app imports them, read back."""
        from app.formats.coco import export_coco, import_coco
        from app.formats.labelme import export_labelme, import_labelme

        win = self.win
        assert win._save_all()
        session = win.session
        images = win.files.model.paths()
        out = Path(tempfile.mkdtemp(dir=self.tmp))
        store = ProjectStore(session.folder, session.store.root)
        labels = LabelSet(list(session.labels))
        coco = out / "x.json"
        export_coco(session.folder, store, labels, images, coco, include_suggestions=True, segmentation="rle")
        fresh = out / "fresh"
        fresh.mkdir()
        for rel in images:
            shutil.copy(session.folder / rel, fresh / rel)
        fresh_store, fresh_labels = ProjectStore(fresh), LabelSet()
        report = import_coco(fresh, fresh_store, fresh_labels, images, coco)
        assert not report.cancelled
        for rel in images:
            doc, _ = session.document(rel) if rel in session.documents else (store.load_document(rel, W, H).document, None)
            want = sorted((labels.get(i.category_id).name, raster(i.geometry, doc).full(H, W).tobytes()) for i in doc if raster(i.geometry, doc).area())
            back = fresh_store.load_document(rel, W, H).document
            got = sorted((fresh_labels.get(i.category_id).name, raster(i.geometry, back).full(H, W).tobytes()) for i in back)
            assert got == want, f"{rel}: COCO round trip changed the instances ({len(want)} -> {len(got)})"
        # labelme with exact mask shapes: same pixels back, too.
        lm = out / "labelme"
        export_labelme(session.folder, store, labels, images, lm, raster_as="mask", include_suggestions=True)
        fresh2 = out / "fresh2"
        fresh2.mkdir()
        for rel in images:
            shutil.copy(session.folder / rel, fresh2 / rel)
        store2, labels2 = ProjectStore(fresh2), LabelSet()
        import_labelme(fresh2, store2, labels2, images, source_dir=lm)
        for rel in images:  # labelme keeps polygons as polygons, pixel-less ones too (COCO drops those)
            doc = session.documents[rel] if rel in session.documents else store.load_document(rel, W, H).document
            want = sorted((labels.get(i.category_id).name, raster(i.geometry, doc).full(H, W).tobytes()) for i in doc
                          if i.is_polygon or raster(i.geometry, doc).area())  # fmt: skip
            back = store2.load_document(rel, W, H).document
            got = sorted((labels2.get(i.category_id).name, raster(i.geometry, back).full(H, W).tobytes()) for i in back)
            assert got == want, f"{rel}: labelme round trip changed the instances ({len(want)} -> {len(got)})"
        shutil.rmtree(out, ignore_errors=True)

    def teardown(self):
        try:
            if not self.errors and self.win.document is not None:
                self.heavy_checks()
        finally:
            from PySide6.QtGui import QUndoStack

            QUndoStack.push = self._real_push
            sys.excepthook = self._hook
            win = self.win
            win.close()
            win.deleteLater()
            pump()
            shutil.rmtree(self.tmp, ignore_errors=True)
