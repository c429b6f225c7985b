"""Project models on the command line: `--model project:<name>` for maskpilot-label.

A project model ("project:<name>", trained by maskpilot-train or the app) lives in the project's
store, not in the registry, so it is resolved against the folder being labelled: its card is
read, its classes are checked against the project's (a model whose classes were deleted or
renamed since training says so), and it is loaded as an ordinary instance Predictor.
Kept apart from label.py so the registry path there stays as it was. No torch at import.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

import inference
from app.ai.domain.project_models import (
    ProjectModelError,
    check_classes,
    is_project_model,
    list_project_models,
    load_project_model,
    read_project_model,
)
from app.cli.common import CliError
from app.formats.class_lists import coco_things
from app.formats.store import ProjectStore


class InstanceModelChoices:
    """argparse `choices` of --model: iterates over the registered instance models (what error
    messages list; the help names project:NAME) and also contains every "project:<name>",
    which is checked when the model is loaded, against the folder's store."""

    def __init__(self) -> None:
        self.names = [m.name for m in inference.list_models() if m.kind == "instance"]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and (value in self.names or (is_project_model(value) and value != "project:"))


def load_project_predictor(args: argparse.Namespace, name: str) -> Any:
    """The Predictor of project model `name` of the project in args.folder / args.store, after
    printing what its class check says. Raises CliError."""
    for flag, value in (("--weights", args.weights), ("--download", args.download), ("--random-init", args.random_init)):
        if value:
            raise CliError(f"{flag} does not apply to a project model ({name} has its own weights)")
    store = ProjectStore(args.folder, args.store)
    try:
        info = read_project_model(store, name)
        meta = store.load_project()
        check = check_classes(info, meta.labels if meta.labels is not None else coco_things())
        if not check.ok or check.not_learned:
            print(f"warning: {check.message}", file=sys.stderr)
        return load_project_model(store, name, device=args.device, batch_size=args.batch)
    except ProjectModelError as exc:
        raise CliError(str(exc)) from exc


def project_models_text(store: ProjectStore) -> list[str]:
    """One line per project model of `store` (for --list-models FOLDER)."""
    lines = []
    for info in list_project_models(store):
        if info.error:
            lines.append(f"{info.address:<26} instance  unusable: {info.error}")
            continue
        ap50 = (info.metrics or {}).get("AP50")
        score = f", validation AP50 {ap50:.3f}" if isinstance(ap50, (int, float)) else ""
        lines.append(f"{info.address:<26} instance  project model ({info.base_model}, {len(info.classes)} "
                     f"classes, {info.created}{score})")  # fmt: skip
    return lines
