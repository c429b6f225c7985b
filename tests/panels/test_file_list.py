"""The file list's sort: folder order, or most uncertain first with never-filled images last;
live when auto-fill records a value; the name filter still matches names only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.panels.file_list import SORT_NAME, SORT_UNCERTAIN, FileListPanel, FileState

pytestmark = pytest.mark.gui

PATHS = ["a.png", "b.png", "c.png", "d.png", "e.png"]


def shown(panel: FileListPanel) -> list[str]:
    proxy = panel.proxy
    return [panel.model.path(proxy.mapToSource(proxy.index(r, 0)).row()) for r in range(proxy.rowCount())]


@pytest.fixture
def panel(qtbot) -> FileListPanel:
    p = FileListPanel()
    qtbot.addWidget(p)
    p.model.set_files(PATHS, {
        "a.png": FileState("done", uncertainty=0.9),
        "b.png": FileState("in_progress", 2, uncertainty=0.3),
        "c.png": FileState("new"),  # never auto-filled: unknown
        "d.png": FileState("in_progress", 1, uncertainty=0.6),
        "e.png": FileState("in_progress", 1, uncertainty=0.3),
    })  # fmt: skip
    return p


def test_most_uncertain_first_with_unknown_last_and_back_to_folder_order(panel, qtbot):
    assert shown(panel) == PATHS and panel.sort_key() == SORT_NAME
    with qtbot.waitSignal(panel.sort_changed) as picked:
        panel.sort_combo.setCurrentIndex(panel.sort_combo.findData(SORT_UNCERTAIN))  # as the user does
    assert picked.args == [SORT_UNCERTAIN]
    assert shown(panel) == ["a.png", "d.png", "b.png", "e.png", "c.png"]  # equal values: folder order
    assert panel.proxy.index(0, 0).data().endswith("· 0.90")  # sorted rows name their value
    assert "uncertainty 0.60" in panel.proxy.index(1, 0).data(Qt.ToolTipRole)
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData(SORT_NAME))
    assert shown(panel) == PATHS
    assert panel.proxy.index(0, 0).data() == "a.png"


def test_the_sort_follows_new_values_and_a_new_folder(panel, qtbot):
    with qtbot.assertNotEmitted(panel.sort_changed):  # a restored setting is not the user's pick
        panel.set_sort(SORT_UNCERTAIN)
    assert panel.sort_combo.currentData() == SORT_UNCERTAIN
    panel.model.update_state("c.png", uncertainty=0.95)  # auto-fill just recorded it
    assert shown(panel)[0] == "c.png"
    panel.model.set_files(["x.png", "y.png", "z.png"], {"z.png": FileState("new", uncertainty=0.5)})
    assert shown(panel) == ["z.png", "x.png", "y.png"]  # still sorted after the folder changed
    panel.set_sort("bogus")  # an unknown saved value means folder order
    assert panel.sort_key() == SORT_NAME and shown(panel) == ["x.png", "y.png", "z.png"]


def test_filters_combine_with_the_sort_and_match_names_only(panel):
    panel.set_sort(SORT_UNCERTAIN)
    panel.filter_edit.setText("0.3")  # the shown values are not names
    assert shown(panel) == []
    panel.filter_edit.setText("")
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("pending"))
    assert shown(panel) == ["d.png", "b.png", "e.png"]


def test_current_row_is_kept_when_sorting(panel):
    panel.set_current("e.png")
    panel.set_sort(SORT_UNCERTAIN)
    current = panel.view.currentIndex()
    assert panel.model.path(panel.proxy.mapToSource(current).row()) == "e.png"


def test_selection_and_current_survive_sorting_and_filtering(panel, qtbot):
    from PySide6.QtCore import QItemSelectionModel

    panel.set_current("b.png")
    view = panel.view
    view.selectionModel().select(panel.proxy.mapFromSource(panel.model.index(3)), QItemSelectionModel.Select)  # d
    chosen = sorted(panel.selected_paths())
    assert chosen == ["b.png", "d.png"]
    with qtbot.assertNotEmitted(panel.image_activated):  # re-sorting is not the user picking an image
        panel.set_sort(SORT_UNCERTAIN)
        panel.filter_edit.setText(".png")
        panel.model.update_state("b.png", uncertainty=0.99)  # moves to the top
    assert shown(panel)[0] == "b.png"
    assert sorted(panel.selected_paths()) == chosen
    assert panel.model.path(panel.proxy.mapToSource(view.currentIndex()).row()) == "b.png"
    panel.filter_edit.setText("zzz")  # nothing shown
    assert panel.proxy.rowCount() == 0 and not panel.proxy.hasChildren()


def test_incremental_moves_match_a_full_sort(qtbot):
    import random

    p = FileListPanel()
    qtbot.addWidget(p)
    rng = random.Random(5)
    paths = [f"im{i:03d}.png" for i in range(300)]
    p.model.set_files(paths, {q: FileState("in_progress", uncertainty=rng.choice([None, 0.5, rng.random()])) for q in paths})
    p.set_sort(SORT_UNCERTAIN)
    for _ in range(300):
        p.model.update_state(rng.choice(paths), uncertainty=rng.choice([None, 0.5, 0.25, rng.random()]))
    expected = sorted(range(300), key=lambda r: p.model.uncertainty_key(r))
    assert shown(p) == [paths[r] for r in expected]
    p.status_combo.setCurrentIndex(p.status_combo.findData("in_progress"))
    p.model.update_state(paths[7], status="done")  # leaves the status filter's rows
    assert paths[7] not in shown(p) and len(shown(p)) == 299
