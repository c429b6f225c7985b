"""Generate the bad-input corpus: broken images, label files, project.json, class lists,
COCO/labelme imports and weights files, one folder per case, plus `cases.json`.

Usage: python tests/data/bad/make_corpus.py [OUT_DIR]   (default: tests/data/bad/cases/, ignored
by git). tests/test_bad_corpus.py generates it into a temporary folder instead.

Each case lists: `kind` (what the user handed us), `broken` (how), `loader` (what reads it, see
tests/test_bad_corpus.py), `file` (the bad file, relative to the case folder), `outcome`
("error": the loader raises `exception`; "warning": it returns a warning; "ok": it copes) and
`expect`, a substring of the message the user sees.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
W, H = 40, 30


def _png(w: int = W, h: int = H) -> bytes:
    img = (np.random.default_rng(w * h).random((h, w, 3)) * 255).astype(np.uint8)
    return cv2.imencode(".png", img)[1].tobytes()


def _jpeg() -> bytes:
    img = (np.random.default_rng(1).random((H, W, 3)) * 255).astype(np.uint8)
    return cv2.imencode(".jpg", img)[1].tobytes()


def _label(instances: list, **top: object) -> bytes:
    doc = {"version": 1, "image": {"file_name": "img.png", "width": W, "height": H}, "status": "new",
           "instances": instances, **top}
    return json.dumps(doc).encode()


def _poly(flat: list, **extra: object) -> dict:
    return {"id": 1, "category_id": 1, "polygon": {"parts": [flat], "holes": []}, **extra}


SQUARE = [2, 2, 20, 2, 20, 20, 2, 20]


def _coco(images: list | None = None, anns: list | None = None, cats: list | None = None) -> bytes:
    images = [{"id": 1, "file_name": "img.png", "width": W, "height": H}] if images is None else images
    anns = [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [SQUARE], "iscrowd": 0}] if anns is None else anns
    cats = [{"id": 1, "name": "thing"}] if cats is None else cats
    return json.dumps({"images": images, "annotations": anns, "categories": cats}).encode()


def _labelme(shapes: list, **top: object) -> bytes:
    data = {"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": "../img.png", "imageData": None,
            "imageHeight": H, "imageWidth": W, **top}
    return json.dumps(data).encode()


def _shape(points: list, shape_type: str = "polygon", label: object = "cat", **extra: object) -> dict:
    return {"label": label, "points": points, "group_id": None, "shape_type": shape_type, "flags": {}, **extra}


SQ_PTS = [[2, 2], [20, 2], [20, 20], [2, 20]]


class _Payload:
    """Unpickling it would create the file named `marker`: stands in for code a malicious
    weights file runs. torch.load(weights_only=True) must refuse it without running it."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204 - pickle protocol
        return (open, (self.marker, "w"))


def _torch_bytes(obj: object) -> bytes:
    import io

    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _truncated_weights(case_dir: Path) -> bytes:
    import torch

    return _torch_bytes({"w": torch.zeros(5000)})[:6000]


def _malicious(case_dir: Path) -> bytes:
    import torch

    return _torch_bytes({"conv.weight": torch.zeros(2), "x": _Payload(str(case_dir / "PWNED"))})


def _training_state(case_dir: Path) -> bytes:
    import torch

    return _torch_bytes({"model": {"a": torch.zeros(2)}, "epoch": 3})


def _tensor_list(case_dir: Path) -> bytes:
    import torch

    return _torch_bytes([torch.zeros(2)])


