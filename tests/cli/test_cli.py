"""maskpilot-export / maskpilot-import on a temporary folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import export as export_cli
from app.cli import import_labels as import_cli
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.formats.store import ProjectStore

ROOT = Path(__file__).resolve().parents[2]
W, H = 48, 32


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "imgs"
    folder.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        (folder / name).write_bytes(
            cv2.imencode(".png", np.full((H, W, 3), 90, np.uint8))[1].tobytes()
        )
    store = ProjectStore(folder)
    labels = LabelSet.from_names(["cat", "dog"])
    store.save_project(labels, {})
    doc = Document("a.png", W, H)
    doc.add(Instance(1, 1, PolygonGeometry.from_points([[2, 2], [20, 2], [10, 15]])))
    blob = np.zeros((8, 9), bool)
    blob[1:7, 2:8] = True
    doc.add(Instance(2, 2, RasterGeometry(blob, 25, 10).tight()))
    store.save_document(doc)
    return folder


def test_export_coco_prints_summary_and_writes_file(project, tmp_path, capsys):
    out = tmp_path / "o" / "coco.json"
    assert export_cli.main([str(project), "--format", "coco", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "2 instance(s) from 3 image(s)" in captured.out
    assert "exporting 3/3" in captured.err
    data = json.loads(out.read_text())
    assert [c["name"] for c in data["categories"]] == ["cat", "dog"]
    assert [a["category_id"] for a in data["annotations"]] == [1, 2]


@pytest.mark.parametrize(
    "fmt,expect",
    [
        ("panoptic", "p/a.png"),
        ("png", "p/SegmentationClass/a.png"),
        ("labelme", "p/a.json"),
        ("yolo", "p/labels/a.txt"),
    ],
)
def test_export_every_format(project, tmp_path, fmt, expect):
    out = tmp_path / ("p.json" if fmt == "panoptic" else "p")
    assert export_cli.main([str(project), "-f", fmt, "-o", str(out), "-q"]) == 0
    assert (tmp_path / expect).is_file()


def test_export_errors_are_clear(project, tmp_path, capsys):
    assert (
        export_cli.main([str(tmp_path / "nope"), "-f", "coco", "-o", str(tmp_path / "x.json")]) == 1
    )
    assert "is not a folder" in capsys.readouterr().err
    assert export_cli.main([str(project), "-f", "coco", "-o", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert (
        export_cli.main(
            [str(project), "-f", "coco", "-o", str(tmp_path / "x.json"), "--images", "zz.png"]
        )
        == 1
    )
    assert "zz.png" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        export_cli.main([str(project), "-f", "bmp", "-o", "x"])
    assert exc.value.code == 2


def test_import_round_trip_and_class_list(project, tmp_path, capsys):
    out = tmp_path / "coco.json"
    assert (
        export_cli.main([str(project), "-f", "coco", "-o", str(out), "--images", "a.png", "-q"])
        == 0
    )
    target = tmp_path / "other"
    target.mkdir()
    (target / "sub").mkdir()
    (target / "sub" / "a.png").write_bytes((project / "a.png").read_bytes())
    assert import_cli.main([str(target), "--recursive", "-f", "coco", "--from", str(out)]) == 0
    assert "2 instance(s) imported into 1 image(s)" in capsys.readouterr().out
    store = ProjectStore(target)
    meta = store.load_project()
    assert meta.labels is not None  # written, so the imported class ids mean something
    doc = store.load_document("sub/a.png", W, H).document
    assert [meta.labels.name(i.category_id) for i in doc] == ["cat", "dog"]
    original = ProjectStore(project).load_document("a.png", W, H).document
    assert doc.instances[1].geometry == original.instances[1].geometry


def test_import_errors_and_nothing_matched(project, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert import_cli.main([str(project), "-f", "coco", "--from", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    assert import_cli.main([str(project), "-f", "coco"]) == 1
    assert "--from is required" in capsys.readouterr().err
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "zzz.png", "width": W, "height": H}],
                "annotations": [
                    {"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[1, 1, 5, 1, 3, 4]]}
                ],
                "categories": [{"id": 1, "name": "cat"}],
            }
        )
    )
    assert import_cli.main([str(project), "-f", "coco", "--from", str(other)]) == 1
    err = capsys.readouterr().err
    assert "zzz.png" in err and "matches" in err


def test_labelme_next_to_images_via_subprocess(project, tmp_path):
    shape = {
        "label": "bird",
        "points": [[1, 1], [9, 1], [5, 8]],
        "shape_type": "polygon",
        "group_id": None,
    }
    (project / "b.json").write_text(
        json.dumps({"shapes": [shape], "imagePath": "b.png", "imageWidth": W, "imageHeight": H})
    )
    cmd = [sys.executable, "-m", "app.cli.import_labels", str(project), "--format", "labelme"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 instance(s) imported into 1 image(s); 1 new class(es): bird" in out.stdout
    labels = ProjectStore(project).load_project().labels
    assert labels.by_name("bird") is not None
