"""Interactive AI tool: click and box prompts to a mask with SAM (ToolContext.prompt).

Left click adds an include point, right click (or Shift+click) an exclude point, a drag places
the box; each change asks the model again and the best mask is previewed. Tab steps through the
model's candidate masks; Enter makes the shown one an instance of the current class (one undo
step); Esc drops the prompt; while prompting, Ctrl+Z removes the last point (`undo_prompt`).
With one instance selected when prompting starts, the prompt refines that instance instead: its
mask is the model's mask input and Enter replaces its shape. With nothing placed, a resting
pointer previews the object under it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPen

from app.canvas.pointer import Buttons, Modifiers, PointerEvent, Tool
from app.core.geometry import RasterGeometry, to_raster
from app.core.instance import Instance
from app.core.prompts import Candidates, Point, Prompt
from app.editing.commands import AddInstance, SetGeometry
from app.editing.tools.base import ToolContext
from app.ui.i18n import translate

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter

    from app.canvas.render import ViewTransform
    from app.core.document import Document


#: A press and release further apart than this (screen pixels) is a box, not a click.
DRAG_PIXELS = 5
PREVIEW_COLOR = (30, 144, 255)
_PREVIEW_LUT = np.array([(0, 0, 0, 0), (*PREVIEW_COLOR, 255)], np.uint8)  # mask 0 / 1 -> RGBA


class InteractiveTool(Tool):
    name = "interactive"
    cursor_shape = "cross"

    def __init__(self, context: ToolContext) -> None:
        self.context = context
        self.points: list[Point] = []
        self.box: tuple[float, float, float, float] | None = None
        self.target: int | None = None  # the instance being refined
        self.candidates: Candidates | None = None
        self.index = 0  # which candidate is shown (Tab)
        self.preview: Candidates | None = None  # hover preview before any prompt
        self._press: PointerEvent | None = None
        self._drag_end: tuple[float, float] | None = None
        self._doc: Document | None = None
        self._image: tuple[int, int, QImage] | None = None  # the shown mask on screen, cached
        self._image_of: tuple | None = None  # (candidate, view, size) it was drawn for
        self._image_src: Candidates | None = None  # and from which answer

    # ---- pointer ----------------------------------------------------------------------------
    def press(self, event: PointerEvent) -> None:
        if event.button in (Buttons.LEFT, Buttons.RIGHT) and not event.double and self.context.image() is not None:
            self._press, self._drag_end = event, None

    def move(self, event: PointerEvent) -> None:
        if self._press is not None:
            if self._press.button is Buttons.LEFT and self._is_drag(self._press, event):
                self._drag_end = (event.x, event.y)
                self.context.repaint()
            return
        if not self.prompting and self.context.prompt is not None and self._inside(event):
            self.context.prompt(Prompt(((event.x, event.y, 1),)), self._size(), True)

    def release(self, event: PointerEvent) -> None:
        press, self._press = self._press, None
        if press is None or event.button is not press.button:
            return
        self._drop_if_image_changed()
        self._start_if_needed()
        if press.button is Buttons.LEFT and self._is_drag(press, event):
            self._drag_end = None
            x0, x1 = sorted((press.x, event.x))
            y0, y1 = sorted((press.y, event.y))
            self.box = (max(x0, 0.0), max(y0, 0.0), x1, y1)
        else:
            negative = press.button is Buttons.RIGHT or bool(press.modifiers & Modifiers.SHIFT)
            self.points.append((press.x, press.y, 0 if negative else 1))
        self._ask()

    def _is_drag(self, a: PointerEvent, b: PointerEvent) -> bool:
        return math.hypot(b.x - a.x, b.y - a.y) * self.context.view_scale() > DRAG_PIXELS

    def _inside(self, event: PointerEvent) -> bool:
        w, h = self._size()
        return 0 <= event.x < w and 0 <= event.y < h

    def _size(self) -> tuple[int, int]:
        image = self.context.image()
        return (image.shape[1], image.shape[0]) if image is not None else (0, 0)

    # ---- prompt -----------------------------------------------------------------------------
    @property
    def prompting(self) -> bool:
        return bool(self.points) or self.box is not None

    def _start_if_needed(self) -> None:
        """The first point or box of a prompt: note the image, and the instance to refine."""
        if self.prompting:
            return
        self.preview = None
        self.context.cancel_preview()
        self._doc = self.context.document()
        doc, ids = self._doc, self.context.selection.ordered
        self.target = ids[0] if doc is not None and len(ids) == 1 and ids[0] in doc and not doc.get(ids[0]).locked else None

    def current_prompt(self) -> Prompt:
        refine = None
        if self.target is not None and self._doc is not None and self.target in self._doc:
            refine = to_raster(self._doc.get(self.target).geometry)
        first = len(self.points) + (self.box is not None) == 1
        # After the first click SAM does best with one mask fed back from the previous answer.
        mask_input = None
        if not first and self.candidates is not None and self.candidates.low_res is not None:
            mask_input = self.candidates.low_res[self.index][None]
        return Prompt(tuple(self.points), self.box, mask_input, refine if mask_input is None else None, multimask=first)

    def _ask(self) -> None:
        if self.context.prompt is None:
            self.context.message(translate("InteractiveTool", "Interactive AI needs an interactive model (SAM): choose one in the AI panel."))
            self.clear()
            return
        if not self.prompting:
            self.candidates = None
            self.context.repaint()
            return
        if not self.context.prompt(self.current_prompt(), self._size(), False):
            self.context.message(translate("InteractiveTool", "No interactive model is ready: choose SAM weights in the AI panel."))
        self.context.repaint()

    def show_candidates(self, candidates: Candidates, preview: bool) -> None:
        """The model's answer for the current image (the controller checks that it is)."""
        self._drop_if_image_changed()
        if preview:
            if not self.prompting:
                self.preview = candidates
        elif self.prompting:
            self.candidates, self.index = candidates, 0
        self.context.repaint()

    def _shown(self) -> tuple[Candidates, int] | None:
        """The candidates on screen and which of them: the prompt's (Tab), or the hover preview."""
        shown = self.candidates if self.prompting else self.preview
        if shown is None or not len(shown):
            return None
        return shown, (min(self.index, len(shown) - 1) if shown is self.candidates else 0)

    def shown_mask(self) -> RasterGeometry | None:
        """The exact full-resolution mask shown (made on first use: Enter, tests)."""
        shown = self._shown()
        return shown[0].mask(shown[1]) if shown is not None else None

    def undo_prompt(self) -> bool:
        """Ctrl+Z while prompting removes the last point (then the box); False when idle."""
        if self.points:
            self.points.pop()
        elif self.box is not None:
            self.box = None
        else:
            return False
        self._ask()
        return True

    def key(self, key: str) -> bool:
        self._drop_if_image_changed()
        if key == "Tab" and self.candidates is not None and len(self.candidates) > 1:
            self.index = (self.index + 1) % len(self.candidates)
            self.context.repaint()
            return True
        if key == "Return" and self.prompting:
            self.commit()
            return True
        if key == "Escape" and (self.prompting or self.preview is not None):
            self.clear()
            return True
        return False

    def commit(self) -> int | None:
        """The shown mask becomes an instance (or the refined instance's shape); its id."""
        mask, doc = self.shown_mask(), self._doc
        if mask is None or mask.is_empty() or doc is None or doc is not self.context.document():
            self.context.message(translate("InteractiveTool", "No mask to add yet."))
            return None
        score = self.candidates.scores[min(self.index, len(self.candidates) - 1)]
        if self.target is not None and self.target in doc:
            iid = self.target
            self.context.push(SetGeometry(doc, iid, mask, text=translate("InteractiveTool", "Refine with Interactive AI")))
        else:
            category = self.context.current_category()
            if category is None:
                self.context.message(translate("InteractiveTool", "Choose a class for the new instance first."))
                return None
            iid = doc.new_id()
            inst = Instance(iid, int(category), mask, provenance={"tool": "interactive", "predicted_iou": round(score, 4)})
            self.context.push(AddInstance(doc, inst, text=translate("InteractiveTool", "Interactive AI mask")))
        self.clear()
        self.context.selection.set([iid])
        return iid

    def clear(self) -> None:
        self.points, self.box, self.target, self.candidates, self.index = [], None, None, None, 0
        self.preview, self._press, self._drag_end, self._doc = None, None, None, None
        self.context.cancel_preview()
        self.context.repaint()

    def cancel(self) -> None:
        self.clear()

    def _drop_if_image_changed(self) -> None:
        """A prompt belongs to the image it was placed on: another image drops it."""
        if self.prompting and self._doc is not self.context.document():
            self.points, self.box, self.target, self.candidates, self.index, self._doc = [], None, None, None, 0, None

    # ---- drawing ----------------------------------------------------------------------------
    def paint_overlay(self, painter: QPainter, view: ViewTransform) -> None:
        self._drop_if_image_changed()
        shown = self._shown()
        painter.save()
        if shown is not None:
            device = painter.device()
            drawn = self._screen_image(shown[0], shown[1], view, device.width(), device.height())
            if drawn is not None:
                painter.setOpacity(0.5 if self.prompting else 0.35)
                painter.drawImage(drawn[0], drawn[1], drawn[2])
                painter.setOpacity(1.0)
        box = self.box
        if self._press is not None and self._drag_end is not None:
            (ax, ay), (bx, by) = (self._press.x, self._press.y), self._drag_end
            box = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
        if box is not None:
            (ax, ay), (bx, by) = view.to_screen(box[0], box[1]), view.to_screen(box[2], box[3])
            painter.setBrush(Qt.NoBrush)
            painter.setPen(QPen(QColor(0, 0, 0, 200), 1))
            painter.drawRect(QRectF(ax, ay, bx - ax, by - ay))
            painter.setPen(QPen(QColor(255, 255, 255), 1, Qt.DashLine))
            painter.drawRect(QRectF(ax, ay, bx - ax, by - ay))
        for x, y, label in self.points:
            sx, sy = view.to_screen(x, y)
            painter.setPen(QPen(QColor(255, 255, 255), 2))
            painter.setBrush(QColor(40, 200, 80) if label else QColor(230, 50, 50))
            painter.drawEllipse(QPointF(sx, sy), 5, 5)
        painter.restore()

    def _screen_image(self, candidates: Candidates, k: int, view: ViewTransform, width: int, height: int):
        """(x, y, QImage) of the visible part of candidate k at screen resolution: sampled from
        the model's low-resolution answer when it offers that (a 4000×3000 mask at fit costs the
        screen's pixels, not twelve million), else from the exact mask. Cached until the
        candidate or the view changes."""
        key = (k, view, width, height)
        if self._image_src is candidates and self._image_of == key:
            return self._image
        self._image_src, self._image_of, self._image = candidates, key, None
        x0, y0, x1, y1 = candidates.bounds(k)
        (sx0, sy0), (sx1, sy1) = view.to_screen(x0, y0), view.to_screen(x1, y1)
        cx0, cy0 = max(int(np.floor(sx0)), 0), max(int(np.floor(sy0)), 0)
        cx1, cy1 = min(int(np.ceil(sx1)), width), min(int(np.ceil(sy1)), height)
        if cx1 <= cx0 or cy1 <= cy0:
            return None
        if candidates.sample is not None:
            box = (*view.to_image(cx0, cy0), *view.to_image(cx1, cy1))
            sampled = candidates.sample(k, box, cx1 - cx0, cy1 - cy0)
        else:
            mask = candidates.mask(k)
            if mask.is_empty():  # a candidate with no pixels (e.g. every point excluded): nothing to draw
                return None
            cols = np.floor((np.arange(cx0, cx1) + 0.5) / view.scale + view.ox).astype(np.int64) - mask.x
            rows = np.floor((np.arange(cy0, cy1) + 0.5) / view.scale + view.oy).astype(np.int64) - mask.y
            inside = ((rows >= 0) & (rows < mask.mask.shape[0]))[:, None] & ((cols >= 0) & (cols < mask.mask.shape[1]))[None, :]
            sampled = mask.mask[np.clip(rows, 0, mask.mask.shape[0] - 1)][:, np.clip(cols, 0, mask.mask.shape[1] - 1)] & inside
        # A two-colour lookup: np.take is ~12x faster here than assigning through a bool mask.
        rgba = np.take(_PREVIEW_LUT, sampled.view(np.uint8), axis=0)
        h, w = sampled.shape
        # The QImage shares rgba's buffer; keeping rgba beside it keeps the buffer alive.
        self._image = (cx0, cy0, QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888), rgba)
        return self._image
