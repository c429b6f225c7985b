"""ClassPanel with qtbot: add, rename (API and in place), recolor, delete, load and save class
lists. Every dialog goes through an ask_* / confirm_* / warn method that the tests replace."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.core.categories import Category, LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.class_lists import read_coco_categories, read_text
from app.panels.class_panel import COL_COUNT, COL_NAME, ClassPanel

BOX = RasterGeometry(np.ones((2, 2), bool), 0, 0)


class Scripted(ClassPanel):
    """Answers every question from queues and records what was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, list] = {}
        self.asked: list[tuple] = []
        self.warnings: list[str] = []

    def _answer(self, kind: str, *args):
        self.asked.append((kind, *args))
        return self.answers[kind].pop(0)

    def ask_name(self, title, label, text=""):
        return self._answer("name")

    def ask_color(self, initial):
        return self._answer("color", initial)

    def ask_open_path(self):
        return self._answer("open")

    def ask_save_path(self):
        return self._answer("save")

    def ask_load_mode(self, path, count):
        return self._answer("mode", count)

    def confirm_delete(self, name, count):
        return self._answer("confirm", name, count)

    def warn(self, text):
        self.warnings.append(text)


@pytest.fixture
def panel(qtbot):
    p = Scripted()
    qtbot.addWidget(p)
    labels = LabelSet([Category(1, "cat", (255, 0, 0)), Category(2, "dog", (0, 255, 0)), Category(5, "bird", (0, 0, 255))])
    doc = Document("a.png", 10, 10, [Instance(1, 1, BOX), Instance(2, 1, BOX),
                                     Instance(3, 2, BOX, state=InstanceState.SUGGESTED)])
    p.set_labels(labels)
    p.set_document(doc)
    p.show()
    return p


def rows(p: ClassPanel) -> list[tuple[int, str, str]]:
    t = p.tree
    return [(t.topLevelItem(i).data(COL_NAME, Qt.UserRole), t.topLevelItem(i).text(COL_NAME),
             t.topLevelItem(i).text(COL_COUNT)) for i in range(t.topLevelItemCount())]


def test_shows_names_counts_and_follows_document(panel):
    assert rows(panel) == [(1, "cat", "2"), (2, "dog", "1"), (5, "bird", "0")]
    assert panel.current_category() == 1
    panel.doc.add(Instance(9, 5, BOX))
    assert rows(panel)[2] == (5, "bird", "1")
    panel.doc.set_fields(9, category_id=2)
    assert [r[2] for r in rows(panel)] == ["2", "2", "0"]
    panel.set_document(None)
    assert [r[2] for r in rows(panel)] == ["0", "0", "0"]


def test_current_category_signal(panel, qtbot):
    with qtbot.waitSignal(panel.current_changed) as sig:
        panel.set_current_category(5)
    assert sig.args == [5] and panel.current_category() == 5
    with qtbot.assertNotEmitted(panel.current_changed):
        panel.refresh()  # same class stays current without a repeated signal
    assert panel.current_category() == 5


def test_add_asks_name_and_rejects_duplicates(panel):
    changes = []
    panel.labels.changed.connect(changes.append)
    panel.answers["name"] = [" fish ", "DOG", "", None]
    panel.add_action.trigger()
    new = panel.labels.by_name("fish")
    assert new is not None and new.name == "fish" and new.id == 6
    assert changes == [6] and panel.current_category() == 6
    assert panel.add_category() is None and panel.warnings  # "DOG" exists as "dog"
    assert panel.add_category() is None and panel.add_category() is None  # empty, cancelled
    assert len(panel.labels) == 4 and len(panel.warnings) == 1


def test_rename_via_api_and_duplicates(panel):
    assert panel.rename_category(2, " puppy ")
    assert panel.labels.get(2).name == "puppy" and rows(panel)[1][1] == "puppy"
    assert not panel.rename_category(2, "Cat") and panel.warnings
    assert not panel.rename_category(2, "   ")
    assert panel.labels.get(2).name == "puppy"


def test_double_click_renames_in_place(panel, qtbot):
    item = panel.tree.topLevelItem(1)
    rect = panel.tree.visualItemRect(item)
    # Qt's item views only accept a double-click on the index the press landed on
    qtbot.mousePress(panel.tree.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseRelease(panel.tree.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.tree.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: panel.tree.state() == panel.tree.State.EditingState)
    editor = panel.tree.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "wolf")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: panel.labels.get(2).name == "wolf")
    assert rows(panel)[1] == (2, "wolf", "1")


def test_in_place_rename_to_duplicate_reverts(panel, qtbot):
    panel.tree.topLevelItem(1).setText(COL_NAME, "bird")  # what the editor's commit does
    qtbot.waitUntil(lambda: bool(panel.warnings))
    qtbot.waitUntil(lambda: rows(panel)[1][1] == "dog")
    assert panel.labels.get(2).name == "dog"


