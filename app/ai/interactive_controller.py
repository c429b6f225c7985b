"""Interactive AI in the app: embeddings ahead of the user, prompts to masks for the tool.

Once the interactive tool has been picked, every image shown is encoded in the background (the
current one first, then the next ones in list order), so that a click usually finds its
embedding ready. A prompt for an image still being encoded waits for that image only and is sent
as soon as its embedding arrives. Results carry the image they were computed for and the id of
the request: the tool only ever sees the answer to its newest prompt on the image it is on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QUndoStack

from app.ai.domain.embeddings import ImageKey
from app.ai.domain.everything import EverythingOptions, everything_suggestions
from app.ai.domain.prompts import PromptEngine, engine_for
from app.ai.interactive_worker import DecodeJob, DecoderWorker, EncodeJob, EncoderWorker
from app.ai.weights_choice import weights_file
from app.canvas.selection import Selection
from app.core.instance import Instance, InstanceState
from app.core.prompts import Candidates, Prompt
from app.editing.commands import AddInstance, CommandSequence, RemoveInstance
from app.project.session import ProjectSession
from app.ui.action_table import ActionSpec
from app.ui.i18n import translate

#: How many images after the current one are encoded ahead.
LOOKAHEAD = 2
#: A resting pointer is previewed after this pause (ms); moving on cancels it.
HOVER_DELAY_MS = 40
DEFAULT_MODEL = "sam_vit_b"

INTERACTIVE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("segment_everything", QT_TRANSLATE_NOOP("Actions", "Segment &Everything (Interactive AI)"), "interactive.segment_everything", "ai",
               ("Shift+S",), tip=QT_TRANSLATE_NOOP("Actions", "Suggest a mask for every object the interactive model finds, in the current class")),
)  # fmt: skip


@dataclass(frozen=True)
class InteractiveHost:
    """session(), current() and image() name the open project, the image shown and its RGB
    pixels (None while loading); upcoming(rel) lists the images to encode after `rel`; message
    is a short status message; warn a lasting one. For Auto-Edit boxes: stack_for(rel) is an
    image's undo stack, current_category() the class of new instances, selection the shared one."""

    settings: QSettings
    session: Callable[[], ProjectSession | None]
    current: Callable[[], str | None]
    image: Callable[[], np.ndarray | None]
    upcoming: Callable[[str], list[str]]
    message: Callable[[str], None]
    warn: Callable[[str], None]
    stack_for: Callable[[str], QUndoStack]
    current_category: Callable[[], int]
    selection: Selection


EngineFactory = Callable[[str, ProjectSession, QSettings, Callable[[str], None]], PromptEngine | None]


