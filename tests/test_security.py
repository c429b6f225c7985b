"""Security: weights are only unpickled with weights_only=True, and names inside imported label
files cannot make us read or write outside the project.

File access is observed with a Python audit hook ("open" and "os.rename"/"os.replace" events,
which builtins.open, os.open, np.fromfile, tempfile and os.replace all raise), so the tests check
what was really touched rather than what the code intends.
"""

from __future__ import annotations

import ast
import json
import sys
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.core.categories import LabelSet
from app.formats.coco import import_coco
from app.formats.labelme import import_labelme
from app.formats.panoptic import import_panoptic
from app.formats.store import ProjectStore, StoreError

ROOT = Path(__file__).resolve().parent.parent
_recording: list[list[str]] = []


def _audit(event: str, args: tuple) -> None:
    if _recording and event in ("open", "os.rename", "os.replace"):
        for arg in args[:2] if event != "open" else args[:1]:
            if isinstance(arg, (str, bytes, Path)):
                _recording[-1].append(str(arg if not isinstance(arg, bytes) else arg.decode(errors="replace")))


sys.addaudithook(_audit)  # cannot be removed; records only inside touched_paths()


@contextmanager
def touched_paths():
    paths: list[str] = []
    _recording.append(paths)
    try:
        yield paths
    finally:
        _recording.pop()


def _outside(paths: list[str], *roots: Path) -> list[str]:
    resolved = [r.resolve() for r in roots]
    out = []
    for p in paths:
        rp = Path(p).resolve()
        libs = (Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve())
        if rp.suffix in (".py", ".pyc") or "site-packages" in rp.parts or any(rp.is_relative_to(r) for r in libs):
            continue  # lazy imports of library modules
        if not any(rp.is_relative_to(r) for r in resolved):
            out.append(p)
    return out


def _write_png(path: Path, w: int = 40, h: int = 30) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cv2.imencode(".png", np.full((h, w, 3), 90, np.uint8))[1].tobytes())


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """project/ with img.png; a decoy image outside it, at every '..' target the tests use."""
    project = tmp_path / "a" / "b" / "project"
    _write_png(project / "img.png")
    for decoy in (tmp_path / "a" / "x.png", tmp_path / "a" / "b" / "x.png", tmp_path / "outside" / "x.png"):
        _write_png(decoy, 64, 48)
    return {"tmp": tmp_path, "project": project}


SQUARE = [[2, 2], [20, 2], [20, 20], [2, 20]]


def _labelme(image_path: str) -> str:
    return json.dumps({"version": "5.5.0", "shapes": [{"label": "cat", "points": SQUARE, "group_id": None,
                                                       "shape_type": "polygon", "flags": {}}],
                       "imagePath": image_path, "imageData": None, "imageHeight": 30, "imageWidth": 40})


@pytest.mark.parametrize("image_path", ["../../x.png", "../../../outside/x.png", "/etc/x.png", "..\\..\\x.png"])
def test_labelme_image_path_is_confined_to_the_project(layout, image_path):
    project = layout["project"]
    (project / "img.json").write_text(_labelme(image_path))
    store = ProjectStore(project)
    with touched_paths() as paths:
        report = import_labelme(project, store, LabelSet.from_names(["cat"]), ["img.png"])
    assert report.images_changed == ["img.png"]  # imported for the image it lies next to
    assert any("names 'x.png'" in str(w) for w in report.warnings)
    assert any(Path(p).name == "img.json" for p in paths)  # the hook does see reads
    assert any(".maskpilot" in p for p in paths)  # ... and the store's writes
    assert _outside(paths, project) == []
    assert len(store.load_document("img.png", 40, 30).document) == 1


def test_labelme_from_another_folder_never_follows_image_path(layout):
    project, src = layout["project"], layout["tmp"] / "labels"
    src.mkdir()
    (src / "unrelated.json").write_text(_labelme("../outside/x.png"))  # matches no project image
    (src / "other.json").write_text(_labelme("../../a/b/project/img.png"))  # basename matches: confined
    store = ProjectStore(project)
    with touched_paths() as paths:
        report = import_labelme(project, store, LabelSet.from_names(["cat"]), ["img.png"], source_dir=src)
    assert report.unmatched == ["unrelated.json"] and report.images_changed == ["img.png"]
    assert _outside(paths, project, src) == []


