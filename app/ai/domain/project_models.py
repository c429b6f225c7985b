"""The project's own trained models: `<store>/models/<name>.pth` plus its card `<name>.json`.

A project model is addressed as "project:<name>" (the AI panel's list, `maskpilot-label
--model project:<name>`). The .pth file is a weights-only state dict; the card says what it is:
classes with their project ids and names (in the network's label order), the base model and
how to rebuild it, validation metrics, the training and validation images, the date, and the
MaskPilot version that wrote it. Loading gives a `Predictor` with the same `predict` API as the
registry's instance models, reporting the project's category ids.

Saving writes both files next to their final names first (each atomically, normal permissions)
and only then renames them into place, so a full disk or a read-only folder fails before any
existing model is touched. Listing reads only the small cards: no torch is imported until a
model is loaded.

`<store>/models/<name>.training/` holds what a later run needs to resume (see app.training).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import app
from app.ai.domain.suggestions import normalize_name
from app.core.categories import LabelSet
from app.core.text import QT_TRANSLATE_NOOP, text_of
from app.formats.atomic import write_bytes_atomic
from app.formats.store import ProjectStore
from inference import ModelInfo

PREFIX = "project:"
MODELS_DIR = "models"
CARD_FORMAT = "maskpilot-project-model"
CARD_VERSION = 1
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ProjectModelError(Exception):
    """A project model that cannot be saved, found or loaded; the message is for the user."""


@dataclass(frozen=True)
class ModelClass:
    """A class of a trained model: its network label (1..K), project category id and name."""

    label: int
    id: int
    name: str


@dataclass(frozen=True)
class ProjectModelInfo:
    """A card as read from disk. `error` is set (and most fields empty) for a card that cannot
    be read, so a list can show it instead of hiding it."""

    name: str
    card_path: Path
    weights_path: Path
    base_model: str = ""
    classes: tuple[ModelClass, ...] = ()
    metrics: dict[str, Any] | None = None
    created: str = ""
    maskpilot_version: str = ""
    train_images: tuple[str, ...] = ()
    val_images: tuple[str, ...] = ()
    card: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    error: str | None = None

    @property
    def address(self) -> str:
        """How the model is named elsewhere: "project:<name>"."""
        return PREFIX + self.name

    @property
    def categories(self) -> tuple[tuple[int, str], ...]:
        """(project category id, name) in label order, like `Predictor.categories`."""
        return tuple((c.id, c.name) for c in self.classes)


@dataclass(frozen=True)
class ClassCheck:
    """Whether a model's classes still are the project's. `ok` is False when a model class was
    deleted or renamed (its suggestions would land in the wrong class or none); classes added to
    the project since training are only listed in `not_learned`. `message` says it in words."""

    ok: bool
    message: str
    missing: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    not_learned: tuple[str, ...] = ()


def is_project_model(name: str) -> bool:
    return name.startswith(PREFIX)


def model_name(address: str) -> str:
    """The <name> of "project:<name>" (a bare name is returned as it is), checked."""
    return check_name(address[len(PREFIX):] if is_project_model(address) else address)


def check_name(name: str) -> str:
    """`name` when it is usable as a file name on every platform; else ProjectModelError."""
    if not _NAME.match(name) or name.endswith("."):
        raise ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels",
            "'{name}' cannot be a model name: use up to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.").format(name=name))
    return name


def models_dir(store: ProjectStore) -> Path:
    return store.root / MODELS_DIR


def training_dir(store: ProjectStore, name: str) -> Path:
    """Where the resumable training state of model `name` lives."""
    return models_dir(store) / f"{check_name(name)}.training"


def _info_from_card(name: str, card_path: Path, weights_path: Path, card: dict[str, Any]) -> ProjectModelInfo:
    if card.get("format") != CARD_FORMAT:
        raise ValueError("not a MaskPilot model card")
    classes = tuple(ModelClass(int(c["label"]), int(c["id"]), str(c["name"])) for c in card["classes"])
    if [c.label for c in classes] != list(range(1, len(classes) + 1)) or not classes:
        raise ValueError("the class labels are not 1..K")
    training = card.get("training") or {}
    return ProjectModelInfo(
        name, card_path, weights_path, str(card["base_model"]), classes, card.get("metrics"),
        str(card.get("created", "")), str(card.get("maskpilot_version", "")),
        tuple(training.get("images", ())), tuple(training.get("validation_images", ())), card,
    )  # fmt: skip


def read_project_model(store: ProjectStore, name: str) -> ProjectModelInfo:
    """The card of model `name` (or "project:<name>"). Raises ProjectModelError."""
    name = model_name(name)
    folder = models_dir(store)
    card_path, weights_path = folder / f"{name}.json", folder / f"{name}.pth"
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
        return _info_from_card(name, card_path, weights_path, card)
    except FileNotFoundError:
        known = ", ".join(m.address for m in list_project_models(store) if m.error is None) or QT_TRANSLATE_NOOP("ProjectModels", "none")
        raise ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels", "This project has no model '{name}' (project models: {known}).")
                                .format(name=name, known=known)) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels", "The card of project model '{name}' ({path}) is unreadable: {error}")
                                .format(name=name, path=card_path, error=exc)) from exc


def list_project_models(store: ProjectStore) -> list[ProjectModelInfo]:
    """Every model card in the project, newest first; unreadable cards are included with
    `error` set. Cheap: reads only the cards."""
    folder = models_dir(store)
    try:
        paths = [p for p in folder.glob("*.json") if not p.name.startswith(".")]
    except OSError:
        return []
    out: list[ProjectModelInfo] = []
    for path in paths:
        name = path.stem
        try:
            out.append(read_project_model(store, name))
        except ProjectModelError as exc:
            out.append(ProjectModelInfo(name, path, path.with_suffix(".pth"), error=text_of(exc) or str(exc)))
    out.sort(key=lambda m: (m.created, m.name), reverse=True)
    return out


def check_classes(info: ProjectModelInfo, labels: LabelSet) -> ClassCheck:
    """Compare the model's classes with the project's LabelSet by id and name."""
    missing, renamed = [], []
    known_ids = {c.id for c in info.classes}
    for c in info.classes:
        cat = labels.get(c.id)
        if cat is None:
            missing.append(c.name)
        elif normalize_name(cat.name) != normalize_name(c.name):
            renamed.append((c.name, cat.name))
    not_learned = tuple(c.name for c in labels if c.id not in known_ids and c.isthing)
    gone, changed = ", ".join(missing), ", ".join(f"{a} -> {b}" for a, b in renamed)
    if missing and renamed:
        message = QT_TRANSLATE_NOOP("ProjectModels", "Model {model} no longer matches the project: its class(es) {missing} are no longer in "
                                    "the project; class(es) were renamed since training ({renamed}). Train it again.")
    elif missing:
        message = QT_TRANSLATE_NOOP("ProjectModels", "Model {model} no longer matches the project: its class(es) {missing} are no longer in "
                                    "the project. Train it again.")
    elif renamed:
        message = QT_TRANSLATE_NOOP("ProjectModels", "Model {model} no longer matches the project: class(es) were renamed since training "
                                    "({renamed}). Train it again.")
    elif not_learned:
        message = QT_TRANSLATE_NOOP("ProjectModels", "Model {model} does not know the class(es) {classes}; train again to include them.")
    else:
        message = QT_TRANSLATE_NOOP("ProjectModels", "Model {model} matches the project's classes.")
    message = message.format(model=info.address, missing=gone, renamed=changed, classes=", ".join(not_learned))
    ok = not (missing or renamed)
    return ClassCheck(ok, message, tuple(missing), tuple(renamed), not_learned)


def _save_error(exc: OSError, name: str, folder: Path) -> ProjectModelError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        why = QT_TRANSLATE_NOOP("ProjectModels", "there is not enough disk space in {folder}").format(folder=folder)
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = QT_TRANSLATE_NOOP("ProjectModels", "{folder} is not writable").format(folder=folder)
    else:
        why = f"{exc.strerror or exc}"
    return ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels", "The model '{name}' could not be saved: {why}. Any earlier model '{name}' is kept.")
                             .format(name=name, why=why))


def save_project_model(store: ProjectStore, name: str, weights: bytes, card: dict[str, Any]) -> ProjectModelInfo:
    """Write model `name`: `weights` (the bytes of a weights-only .pth) and its `card` (see
    `new_card`; the weights' file name, size and SHA-256 are added here). Both files are
    staged beside their final names and renamed into place only when both are complete, so a
    failure (ProjectModelError, with a message for the user) leaves any earlier model intact."""
    name = check_name(name)
    folder = models_dir(store)
    card = {**card, "name": name, "weights": {
        "file": f"{name}.pth", "bytes": len(weights), "sha256": hashlib.sha256(weights).hexdigest()}}  # fmt: skip
    data = json.dumps(card, ensure_ascii=False, indent=1).encode("utf-8")
    staged = [(folder / f".{name}.pth.staged", folder / f"{name}.pth", weights),
              (folder / f".{name}.json.staged", folder / f"{name}.json", data)]  # fmt: skip
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for tmp, _, payload in staged:
            write_bytes_atomic(tmp, payload)
        for tmp, final, _ in staged:
            os.replace(tmp, final)
    except OSError as exc:
        for tmp, _, _ in staged:
            try:
                tmp.unlink()
            except OSError:
                pass
        raise _save_error(exc, name, folder) from exc
    return read_project_model(store, name)


def new_card(
    base_model: str,
    spec: dict[str, Any],
    classes: Sequence[ModelClass],
    metrics: dict[str, Any] | None,
    training: dict[str, Any],
) -> dict[str, Any]:
    """A card for `save_project_model`: format, date (UTC), MaskPilot version, the base model
    and its rebuild spec, classes in label order, metrics and the training facts (`images`,
    `validation_images`, budget, steps, ...)."""
    return {
        "format": CARD_FORMAT, "version": CARD_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "maskpilot_version": app.__version__, "base_model": base_model, "spec": dict(spec),
        "classes": [{"label": c.label, "id": c.id, "name": c.name} for c in classes],
        "metrics": metrics, "training": dict(training),
    }  # fmt: skip


def _check_weights(info: ProjectModelInfo) -> None:
    expected = info.card.get("weights") or {}
    try:
        data = info.weights_path.read_bytes()
    except FileNotFoundError:
        raise ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels", "The weights of {model} ({file}) are missing.")
                                .format(model=info.address, file=info.weights_path.name)) from None
    except OSError as exc:
        raise ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels", "The weights of {model} cannot be read: {error}")
                                .format(model=info.address, error=exc.strerror or exc)) from exc
    if expected.get("sha256") and hashlib.sha256(data).hexdigest() != expected["sha256"]:
        raise ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels",
            "The weights file of {model} does not belong to its card (damaged, or an "
            "interrupted save). Train the model again.").format(model=info.address))


def load_project_model(
    store: ProjectStore,
    name: str,
    device: str = "auto",
    batch_size: int = 1,
    fp16: bool = True,
    on_fallback: Callable[[str], None] | None = None,
) -> Any:
    """Build project model `name` ("project:<name>" or <name>) as a Predictor named
    "project:<name>" whose Predictions carry project category ids. Imports torch (through
    inference). Raises ProjectModelError, and inference's WeightsError / DeviceError."""
    info = read_project_model(store, name)
    _check_weights(info)
    from inference.device import resolve_device
    from inference.training.models import ModelSpec
    from inference.training.project_model import load_project_predictor

    try:
        spec = ModelSpec.from_dict(info.card["spec"])
    except (KeyError, ValueError) as exc:
        raise ProjectModelError(QT_TRANSLATE_NOOP("ProjectModels", "The card of {model} does not say how to build it: {error}")
                                .format(model=info.address, error=exc)) from exc
    return load_project_predictor(
        info.address, info.weights_path, spec, info.categories, resolve_device(device), batch_size, fp16, on_fallback
    )


def as_model_info(info: ProjectModelInfo) -> ModelInfo:
    """The model as a registry-style entry, for lists that show registry and project models."""
    base = info.base_model or "?"
    return ModelInfo(info.address, f"{info.name} (project model, {base})", "instance", info.categories, (), None, "project")