class InteractiveController(QObject):
    candidates_ready = Signal(object, bool)  # Candidates for the current image, preview?
    status_changed = Signal(str)
    fell_back = Signal(str)  # emitted from a worker thread: the model moved to the CPU

    def __init__(self, host: InteractiveHost, engine_factory: EngineFactory | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._factory = engine_factory or default_engine
        self.engine: PromptEngine | None = None
        self._workers: tuple[EncoderWorker, DecoderWorker] | None = None
        self._engine_for: tuple[str, ProjectSession] | None = None  # the model and project it serves
        self.armed = False  # the tool was picked: encode ahead from now on
        self._ready: set[ImageKey] = set()
        self._waiting: DecodeJob | None = None  # a prompt whose image is still being encoded
        self._last_request = 0
        self._hover = QTimer(self, singleShot=True, interval=HOVER_DELAY_MS)
        self._hover.timeout.connect(self._send_hover)
        self.fell_back.connect(self.host.warn)
        QCoreApplication.instance().aboutToQuit.connect(self.shutdown)  # threads stop with the app
        self._hover_prompt: Prompt | None = None
        self._hover_size = (0, 0)
        self.everything_options = EverythingOptions()

    # ---- model ------------------------------------------------------------------------------
    def model_name(self) -> str:
        return str(self.host.settings.value("ai/interactive", DEFAULT_MODEL))

    def set_model(self, name: str) -> None:
        self.host.settings.setValue("ai/interactive", name)
        self._drop_engine()
        if self.armed:
            self.image_shown()

    def _ensure_engine(self, quiet: bool = False) -> bool:
        session = self.host.session()
        if session is None:
            return False
        wanted = (self.model_name(), session)
        if self.engine is not None and self._engine_for[0] == wanted[0] and self._engine_for[1] is session:
            return True
        self._drop_engine()
        engine = self._factory(wanted[0], session, self.host.settings, self.fell_back.emit)
        if engine is None:
            if not quiet:
                self.host.warn(translate("InteractiveController", "Interactive AI needs the weights of {model}: choose the file in the AI panel.").format(model=wanted[0]))
            return False
        self.engine, self._engine_for = engine, wanted
        encoder, decoder = EncoderWorker(engine), DecoderWorker(engine)
        encoder.embedded.connect(self._on_encoder_embedded)
        encoder.failed.connect(self._on_encoder_failed)
        decoder.decoded.connect(self._on_decoder_decoded)
        decoder.everything_done.connect(self._on_decoder_everything_done)
        decoder.failed.connect(lambda _rid, message: self.host.warn(message))
        self._workers = (encoder, decoder)
        return True

    def _drop_engine(self) -> None:
        if self._workers is not None:
            for worker in self._workers:
                worker.stop()
        self.engine, self._workers, self._engine_for = None, None, None
        self._ready.clear()
        self._waiting = None

    def shutdown(self) -> None:
        self._hover.stop()
        self._drop_engine()

    # ---- embeddings -------------------------------------------------------------------------
    def arm(self) -> None:
        """The interactive tool became active: start encoding."""
        self.armed = True
        self.image_shown()

    def image_shown(self) -> None:
        """Encode the current image (first) and the next ones, replacing older plans."""
        self._waiting = None
        self._hover.stop()
        rel, session = self.host.current(), self.host.session()
        if not self.armed or rel is None or session is None or not self._ensure_engine():
            return
        jobs = []
        for k, name in enumerate([rel, *self.host.upcoming(rel)[:LOOKAHEAD]]):
            path = str(session.image_path(name))
            try:
                key = self.engine.key(name, path)
            except OSError:
                continue
            if key not in self._ready and not self.engine.has_embedding(key):
                jobs.append(EncodeJob(key, path, self.host.image() if k == 0 else None))
            else:
                self._ready.add(key)
        if jobs:
            if jobs[0].key.rel == rel:
                self.status_changed.emit(translate("InteractiveController", "Encoding {name}…").format(name=rel))
            self._workers[0].submit(jobs)
        else:
            self.status_changed.emit(translate("InteractiveController", "Ready"))

    def _current_key(self) -> ImageKey | None:
        rel, session = self.host.current(), self.host.session()
        if rel is None or session is None or self.engine is None:
            return None
        try:
            return self.engine.key(rel, str(session.image_path(rel)))
        except OSError:
            return None

    def _on_encoder_embedded(self, key: ImageKey) -> None:
        self._ready.add(key)
        if self._waiting is not None and self._waiting.key == key:
            job, self._waiting = self._waiting, None
            self._workers[1].submit([job])
        if key == self._current_key():
            self.status_changed.emit(translate("InteractiveController", "Ready"))

    def _on_encoder_failed(self, key: ImageKey, message: str) -> None:
        if key == self._current_key():
            self._waiting = None
            self.host.warn(translate("InteractiveController", "Interactive AI could not encode {name}: {error}").format(name=key.rel, error=message))

    # ---- prompts ----------------------------------------------------------------------------
    def prompt(self, prompt: Prompt, size: tuple[int, int], preview: bool = False, commit: bool = False, everything: EverythingOptions | None = None) -> bool:
        """Ask for the masks of `prompt` on the current image (of `size` = (w, h)); the answer
        comes as candidates_ready (with `commit`, the best mask is added as an instance instead).
        False when no interactive model can run."""
        if preview:
            self._hover_prompt, self._hover_size = prompt, size
            self._hover.start()
            return self.engine is not None
        self._hover.stop()
        if not self._ensure_engine(quiet=commit):
            return False
        if not self.armed:
            self.arm()
        key = self._current_key()
        if key is None:
            return False
        self._last_request += 1
        job = DecodeJob(self._last_request, key, prompt, size, commit=commit, everything=everything)
        if key in self._ready or self.engine.has_embedding(key):
            self._ready.add(key)
            self._workers[1].submit([job])
        else:
            self._waiting = job  # sent when the encoder gets there (it is first in its queue)
            self.host.message(translate("InteractiveController", "Encoding the image; the mask follows…"))
        return True

    def _send_hover(self) -> None:
        key = self._current_key()
        if key is None or key not in self._ready or self._hover_prompt is None:
            return  # no preview before the embedding is there: a hover must not queue work
        self._last_request += 1
        self._workers[1].submit([DecodeJob(self._last_request, key, self._hover_prompt, self._hover_size, preview=True)])

    def cancel_hover(self) -> None:
        self._hover.stop()
        self._hover_prompt = None

    def segment_box(self, box: tuple[float, float, float, float]) -> bool:
        """Auto-Edit with SAM: the best mask for `box` on the current image becomes an instance.
        False when no interactive model has weights (Auto-Edit then asks Mask R-CNN, then GrabCut)."""
        image = self.host.image()
        if image is None:
            return False
        if not self.prompt(Prompt(box=tuple(float(v) for v in box), multimask=False), (image.shape[1], image.shape[0]), commit=True):
            return False
        self.host.message(translate("InteractiveController", "Auto-Edit: finding the object in the box…"))
        return True

    def segment_everything(self) -> None:
        """Fill the current image with class-agnostic suggestions of the current class: a grid of
        point prompts (app.ai.domain.everything), into the review queue as one undo step."""
        image = self.host.image()
        if image is None:
            return
        if self.prompt(Prompt(), (image.shape[1], image.shape[0]), commit=True, everything=self.everything_options):
            self.host.message(translate("InteractiveController", "Segment everything: prompting a grid of points…"))

    def _on_decoder_everything_done(self, job: DecodeJob, masks: list) -> None:
        session = self.host.session()
        doc = session.documents.get(job.key.rel) if session is not None else None
        if doc is None:
            return
        model = self.model_name()
        new = everything_suggestions(doc, masks, int(self.host.current_category()), model)
        stale = [i.id for i in doc if i.state is InstanceState.SUGGESTED and i.provenance.get("tool") == "segment_everything"]
        commands = [RemoveInstance(doc, iid) for iid in stale] + [AddInstance(doc, inst) for inst in new]
        self.host.stack_for(job.key.rel).push(CommandSequence(translate("InteractiveController", "Segment everything ({n} suggestions)").format(n=len(new)), commands))
        self.host.message(translate("InteractiveController", "Segment everything: {n} suggestions to review.").format(n=len(new)))

    def _on_decoder_decoded(self, job: DecodeJob, candidates: Candidates) -> None:
        if job.commit:
            self._add_box_mask(candidates)
        elif job.request_id == self._last_request and candidates.rel == self.host.current():
            self.candidates_ready.emit(candidates, job.preview)

    def _add_box_mask(self, candidates: Candidates) -> None:
        """An Auto-Edit answer goes to the image the box was drawn on, even after moving on."""
        session = self.host.session()
        doc = session.documents.get(candidates.rel) if session is not None else None
        if doc is None or not len(candidates) or candidates.mask(0).is_empty():
            self.host.message(translate("InteractiveController", "Auto-Edit found no object in the box."))
            return
        provenance = {"tool": "auto_edit", "model": self.model_name(), "predicted_iou": round(candidates.scores[0], 4)}
        inst = Instance(doc.new_id(), int(self.host.current_category()), candidates.mask(0), provenance=provenance)
        self.host.stack_for(candidates.rel).push(AddInstance(doc, inst, text=translate("InteractiveController", "Auto-Edit box")))
        if candidates.rel == self.host.current():
            self.host.selection.set([inst.id])


def default_engine(name: str, session: ProjectSession, settings: QSettings, on_fallback: Callable[[str], None]) -> PromptEngine | None:
    """An engine for registry model `name` with the user's weights (None without them), caching
    its embeddings in the project's store."""
    import inference

    try:
        info = inference.get_model_info(name)
    except inference.UnknownModelError:
        return None  # e.g. a name remembered from another version
    weights = weights_file(settings, name, info.weights_files)
    if weights is None:
        return None
    return engine_for(name, str(weights), str(settings.value("ai/device", "auto")), session.store.root, on_fallback=on_fallback)
