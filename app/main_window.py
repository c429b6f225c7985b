"""The main window: composition root. It builds the widgets, wires signals, and owns the
per-image undo stacks; the work itself lives in the session, canvas, panels and tools."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QUndoGroup, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QUndoView,
)

from app import __version__, label_transfer
from app.actions import ACTIONS, build_actions, icon
from app.ai_controller import AI_ACTIONS, AIController
from app.canvas import Canvas
from app.commands import (
    MoveInstance,
    RemoveInstance,
    SetFields,
    SetImageStatus,
)
from app.core.document import Document, ImageStatus
from app.edit_controller import EditController
from app.formats.image_folder import list_images
from app.formats.image_io import LoadedImage
from app.formats.store import ProjectStore
from app.overlay_controller import OVERLAY_ACTIONS, OverlayController
from app.panels.class_panel import ClassPanel
from app.panels.file_list import FileListPanel, FileState
from app.panels.layer_panel import LayerPanel
from app.panels.overlay_panel import OverlayPanel
from app.review_controller import REVIEW_ACTIONS, ReviewController
from app.selection import Selection
from app.session import ProjectSession
from app.tools.base import ToolContext
from app.tools.box_to_mask import BoxToMaskTool
from app.tools.brush import BrushTool, EraserTool
from app.tools.fill import FillTool
from app.tools.grabcut import GrabCutTool
from app.tools.polygon import PolygonTool
from app.tools.select import SelectTool
from app.workers.background_calls import BackgroundCalls
from app.workers.image_loader import ImageLoader

MAX_RECENT = 10


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("MainWindow", text, None, n)


def shown_status(status: str, instances: int) -> str:
    """A 'new' image that already has instances is shown as in progress."""
    return "in_progress" if status == "new" and instances else status


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("MaskPilot")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.settings = QSettings("MaskPilot", "MaskPilot")
        self.session: ProjectSession | None = None
        self.current: str | None = None
        self.document: Document | None = None
        self.selection = Selection()
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[str, QUndoStack] = {}
        self._history: QUndoView | None = None

        self.loader = ImageLoader(self)
        self.background = BackgroundCalls(self)  # GrabCut, off the GUI thread
        self.canvas = Canvas()
        self.setCentralWidget(self.canvas)
        self.files = FileListPanel()
        self.layers = LayerPanel(self.selection)
        self.classes = ClassPanel()
        self.files_dock = self._dock(self.files, tr("Images"), Qt.LeftDockWidgetArea, "files_dock")
        self.layers_dock = self._dock(self.layers, tr("Layers"), Qt.RightDockWidgetArea, "layers_dock")
        self.classes_dock = self._dock(self.classes, tr("Classes"), Qt.RightDockWidgetArea, "classes_dock")
        self.edits = EditController(self)
        self.review = ReviewController(
            document=lambda: self.document, push=self.push, selection=self.selection, canvas=self.canvas,
            message=lambda t: self.statusBar().showMessage(t, 4000), files=self.files,
            current=lambda: self.current, show_image=self.show_image, parent=self,
        )  # fmt: skip
        self.review.attach_layer_panel(self.layers)
        self.ai = AIController(self)
        self.ai_dock = self._dock(self.ai.panel, tr("AI"), Qt.RightDockWidgetArea, "ai_dock")
        self.tabifyDockWidget(self.classes_dock, self.ai_dock)
        self.overlay_panel = OverlayPanel()
        self.overlays = OverlayController(
            self.canvas, self.overlay_panel, lambda: self.document, self.push, self.selection,
            lambda: self.session.labels if self.session else None, self._current_category,
            lambda text: self.statusBar().showMessage(text, 4000),
        )  # fmt: skip
        self.overlay_dock = self._dock(self.overlay_panel, tr("Overlays"), Qt.RightDockWidgetArea, "overlay_dock")
        self.tabifyDockWidget(self.ai_dock, self.overlay_dock)
        self.ai_dock.raise_()
        toolbar = QToolBar(tr("Main"), objectName="main_toolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.actions_by_key = build_actions(self, self.menuBar(), toolbar, ACTIONS + AI_ACTIONS + REVIEW_ACTIONS + OVERLAY_ACTIONS)
        self._build_recent_menu()
        self._build_status_bar()
        self.tools = self._build_tools()
        self.use_tool("select")

        self.loader.loaded.connect(self._on_loader_loaded)
        self.loader.failed.connect(self._on_loader_failed)
        self.files.image_activated.connect(self.show_image)
        self.canvas.cursor_moved.connect(self._on_canvas_cursor_moved)
        self.overlays.hover_text_changed.connect(self.overlay_label.setText)
        self.canvas.zoom_changed.connect(self._on_canvas_zoom_changed)
        self.selection.changed.connect(lambda: self.canvas.set_selected(self.selection.ids))
        self.layers.model.edit_requested.connect(self._on_layers_edit_requested)
        self.layers.model.reorder_requested.connect(self._on_layers_reorder_requested)
        self.layers.style_changed.connect(self._on_layers_style_changed)
        self.undo_group.cleanChanged.connect(lambda _c: self._update_title())
        self.actions_by_key["undo"].setEnabled(False)
        self.undo_group.canUndoChanged.connect(self.actions_by_key["undo"].setEnabled)
        self.undo_group.canRedoChanged.connect(self.actions_by_key["redo"].setEnabled)
        self.actions_by_key["redo"].setEnabled(False)
        self._restore_window()

    # ---- construction helpers ---------------------------------------------------------------
    def _build_tools(self) -> dict:
        ctx = ToolContext(
            document=lambda: self.document,
            image=lambda: self.canvas.image.rgb if self.canvas.image is not None else None,
            push=self.push,
            selection=self.selection,
            current_category=self._current_category,
            hit=self.canvas.hit,
            repaint=self.canvas.update,
            view_scale=lambda: self.canvas.view.scale,
            message=lambda text: self.statusBar().showMessage(text, 4000),
            segment_box=lambda box: self.ai.segment_box(box),
            run_async=self.background.run,
        )
        return {
            "select": SelectTool(ctx),
            "polygon": PolygonTool(ctx),
            "brush": BrushTool(ctx),
            "eraser": EraserTool(ctx),
            "fill": FillTool(ctx),
            "grabcut": GrabCutTool(ctx),
            "auto_edit": BoxToMaskTool(ctx),
        }

    def _current_category(self) -> int:
        cid = self.classes.current_category()
        if cid is None and self.session is not None:
            cid = next(iter(self.session.labels)).id if len(self.session.labels) else self.session.labels.add("object").id
        return cid

    def _dock(self, widget, title: str, area, name: str) -> QDockWidget:
        dock = QDockWidget(title, self, objectName=name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.size_label, self.pos_label, self.value_label, self.zoom_label, self.overlay_label = (QLabel() for _ in range(5))
        for lbl, width in ((self.overlay_label, 0), (self.size_label, 150), (self.pos_label, 120), (self.value_label, 150), (self.zoom_label, 70)):
            lbl.setMinimumWidth(width)
            self.statusBar().addPermanentWidget(lbl)

    def _build_recent_menu(self) -> None:
        file_menu = self.actions_by_key["open_folder"].associatedObjects()[0]
        self.recent_menu = file_menu.addMenu(tr("Open &Recent"))
        file_menu.insertMenu(self.actions_by_key["save"], self.recent_menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for folder in self.recent_folders():
            self.recent_menu.addAction(folder, lambda f=folder: self.open_folder(f))
        if not self.recent_menu.actions():
            self.recent_menu.addAction(tr("(none)")).setEnabled(False)

    def _restore_window(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.restoreState(self.settings.value("window/state"))
        else:
            self.resize(1440, 900)
            self.resizeDocks([self.files_dock, self.layers_dock], [260, 340], Qt.Horizontal)
            self.resizeDocks([self.layers_dock, self.classes_dock], [520, 300], Qt.Vertical)

    # ---- folders ------------------------------------------------------------------------------
    def recent_folders(self) -> list[str]:
        value = self.settings.value("recent/folders", [])
        return [value] if isinstance(value, str) else list(value or [])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Open image folder"), self.recent_folders()[0] if self.recent_folders() else "")
        if folder:
            self.open_folder(folder)

    def ask_output_folder(self, folder: Path) -> str:
        """A read-only image folder needs somewhere else for its labels. Tests replace this."""
        QMessageBox.information(
            self, tr("Read-only folder"),
            tr("{folder} is read-only, so labels cannot be saved next to the images.\n"
               "Choose a folder for MaskPilot's labels.").format(folder=folder),
        )
        return QFileDialog.getExistingDirectory(self, tr("Folder for labels"))

    def open_folder(self, path: str | os.PathLike, store_dir: str | os.PathLike | None = None) -> bool:
        folder = Path(path).expanduser().resolve()
        if not folder.is_dir():
            self._warn(tr("{folder} is not a folder.").format(folder=folder))
            return False
        if self.session is not None:
            self._save_all()
        if store_dir is None and not ProjectStore.can_write_in(folder):
            store_dir = self.settings.value(f"store_dirs/{folder.as_posix()}") or self.ask_output_folder(folder)
            if not store_dir:
                self._warn(tr("No folder for labels was chosen; {folder} was not opened.").format(folder=folder))
                return False
            self.settings.setValue(f"store_dirs/{folder.as_posix()}", str(store_dir))
        recursive = bool(self.settings.value(f"recursive/{folder.as_posix()}", False, type=bool))
        self.session = ProjectSession(folder, store_dir, recursive)
        self.session.save_failed.connect(self._warn)
        self.session.document_saved.connect(self._on_session_document_saved)
        for warning in self.session.warnings:
            self._warn(warning)
        self._stacks.clear()
        self.overlays.forget()
        self.classes.set_labels(self.session.labels)
        self.ai.update_mapping_summary()
        # Recolour, rename or delete a class: overlays and layer rows show it at once.
        self.session.labels.changed.connect(lambda _cid: (self.canvas.invalidate_overlay(), self.layers.model.layoutChanged.emit()))
        self.actions_by_key["recursive"].blockSignals(True)
        self.actions_by_key["recursive"].setChecked(recursive)
        self.actions_by_key["recursive"].blockSignals(False)
        self._load_file_list()
        self._remember_recent(folder)
        paths = self.files.model.paths()
        QTimer.singleShot(0, lambda: label_transfer.offer_labelme_import(self))
        last = self.settings.value(f"last_image/{folder.as_posix()}")
        if paths:
            self.show_image(last if last in paths else paths[0])
        else:
            self._set_document(None)
            self.canvas.set_image(None, tr("No images in {folder}").format(folder=folder))
        self._update_title()
        return True

    # ---- import / export (app/label_transfer.py) ---------------------------------------------
    def export_labels(self) -> None:
        label_transfer.export_labels(self)

    def import_labels(self, fmt: str | None = None) -> None:
        label_transfer.import_labels(self, fmt)

    def reload_images(self, rels: list[str]) -> None:
        """Label files of these images were rewritten outside the session: read them again."""
        self.session.forget(rels)
        for rel in rels:
            self._stacks.pop(rel, None)
        self._load_file_list()
        if self.current in rels:
            current, self.current = self.current, None
            self.show_image(current)

    def ask_import_labelme(self, count: int) -> bool:
        """Tests replace this."""
        answer = QMessageBox.question(
            self, tr("labelme files found"),
            tr("%n image(s) in this folder have labelme JSON files. Import them?", count),
        )
        return answer == QMessageBox.Yes

    def _load_file_list(self) -> None:
        index = self.session.store.index()
        states = {
            rel: FileState(shown_status(e.status, e.instances), e.pending) for rel, e in index.items() if e.status != "error"
        }
        states.update({rel: FileState("error", 0, tr("label file unreadable")) for rel, e in index.items() if e.status == "error"})
        self.files.model.set_files(list_images(self.session.folder, self.session.settings["recursive"]), states)

    def _remember_recent(self, folder: Path) -> None:
        recent = [str(folder)] + [f for f in self.recent_folders() if f != str(folder)]
        self.settings.setValue("recent/folders", recent[:MAX_RECENT])

    def toggle_recursive(self) -> None:
        if self.session is None:
            return
        on = self.actions_by_key["recursive"].isChecked()
        self.session.settings["recursive"] = on
        self.settings.setValue(f"recursive/{self.session.folder.as_posix()}", on)
        self._load_file_list()
        if self.current:
            self.files.set_current(self.current)

    # ---- images ------------------------------------------------------------------------------
    def show_image(self, rel: str) -> None:
        if self.session is None or rel == self.current:
            return
        self._save_all()  # autosave on image switch
        previous, self.current = self.current, rel
        self.selection.set([])
        self.files.set_current(rel)
        self.settings.setValue(f"last_image/{self.session.folder.as_posix()}", rel)
        path = str(self.session.image_path(rel))
        doc, warning = self.session.document(rel)
        if warning:
            self._warn(warning)
            self.files.model.update_state(rel, status="new", pending=0)
        self._set_document(doc)
        if previous is not None:
            self._release(previous)
        image = self.loader.request(path)
        if image is not None:
            self._show_loaded(rel, image)
        elif (error := self.loader.error(path)) is not None:
            self._show_error(rel, error)
        else:
            self.canvas.set_image(None, tr("Loading {name}…").format(name=rel))
        self._prefetch_neighbours()
        self._update_title()

    def _set_document(self, doc: Document | None) -> None:
        self.document = doc
        # The review filter first: the canvas and the layer rows ask it what to show.
        self.review.set_document(doc, self.current)
        self.canvas.set_document(doc, self.session.labels if self.session else self.canvas.labels)
        self.layers.model.set_document(doc, self.canvas.labels)
        self.classes.set_document(doc)
        self.undo_group.setActiveStack(self.stack_for(self.current) if doc is not None and self.current else None)
        self.overlays.set_current(self.current if doc is not None else None)

    def _release(self, rel: str) -> None:
        """Forget an image left without edits, so a long session does not keep every document
        it visited; an image with undo history stays in memory (its history must survive)."""
        stack = self._stacks.get(rel)
        if (stack is None or stack.count() == 0) and self.session.release(rel):
            if self._stacks.pop(rel, None) is not None:
                self.undo_group.removeStack(stack)
                stack.deleteLater()

    def stack_for(self, rel: str) -> QUndoStack:
        """The undo stack of image `rel` (kept for the session, so undo survives switching)."""
        stack = self._stacks.get(rel)
        if stack is None:
            stack = self._stacks[rel] = QUndoStack(self.undo_group)
        return stack

    def _on_loader_loaded(self, path: str, image: LoadedImage) -> None:
        if self.session is not None and self.current is not None and path == str(self.session.image_path(self.current)):
            self._show_loaded(self.current, image)

    def _on_loader_failed(self, path: str, message: str) -> None:
        if self.session is None:
            return
        rel = Path(path).relative_to(self.session.folder).as_posix()
        self.files.model.update_state(rel, status="error", error=message)
        if rel == self.current:
            self._show_error(rel, message)

    def _show_loaded(self, rel: str, image: LoadedImage) -> None:
        doc = self.document
        if doc is not None and (doc.width, doc.height) != (image.width, image.height):
            doc.width, doc.height = image.width, image.height  # first open, or the file was replaced
        self.canvas.set_image(image)
        self.size_label.setText(f"{image.width} × {image.height}  {image.description}")

    def _show_error(self, rel: str, message: str) -> None:
        self.canvas.set_image(None, tr("This image cannot be shown.\n\n{message}").format(message=message))
        self.size_label.setText(tr("unreadable"))

    def _prefetch_neighbours(self) -> None:
        paths = self.files.model.paths()
        row = self.files.model.row_of(self.current)
        near = [paths[r] for r in (row + 1, row - 1, row + 2) if 0 <= r < len(paths)]
        self.loader.prefetch([str(self.session.image_path(p)) for p in near])

    def _step(self, delta: int) -> None:
        proxy = self.files.proxy
        if self.current is None or proxy.rowCount() == 0:
            return
        src = self.files.model.index(self.files.model.row_of(self.current))
        row = proxy.mapFromSource(src).row()
        target = min(max(row + delta, 0), proxy.rowCount() - 1) if row >= 0 else 0
        self.show_image(self.files.model.path(proxy.mapToSource(proxy.index(target, 0)).row()))

    def next_image(self) -> None:
        self._step(1)

    def prev_image(self) -> None:
        self._step(-1)

    def next_unfinished(self) -> None:
        paths = self.files.model.paths()
        if not paths or self.current is None:
            return
        start = self.files.model.row_of(self.current)
        for k in range(1, len(paths) + 1):
            rel = paths[(start + k) % len(paths)]
            if self.files.model.state(rel).shown not in ("done", "error"):
                self.show_image(rel)
                return
        self.statusBar().showMessage(tr("Every image is done."), 4000)

    # ---- editing -----------------------------------------------------------------------------
    def undo(self) -> None:
        self.undo_group.undo()

    def redo(self) -> None:
        self.undo_group.redo()

    def push(self, command) -> None:
        stack = self.undo_group.activeStack()
        if stack is not None:
            stack.push(command)

    def _on_layers_edit_requested(self, iid: int, field: str, value: object) -> None:
        if self.document is not None:
            text = tr("Show/hide instance") if field == "visible" else tr("Lock/unlock instance")
            self.push(SetFields(self.document, iid, text, **{field: value}))

    def _on_layers_reorder_requested(self, iid: int, z_index: int) -> None:
        if self.document is not None:
            self.push(MoveInstance(self.document, iid, z_index))

    def _on_layers_style_changed(self, opacity: float, fill: bool, outline: bool) -> None:
        style = self.canvas.style
        style.opacity, style.fill, style.outline = opacity, fill, outline
        style.suggestion_opacity = opacity / 2
        self.canvas.invalidate_overlay()

    def delete_selected(self) -> None:
        tool = self.canvas.tool
        if isinstance(tool, SelectTool) and tool.delete_active_vertex():
            return  # Delete removed the active polygon vertex
        doc = self.document
        ids = [i for i in self.selection.ordered if doc is not None and i in doc and not doc.get(i).locked]
        if not ids:
            return
        stack = self.undo_group.activeStack()
        stack.beginMacro(tr("Delete %n instance(s)", len(ids)))
        for iid in ids:
            stack.push(RemoveInstance(doc, iid))
        stack.endMacro()
        self.selection.set([])

    def toggle_done(self) -> None:
        if self.document is not None:
            done = self.document.status is ImageStatus.DONE
            self.push(SetImageStatus(self.document, ImageStatus.IN_PROGRESS if done else ImageStatus.DONE))

    def use_tool(self, name: str) -> None:
        self.canvas.set_tool(self.tools[name])
        act = self.actions_by_key.get(f"tool_{name}")
        if act is not None and not act.isChecked():
            act.setChecked(True)

    def toggle_protect(self) -> None:
        on = self.actions_by_key["protect"].isChecked()
        for name in ("brush", "eraser"):
            self.tools[name].protect_others = on

    def show_history(self) -> None:
        if self._history is None:
            self._history = QUndoView(self.undo_group)
            self._history.setWindowTitle(tr("Edit history"))
            self._history.resize(320, 420)
        self._history.show()
        self._history.raise_()

    # ---- view --------------------------------------------------------------------------------
    def zoom_fit(self) -> None:
        self.canvas.fit()

    def zoom_actual(self) -> None:
        self.canvas.zoom_to(1.0)

    def zoom_in(self) -> None:
        self.canvas.zoom_to(self.canvas.view.scale * 1.25)

    def zoom_out(self) -> None:
        self.canvas.zoom_to(self.canvas.view.scale / 1.25)

    def toggle_hide_all(self) -> None:
        self.canvas.style.hidden = self.actions_by_key["hide_all"].isChecked()
        self.canvas.invalidate_overlay()

    def _on_canvas_cursor_moved(self, x: float, y: float) -> None:
        ix, iy = int(x // 1), int(y // 1)
        self.pos_label.setText(f"x {ix}  y {iy}")
        image = self.canvas.image
        self.value_label.setText(image.pixel_text(ix, iy) if image is not None else "")

    def _on_canvas_zoom_changed(self, scale: float) -> None:
        self.zoom_label.setText(f"{scale * 100:.0f} %")

    # ---- saving ------------------------------------------------------------------------------
    def save_now(self) -> None:
        if self._save_all():
            self.statusBar().showMessage(tr("Saved"), 2000)

    def _save_all(self) -> bool:
        return self.session.save_all() if self.session is not None else True

    def _on_session_document_saved(self, rel: str) -> None:
        doc = self.session.documents[rel]
        self.files.model.update_state(rel, status=shown_status(doc.status.value, len(doc)), pending=doc.pending_count(), error="")
        stack = self._stacks.get(rel)
        if stack is not None:
            stack.setClean()

    def _update_title(self) -> None:
        if self.session is None:
            self.setWindowTitle("MaskPilot")
            return
        dirty = "*" if not self.undo_group.isClean() else ""
        self.setWindowTitle(f"{dirty}{self.current or ''} — {self.session.folder.name} — MaskPilot")

    def _warn(self, message: str) -> None:
        """Non-blocking: a status bar message plus a log line; dialogs would stall batch work."""
        self.statusBar().showMessage(message, 10000)
        print(f"MaskPilot: {message}", flush=True)

    def show_about(self) -> None:
        QMessageBox.about(self, tr("About MaskPilot"), tr("MaskPilot {version}\nSegmentation labeling with model suggestions.").format(version=__version__))

    # ---- window events -------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802
        self.ai.shutdown()  # keeps the results that finished, then autosave writes them
        self._save_all()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.loader.shutdown()
        self.background.shutdown()
        super().closeEvent(event)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and Path(urls[0].toLocalFile()).is_dir():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        folder = event.mimeData().urls()[0].toLocalFile()
        QTimer.singleShot(0, lambda: self.open_folder(folder))






