"""The global exception hook: save first, show the traceback, log to a rotating file, keep going."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.sample import SAMPLE_SIZE
from app.window import crash_handler
from app.window.crash_handler import CrashDialog

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.gui, pytest.mark.qt_no_exception_capture]


class FakeWindow:
    def __init__(self, events: list, ok: bool = True, fail: bool = False) -> None:
        self.events, self.ok, self.fail = events, ok, fail

    def _save_all(self) -> bool:
        self.events.append(("save", threading.current_thread() is threading.main_thread()))
        if self.fail:
            raise OSError("disk full")
        return self.ok


@pytest.fixture
def logfile(tmp_path):
    path = crash_handler.setup_logging(folder=tmp_path / "logs")
    yield path
    crash_handler.setup_logging(folder=tmp_path / "logs2")  # detach from the test's folder


@pytest.fixture
def hooked(qapp, logfile):
    events: list = []
    window = FakeWindow(events)
    handler = crash_handler.install(lambda: window, show_dialog=lambda text, saved: events.append(("dialog", text, saved)),
                                    log_path=logfile)
    yield handler, window, events
    handler.uninstall()


def _boom() -> None:
    raise ZeroDivisionError("boom in a slot")


def test_error_in_a_slot_saves_then_shows_and_logs_and_the_app_keeps_running(hooked, qtbot, logfile):
    handler, _window, events = hooked
    after: list[str] = []
    QTimer.singleShot(0, _boom)
    QTimer.singleShot(30, lambda: after.append("still running"))
    qtbot.waitUntil(lambda: bool(after), timeout=3000)
    assert [e[0] for e in events] == ["save", "dialog"]  # work saved before the dialog opens
    assert "ZeroDivisionError: boom in a slot" in events[1][1] and "_boom" in events[1][1]
    assert events[1][2] is True
    assert handler.handled == 1
    for h in logging.getLogger().handlers:
        h.flush()
    text = logfile.read_text(encoding="utf-8")
    assert "Unhandled exception" in text and "boom in a slot" in text


def test_error_in_a_thread_is_saved_and_shown_on_the_gui_thread(hooked, qtbot):
    handler, _window, events = hooked
    t = threading.Thread(target=_boom, name="worker-x")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: handler.handled == 1, timeout=3000)
    assert events[0] == ("save", True)  # ran on the main thread, not the dying one
    assert "In thread worker-x" in events[1][1]


def test_failing_save_is_reported_and_a_failing_dialog_does_not_recurse(qapp, qtbot, logfile):
    events: list = []
    calls = []

    def bad_dialog(text: str, saved: bool | None) -> None:
        calls.append(saved)
        raise RuntimeError("the dialog broke")

    handler = crash_handler.install(lambda: FakeWindow(events, fail=True), show_dialog=bad_dialog)
    try:
        QTimer.singleShot(0, _boom)
        qtbot.waitUntil(lambda: handler.handled == 1, timeout=3000)
        qtbot.wait(50)
    finally:
        handler.uninstall()
    assert calls == [False]  # one dialog, told that the save failed; its own error was only logged
    for h in logging.getLogger().handlers:
        h.flush()
    assert "The error dialog itself failed" in logfile.read_text(encoding="utf-8")


def test_no_dialog_env_only_logs(hooked, qtbot, monkeypatch):
    handler, _window, events = hooked
    monkeypatch.setenv(crash_handler.ENV_NO_DIALOG, "1")
    QTimer.singleShot(0, _boom)
    qtbot.waitUntil(lambda: handler.handled == 1, timeout=3000)
    assert [e[0] for e in events] == ["save"]


def test_dialog_shows_traceback_and_copies_it(qapp, qtbot, tmp_path):
    dialog = CrashDialog("Traceback ...\nValueError: x", saved=False, log_path=tmp_path / "m.log")
    qtbot.addWidget(dialog)
    assert dialog.details.toPlainText().endswith("ValueError: x")
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == "Traceback ...\nValueError: x"


def test_log_rotates_and_debug_raises_the_level(tmp_path):
    path = crash_handler.setup_logging(debug=True, folder=tmp_path)
    try:
        assert logging.getLogger().level == logging.DEBUG
        line = "x" * 1000
        for _ in range(crash_handler.LOG_MAX_BYTES // 1000 + 50):
            logging.getLogger("maskpilot.test").info(line)
        assert path.exists() and path.with_name(path.name + ".1").exists()
        assert path.stat().st_size <= crash_handler.LOG_MAX_BYTES
    finally:
        crash_handler.setup_logging(folder=tmp_path / "after")
    assert logging.getLogger().level == logging.INFO


@pytest.mark.parametrize("debug", [False, True])
def test_self_test_and_debug_flag(tmp_path, debug):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MASKPILOT_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    args = [sys.executable, "-m", "app", "--self-test"] + (["--debug"] if debug else [])
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    h, w = SAMPLE_SIZE
    assert f"self-test: ok, scene_01.jpg {w}x{h}" in out.stdout
    log_text = (tmp_path / "data" / "logs" / "maskpilot.log").read_text(encoding="utf-8")
    assert f"debug={debug}" in log_text
    assert (" DEBUG maskpilot " in log_text) == debug
