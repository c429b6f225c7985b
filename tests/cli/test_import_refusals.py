"""An import that is refused, or imports nothing, changes nothing: no project.json, no classes,
no label files; a file of another format is refused with a hint naming the right --format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import import_labels as import_cli
from app.core.categories import LabelSet
from app.formats.coco import import_coco
from app.formats.labelme import import_labelme
from app.formats.panoptic import import_panoptic
from app.formats.png_masks import import_png_masks
from app.formats.project_io import FormatError
from app.formats.store import ProjectStore

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PANOPTIC = SHARED / "fixtures" / "coco_panoptic"
W, H = 40, 30


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the folder (the project store included) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two images and no project store yet (the app's first contact with a folder)."""
    out = tmp_path / "imgs"
    out.mkdir()
    for name in ("a.png", "b.png"):
        (out / name).write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    return out


def coco(path: Path, file_name: str = "a.png") -> Path:
    path.write_text(json.dumps({
        "images": [{"id": 7, "file_name": file_name, "width": W, "height": H}],
        "annotations": [{"id": 1, "image_id": 7, "category_id": 102, "segmentation": [[1, 1, 9, 1, 5, 8]]}],
        "categories": [{"id": c, "name": n} for c, n in ((101, "gizmo"), (102, "widget"), (103, "doohickey"))],
    }))
    return path


def test_nothing_matched_writes_no_project_json(folder, tmp_path, capsys):
    before = snapshot(folder)
    assert import_cli.main([str(folder), "-f", "coco", "--from", str(coco(tmp_path / "c.json", "zzz.png"))]) == 1
    assert "no image" in capsys.readouterr().err
    assert snapshot(folder) == before and not (folder / ".maskpilot").exists()


def test_panoptic_json_as_coco_is_refused_with_a_hint(folder, capsys):
    if not PANOPTIC.exists():
        pytest.skip("../shared/fixtures/coco_panoptic is missing")
    for img in PANOPTIC.joinpath("input_images").iterdir():
        shutil.copy(img, folder / img.name)
    before = snapshot(folder)
    argv = [str(folder), "-f", "coco", "--from", str(PANOPTIC / "panoptic_examples.json")]
    assert import_cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "looks like COCO panoptic" in err and "--format panoptic" in err
    assert snapshot(folder) == before
    # and the right format imports it
    argv[2] = "panoptic"
    assert import_cli.main(argv) == 0
    labels = ProjectStore(folder).load_project().labels
    used = {s["category_id"] for a in json.loads((PANOPTIC / "panoptic_examples.json").read_text())["annotations"]
            for s in a["segments_info"]}
    # the 80 COCO classes a new project starts with, plus only the classes of imported segments
    assert {c.id for c in labels} == set(coco_things_ids()) | used and len(labels) < 133


def test_coco_json_as_panoptic_and_folders_for_files(folder, tmp_path, capsys):
    path = coco(tmp_path / "c.json")
    before = snapshot(folder)
    assert import_cli.main([str(folder), "-f", "panoptic", "--from", str(path)]) == 1
    assert "--format coco" in capsys.readouterr().err
    assert import_cli.main([str(folder), "-f", "png", "--from", str(path)]) == 1
    err = capsys.readouterr().err
    assert "reads a folder" in err and "use --format coco" in err
    assert import_cli.main([str(folder), "-f", "labelme", "--from", str(path)]) == 1
    assert "use --format coco" in capsys.readouterr().err
    assert import_cli.main([str(folder), "-f", "coco", "--from", str(tmp_path)]) == 1
    assert "reads a JSON file" in capsys.readouterr().err
    assert snapshot(folder) == before


def coco_things_ids() -> list[int]:
    from app.formats.class_lists import coco_things

    return [c.id for c in coco_things()]


def test_only_classes_of_imported_instances_are_added(folder, tmp_path, capsys):
    assert import_cli.main([str(folder), "-f", "coco", "--from", str(coco(tmp_path / "c.json"))]) == 0
    assert "1 new class(es): widget" in capsys.readouterr().out
    labels = ProjectStore(folder).load_project().labels
    assert [(c.id, c.name) for c in labels][80:] == [(102, "widget")]


def test_format_functions_refuse_and_change_nothing(folder, tmp_path):
    store = ProjectStore(folder)
    labels = LabelSet.from_names(["cat"])
    panoptic = tmp_path / "p.json"
    panoptic.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.png"}], "categories": [{"id": 9, "name": "x"}],
                                    "annotations": [{"image_id": 1, "file_name": "a.png", "segments_info": []}]}))
    with pytest.raises(FormatError, match="--format panoptic"):
        import_coco(folder, store, labels, ["a.png", "b.png"], panoptic)
    with pytest.raises(FormatError, match="--format coco"):
        import_panoptic(folder, store, labels, ["a.png", "b.png"], coco(tmp_path / "c.json"))
    labelme = tmp_path / "l.json"
    labelme.write_text(json.dumps({"shapes": [], "imagePath": "a.png"}))
    with pytest.raises(FormatError, match="--format labelme"):
        import_coco(folder, store, labels, ["a.png"], labelme)
    results = tmp_path / "r.json"
    results.write_text(json.dumps([{"image_id": 1, "category_id": 1, "segmentation": {}, "score": 0.5}]))
    with pytest.raises(FormatError, match="results"):
        import_coco(folder, store, labels, ["a.png"], results)
    report = import_coco(folder, store, labels, ["a.png"], coco(tmp_path / "z.json", "zzz.png"))
    assert report.unmatched == ["zzz.png"] and report.categories_added == []
    assert [c.name for c in labels] == ["cat"] and not (folder / ".maskpilot").exists()


def test_unusable_shapes_and_pixels_add_no_classes(folder, tmp_path):
    store = ProjectStore(folder)
    labels = LabelSet.from_names(["cat"])
    (folder / "a.json").write_text(json.dumps({"shapes": [
        {"label": "line", "points": [[1, 1], [5, 5]], "shape_type": "line"},
        {"label": "two", "points": [[1, 1], [5, 5]], "shape_type": "polygon"}], "imageWidth": W, "imageHeight": H}))
    report = import_labelme(folder, store, labels, ["a.png", "b.png"])
    assert report.instances_added == 0 and len(report.warnings) == 2
    png = tmp_path / "voc"
    (png / "SegmentationClass").mkdir(parents=True)
    (png / "class_names.txt").write_text("_background_\ncat\nhorse\ncow\n")
    cls = np.zeros((H, W), np.uint8)
    cls[2:6, 2:6] = 3  # only "cow" is painted
    (png / "SegmentationClass" / "a.png").write_bytes(cv2.imencode(".png", cls)[1].tobytes())
    report = import_png_masks(folder, store, labels, ["a.png", "b.png"], png)
    assert report.categories_added == ["cow"] and [c.name for c in labels] == ["cat", "cow"]
