"""What the CLIs share: opening a project, a progress line, Ctrl-C as a clean stop, reports."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.core.categories import LabelSet
from app.formats.class_lists import coco_things
from app.formats.image_folder import list_images
from app.formats.project_io import RecordWarning
from app.formats.store import ProjectMeta, ProjectStore

#: At most this many warnings are printed one per line; the rest are counted.
MAX_WARNINGS_SHOWN = 30
#: Seconds between progress lines when stderr is not a terminal (a log file, a pipe, CI).
LOG_INTERVAL_S = 5.0


class CliError(Exception):
    """A problem to print as 'error: <message>' with exit status 1."""


def print_error(exc: Exception) -> int:
    """Print `exc` as 'error: <message>' and return exit status 1. An OSError shows its reason
    and file name instead of Python's "[Errno 13] ..." form."""
    if isinstance(exc, OSError):
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
    else:
        print(f"error: {exc}", file=sys.stderr)
    return 1


@dataclass
class Project:
    folder: Path
    store: ProjectStore
    labels: LabelSet
    meta: ProjectMeta
    images: list[str]


def add_project_arguments(parser: argparse.ArgumentParser, folder_required: bool = True) -> None:
    parser.add_argument("folder", type=Path, nargs=None if folder_required else "?",
                        help="the image folder (the project)")
    parser.add_argument("--store", type=Path, default=None,
                        help="project store folder, when it is not FOLDER/.maskpilot")
    parser.add_argument("--recursive", action="store_true", default=None,
                        help="include images in sub-folders (default: the project's setting)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress line")


def open_project(args: argparse.Namespace) -> Project:
    """The project named by the common arguments. Raises CliError."""
    folder: Path = args.folder
    if not folder.is_dir():
        raise CliError(f"{folder} is not a folder")
    store = ProjectStore(folder, args.store)
    meta = store.load_project()
    if meta.warning:
        print(f"warning: {meta.warning}", file=sys.stderr)
    # The same default as the app's session: a folder without project.json uses COCO's classes.
    labels = meta.labels if meta.labels is not None else coco_things()
    recursive = bool(meta.settings.get("recursive", False)) if args.recursive is None else args.recursive
    images = list_images(folder, recursive)
    return Project(folder, store, labels, meta, images)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressLine:
    """Progress text on stderr. On a terminal: one line rewritten in place with carriage returns
    (at most one update per `interval_s`) and ended with a newline by close(). Anywhere else
    carriage returns would pile every update onto one endless line of a log, so each shown
    update is a line of its own ending in a newline, at most one per LOG_INTERVAL_S, and the
    last one (final=True) is always shown."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None, interval_s: float = 0.1) -> None:
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = _isatty(self.stream)
        self.interval_s = interval_s if self.tty else LOG_INTERVAL_S
        self._last = -math.inf
        self._open = False  # a carriage-return line is on screen without its newline

    def show(self, text: str, final: bool = False) -> None:
        now = time.monotonic()
        if self.quiet or (not final and now - self._last < self.interval_s):
            return
        self._last = now
        if self.tty:
            self.stream.write(f"\r{text}")
            self._open = True
        else:
            self.stream.write(f"{text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


class Progress(ProgressLine):
    """'<verb> done/total image(s)' as a ProgressLine."""

    def __init__(self, verb: str, quiet: bool = False, stream: TextIO | None = None) -> None:
        super().__init__(quiet, stream)
        self.verb = verb

    def __call__(self, done: int, total: int) -> None:
        self.show(f"{self.verb} {done}/{total} image(s)", final=done >= total)


class StopOnInterrupt:
    """Turns the first Ctrl-C into should_stop() == True, so the run ends between images and
    leaves nothing half-written; a second Ctrl-C interrupts as usual."""

    def __init__(self) -> None:
        self.stopped = False
        self._previous = None

    def __enter__(self) -> StopOnInterrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread (tests calling main() from a worker)
            self._previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.stopped:
            raise KeyboardInterrupt
        self.stopped = True

    def __call__(self) -> bool:
        return self.stopped


def print_warnings(warnings: list[RecordWarning]) -> None:
    for w in warnings[:MAX_WARNINGS_SHOWN]:
        print(f"warning: {w}", file=sys.stderr)
    if len(warnings) > MAX_WARNINGS_SHOWN:
        print(f"warning: ... and {len(warnings) - MAX_WARNINGS_SHOWN} more", file=sys.stderr)


def select_images(project: Project, wanted: list[str] | None) -> list[str]:
    """The project images, or the subset named on the command line (all must exist)."""
    if not wanted:
        return project.images
    known = set(project.images)
    missing = [w for w in wanted if w not in known]
    if missing:
        raise CliError(f"not images of {project.folder}: {', '.join(missing)}")
    return [w for w in project.images if w in set(wanted)]
