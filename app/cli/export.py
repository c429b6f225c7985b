"""maskpilot-export FOLDER --format coco|panoptic|png|labelme|yolo --out PATH

Writes the project's labels (accepted instances; --include-suggestions adds suggestions) in one
of the exchange formats. Exit status: 0 done, 1 error (message on stderr), 2 bad arguments,
130 stopped with Ctrl-C (nothing half-written).
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
    select_images,
)
from app.formats.coco import SEGMENTATION_MODES, export_coco
from app.formats.labelme import export_labelme
from app.formats.panoptic import export_panoptic
from app.formats.png_masks import export_png_masks
from app.formats.project_io import ExportReport, FormatError
from app.formats.store import StoreError
from app.formats.yolo import export_yolo

FORMATS = ("coco", "panoptic", "png", "labelme", "yolo")
#: Formats whose --out is a JSON file; the others write into a folder.
FILE_FORMATS = ("coco", "panoptic")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maskpilot-export", description="Export MaskPilot labels.")
    add_project_arguments(parser)
    parser.add_argument("--format", "-f", required=True, choices=FORMATS)
    parser.add_argument("--out", "-o", required=True, type=Path,
                        help="output JSON file (coco, panoptic) or folder (png, labelme, yolo)")
    parser.add_argument("--images", nargs="+", metavar="REL", help="only these images (paths relative to FOLDER)")
    parser.add_argument("--include-suggestions", action="store_true", help="also export suggestions not yet accepted")
    parser.add_argument("--segmentation", choices=SEGMENTATION_MODES, default="auto",
                        help="coco: polygons for vector and RLE for raster instances (auto), or all one kind")
    parser.add_argument("--no-scores", action="store_true", help="coco: leave out model scores")
    parser.add_argument("--png-dir", type=Path, help="panoptic: PNG folder (default: OUT without .json)")
    parser.add_argument("--binary-masks", action="store_true", help="png: also one 0/255 PNG per instance")
    parser.add_argument("--no-semantic", action="store_true", help="png: no SegmentationClass PNGs")
    parser.add_argument("--no-instances", action="store_true", help="png: no SegmentationObject PNGs")
    parser.add_argument("--raster-as", choices=("mask", "polygon"), default="mask",
                        help="labelme: raster instances as mask shapes (exact) or traced polygons")
    parser.add_argument("--no-image-links", action="store_true", help="yolo: do not link/copy images into OUT/images")
    return parser


def run_export(fmt: str, project, images: list[str], out: Path, args: argparse.Namespace, should_stop, progress) -> ExportReport:
    common = {"include_suggestions": args.include_suggestions, "should_stop": should_stop, "progress": progress}
    ctx = (project.folder, project.store, project.labels, images, out)
    if fmt == "coco":
        return export_coco(*ctx, segmentation=args.segmentation, include_scores=not args.no_scores, **common)
    if fmt == "panoptic":
        return export_panoptic(*ctx, png_dir=args.png_dir, **common)
    if fmt == "png":
        return export_png_masks(*ctx, semantic=not args.no_semantic, instances=not args.no_instances,
                                binary=args.binary_masks, **common)
    if fmt == "labelme":
        return export_labelme(*ctx, raster_as=args.raster_as, **common)
    return export_yolo(*ctx, link_images=not args.no_image_links, **common)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        project = open_project(args)
        images = select_images(project, args.images)
        if args.format in FILE_FORMATS and args.out.is_dir():
            raise CliError(f"--out {args.out} is a folder; {args.format} writes a JSON file")
        if args.format not in FILE_FORMATS and args.out.exists() and not args.out.is_dir():
            raise CliError(f"--out {args.out} is a file; {args.format} writes into a folder")
        progress = Progress("exporting", args.quiet)
        with StopOnInterrupt() as stop:
            try:
                report = run_export(args.format, project, images, args.out, args, stop, progress)
            finally:
                progress.close()
    except (CliError, FormatError, StoreError, OSError) as exc:
        return print_error(exc)
    print_warnings(report.warnings)
    if report.cancelled:
        print(f"stopped: {report.summary()}", file=sys.stderr)
        return 130
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
