"""maskpilot-import FOLDER --format coco|panoptic|png|labelme [--from PATH]

Imports labels into the project, appending to the labels images already have. labelme JSON
files are read from next to the images unless --from names a folder of them. Classes of the
file that the project lacks are added to project.json when an instance of theirs is imported.
A file of another format is refused with a hint (e.g. a COCO panoptic JSON given as coco), and
an import that imports nothing changes nothing, project.json included. Exit status: 0 done
(warnings are printed), 1 error or nothing matched, 2 bad arguments, 130 stopped with Ctrl-C
(images already imported stay imported; none is half-written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import (
    CliError,
    Progress,
    StopOnInterrupt,
    add_project_arguments,
    open_project,
    print_error,
    print_warnings,
)
from app.formats.coco import import_coco
from app.formats.labelme import import_labelme
from app.formats.panoptic import import_panoptic
from app.formats.png_masks import import_png_masks
from app.formats.project_io import FormatError, ImportReport
from app.formats.sniff import read_json, sniff
from app.formats.store import StoreError

FORMATS = ("coco", "panoptic", "png", "labelme")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maskpilot-import", description="Import labels into a MaskPilot project.")
    add_project_arguments(parser)
    parser.add_argument("--format", "-f", required=True, choices=FORMATS)
    parser.add_argument("--from", dest="source", type=Path,
                        help="COCO/panoptic JSON file, VOC-style PNG folder, or folder of labelme JSONs "
                             "(labelme: default is next to the images)")
    parser.add_argument("--png-dir", type=Path, help="panoptic: PNG folder (default: the JSON path without .json)")
    parser.add_argument("--as-suggestions", action="store_true", help="coco: import as suggestions to review")
    return parser


def run_import(args: argparse.Namespace, project, should_stop, progress) -> ImportReport:
    ctx = (project.folder, project.store, project.labels, project.images)
    common = {"should_stop": should_stop, "progress": progress}
    if args.format == "labelme":
        return import_labelme(*ctx, source_dir=args.source, **common)
    if args.source is None:
        raise CliError(f"--from is required for --format {args.format}")
    if not args.source.exists():
        raise CliError(f"{args.source} does not exist")
    if args.format == "png" and not args.source.is_dir():
        raise CliError(f"--from {args.source} is a file; --format png reads a folder with SegmentationClass/"
                       + _hint(args.source))
    if args.format in ("coco", "panoptic") and args.source.is_dir():
        raise CliError(f"--from {args.source} is a folder; --format {args.format} reads a JSON file")
    if args.format == "coco":
        return import_coco(*ctx, args.source, as_suggestions=args.as_suggestions, **common)
    if args.format == "panoptic":
        return import_panoptic(*ctx, args.source, png_dir=args.png_dir, **common)
    return import_png_masks(*ctx, args.source, **common)


def _hint(path: Path) -> str:
    """' (it looks like X: use --format Y)' for a JSON file of a known kind, else ''."""
    try:
        kind = sniff(read_json(path)) if path.suffix.lower() == ".json" else None
    except FormatError:
        return ""
    fmt = {"coco": "coco", "panoptic": "panoptic"}.get(kind or "")
    return f" (it looks like {kind}: use --format {fmt})" if fmt else ""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        project = open_project(args)
        if args.source is not None and args.format == "labelme" and not args.source.is_dir():
            raise CliError(f"--from {args.source} is not a folder of labelme JSON files" + _hint(args.source))
        progress = Progress("importing", args.quiet)
        with StopOnInterrupt() as stop:
            try:
                report = run_import(args, project, stop, progress)
            finally:
                progress.close()
        if report.instances_added and (report.categories_added or project.meta.labels is None):
            # Imported instances refer to these class ids: project.json must hold them. An
            # import that imported nothing leaves project.json as it was (or absent).
            project.store.save_project(project.labels, project.meta.settings)
    except (CliError, FormatError, StoreError, OSError) as exc:
        return print_error(exc)
    print_warnings(report.warnings)
    if report.unmatched:
        shown = ", ".join(report.unmatched[:10]) + (" ..." if len(report.unmatched) > 10 else "")
        print(f"warning: {len(report.unmatched)} labelled image(s) not found in {project.folder}: {shown}",
              file=sys.stderr)
    if report.cancelled:
        print(f"stopped: {report.summary()}", file=sys.stderr)
        return 130
    print(report.summary())
    if report.instances_added == 0 and report.unmatched and not report.images_changed:
        print(f"error: no image of {project.folder} matches the labels", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