@pytest.mark.parametrize("file_name", ["../../x.png", "../../../outside/x.png", "/tmp/x.png", "C:\\x.png"])
def test_coco_file_names_cannot_reach_outside(layout, file_name):
    project = layout["project"]
    coco = layout["tmp"] / "coco.json"
    coco.write_text(json.dumps({
        "images": [{"id": 1, "file_name": file_name, "width": 64, "height": 48}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[2, 2, 20, 2, 20, 20]]}],
        "categories": [{"id": 1, "name": "cat"}],
    }))
    store = ProjectStore(project)
    with touched_paths() as paths:
        report = import_coco(project, store, LabelSet.from_names(["cat"]), ["img.png"], coco)
    assert report.images_changed == [] and report.unmatched == [file_name]
    assert _outside(paths, project, coco) == []
    assert any(Path(p) == coco for p in paths)  # the hook does see reads
    assert [d for d in layout["tmp"].rglob(".maskpilot") if d.parent != project] == []


def test_panoptic_png_names_are_confined_to_the_png_folder(layout):
    project, tmp = layout["project"], layout["tmp"]
    pano = tmp / "panoptic.json"
    (tmp / "panoptic").mkdir()
    pano.write_text(json.dumps({
        "images": [{"id": 1, "file_name": "img.png", "width": 40, "height": 30}],
        "annotations": [{"image_id": 1, "file_name": "../outside/x.png", "segments_info": []}],
        "categories": [{"id": 1, "name": "cat", "isthing": 1}],
    }))
    with touched_paths() as paths:
        report = import_panoptic(project, ProjectStore(project), LabelSet.from_names(["cat"]), ["img.png"], pano)
    assert any("outside the PNG folder" in str(w) for w in report.warnings)
    assert _outside(paths, project, pano, tmp / "panoptic") == []


@pytest.mark.parametrize("rel", ["../x.png", "a/../../x.png", "/etc/passwd", "C:/x.png", ""])
def test_store_refuses_image_names_that_leave_the_labels_folder(tmp_path, rel):
    store = ProjectStore(tmp_path)
    with pytest.raises(StoreError, match="outside the project"):
        store.label_path(rel)
    assert store.label_path("sub/ok..name.png").name == "ok..name.png.json"  # dots in names are fine


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            yield node, owner, name


def test_every_torch_load_uses_weights_only_and_nothing_unpickles():
    """AST scan of the shipped code (multi-line calls and aliases included): torch.load always
    with weights_only=True literally; no pickle.load(s), no np.load(allow_pickle=True)."""
    problems, loads = [], 0
    for folder in ("app", "inference", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module in ("torch", "pickle", "dill"):
                    if any(a.name in ("load", "loads") for a in node.names):
                        problems.append(f"{path}: imports {node.module}.load directly")
            for node, owner, name in _calls(tree):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                kw = {k.arg: k.value for k in node.keywords}
                if owner == "torch" and name == "load":
                    loads += 1
                    wo = kw.get("weights_only")
                    if not (isinstance(wo, ast.Constant) and wo.value is True):
                        problems.append(f"{where}: torch.load without weights_only=True")
                if owner in ("pickle", "cPickle", "dill") and name in ("load", "loads", "Unpickler"):
                    problems.append(f"{where}: {owner}.{name}")
                if name == "load" and owner in ("np", "numpy"):
                    ap = kw.get("allow_pickle")
                    if ap is not None and not (isinstance(ap, ast.Constant) and ap.value is False):
                        problems.append(f"{where}: np.load with allow_pickle")
    assert loads >= 1  # the scan does see the real loader
    assert problems == []


def test_malicious_weights_are_refused_without_running(tmp_path):
    import torch

    from inference import WeightsUnsafeError
    from inference.weights import load_state_dict_file

    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):  # noqa: ANN204 - pickle protocol
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.pth"
    torch.save({"conv.weight": torch.zeros(1), "x": Payload()}, path)
    with pytest.raises(WeightsUnsafeError):
        load_state_dict_file(path)
    assert not marker.exists()
    # Sanity: the file really is dangerous; an unsafe load (never done by the app) runs it.
    torch.load(path, weights_only=False)["x"].close()
    assert marker.exists()