# (id, kind, broken, loader, file, outcome, exception, expect, content)
# content: bytes, or a function of the case folder returning bytes.
CASES: list[tuple] = [
    # ---- images: read_image ----
    ("img_empty", "image", "0 bytes", "image", "img.png", "error", "ImageLoadError", "is empty (0 bytes)", b""),
    ("img_text_as_jpg", "image", "a text file named .jpg", "image", "img.jpg", "error", "ImageLoadError",
     "is not an image file this app can read", b"hello, not a picture\n"),
    ("img_truncated_png", "image", "PNG cut at 40 %", "image", "img.png", "error", "ImageLoadError",
     "corrupt or truncated", lambda d: _png()[: len(_png()) * 4 // 10]),
    ("img_truncated_jpeg", "image", "JPEG cut at 40 %", "image", "img.jpg", "error", "ImageLoadError",
     "corrupt or truncated", lambda d: _jpeg()[: len(_jpeg()) * 4 // 10]),
    ("img_huge_header", "image", "PNG header claiming 100000x100000 px", "image", "img.png", "error",
     "ImageLoadError", "too large to open", lambda d: _png()[:16] + (100000).to_bytes(4, "big") * 2 + _png()[24:]),
    ("img_png_magic_garbage", "image", "PNG signature then zeros", "image", "img.png", "error",
     "ImageLoadError", "could not be decoded", b"\x89PNG\r\n\x1a\n" + bytes(1000)),
    ("img_tiff_garbage", "image", "TIFF signature then zeros", "image", "img.tif", "error", "ImageLoadError",
     "could not be decoded", b"II*\x00" + b"\x00" * 500),
    ("img_bmp_garbage", "image", "BMP signature then 0xFF", "image", "img.bmp", "error", "ImageLoadError",
     "could not be decoded", b"BM" + b"\xff" * 300),
    ("img_png_named_jpg", "image", "a valid PNG with a .jpg name", "image", "img.jpg", "ok", "", "", lambda d: _png()),
    # ---- per-image label files: ProjectStore.load_document (quarantined, opens empty) ----
    ("label_not_json", "label file", "not JSON", "label", ".maskpilot/labels/img.png.json", "warning", "",
     "were unreadable", b"{not json"),
    ("label_truncated", "label file", "valid file cut in half", "label", ".maskpilot/labels/img.png.json",
     "warning", "", "were unreadable", _label([_poly(SQUARE)])[:60]),
    ("label_binary", "label file", "random binary bytes", "label", ".maskpilot/labels/img.png.json", "warning",
     "", "were unreadable", bytes(range(128, 256)) * 3),
    ("label_no_instances", "label file", "JSON without 'instances'", "label", ".maskpilot/labels/img.png.json",
     "warning", "", "not a MaskPilot label file", b'{"version": 1}'),
    ("label_list", "label file", "a JSON list", "label", ".maskpilot/labels/img.png.json", "warning", "",
     "not a MaskPilot label file", b"[1, 2, 3]"),
    ("label_newer_version", "label file", "format version 99", "label", ".maskpilot/labels/img.png.json",
     "warning", "", "written by a newer MaskPilot", _label([], version=99)),
    ("label_bad_rle", "label file", "mask RLE with invalid characters", "label",
     ".maskpilot/labels/img.png.json", "warning", "", "RLE",
     _label([{"id": 1, "category_id": 1, "mask": {"x": 0, "y": 0, "rle": {"size": [4, 4], "counts": "!!!"}}}])),
    ("label_two_point_polygon", "label file", "polygon of 2 points", "label", ".maskpilot/labels/img.png.json",
     "warning", "", "at least 3 finite", _label([_poly([1, 1, 5, 5])])),
    ("label_nan_polygon", "label file", "NaN coordinates", "label", ".maskpilot/labels/img.png.json", "warning",
     "", "at least 3 finite", _label([_poly(SQUARE[:-1] + [float("nan")])])),
    ("label_duplicate_ids", "label file", "two instances with id 1", "label", ".maskpilot/labels/img.png.json",
     "warning", "", "duplicate instance ids", _label([_poly(SQUARE), _poly(SQUARE)])),
    ("label_bad_state", "label file", "state 'maybe'", "label", ".maskpilot/labels/img.png.json", "warning", "",
     "'maybe' is not a valid InstanceState", _label([_poly(SQUARE, state="maybe")])),
    ("label_no_geometry", "label file", "instance with neither mask nor polygon", "label",
     ".maskpilot/labels/img.png.json", "warning", "", "neither 'mask' nor 'polygon'",
     _label([{"id": 1, "category_id": 1}])),
    # ---- project.json: ProjectStore.load_project (quarantined, default classes) ----
    ("project_not_json", "project.json", "not JSON", "project", ".maskpilot/project.json", "warning", "",
     "project.json could not be read", b"categories: [cat]"),
    ("project_no_categories", "project.json", "no 'categories'", "project", ".maskpilot/project.json", "warning",
     "", "project.json could not be read", b'{"version": 1, "settings": {}}'),
    ("project_bad_color", "project.json", "colour 'red' instead of [r, g, b]", "project",
     ".maskpilot/project.json", "warning", "", "project.json could not be read",
     b'{"categories": [{"id": 1, "name": "a", "color": "red"}]}'),
    ("project_categories_number", "project.json", "'categories' is a number", "project",
     ".maskpilot/project.json", "warning", "", "project.json could not be read", b'{"categories": 5}'),
    # ---- class lists ----
    ("classes_empty_txt", "class list", "empty text file", "classes_txt", "classes.txt", "error",
     "ClassListError", "holds no class names", b"\n# only a comment\n"),
    ("classes_duplicate_txt", "class list", "a name listed twice", "classes_txt", "classes.txt", "error",
     "ClassListError", "is listed twice", b"cat\ndog\nCat\n"),
    ("classes_binary_txt", "class list", "binary bytes", "classes_txt", "classes.txt", "error", "ClassListError",
     "cannot read class list", b"\xff\xfe\xfa\x00\x81"),
    ("classes_coco_not_json", "class list", "COCO categories file that is not JSON", "classes_coco",
     "classes.json", "error", "ClassListError", "cannot read", b"{"),
    ("classes_coco_no_list", "class list", "JSON without 'categories'", "classes_coco", "classes.json", "error",
     "ClassListError", "has no COCO 'categories' list", b'{"images": []}'),
    ("classes_coco_bad_entry", "class list", "category without a name", "classes_coco", "classes.json", "error",
     "ClassListError", "invalid category", b'[{"id": 1}]'),
    # ---- COCO import ----
    ("coco_not_json", "COCO file", "not JSON", "coco", "coco.json", "error", "FormatError", "is not valid JSON",
     b"<html>"),
    ("coco_no_images", "COCO file", "no 'images' list", "coco", "coco.json", "error", "FormatError",
     "is not a COCO instances file", b'{"annotations": []}'),
    ("coco_bad_rle", "COCO file", "RLE counts not covering the image", "coco", "coco.json", "warning", "",
     "RLE runs cover", _coco(anns=[{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 1,
                                    "segmentation": {"size": [H, W], "counts": [5, 5]}}])),
    ("coco_unknown_category", "COCO file", "annotation of an undeclared category", "coco", "coco.json",
     "warning", "", "unknown category id 7",
     _coco(anns=[{"id": 1, "image_id": 1, "category_id": 7, "segmentation": [SQUARE]}])),
    ("coco_size_mismatch", "COCO file", "image size differs from the real image", "coco", "coco.json",
     "warning", "", "the file says 400x300", _coco(images=[{"id": 1, "file_name": "img.png", "width": 400,
                                                               "height": 300}])),
    ("coco_two_point_polygon", "COCO file", "polygon of 2 points", "coco", "coco.json", "warning", "",
     "fewer than 3", _coco(anns=[{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[1, 1, 9, 9]]}])),
    ("coco_path_traversal", "COCO file", "file_name '../../outside/img.png'", "coco", "coco.json", "warning", "",
     "unmatched:../../outside/x.png", _coco(images=[{"id": 1, "file_name": "../../outside/x.png", "width": W,
                                                      "height": H}])),
    # ---- labelme import (labels/ next to the image folder) ----
    ("labelme_not_json", "labelme file", "not JSON", "labelme", "labels/img.json", "warning", "",
     "is not valid JSON", b'{"shapes": ['),
    ("labelme_no_label", "labelme file", "shape without a label", "labelme", "labels/img.json", "warning", "",
     "no label; skipped", _labelme([_shape(SQ_PTS, label="")])),
    ("labelme_line", "labelme file", "a line shape", "labelme", "labels/img.json", "warning", "",
     "has no area", _labelme([_shape([[1, 1], [9, 9]], "line")])),
    ("labelme_bad_mask", "labelme file", "mask shape whose PNG is garbage", "labelme", "labels/img.json",
     "warning", "", "mask is not a PNG image",
     _labelme([_shape([[1, 1], [9, 9]], "mask", mask=base64.b64encode(b"garbage").decode())])),
    ("labelme_size_mismatch", "labelme file", "written for a 640x480 image", "labelme", "labels/img.json",
     "warning", "", "written for a 640x480 image", _labelme([_shape(SQ_PTS)], imageWidth=640, imageHeight=480)),
    ("labelme_points_text", "labelme file", "points are strings", "labelme", "labels/img.json", "warning", "",
     "points must be [x, y] number pairs", _labelme([_shape([["a", "b"], [1, 2], [3, 4]])])),
    ("labelme_image_path_traversal", "labelme file", "imagePath '../../../etc/x.png'", "labelme",
     "labels/img.json", "warning", "", "names 'x.png'", _labelme([_shape(SQ_PTS)], imagePath="../../../etc/x.png")),
    # ---- weights files: inference.weights.load_state_dict_file ----
    ("weights_empty", "weights file", "0 bytes", "weights", "model.pth", "error", "WeightsCorruptError",
     "PyTorch weights file", b""),
    ("weights_html", "weights file", "an HTML error page saved as .pth", "weights", "model.pth", "error",
     "WeightsCorruptError", "is not a PyTorch weights file", b"<html><body>404 Not Found</body></html>" * 10),
    ("weights_truncated", "weights file", "checkpoint cut short", "weights", "model.pth", "error",
     "WeightsCorruptError", "truncated or damaged", _truncated_weights),
    ("weights_malicious", "weights file", "pickle that would run code", "weights", "model.pth", "error",
     "WeightsUnsafeError", "could run code", _malicious),
    ("weights_training_state", "weights file", "training checkpoint (model + epoch)", "weights", "model.pth",
     "error", "WeightsFormatError", "is not a flat state dict",
     _training_state),
    ("weights_list", "weights file", "a list of tensors", "weights", "model.pth", "error", "WeightsFormatError",
     "does not hold a state dict", _tensor_list),
]

FIELDS = ("id", "kind", "broken", "loader", "file", "outcome", "exception", "expect")


def generate(out: Path) -> list[dict]:
    """Write every case under `out/<id>/` (with a good 40x30 `img.png` beside the bad file) and
    `out/cases.json`; returns the case table."""
    table = []
    for row in CASES:
        case = dict(zip(FIELDS, row[:-1]))
        content = row[-1]
        case_dir = out / case["id"]
        case_dir.mkdir(parents=True, exist_ok=True)
        if case["loader"] != "image":
            (case_dir / "img.png").write_bytes(_png())
        data = content(case_dir) if callable(content) else content
        target = case_dir / case["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        table.append(case)
    (out / "cases.json").write_text(json.dumps(table, indent=1), encoding="utf-8")
    return table


if __name__ == "__main__":
    dest = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "cases"
    print(f"{len(generate(dest))} cases written to {dest}")
