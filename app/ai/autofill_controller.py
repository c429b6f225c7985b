"""Auto-fill in the app: the AI panel, the inference worker thread, and where results land.

The worker (app.ai.inference_worker) runs in one long-lived QThread. Results come back
with the image they were computed for and are applied to that image only:
- an image whose document is in memory (opened this session) gets one undoable command on its
  own undo stack (so the suggestions can be undone, and autosave writes them);
- any other image gets its label file rewritten atomically through the store.
Nothing is ever drawn on the current image unless it was computed for it. Either way the run
and the image's uncertainty are recorded, and the file list learns the new uncertainty at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QSettings, QThread, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QWidget

from app.ai import model_catalog
from app.ai.ai_panel import AIPanel
from app.ai.domain.project_models import is_project_model
from app.ai.domain.suggestions import (
    class_mapping,
    record_fill,
    suggestions_from_prediction,
    write_prediction,
)
from app.ai.inference_worker import BoxJob, FillJob, ImageResult, InferenceWorker, ModelSpec
from app.ai.review_controller import ReviewController
from app.ai.weights_choice import settings_key
from app.canvas.selection import Selection
from app.core.instance import InstanceState
from app.editing.commands import AddInstance, CommandSequence, RemoveInstance
from app.formats.document_json import latest_uncertainty
from app.panels.file_list import FileListPanel, shown_status
from app.project.session import ProjectSession
from app.ui.action_table import ActionSpec
from app.ui.i18n import translate

#: Testing and demos without weights files: missing weights mean random weights (useless output).
RANDOM_WEIGHTS_ENV = "MASKPILOT_RANDOM_WEIGHTS"
#: Lowest score kept when a model runs; the review slider filters above it without re-running.
SCORE_FLOOR = 0.25


AI_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("autofill", QT_TRANSLATE_NOOP("Actions", "Auto-&Fill Image"), "ai.autofill", "ai", ("I",), "autofill", True, arg="current",
               tip=QT_TRANSLATE_NOOP("Actions", "Let the model suggest instances on this image")),
    ActionSpec("autofill_all", QT_TRANSLATE_NOOP("Actions", "Auto-Fill &All Images"), "ai.autofill", "ai", arg="all"),
    ActionSpec("autofill_unfinished", QT_TRANSLATE_NOOP("Actions", "Auto-Fill &Unfinished Images"), "ai.autofill", "ai", arg="unfinished"),
    ActionSpec("autofill_cancel", QT_TRANSLATE_NOOP("Actions", "&Cancel Auto-Fill"), "ai.cancel", "ai", ("Shift+Esc",), "stop"),
)  # fmt: skip


@dataclass(frozen=True)
class AIHost:
    """What auto-fill uses of the window. session() and current() name the open project and
    image; image() is the current image's RGB array (None while loading); stack_for(rel) is that
    image's undo stack; show_overlays(rel, semantic, panoptic, categories) hands overlay results
    on; message(text) is a short status message, warn(text) a lasting one plus a log line;
    show_panel() brings the AI dock forward; parent hosts the file dialog."""

    settings: QSettings
    session: Callable[[], ProjectSession | None]
    current: Callable[[], str | None]
    image: Callable[[], np.ndarray | None]
    stack_for: Callable[[str], QUndoStack]
    files: FileListPanel
    review: ReviewController
    selection: Selection
    current_category: Callable[[], int]
    show_overlays: Callable[..., None]
    message: Callable[[str], None]
    warn: Callable[[str], None]
    show_panel: Callable[[], None]
    parent: QWidget


@dataclass
class _Job:
    kind: str  # "fill" or "box"
    model: str
    mapping: dict[int, int] = field(default_factory=dict)
    categories: tuple = ()  # the instance model's (id, name) pairs: panoptic class names
    total: int = 0
    done: int = 0
    suggestions: int = 0
    failed: list[str] = field(default_factory=list)


class AIController(QObject):
    _submit = Signal(object)  # queued into the worker thread
    _describe = Signal()

    def __init__(self, host: AIHost) -> None:
        super().__init__(host.parent)
        self.host = host
        self.panel = AIPanel()
        self.worker = InferenceWorker()
        self.thread = QThread(self)
        self.thread.setObjectName("maskpilot-inference")
        self.worker.moveToThread(self.thread)
        self._submit.connect(self.worker.run)
        self._describe.connect(self.worker.describe_devices)
        self.worker.result_ready.connect(self._on_worker_result_ready)
        self.worker.box_ready.connect(self._on_worker_box_ready)
        self.worker.progress.connect(self._on_worker_progress)
        self.worker.image_failed.connect(self._on_worker_image_failed)
        self.worker.job_failed.connect(self._on_worker_job_failed)
        self.worker.job_finished.connect(self._on_worker_job_finished)
        self.worker.notice.connect(self.panel.show_banner)
        self.worker.devices_described.connect(self.panel.set_devices_description)
        # The thread starts with the first job (a window that never runs a model has none), and
        # stops with the application even if the window is never closed.
        QCoreApplication.instance().aboutToQuit.connect(self.shutdown)
        self._jobs: dict[int, _Job] = {}
        self._last_id = 0
        self._devices_asked = False
        self._connect_panel()
        self.refresh_models()

    # ---- panel ----------------------------------------------------------------------------------
    def _connect_panel(self) -> None:
        p, s = self.panel, self.host.settings
        p.set_device(str(s.value("ai/device", "auto")))
        p.set_threshold(float(s.value("ai/threshold", 0.5)))
        p.add_classes.setChecked(bool(s.value("ai/add_classes", False, type=bool)))
        p.hide_dups.setChecked(bool(s.value("ai/hide_duplicates", True, type=bool)))
        p.model_changed.connect(lambda name: (s.setValue("ai/model", name), self.update_mapping_summary()))
        p.semantic_changed.connect(lambda name: s.setValue("ai/semantic", name))
        p.device_changed.connect(lambda key: s.setValue("ai/device", key))
        p.threshold_changed.connect(lambda value: s.setValue("ai/threshold", value))
        p.add_classes_changed.connect(lambda on: (s.setValue("ai/add_classes", on), self.update_mapping_summary()))
        p.autofill_requested.connect(self.autofill)
        p.cancel_requested.connect(self.cancel)
        p.weights_file_requested.connect(lambda: self.choose_weights(self.panel.model_name()))
        p.interactive_weights_requested.connect(lambda: self.choose_weights(self.panel.interactive_name()))
        p.interactive_changed.connect(lambda name: s.setValue("ai/interactive", name))
        p.download_requested.connect(self.download_weights)
        review = self.host.review
        p.threshold_changed.connect(review.set_threshold)
        review.set_threshold(p.threshold())
        p.hide_duplicates_changed.connect(review.set_hide_duplicates)
        p.hide_duplicates_changed.connect(lambda on: s.setValue("ai/hide_duplicates", on))
        review.set_hide_duplicates(p.hide_dups.isChecked())
        p.accept_all_requested.connect(review.accept_all)
        p.reject_rest_requested.connect(review.reject_rest)
        p.next_pending_requested.connect(review.next_image_with_pending)

    def _store(self):  # noqa: ANN202 - the open project's ProjectStore, or None
        session = self.host.session()
        return session.store if session is not None else None

    def refresh_models(self) -> None:
        """List the models again (the project's own first): on opening a folder, after training."""
        s = self.host.settings
        self.panel.set_models(
            model_catalog.entries(s, self._store()), str(s.value("ai/model", "maskrcnn_resnet50_fpn_v2")), str(s.value("ai/semantic", "")),
            str(s.value("ai/interactive", "sam_vit_b")),
        )  # fmt: skip
        self.update_mapping_summary()

    def update_mapping_summary(self) -> None:
        session = self.host.session()
        if session is None or not self.panel.model_name():
            self.panel.mapping_label.setText("")
            return
        name = self.panel.model_name()
        cats = model_catalog.categories(name, session.store)
        mapping, unmapped = class_mapping(cats, session.labels.copy())
        self.panel.set_mapping_summary(len(mapping), len(cats), unmapped)
        if is_project_model(name):  # trained on other classes than the project has now?
            self.panel.show_banner(model_catalog.class_mismatch(name, session.store, session.labels))

    def model_trained(self, address: str) -> None:
        """A project model was saved: list it and make it the auto-fill model."""
        self.host.settings.setValue("ai/model", address)
        self.refresh_models()

    def choose_weights(self, name: str) -> None:
        if not name:
            return
        path, _ = QFileDialog.getOpenFileName(self.host.parent, translate("AIController", "Weights File"), "", translate("AIController", "PyTorch weights (*.pth *.pt);;All files (*)"))
        if path:
            self.host.settings.setValue(settings_key(name), path)
            self.refresh_models()

    def download_weights(self) -> None:
        spec = self._spec(self.panel.model_name(), download=True)
        self.panel.set_status(translate("AIController", "Downloading the weights of {model}…").format(model=spec.name))
        self._start(FillJob(self._next_id(), spec, ()), _Job("fill", spec.name))

    def _spec(self, name: str, download: bool = False) -> ModelSpec:
        store = self._store()
        if is_project_model(name) and store is not None:
            return ModelSpec(name, str(store.root), self.panel.device(), stamp=model_catalog.project_stamp(name, store))
        chosen = self.host.settings.value(settings_key(name))
        weights = chosen if chosen and os.path.isfile(chosen) else None
        random_init = weights is None and os.environ.get(RANDOM_WEIGHTS_ENV) == "1"
        return ModelSpec(name, weights, self.panel.device(), random_init, download)

    def _weights_ready(self, name: str) -> bool:
        if is_project_model(name):
            return model_catalog.project_model_ready(name, self._store())
        import inference

        spec = self._spec(name)
        info = inference.get_model_info(name)
        return spec.weights is not None or spec.random_init or inference.find_weights(info.weights_files) is not None

    # ---- auto-fill --------------------------------------------------------------------------------
    def autofill(self, scope: str = "current") -> None:
        """Suggest instances on the current image, or on all / unfinished / selected images."""
        session, current = self.host.session(), self.host.current()
        if session is None or current is None:
            return
        name, semantic = self.panel.model_name(), self.panel.semantic_name()
        run_semantic = scope == "current" and bool(semantic)
        if run_semantic and not self._weights_ready(semantic):
            run_semantic = False
            self.host.message(translate("AIController", "No overlay: the weights of {model} are missing.").format(model=semantic))
        if not self._weights_ready(name):
            self.panel.show_banner(translate("AIController", "The weights of {model} are missing: choose the file, or download it when online.").format(model=name))
            self.host.show_panel()
            return
        rels = self._scope_rels(scope)
        if not rels:
            self.host.message(translate("AIController", "No images to auto-fill."))
            return
        cats = model_catalog.categories(name, session.store)
        mapping, added = class_mapping(cats, session.labels, self.panel.add_classes.isChecked())
        if not mapping:
            self.panel.show_banner(translate("AIController", "None of {model}'s classes match a project class. Tick 'Add unmapped model classes' or rename classes.").format(model=name))
            return
        if added and self.panel.add_classes.isChecked():
            self.host.message(translate("AIController", "Added {n} classes from the model.").format(n=len(added)))
        self.panel.show_banner("")
        images = tuple((rel, str(session.image_path(rel))) for rel in rels)
        floor = min(SCORE_FLOOR, self.panel.threshold())
        job = FillJob(self._next_id(), self._spec(name), images, floor, self._spec(semantic) if run_semantic else None)
        self._start(job, _Job("fill", name, mapping, cats, total=len(rels)))

    def _scope_rels(self, scope: str) -> list[str]:
        current = self.host.current()
        if scope == "current":
            return [current] if current else []
        model = self.host.files.model
        paths = model.paths()
        if scope == "unfinished":
            return [p for p in paths if model.state(p).status != "done"]
        if scope == "selected":
            return self.host.files.selected_paths() or ([current] if current else [])
        return paths

    def segment_box(self, box: tuple[float, float, float, float]) -> bool:
        """Auto-Edit: run the Mask R-CNN mask head on `box` of the current image in the worker.
        False when no Mask R-CNN model with weights is chosen (the tool then uses GrabCut)."""
        name = self.panel.model_name()
        if not name or model_catalog.family(name) != "maskrcnn" or not self._weights_ready(name):
            return False
        session, current, rgb = self.host.session(), self.host.current(), self.host.image()
        if current is None or rgb is None or session is None:
            return False
        mapping, _ = class_mapping(model_catalog.categories(name, session.store), session.labels.copy())
        job = BoxJob(self._next_id(), self._spec(name), current, rgb, tuple(float(v) for v in box))
        self._start(job, _Job("box", name, mapping))
        self.host.message(translate("AIController", "Auto-Edit: finding the object in the box…"))
        return True

    def cancel(self) -> None:
        """Stop every queued and running job; images already finished keep their suggestions."""
        self.worker.cancel(self._last_id)
        if self._jobs:
            self.panel.set_status(translate("AIController", "Cancelling…"))

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """On quit: cancel, let the running image finish, apply what arrived, stop the thread."""
        if not self.thread.isRunning():
            return
        self.worker.cancel(self._last_id)
        self.thread.quit()
        self.thread.wait(timeout_ms)
        QCoreApplication.sendPostedEvents(self)  # results queued before the thread stopped
        self.worker.close()

    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def _start(self, job: FillJob | BoxJob, info: _Job) -> None:
        self._jobs[job.job_id] = info
        if info.kind == "fill":
            self.panel.set_running(True)
            self.panel.set_progress(0, info.total, 0.0)
        if not self.thread.isRunning():
            self.thread.start()
        if not self._devices_asked:
            self._devices_asked = True
            self._describe.emit()
        self._submit.emit(job)

    # ---- results (GUI thread) ---------------------------------------------------------------------
    def _on_worker_result_ready(self, result: ImageResult) -> None:
        job = self._jobs.get(result.job_id)
        session = self.host.session()
        if job is None or session is None:
            return
        if result.prediction is not None:
            job.suggestions += self._apply_prediction(session, result.rel, result.prediction, job.mapping)
        if result.semantic is not None or result.panoptic is not None:
            self.host.show_overlays(result.rel, result.semantic, result.panoptic, job.categories)

    def _apply_prediction(self, session: ProjectSession, rel: str, prediction, mapping: dict[int, int]) -> int:
        """Put `prediction` into image `rel`'s labels; returns the number of suggestions."""
        files = self.host.files.model
        floor = min(SCORE_FLOOR, self.panel.threshold())
        doc = session.documents.get(rel)
        if doc is None:  # not open: rewrite its label file atomically
            try:
                count = write_prediction(session.store, rel, prediction, mapping, floor)
            except OSError as exc:
                self.host.warn(translate("AIController", "Could not save the suggestions of {rel}: {error}").format(rel=rel, error=exc))
                return 0
            entry = session.store.index().get(rel)
            if entry is not None:
                files.update_state(rel, status=shown_status(entry.status, entry.instances), pending=entry.pending,
                                   uncertainty=entry.uncertainty)  # fmt: skip
            return count
        new = suggestions_from_prediction(prediction, mapping, doc, floor)
        stale = [i.id for i in doc if i.state is InstanceState.SUGGESTED and i.source == prediction.model]
        commands = [RemoveInstance(doc, iid) for iid in stale] + [AddInstance(doc, inst) for inst in new]
        self.host.stack_for(rel).push(CommandSequence(translate("AIController", "Auto-fill ({n} suggestions)").format(n=len(new)), commands))
        record_fill(doc, prediction.model, floor, new)
        files.update_state(rel, pending=doc.pending_count(), uncertainty=latest_uncertainty(doc.ai_runs))
        return len(new)

    def _on_worker_box_ready(self, job_id: int, rel: str, prediction) -> None:
        job = self._jobs.get(job_id)
        session = self.host.session()
        doc = session.documents.get(rel) if session is not None else None
        if job is None or doc is None:
            return
        if len(prediction) == 0 or not prediction.masks[0].any():
            self.host.message(translate("AIController", "Auto-Edit found no object in the box."))
            return
        from app.ai.domain.box_prompt import box_mask_instance

        category = job.mapping.get(int(prediction.category_ids[0])) or self.host.current_category()
        instance = box_mask_instance(doc, prediction, category)
        self.host.stack_for(rel).push(AddInstance(doc, instance, text=translate("AIController", "Auto-Edit box")))
        if rel == self.host.current():
            self.host.selection.set([instance.id])

    def _on_worker_progress(self, job_id: int, done: int, total: int, per_second: float) -> None:
        job = self._jobs.get(job_id)
        if job is not None and job.kind == "fill":
            job.done = done
            self.panel.set_progress(done, total, per_second)

    def _on_worker_image_failed(self, job_id: int, rel: str, message: str) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            job.failed.append(rel)
        self.host.files.model.update_state(rel, status="error", error=message)

    def _on_worker_job_failed(self, job_id: int, message: str) -> None:
        self.panel.show_banner(message)
        self.host.warn(message)
        self.host.show_panel()

    def _on_worker_job_finished(self, job_id: int, cancelled: bool) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        if job.kind == "fill":
            if job.total:
                text = translate("AIController", "Cancelled after {done} of {total} images; {n} suggestions kept.") if cancelled else translate("AIController", "Done: {done} images, {n} suggestions.")
                text = text.format(done=job.done, total=job.total, n=job.suggestions)
                if job.failed:
                    text += " " + translate("AIController", "{k} images could not be read.").format(k=len(job.failed))
                self.panel.set_status(text)
            else:  # a weights download
                self.refresh_models()
                self.panel.set_status("")
        if not any(j.kind == "fill" for j in self._jobs.values()):
            self.panel.set_running(False)
