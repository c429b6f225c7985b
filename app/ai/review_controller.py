"""The suggestion review queue: threshold, duplicate hiding, accept/reject, keyboard review.

The main window owns one ReviewController and wires it with plain callables, so the controller
can be tested without a window:

    self.review = ReviewController(
        document=lambda: self.document, push=self.push, selection=self.selection,
        canvas=self.canvas, message=lambda t: self.statusBar().showMessage(t, 4000),
        files=self.files, current=lambda: self.current, show_image=self.show_image, parent=self,
    )
    self.review.attach_layer_panel(self.layers)
    # at the end of _set_document(doc):  self.review.set_document(doc, self.current)

Which suggestions are shown and acted on is decided by app.ai.domain.review (Qt-free); this class
caches that answer for the open document, and every review action is one undo command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal

from app.ai.domain import review
from app.core.document import Change, ChangeKind, Document
from app.core.instance import Instance
from app.editing.commands import AcceptSuggestions, RejectSuggestions
from app.ui.action_table import ActionSpec
from app.ui.i18n import Context, translate

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoCommand

    from app.canvas.canvas import Canvas
    from app.canvas.selection import Selection
    from app.panels.file_list import FileListPanel
    from app.panels.layer_panel import LayerPanel


# Keys: Y/N are free in the action tables and echo "yes/no"; I is the lead's "auto-fill this image";
# Enter stays with the polygon tool. Shift widens the action to the whole queue.
REVIEW_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("review_accept", QT_TRANSLATE_NOOP("Actions", "&Accept Suggestion"), "review.accept_selected", "ai", ("Y",), "accept",
               tip=QT_TRANSLATE_NOOP("Actions", "Accept the selected suggestions (or the next one in the queue)")),
    ActionSpec("review_reject", QT_TRANSLATE_NOOP("Actions", "&Reject Suggestion"), "review.reject_selected", "ai", ("N",), "reject",
               tip=QT_TRANSLATE_NOOP("Actions", "Reject the selected suggestions (or the next one in the queue)")),
    ActionSpec("review_accept_all", QT_TRANSLATE_NOOP("Actions", "Accept All &Above Threshold"), "review.accept_all", "ai", ("Shift+Y",)),
    ActionSpec("review_reject_rest", QT_TRANSLATE_NOOP("Actions", "Reject the Res&t"), "review.reject_rest", "ai", ("Shift+N",),
               tip=QT_TRANSLATE_NOOP("Actions", "Remove every suggestion still pending on this image, shown or not")),
    ActionSpec("review_next", QT_TRANSLATE_NOOP("Actions", "Ne&xt Suggestion"), "review.next_suggestion", "ai", (".",)),
    ActionSpec("review_prev", QT_TRANSLATE_NOOP("Actions", "Pre&vious Suggestion"), "review.prev_suggestion", "ai", (",",)),
    ActionSpec("review_next_image", QT_TRANSLATE_NOOP("Actions", "Next Image With &Pending Suggestions"), "review.next_image_with_pending",
               "go", ("Ctrl+Shift+P",), "next_pending"),
)  # fmt: skip


class ReviewController(QObject):
    """Review of the open image's suggestions. Constructor arguments:

    document: () -> the open Document or None; push: pushes an undo command on its stack;
    selection: the shared Selection; canvas: draws (its visible_filter is set here), centres on a
    suggestion (center_on) and repaints (invalidate_overlay); message: shows a status line;
    files: the file list, whose pending counts follow accept/reject live and which
    next_image_with_pending walks; current: () -> the open image's relative path; show_image:
    opens an image by relative path.
    """

    tr = Context("ReviewController").tr  # its plural messages: self.tr(text, "", n) (app.ui.i18n)

    #: the set of shown suggestions changed (threshold, duplicate option, or edits)
    filter_changed = Signal()
    #: (shown pending suggestions, all pending suggestions) of the open image
    pending_changed = Signal(int, int)

    def __init__(
        self,
        document: Callable[[], Document | None],
        push: Callable[[QUndoCommand], None],
        selection: Selection,
        canvas: Canvas,
        message: Callable[[str], None],
        files: FileListPanel | None = None,
        current: Callable[[], str | None] = lambda: None,
        show_image: Callable[[str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._document, self._push, self.selection, self.canvas = document, push, selection, canvas
        self._message, self.files, self._current, self._show_image = message, files, current, show_image
        self.threshold = 0.5
        self.hide_duplicates = True
        self._doc: Document | None = None
        self._rel: str | None = None
        self._visible: frozenset[int] | None = None  # cache; None = recompute on next use
        self._dups: set[int] | None = None  # duplicate suggestions, kept up to date edit by edit
        self._shown: frozenset[int] = frozenset()  # what filter_changed last announced
        self._cursor: int | None = None  # the suggestion keyboard review is on
        # Edits arrive one instance at a time (accept all = N changes): refilter once after them.
        self._refilter = QTimer(self, singleShot=True, interval=0)
        self._refilter.timeout.connect(self._announce)
        canvas.visible_filter = self.visible_filter
        self.filter_changed.connect(canvas.invalidate_overlay)

    # ---- document ----------------------------------------------------------------------------
    def set_document(self, doc: Document | None, rel: str | None = None) -> None:
        """The open image changed (the main window calls this from _set_document)."""
        if doc is self._doc and rel == self._rel:
            return
        if self._doc is not None:
            self._doc.changed.disconnect(self._on_document_changed)
        self._doc, self._rel, self._visible, self._dups, self._cursor = doc, rel, None, None, None
        if doc is not None:
            doc.changed.connect(self._on_document_changed)
        self._announce()

    def _doc_now(self) -> Document | None:
        doc = self._document()
        if doc is not self._doc:  # robust if a caller switched documents without telling us
            self.set_document(doc, self._current())
        return doc

    def _on_document_changed(self, change: Change) -> None:
        if change.kind in (ChangeKind.STATUS, ChangeKind.REORDERED):
            return  # z-order and image status never change which suggestions are shown
        self._visible = None
        if self._dups is not None and (change.kind is not ChangeKind.FIELDS or {"state", "category_id"} & set(change.fields)):
            self._update_duplicates(change)
        if self.files is not None and self._rel is not None and change.kind in (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.FIELDS):
            self.files.model.update_state(self._rel, pending=self._doc.pending_count())
        self._refilter.start()

    # ---- filtering ---------------------------------------------------------------------------
    def set_threshold(self, value: float) -> None:
        """Score threshold in [0, 1]: re-filters the shown suggestions; the document is untouched."""
        value = min(max(float(value), 0.0), 1.0)
        if value != self.threshold:
            self.threshold = value
            self._visible = None
            self._announce()

    def set_hide_duplicates(self, on: bool) -> None:
        if bool(on) != self.hide_duplicates:
            self.hide_duplicates = bool(on)
            self._visible = None
            self._announce()

    def visible_ids(self) -> frozenset[int]:
        """Ids of the suggestions shown now (at or above the threshold, not hidden duplicates);
        the same answer as app.ai.domain.review.visible_suggestions, from caches."""
        doc = self._doc_now()
        if doc is None:
            return frozenset()
        if self._visible is None:
            shown = {i.id for i in doc if i.is_suggestion and review.passes_threshold(i, self.threshold)}
            if self.hide_duplicates and shown:
                shown -= self._duplicates()
            self._visible = frozenset(shown)
        return self._visible

    def _raster(self) -> review.RasterOf:
        clip, rasters = (self._doc.height, self._doc.width), self.canvas.rasters
        return lambda inst: rasters.get(inst, clip)  # shares the canvas's polygon rasters

    def _duplicates(self) -> set[int]:
        if self._dups is None:
            self._dups = review.duplicate_ids(self._doc, raster=self._raster())
        return self._dups

    def _update_duplicates(self, change: Change) -> None:
        """Re-check only the suggestions an edit can affect: those overlapping the changed
        instances (a full re-check per edit would make "reject 300" quadratic)."""
        doc = self._doc
        self._dups.difference_update(change.ids)
        boxes = [change.box] if change.box is not None else []
        boxes += [doc.get(i).bbox() for i in change.ids if i in doc]  # a grown mask changes IoUs
        if not boxes:
            self._dups = None
            return
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        affected = set()
        for inst in doc:
            if inst.is_suggestion:
                bx0, by0, bx1, by1 = inst.bbox()
                if bx0 < x1 and x0 < bx1 and by0 < y1 and y0 < by1:
                    affected.add(inst.id)
        self._dups -= affected
        if affected:
            self._dups |= review.duplicate_ids(doc, raster=self._raster(), only=affected)

    def visible_filter(self, inst: Instance) -> bool:
        """For the canvas: accepted instances always pass; suggestions only when shown."""
        return not inst.is_suggestion or inst.id in self.visible_ids()

    def pending_ids(self) -> list[int]:
        """Shown suggestions in review order (highest score first): what accept_all accepts."""
        doc = self._doc_now()
        return review.review_order(doc, self.visible_ids()) if doc is not None else []

    def _announce(self) -> None:
        """Tell views the shown set changed (only when it did), drop hidden ids from the selection."""
        self._refilter.stop()
        shown = self.visible_ids()
        doc = self._doc
        total = doc.pending_count() if doc is not None else 0
        self.pending_changed.emit(len(shown), total)
        if shown == self._shown:
            return
        self._shown = shown
        if doc is not None:
            keep = [i for i in self.selection.ordered if i in doc and (not doc.get(i).is_suggestion or i in shown)]
            self.selection.set(keep)
        self.filter_changed.emit()

    # ---- actions -----------------------------------------------------------------------------
    def _targets(self) -> list[int]:
        """Selected shown suggestions; with nothing selected, the one keyboard review is on (or
        the first in the queue). A selection of accepted instances only gives nothing."""
        doc = self._doc_now()
        if doc is None:
            return []
        shown = self.visible_ids()
        if self.selection.ordered:
            return [i for i in self.selection.ordered if i in shown]
        if self._cursor in shown:
            return [self._cursor]
        queue = self.pending_ids()
        return queue[:1]

    def accept_selected(self) -> None:
        self._act(accept=True)

    def reject_selected(self) -> None:
        self._act(accept=False)

    def _act(self, accept: bool) -> None:
        ids = self._targets()
        if not ids:
            self._message(translate("ReviewController", "No suggestion selected."))
            return
        queue = self.pending_ids()
        following = [i for i in queue[queue.index(ids[-1]) + 1 :] + queue if i not in ids] if ids[-1] in queue else []
        doc = self._doc
        locked = {i for i in ids if doc.get(i).locked}
        ids = ids if accept else [i for i in ids if i not in locked]  # a locked suggestion stays
        if not ids:
            self._message(translate("ReviewController", "The selected suggestions are locked."))
            return
        self._push(AcceptSuggestions(doc, ids) if accept else RejectSuggestions(doc, ids))
        self._message(self.tr("Accepted %n suggestion(s).", "", len(ids)) if accept else self.tr("Rejected %n suggestion(s).", "", len(ids)))
        # Keyboard review moves on to the next suggestion in the queue, still shown after the edit.
        shown = self.visible_ids()
        nxt = next((i for i in following if i in shown), None)
        if nxt is not None:
            self._focus(nxt, center=False)
        else:
            self._cursor = None
            self.selection.set([])

    def accept_all(self) -> None:
        """Accept every shown suggestion (at or above the threshold, minus hidden duplicates)."""
        doc = self._doc_now()
        ids = self.pending_ids()
        if doc is None or not ids:
            self._message(translate("ReviewController", "No suggestions above the threshold."))
            return
        self._push(AcceptSuggestions(doc, ids, self.tr("Accept %n suggestion(s) above the threshold", "", len(ids))))
        self._message(self.tr("Accepted %n suggestion(s).", "", len(ids)))

    def reject_rest(self) -> None:
        """Remove every suggestion still pending, shown or not (below the threshold, hidden
        duplicates, shown ones not accepted): it finishes the review of the image, e.g. after
        accept_all or after accepting some one by one. Locked ones stay. One undo step."""
        doc = self._doc_now()
        if doc is None:
            return
        ids = [i for i in review.remaining_ids(doc) if not doc.get(i).locked]
        if not ids:
            self._message(translate("ReviewController", "No pending suggestions."))
            return
        self.selection.set([i for i in self.selection.ordered if i not in ids])
        self._push(RejectSuggestions(doc, ids, self.tr("Reject %n remaining suggestion(s)", "", len(ids))))
        self._message(self.tr("Rejected %n suggestion(s).", "", len(ids)))

    # ---- navigation --------------------------------------------------------------------------
    def next_suggestion(self) -> None:
        self._step(1)

    def prev_suggestion(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        queue = self.pending_ids()
        if not queue:
            self._message(translate("ReviewController", "No suggestions to review in this image."))
            return
        sel = [i for i in self.selection.ordered if i in queue]
        at = sel[-1] if sel else self._cursor if self._cursor in queue else None
        k = (queue.index(at) + delta) % len(queue) if at is not None else (0 if delta > 0 else len(queue) - 1)
        self._focus(queue[k], center=True)

    def _focus(self, iid: int, center: bool) -> None:
        self._cursor = iid
        self.selection.set([iid])
        x0, y0, x1, y1 = self._doc.get(iid).bbox()
        vx0, vy0, vx1, vy1 = self.canvas.view.visible_image_box(self.canvas.width(), self.canvas.height())
        if center or not (vx0 <= x0 and vy0 <= y0 and x1 <= vx1 and y1 <= vy1):
            self.canvas.center_on((x0 + x1) / 2, (y0 + y1) / 2)

    def next_image_with_pending(self) -> None:
        rel = self.files.next_with_pending(self._current()) if self.files is not None else None
        if rel is None:
            self._message(translate("ReviewController", "No other image has suggestions to review."))
        elif self._show_image is not None:
            self._show_image(rel)

    # ---- layer panel -------------------------------------------------------------------------
    def attach_layer_panel(self, panel: LayerPanel) -> None:
        """Accept/Reject buttons act here; rows of hidden suggestions are left out; the panel
        shows the pending count."""
        panel.accept_requested.connect(self.accept_selected)
        panel.reject_requested.connect(self.reject_selected)
        self.filter_changed.connect(panel.model.refilter)
        self.pending_changed.connect(panel.set_pending_counts)
        panel.model.set_row_filter(self.visible_filter)
        doc = self._doc_now()
        panel.set_pending_counts(len(self.visible_ids()), doc.pending_count() if doc is not None else 0)
