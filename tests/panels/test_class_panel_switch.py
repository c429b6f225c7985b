"""Switching images touches only the class rows whose counts changed (issue 20: the 80-row
refill and flag resets cost 25-49 ms per switch). Counts the rows filled, never times."""

from __future__ import annotations

import numpy as np

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.panels.class_panel import COL_COUNT, COL_NAME, ClassPanel

BOX = RasterGeometry(np.ones((2, 2), bool), 0, 0)


def doc_with(*cats: int, suggested: int | None = None) -> Document:
    instances = [Instance(k + 1, c, BOX, state=InstanceState.SUGGESTED if c == suggested else InstanceState.ACCEPTED)
                 for k, c in enumerate(cats)]  # fmt: skip
    return Document("a.png", 10, 10, instances)


def counting(monkeypatch) -> dict[str, int]:
    """Count the rows filled (icon, name, flags) and the counts written, on the class (no
    attributes on the widget, so no reference cycles through it)."""
    calls = {"rows": 0, "counts": 0}
    fill, count = ClassPanel._fill_item, ClassPanel._fill_count

    def fill_item(self, *args):
        calls["rows"] += 1
        fill(self, *args)

    def fill_count(self, *args):
        calls["counts"] += 1
        count(self, *args)

    monkeypatch.setattr(ClassPanel, "_fill_item", fill_item)
    monkeypatch.setattr(ClassPanel, "_fill_count", fill_count)
    return calls


def test_an_image_switch_updates_only_the_changed_counts(qtbot, monkeypatch):
    panel = ClassPanel()
    qtbot.addWidget(panel)
    panel.set_labels(LabelSet.from_names([f"class{i}" for i in range(1, 81)]))
    panel.set_document(doc_with(1, 1, 2))
    panel.set_current_category(7)
    calls = counting(monkeypatch)
    panel.set_document(doc_with(1, 1, 2))  # another image, same counts: nothing to do
    assert calls == {"rows": 0, "counts": 0}
    panel.set_document(doc_with(1, 3, 3, suggested=3))
    assert calls == {"rows": 0, "counts": 3}  # classes 1, 2 and 3 changed counts
    item = panel.tree.topLevelItem(2)
    assert item.text(COL_COUNT) == "2" and "2 of them suggestions" in item.toolTip(COL_COUNT)
    assert panel.tree.topLevelItem(1).text(COL_COUNT) == "0"
    assert panel.current_category() == 7  # the current class survives the switch


def test_an_orphan_row_and_a_recolour_still_fill_their_rows(qtbot, monkeypatch):
    panel = ClassPanel()
    qtbot.addWidget(panel)
    labels = LabelSet.from_names(["a", "b"])
    panel.set_labels(labels)
    panel.set_document(doc_with(1, 2))
    calls = counting(monkeypatch)
    labels.update(2, color=(1, 2, 3))
    assert calls["rows"] == 1
    panel.set_document(doc_with(1, 9))  # id 9 is not in the label set: an extra row
    rows = [panel.tree.topLevelItem(i).text(COL_NAME) for i in range(panel.tree.topLevelItemCount())]
    assert rows == ["a", "b", "#9"] and panel.tree.topLevelItem(2).font(COL_NAME).italic()
    panel.set_document(doc_with(1))
    assert panel.tree.topLevelItemCount() == 2 and not panel.tree.topLevelItem(1).font(COL_NAME).italic()
