"""Sentences composed in the Qt-free layers (the project store, the importers, the training
domain) reach a Korean window in Korean, while the command-line tools print the same English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import export as export_cli
from app.cli import import_labels as import_cli
from app.core.categories import LabelSet
from app.formats.coco_import import import_coco
from app.formats.store import ProjectStore
from tests.gui import _fresh_qsettings, image_folder  # noqa: F401 (fixtures)

pytestmark = pytest.mark.gui
HANGUL = re.compile(r"[\uac00-\ud7a3]")
W, H = 40, 30


@pytest.fixture
def korean(qapp):
    from app.ui import language

    assert language.install("ko") == "ko"
    yield
    language.install("en")


def break_labels(folder: Path, rel: str) -> None:
    labels = folder / ".maskpilot" / "labels"
    labels.mkdir(parents=True, exist_ok=True)
    (labels / f"{rel}.json").write_text("{broken")


def test_unreadable_label_file_in_korean_window_and_english_cli(korean, qtbot, image_folder, tmp_path, capsys):  # noqa: F811
    from app.window.main_window import MainWindow

    break_labels(image_folder, "img2.jpg")
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_folder(str(image_folder))
    win.show_image("img2.jpg")
    shown = win.statusBar().currentMessage()
    assert "img2.jpg의 레이블을 읽을 수 없었습니다" in shown and "이미지를 빈 상태로 엽니다." in shown, shown
    assert "unreadable" not in shown
    win.close()

    # The CLI (run in the same process, Korean translator still installed) reads English.
    break_labels(image_folder, "img3.jpg")
    assert export_cli.main([str(image_folder), "-f", "coco", "-o", str(tmp_path / "out.json"), "-q"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: img3\.jpg: The labels of img3\.jpg were unreadable \(.+\)\. It was moved to "
                     r"img3\.jpg\.json\.corrupt-\S+\. The image opens empty\.", err), err
    assert not HANGUL.search(err)


@pytest.fixture
def coco_source(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "imgs"
    folder.mkdir()
    (folder / "a.png").write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    path = tmp_path / "c.json"
    path.write_text(json.dumps({
        "images": [{"id": 7, "file_name": "a.png", "width": W, "height": H}],
        "annotations": [{"id": 1, "image_id": 7, "category_id": 1, "segmentation": [[1, 1, 9, 1, 5, 8]]},
                        {"id": 2, "image_id": 7, "category_id": 1, "segmentation": []},
                        {"id": 3, "image_id": 7, "category_id": 9, "segmentation": [[1, 1, 9, 1, 5, 8]]}],
        "categories": [{"id": 1, "name": "widget"}],
    }))  # fmt: skip
    return folder, path


def test_import_warnings_in_korean_dialog_and_english_cli(korean, qtbot, coco_source, capsys):
    from app.import_export.import_dialog import ImportDialog

    folder, path = coco_source
    store, labels = ProjectStore(folder), LabelSet([])
    report = import_coco(folder, store, labels, ["a.png"], path)
    assert [str(w) for w in report.warnings] == [
        "c.json: annotation 2: no segmentation (bounding box only); skipped",
        "c.json: annotation 3: unknown category id 9 (not declared in 'categories'); skipped",
    ]
    dlg = ImportDialog(folder, store, labels, ["a.png"])
    qtbot.addWidget(dlg)
    dlg.task_done(report)
    log = dlg.log.toPlainText().splitlines()
    assert log == ["c.json: 어노테이션 2: 분할 정보가 없어(경계 상자만 있음) 건너뛰었습니다",
                   "c.json: 어노테이션 3: 알 수 없는 카테고리 id 9('categories'에 선언되지 않음)라 건너뛰었습니다"], log

    # A file of another format: the dialog's "Failed" line is Korean, the CLI's error English.
    other = path.with_name("p.json")
    other.write_text(json.dumps({"images": [], "annotations": [{"image_id": 1, "segments_info": []}]}))
    from app.formats.project_io import FormatError
    from app.ui.i18n import show_text

    with pytest.raises(FormatError) as refused:
        import_coco(folder, store, labels, ["a.png"], other)
    assert show_text(refused.value).startswith("p.json은(는) COCO instances 파일이 아닙니다: COCO 파노프틱 파일로 보입니다")

    assert import_cli.main([str(folder), "-f", "coco", "--from", str(path.with_name("c.json"))]) == 0
    err = capsys.readouterr().err
    assert "warning: c.json: annotation 3: unknown category id 9 (not declared in 'categories'); skipped" in err, err
    assert import_cli.main([str(folder), "-f", "coco", "--from", str(other)]) == 1
    err = capsys.readouterr().err
    assert "p.json is not a COCO instances file: this looks like COCO panoptic" in err and not HANGUL.search(err), err


def test_training_skipped_and_finished_in_korean(korean, qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    from app.training.domain.dataset import ProjectSamples, plan_dataset
    from app.training.domain.job import finished_message
    from app.training.domain.messages import Finished, Skipped, Started
    from inference.training.samples import SampleUnavailable
    from tests.training.projects import make_project
    from tests.training.test_training_controller import OPTIONS, make

    # The notes, the Skipped reason and the summary as the training domain makes them.
    project = make_project(tmp_path / "p", done=4, classes=("circle",))
    notes = plan_dataset(project.folder, project.store, project.store.load_project().labels, 0.25).notes
    assert notes == ["Only one class (circle) has examples: the model will find only that class."]
    samples = ProjectSamples(tmp_path, ProjectStore(tmp_path), ["gone.png"], {1: 1})
    with pytest.raises(SampleUnavailable) as unavailable:
        samples[0]  # the image vanished while training ran
    reason = unavailable.value.reason
    assert reason == "cannot read gone.png: No such file or directory"
    message = finished_message("project:cells", 120, 3.04, {"AP50": 0.8766}, cancelled=False)
    assert message == "Training finished as project:cells (120 steps, 3.0 epochs, validation mask AP50 0.877)."

    parent = QWidget()
    qtbot.addWidget(parent)
    started = Started("cells", "small", "imagenet", "cpu", 9, 3, ((1, "cell"),), 0, 2, tuple(notes))
    batches = [[started], [Skipped("gone.png", reason)], [Finished("project:cells", None, False, 120, 3.04, 60.0, 100, message)]]
    host, controller, _runs = make(parent, batches)
    controller.open_dialog()
    controller.start(OPTIONS)
    controller.poll()
    assert "예시가 있는 클래스가 하나(circle)뿐이라 모델은 그 클래스만 찾습니다." in controller.dialog.status.text()
    controller.poll()
    assert host.messages[-1].endswith("(gone.png을(를) 읽을 수 없습니다: No such file or directory)"), host.messages
    controller.poll()
    assert host.messages[-1] == "학습을 마치고 project:cells(으)로 저장했습니다(120단계, 3.0 에포크, 검증 마스크 AP50 0.877)."
    assert controller.dialog.status.text() == host.messages[-1]
