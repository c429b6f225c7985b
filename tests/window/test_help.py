"""Help menu: a shortcut sheet made from the action tables, no key bound twice, the sample folder."""

from __future__ import annotations

from collections import Counter

from PySide6.QtGui import QKeySequence

from app.sample import SAMPLE_COUNT, SAMPLE_DONE
from app.window.actions import ALL_ACTIONS
from app.window.help import ShortcutSheet, shortcut_rows


def test_no_shortcut_is_bound_twice_across_every_action_table():
    keys = Counter(QKeySequence(k).toString() for spec in ALL_ACTIONS for k in spec.shortcuts)
    assert not [k for k, n in keys.items() if n > 1]
    assert len({spec.key for spec in ALL_ACTIONS}) == len(ALL_ACTIONS)


def test_sheet_lists_every_shortcut_in_menu_order(qtbot):
    rows = shortcut_rows(ALL_ACTIONS)
    assert len(rows) == sum(1 for spec in ALL_ACTIONS if spec.shortcuts)
    by_command = {command: keys for _menu, command, keys in rows}
    assert by_command["Interactive AI (SAM)"] == "S" and by_command["Keyboard Shortcuts"] == "F1"
    assert by_command["Undo"] == QKeySequence("Ctrl+Z").toString(QKeySequence.NativeText)
    menus = [menu for menu, _c, _k in rows]
    assert menus.index("File") < menus.index("Edit") < menus.index("Help")
    sheet = ShortcutSheet(ALL_ACTIONS)
    qtbot.addWidget(sheet)
    assert sheet.table.rowCount() == len(rows) and sheet.table.item(0, 0).text() == "File"


def test_f1_opens_the_sheet_and_help_opens_the_sample_folder(qtbot, window):
    window.actions_by_key["shortcuts"].trigger()
    assert window.help.sheet is not None and window.help.sheet.isVisible()
    window.actions_by_key["open_sample"].trigger()
    assert window.session is not None and window.session.folder.name == "sample-images"
    assert len(window.files.model.paths()) == SAMPLE_COUNT
    assert window.files.model.counts()["done"] == SAMPLE_DONE
