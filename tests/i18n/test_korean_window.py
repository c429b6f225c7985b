"""The window in Korean: menus, a dialog, a status message and Qt's own buttons speak Korean, and
no label or button of the main window or its main dialogs is narrower than its text at 1366×768."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QLabel, QWidget

from tests.gui import _fresh_qsettings, image_folder  # noqa: F401 (fixtures)

pytestmark = pytest.mark.gui
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def korean(qapp):
    from app.ui import language

    assert language.install("ko") == "ko"
    yield
    language.install("en")


@pytest.fixture
def korean_window(korean, qtbot, image_folder):  # noqa: F811
    from app.window.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_folder(str(image_folder))
    # The first image may be the broken one: its message is Korean too.
    qtbot.waitUntil(lambda: win.canvas.image is not None or win.canvas.message.startswith("이 이미지를"), timeout=5000)
    yield win
    win.close()


def clipped(root: QWidget) -> list[str]:
    """Visible labels and buttons under root that are narrower than their text needs (word-wrapped
    labels: lower than their wrapped text)."""
    found = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, (QLabel, QAbstractButton)) or not w.isVisible():
            continue
        if not root.rect().intersects(QRect(w.mapTo(root, QPoint(0, 0)), w.size())):
            continue  # a dock behind another dock's tab is parked outside the window, not hidden
        text = w.text() if hasattr(w, "text") else ""
        if isinstance(w, QLabel) and w.wordWrap():
            need = w.heightForWidth(w.width())
            if w.height() < need:
                found.append(f"{type(w).__name__} {text!r}: {w.height()} px high, needs {need}")
        elif w.width() < w.sizeHint().width():
            found.append(f"{type(w).__name__} {text!r}: {w.width()} px wide, needs {w.sizeHint().width()}")
    return found


def test_menus_status_and_qt_buttons_are_korean(korean_window, qtbot):
    win = korean_window
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles[0] == "파일(&F)" and all(HANGUL.search(t) for t in titles if t != "AI(&A)"), titles
    items = [a.text() for m in win.menuBar().actions() for a in m.menu().actions() if a.text()]
    assert len(items) > 40 and all(HANGUL.search(t) for t in items if t != "English"), items
    assert win.actions_by_key["save"].toolTip() == "저장 (Ctrl+S)"
    win.review.accept_selected()  # nothing selected: the controller says so in the status bar
    assert win.statusBar().currentMessage() == "선택한 제안이 없습니다."
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    assert buttons.button(QDialogButtonBox.Cancel).text() == "취소"  # Qt's own qtbase_ko


def test_main_window_text_fits_at_1366x768(korean_window, qtbot):
    win = korean_window
    for key in ("ai", "overlays", "layers"):
        win.docks[key].raise_()
        qtbot.wait(200)  # the raised tab lays out on the next turns of the event loop
        assert not clipped(win), (key, clipped(win))


def _dialogs(win):
    from app.import_export.export_dialog import ExportDialog
    from app.import_export.import_dialog import ImportDialog
    from app.training.dialog import TrainingDialog
    from app.window.actions import ALL_ACTIONS
    from app.window.help import ShortcutSheet

    args = win.transfer._dialog_args(win.session)
    yield ExportDialog(*args, selected=[], parent=win)
    yield ImportDialog(*args, parent=win)
    training = TrainingDialog(win)
    training.set_data_summary(3, 2)
    yield training
    yield ShortcutSheet(ALL_ACTIONS, win)


def test_main_dialogs_are_korean_and_fit(korean_window, qtbot):
    for dialog in _dialogs(korean_window):
        dialog.show()
        qtbot.waitExposed(dialog)
        assert HANGUL.search(dialog.windowTitle()), dialog.windowTitle()
        assert not clipped(dialog), (type(dialog).__name__, clipped(dialog))
        combos = getattr(dialog, "format_combo", None)
        for k in range(combos.count() if combos is not None else 0):  # every format's options
            combos.setCurrentIndex(k)
            qtbot.wait(10)
            assert not clipped(dialog), (type(dialog).__name__, combos.currentText(), clipped(dialog))
        dialog.close()


def test_shortcut_sheet_lists_commands_in_korean(korean_window):
    from app.window.actions import ALL_ACTIONS
    from app.window.help import shortcut_rows

    rows = shortcut_rows(ALL_ACTIONS)
    assert ("파일", "폴더 열기", "Ctrl+O") in rows
    assert ("편집", "클래스 1 지정", "1") in rows


def test_clipping_check_sees_a_squeezed_button(korean, qtbot):
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    box = QWidget()
    qtbot.addWidget(box)
    button = QPushButton("레이블 내보내기 (&E)…")
    button.setFixedWidth(40)
    QVBoxLayout(box).addWidget(button)
    box.show()
    qtbot.waitExposed(box)
    assert len(clipped(box)) == 1