def test_recolor(panel):
    panel.set_current_category(2)
    panel.answers["color"] = [(10, 20, 30), None]
    panel.color_action.trigger()
    assert panel.asked[-1] == ("color", (0, 255, 0))
    assert panel.labels.get(2).color == (10, 20, 30)
    icon_color = panel.tree.topLevelItem(1).icon(COL_NAME).pixmap(14, 14).toImage().pixelColor(7, 7)
    assert (icon_color.red(), icon_color.green(), icon_color.blue()) == (10, 20, 30)
    assert not panel.recolor_category()  # cancelled
    assert panel.labels.get(2).color == (10, 20, 30)


def test_delete_unused_without_asking_and_used_after_confirm(panel, qtbot):
    removed = []
    panel.category_removed.connect(removed.append)
    assert panel.delete_category(5)
    assert panel.asked == [] and 5 not in panel.labels and removed == [5]
    panel.answers["confirm"] = [False, True]
    panel.set_current_category(1)
    panel.delete_action.trigger()
    assert panel.asked == [("confirm", "cat", 2)] and 1 in panel.labels
    with qtbot.waitSignal(panel.current_changed):
        assert panel.delete_category(1)
    assert 1 not in panel.labels and removed == [5, 1]
    # the instances stay; their id shows as an orphan row that cannot become current
    assert rows(panel) == [(2, "dog", "1"), (1, "#1", "2")]
    assert panel.current_category() == 2
    panel.set_current_category(1)
    assert panel.current_category() == 2


def test_naming_an_orphan_restores_the_class(panel):
    panel.answers["confirm"] = [True]
    panel.delete_category(1)
    assert panel.rename_category(1, "cat again")
    assert panel.labels.get(1).name == "cat again"
    assert rows(panel)[-1] == (1, "cat again", "2")


def test_load_text_replace_keeps_matching_ids(panel, tmp_path):
    path = tmp_path / "classes.txt"
    path.write_text("bird\nhorse\ncat\n", encoding="utf-8")
    panel.answers.update(open=[str(path)], mode=["replace"], confirm=[True])
    panel.load_action.trigger()
    assert panel.asked[1] == ("mode", 3)
    assert panel.asked[2] == ("confirm", "dog", 1)  # dog is used by one instance here
    assert [(c.id, c.name) for c in panel.labels] == [(5, "bird"), (6, "horse"), (1, "cat")]
    assert panel.labels.get(1).color == (255, 0, 0)  # kept classes keep their colour
    assert [r[1] for r in rows(panel)] == ["bird", "horse", "cat", "#2"]


def test_load_replace_declined_changes_nothing(panel, tmp_path):
    path = tmp_path / "classes.txt"
    path.write_text("horse\n", encoding="utf-8")
    before = list(panel.labels)
    panel.answers.update(confirm=[False])
    assert not panel.load_class_list(str(path), mode="replace")
    assert list(panel.labels) == before


def test_load_merge_and_coco_ids(panel, tmp_path):
    path = tmp_path / "cats.json"
    cats = [{"id": 1, "name": "Cat"}, {"id": 7, "name": "zebra", "color": [1, 2, 3]},
            {"id": 2, "name": "fish"}]
    path.write_text(json.dumps({"categories": cats}), encoding="utf-8")
    changes = []
    panel.labels.changed.connect(changes.append)
    assert panel.load_class_list(str(path), mode="merge")
    got = {c.name: (c.id, c.color) for c in panel.labels}
    assert got["cat"] == (1, (255, 0, 0)) and got["zebra"] == (7, (1, 2, 3))
    assert got["fish"][0] == 8  # id 2 belongs to dog, so fish gets a fresh one
    assert len(panel.labels) == 5 and changes  # the session autosaves on these


def test_load_errors_and_cancel(panel, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    panel.answers.update(open=[None, str(bad)], mode=[])
    assert not panel.load_class_list()
    assert not panel.load_class_list()
    assert panel.warnings and len(panel.labels) == 3
    ok = tmp_path / "ok.txt"
    ok.write_text("a\n", encoding="utf-8")
    panel.answers.update(mode=[None])
    assert not panel.load_class_list(str(ok))
    assert len(panel.labels) == 3


def test_save_text_and_coco_round_trip(panel, tmp_path):
    panel.answers["save"] = [str(tmp_path / "list"), str(tmp_path / "list.json"), None]
    panel.save_action.trigger()
    assert read_text(tmp_path / "list.txt").name(2) == "dog"
    assert panel.save_class_list()
    back = read_coco_categories(tmp_path / "list.json")
    assert [(c.id, c.name, c.color) for c in back] == [(c.id, c.name, c.color) for c in panel.labels]
    assert not panel.save_class_list()
    assert not panel.save_class_list(str(tmp_path / "missing" / "x.txt")) and panel.warnings
