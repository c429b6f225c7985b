"""The main window: composition root. It builds the widgets and controllers, hands each the few
callables it uses, and keeps what only it knows: the open project, the current image and its
document. The work itself lives in the session, canvas, panels, tools and controllers."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMainWindow, QMessageBox, QToolBar

from app import __version__
from app.ai.autofill_controller import AIController, AIHost
from app.ai.interactive_controller import InteractiveController, InteractiveHost
from app.ai.overlay_controller import OverlayController
from app.ai.overlay_panel import OverlayPanel
from app.ai.review_controller import ReviewController
from app.canvas.canvas import Canvas
from app.canvas.selection import Selection
from app.core.document import Document
from app.editing.edit_controller import EditController
from app.editing.tools.base import ToolContext
from app.editing.tools.registry import TOOLS
from app.editing.tools.select import SelectTool
from app.formats.image_folder import list_images
from app.formats.image_io import LoadedImage
from app.import_export.controller import LabelTransfer
from app.panels.class_panel import ClassPanel
from app.panels.file_list import FileListPanel, shown_status
from app.panels.layer_panel import LayerPanel
from app.project.session import ProjectSession
from app.training.controller import TrainingController, TrainingHost, project_counts
from app.ui.action_table import build_actions
from app.ui.i18n import show_text, translate
from app.ui.icons import icon
from app.window import browse, layout
from app.window.actions import ALL_ACTIONS
from app.window.folders import Folders
from app.window.help import HelpActions
from app.window.language import LanguageMenu
from app.window.status_readout import StatusReadout
from app.window.undo_stacks import UndoStacks
from app.workers.background_calls import BackgroundCalls
from app.workers.image_loader import ImageLoader


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("MaskPilot")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.settings = QSettings("MaskPilot", "MaskPilot")
        self.folders = Folders(self.settings, self)
        self.session: ProjectSession | None = None
        self.current: str | None = None
        self.document: Document | None = None
        self.selection = Selection(self)
        self.stacks = UndoStacks(self)

        self.loader = ImageLoader(self)
        self.background = BackgroundCalls(self)  # GrabCut, off the GUI thread
        self.canvas = Canvas()
        self.setCentralWidget(self.canvas)
        self.files = FileListPanel()
        self.layers = LayerPanel(self.selection)
        self.classes = ClassPanel()
        self._build_controllers()
        self.docks = layout.build_docks(
            self, {"files": translate("MainWindow", "Images"), "classes": translate("MainWindow", "Classes"), "layers": translate("MainWindow", "Layers"), "ai": translate("MainWindow", "AI"), "overlays": translate("MainWindow", "Overlays")},
            {"files": self.files, "classes": self.classes, "layers": self.layers, "ai": self.ai.panel, "overlays": self.overlay_panel},
        )  # fmt: skip
        toolbar = QToolBar(translate("MainWindow", "Main"), objectName="main_toolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.help = HelpActions(lambda: ALL_ACTIONS, self.open_folder, self)
        self.actions_by_key = build_actions(self, self.menuBar(), toolbar, ALL_ACTIONS)
        self.language_menu = LanguageMenu(self.settings, self)
        self.language_menu.attach(self.menuBar())
        self.recent_menu = self.folders.add_recent_menu(self.actions_by_key["open_folder"], self.actions_by_key["save"], self.open_folder)
        self.readout = StatusReadout(self.statusBar())
        self.tools = self._build_tools()
        self.use_tool("select")
        self._connect()
        layout.restore(self, self.settings, self.docks)

    # ---- construction -----------------------------------------------------------------------
    def _build_controllers(self) -> None:
        message = self._message
        self.edits = EditController(
            document=lambda: self.document, labels=lambda: self.session.labels if self.session else None,
            set_current_category=self.classes.set_current_category, selection=self.selection,
            stack=self.stacks.active, message=message, parent=self,
        )  # fmt: skip
        self.review = ReviewController(
            document=lambda: self.document, push=self.push, selection=self.selection, canvas=self.canvas,
            message=message, files=self.files, current=lambda: self.current, show_image=self.show_image, parent=self,
        )  # fmt: skip
        self.review.attach_layer_panel(self.layers)
        self.uncertain = browse.UncertaintyReview(self.files, self.settings, lambda: self.current, self.show_image, message)
        self.overlay_panel = OverlayPanel()
        self.overlays = OverlayController(
            self.canvas, self.overlay_panel, lambda: self.document, self.push, self.selection,
            lambda: self.session.labels if self.session else None, self._current_category, message,
        )  # fmt: skip
        self.ai = AIController(AIHost(
            settings=self.settings, session=lambda: self.session, current=lambda: self.current,
            image=lambda: self.canvas.image.rgb if self.canvas.image is not None else None,
            stack_for=self.stacks.stack_for, files=self.files, review=self.review, selection=self.selection,
            current_category=self._current_category,
            show_overlays=lambda rel, sem, pan, cats: self.overlays.show_result(rel, sem, pan, self.current, categories=cats),
            message=message, warn=self._warn, show_panel=lambda: self.docks["ai"].raise_(), parent=self,
        ))  # fmt: skip
        self.interactive = InteractiveController(InteractiveHost(
            settings=self.settings, session=lambda: self.session, current=lambda: self.current,
            image=lambda: self.canvas.image.rgb if self.canvas.image is not None else None,
            upcoming=lambda rel: browse.following(self.files.model, rel, 2), message=message, warn=self._warn,
            stack_for=self.stacks.stack_for, current_category=self._current_category, selection=self.selection,
        ), parent=self)  # fmt: skip
        self.training = TrainingController(TrainingHost(
            parent=self, project=lambda: (self.session.folder, str(self.session.store.root)) if self.session else None,
            save_all=self._save_all, counts=lambda: project_counts(self.session), model_saved=self.ai.model_trained, message=message,
        ))  # fmt: skip
        self.transfer = LabelTransfer(
            session=lambda: self.session, selected=self.files.selected_paths, paths=self.files.model.paths,
            reload=self.reload_images, parent=self,
        )  # fmt: skip

    def _build_tools(self) -> dict:
        ctx = ToolContext(
            document=lambda: self.document, image=lambda: self.canvas.image.rgb if self.canvas.image is not None else None,
            push=self.push, selection=self.selection, current_category=self._current_category, hit=self.canvas.hit,
            repaint=self.canvas.update, view_scale=lambda: self.canvas.view.scale, message=self._message,
            segment_box=lambda box: self.interactive.segment_box(box) or self.ai.segment_box(box), run_async=self.background.run,
            prompt=self.interactive.prompt, cancel_preview=self.interactive.cancel_hover,
        )  # fmt: skip
        return {name: tool_class(ctx) for name, tool_class in TOOLS.items()}

    def _connect(self) -> None:
        self.loader.loaded.connect(self._on_loader_loaded)
        self.loader.failed.connect(self._on_loader_failed)
        self.files.image_activated.connect(self.show_image)
        self.canvas.cursor_moved.connect(lambda x, y: self.readout.show_pointer(x, y, self.canvas.image))
        self.canvas.zoom_changed.connect(self.readout.show_zoom)
        self.overlays.hover_text_changed.connect(self.readout.overlay_label.setText)
        self.classes.current_changed.connect(lambda cid: self.readout.show_class(self.session.labels.get(cid) if self.session else None))
        self.selection.changed.connect(lambda: self.canvas.set_selected(self.selection.ids))
        self.layers.model.edit_requested.connect(self.edits.set_field)
        self.layers.model.reorder_requested.connect(self.edits.move_to)
        self.layers.style_changed.connect(self.canvas.set_mask_style)
        self.interactive.candidates_ready.connect(self.tools["interactive"].show_candidates)
        self.ai.panel.interactive_changed.connect(self.interactive.set_model)
        self.ai.panel.train_requested.connect(self.training.open_dialog)
        group = self.stacks.group
        group.cleanChanged.connect(lambda _c: self._update_title())
        for key, signal in (("undo", group.canUndoChanged), ("redo", group.canRedoChanged)):
            self.actions_by_key[key].setEnabled(False)
            signal.connect(self.actions_by_key[key].setEnabled)

    def _current_category(self) -> int:
        cid = self.classes.current_category()
        if cid is None and self.session is not None:
            cid = next(iter(self.session.labels)).id if len(self.session.labels) else self.session.labels.add("object").id
        return cid

    # ---- folders ------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        if folder := self.folders.choose():
            self.open_folder(folder)

    def open_folder(self, path: str | os.PathLike, store_dir: str | os.PathLike | None = None) -> bool:
        folder = Path(path).expanduser().resolve()
        if not folder.is_dir():
            self._warn(translate("MainWindow", "{folder} is not a folder.").format(folder=folder))
            return False
        if self.session is not None:
            self._save_all()
        if store_dir is None and (store_dir := self.folders.store_dir(folder)) == "":
            self._warn(translate("MainWindow", "No folder for labels was chosen; {folder} was not opened.").format(folder=folder))
            return False
        recursive = self.folders.recursive(folder)
        self.session, self.current = ProjectSession(folder, store_dir, recursive), None  # its images are all new
        self.session.save_failed.connect(self._warn)
        self.session.document_saved.connect(self._on_session_document_saved)
        for warning in self.session.warnings:
            self._warn(warning)
        self.stacks.clear()
        self.overlays.forget()
        self.classes.set_labels(self.session.labels)
        self.ai.refresh_models()  # the project's own models first
        # Recolour, rename or delete a class: overlays and layer rows show it at once.
        self.session.labels.changed.connect(lambda _cid: (self.canvas.invalidate_overlay(), self.layers.model.layoutChanged.emit()))
        self.actions_by_key["recursive"].blockSignals(True)
        self.actions_by_key["recursive"].setChecked(recursive)
        self.actions_by_key["recursive"].blockSignals(False)
        self._load_file_list()
        self.folders.remember(folder)
        paths = self.files.model.paths()
        QTimer.singleShot(0, self.transfer.offer_labelme_import)
        last = self.folders.last_image(folder)
        if paths:
            self.show_image(last if last in paths else paths[0])
        else:
            self._set_document(None)
            self.canvas.set_image(None, translate("MainWindow", "No images in {folder}").format(folder=folder))
        self._update_title()
        return True

    def reload_images(self, rels: list[str]) -> None:
        """Label files of these images were rewritten outside the session: read them again."""
        self.session.forget(rels)
        self.stacks.drop(*rels)
        self._load_file_list()
        if self.current in rels:
            current, self.current = self.current, None
            self.show_image(current)

    def _load_file_list(self) -> None:
        states = browse.file_states(self.session.store.index(), translate("MainWindow", "label file unreadable"))
        self.files.model.set_files(list_images(self.session.folder, self.session.settings["recursive"]), states)

    def toggle_recursive(self) -> None:
        if self.session is None:
            return
        on = self.actions_by_key["recursive"].isChecked()
        self.session.settings["recursive"] = on
        self.folders.set_recursive(self.session.folder, on)
        self._load_file_list()
        if self.current:
            self.files.set_current(self.current)

    # ---- images ------------------------------------------------------------------------------
    def show_image(self, rel: str | None) -> None:
        if self.session is None or rel is None or rel == self.current:
            return
        self._save_all()  # autosave on image switch
        previous, self.current = self.current, rel
        self.selection.set([])
        self.files.set_current(rel)
        self.folders.set_last_image(self.session.folder, rel)
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
            self._show_loaded(image)
        elif (error := self.loader.error(path)) is not None:
            self._show_error(error)
        else:
            self.canvas.set_image(None, translate("MainWindow", "Loading {name}…").format(name=rel))
        self.loader.prefetch([str(self.session.image_path(p)) for p in browse.neighbours(self.files.model, rel)])
        self.interactive.image_shown()
        self._update_title()

    def _set_document(self, doc: Document | None) -> None:
        self.document = doc
        # The review filter first: the canvas and the layer rows ask it what to show.
        self.review.set_document(doc, self.current)
        self.canvas.set_document(doc, self.session.labels if self.session else self.canvas.labels)
        self.layers.model.set_document(doc, self.canvas.labels)
        self.classes.set_document(doc)
        self.stacks.activate(self.current if doc is not None else None)
        self.overlays.set_current(self.current if doc is not None else None)

    def _release(self, rel: str) -> None:
        """Forget an image left without edits, so a long session does not keep every document
        it visited; an image with undo history stays in memory (its history must survive)."""
        if not self.stacks.has_history(rel) and self.session.release(rel):
            self.stacks.drop(rel)

    def _on_loader_loaded(self, path: str, image: LoadedImage) -> None:
        if self.session is not None and self.current is not None and path == str(self.session.image_path(self.current)):
            self._show_loaded(image)

    def _on_loader_failed(self, path: str, message: str) -> None:
        if self.session is None:
            return
        rel = Path(path).relative_to(self.session.folder).as_posix()
        self.files.model.update_state(rel, status="error", error=show_text(message))
        if rel == self.current:
            self._show_error(show_text(message))

    def _show_loaded(self, image: LoadedImage) -> None:
        doc = self.document
        if doc is not None and (doc.width, doc.height) != (image.width, image.height):
            doc.width, doc.height = image.width, image.height  # first open, or the file was replaced
        self.canvas.set_image(image)
        self.readout.show_image(image)

    def _show_error(self, message: str) -> None:
        self.canvas.set_image(None, translate("MainWindow", "This image cannot be shown.\n\n{message}").format(message=message))
        self.readout.show_image(None, translate("MainWindow", "unreadable"))

    def next_image(self) -> None:
        self.show_image(browse.step(self.files, self.current, 1))

    def prev_image(self) -> None:
        self.show_image(browse.step(self.files, self.current, -1))

    def next_unfinished(self) -> None:
        if self.current is None or not self.files.model.paths():
            return
        target = browse.next_unfinished(self.files.model, self.current)
        if target is None:
            self._message(translate("MainWindow", "Every image is done."))
        self.show_image(target)

    # ---- editing -----------------------------------------------------------------------------
    def undo(self) -> None:
        undo_prompt = getattr(self.canvas.tool, "undo_prompt", None)
        if undo_prompt is None or not undo_prompt():  # while prompting, Ctrl+Z takes back a point
            self.stacks.group.undo()

    def redo(self) -> None:
        self.stacks.group.redo()

    def push(self, command) -> None:
        self.stacks.push(command)

    def delete_selected(self) -> None:
        tool = self.canvas.tool
        if not (isinstance(tool, SelectTool) and tool.delete_active_vertex()):  # Delete removes a vertex first
            self.edits.delete_selected()

    def use_tool(self, name: str) -> None:
        self.canvas.set_tool(self.tools[name])
        if name == "interactive":
            self.interactive.arm()
        act = self.actions_by_key.get(f"tool_{name}")
        if act is not None and not act.isChecked():
            act.setChecked(True)

    def toggle_protect(self) -> None:
        on = self.actions_by_key["protect"].isChecked()
        for name in ("brush", "eraser"):
            self.tools[name].protect_others = on

    def toggle_hide_all(self) -> None:
        self.canvas.set_masks_hidden(self.actions_by_key["hide_all"].isChecked())

    # ---- saving and messages -------------------------------------------------------------------
    def save_now(self) -> None:
        if self._save_all():
            self._message(translate("MainWindow", "Saved"), 2000)

    def _save_all(self) -> bool:
        return self.session.save_all() if self.session is not None else True

    def _on_session_document_saved(self, rel: str) -> None:
        doc = self.session.documents[rel]
        self.files.model.update_state(rel, status=shown_status(doc.status.value, len(doc)), pending=doc.pending_count(), error="")
        self.stacks.mark_clean(rel)

    def _update_title(self) -> None:
        if self.session is None:
            self.setWindowTitle("MaskPilot")
            return
        dirty = "*" if not self.stacks.group.isClean() else ""
        self.setWindowTitle(f"{dirty}{self.current or ''} — {self.session.folder.name} — MaskPilot")

    def _message(self, text: str, ms: int = 4000) -> None:
        self.statusBar().showMessage(show_text(text), ms)

    def _warn(self, message: str) -> None:
        """Non-blocking: a status bar message plus a log line (in English: a Text from the Qt-free
        layers is translated for the status bar only); dialogs would stall batch work."""
        self.statusBar().showMessage(show_text(message), 10000)
        print(f"MaskPilot: {message}", flush=True)

    def show_about(self) -> None:
        QMessageBox.about(self, translate("MainWindow", "About MaskPilot"), translate("MainWindow", "MaskPilot {version}\nSegmentation labeling with model suggestions.").format(version=__version__))

    # ---- window events -------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802
        self.ai.shutdown()  # keeps the results that finished, then autosave writes them
        self.interactive.shutdown()
        self.training.shutdown()  # a running job saves its best weights, then its process ends
        self._save_all()
        layout.save(self, self.settings)
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
