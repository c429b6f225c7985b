"""The models the AI panel offers: the project's own trained models first ("project:<name>",
from `.maskpilot/models/`), then the registry's. One place answers, for either kind, what the
auto-fill controller asks: its classes, its family, whether its weights are there, and how the
inference worker is to load it.

A project model's ModelSpec carries its store folder as `weights` and the weights file's
modification time as `stamp`: the worker caches models by spec, so a model trained again under
the same name is loaded again rather than served from the cache.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from app.ai.ai_panel import ModelEntry
from app.ai.domain.project_models import (
    ProjectModelError,
    check_classes,
    is_project_model,
    list_project_models,
    read_project_model,
)
from app.ai.weights_choice import weights_file
from app.formats.store import ProjectStore
from app.ui.i18n import show_text, translate


def entries(settings: QSettings, store: ProjectStore | None) -> list[ModelEntry]:
    """Every model for the panel's lists: the project's models (newest first), then the registry's."""
    import inference

    out = []
    for info in list_project_models(store) if store is not None else []:
        weights = str(info.weights_path) if info.error is None and info.weights_path.is_file() else None
        display = translate("ModelCatalog", "{name} (trained on this project)").format(name=info.name)
        out.append(ModelEntry(info.address, display, "instance", weights))
    for info in inference.list_models():
        out.append(ModelEntry(info.name, info.display_name, info.kind, weights_file(settings, info.name, info.weights_files)))
    return out


def categories(name: str, store: ProjectStore | None) -> tuple[tuple[int, str], ...]:
    """(model category id, name) pairs; a project model's ids are the project's own."""
    if is_project_model(name):
        return read_project_model(store, name).categories if store is not None else ()
    import inference

    return tuple(inference.get_model_info(name).categories)


def family(name: str) -> str:
    """"maskrcnn" for models with a box-prompted mask head (project models are Mask R-CNNs)."""
    if is_project_model(name):
        return "maskrcnn"
    import inference

    return inference.get_model_info(name).family


def project_model_ready(name: str, store: ProjectStore | None) -> bool:
    if store is None:
        return False
    try:
        return read_project_model(store, name).weights_path.is_file()
    except ProjectModelError:
        return False


def project_stamp(name: str, store: ProjectStore) -> float:
    """The weights file's modification time (0.0 when missing): part of the worker's cache key."""
    try:
        return read_project_model(store, name).weights_path.stat().st_mtime
    except (ProjectModelError, OSError):
        return 0.0


def class_mismatch(name: str, store: ProjectStore, labels) -> str:  # noqa: ANN001 - a LabelSet
    """"" when project model `name` knows the project's classes, else what changed since."""
    try:
        check = check_classes(read_project_model(store, name), labels)
    except ProjectModelError as exc:
        return show_text(exc)
    return "" if check.ok and not check.not_learned else show_text(check.message)
