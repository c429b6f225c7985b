"""Where the docks go: adding them, the first-start arrangement, and the saved one."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget


def add_dock(window: QMainWindow, widget: QWidget, title: str, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
    """A movable, floatable (not closable) dock; `name` keys it in the saved window state."""
    dock = QDockWidget(title, window, objectName=name)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
    window.addDockWidget(area, dock)
    return dock


def restore(window: QMainWindow, settings: QSettings, files: QDockWidget, layers: QDockWidget, classes: QDockWidget) -> None:
    """The arrangement the user left, or on first start a canvas-first default."""
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
        window.restoreState(settings.value("window/state"))
        return
    # Near the screen's size, never past it (a 1440×900 window overflowed a 1366×768 screen).
    screen = window.screen().availableGeometry() if window.screen() is not None else None
    width, height = (screen.width() * 0.95, screen.height() * 0.92) if screen is not None else (1440, 900)
    window.resize(int(width), int(height))
    if screen is not None:
        window.move(screen.center() - window.rect().center())
    window.resizeDocks([files, layers], [int(min(260, width * 0.16)), int(min(340, width * 0.22))], Qt.Horizontal)
    window.resizeDocks([layers, classes], [520, 300], Qt.Vertical)


def save(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
