"""Where the docks go: adding them, the first-start arrangement, and the saved one."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget


def add_dock(window: QMainWindow, widget: QWidget, title: str, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
    """A movable, floatable (not closable) dock; `name` keys it in the saved window state."""
    dock = QDockWidget(title, window, objectName=name)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
    window.addDockWidget(area, dock)
    return dock


#: key, area, object name (the name keys the saved window state: it must never change).
_DOCKS = (
    ("files", Qt.LeftDockWidgetArea, "files_dock"), ("classes", Qt.LeftDockWidgetArea, "classes_dock"),
    ("layers", Qt.RightDockWidgetArea, "layers_dock"), ("ai", Qt.RightDockWidgetArea, "ai_dock"),
    ("overlays", Qt.RightDockWidgetArea, "overlay_dock"),
)  # fmt: skip


def build_docks(window: QMainWindow, titles: dict[str, str], widgets: dict[str, QWidget]) -> dict[str, QDockWidget]:
    """The docks by key ("files", "classes", "layers", "ai", "overlays"): images above classes on
    the left, so the current class is always in view while drawing; layers above the AI and
    overlay tabs on the right."""
    docks = {}
    # The AI panel holds more than a small screen's dock can show: it scrolls rather than clips.
    widgets = {**widgets, "ai": _scrolling(widgets["ai"])}
    for key, area, name in _DOCKS:
        docks[key] = add_dock(window, widgets[key], titles[key], area, name)
    window.splitDockWidget(docks["files"], docks["classes"], Qt.Vertical)
    window.splitDockWidget(docks["layers"], docks["ai"], Qt.Vertical)
    window.tabifyDockWidget(docks["ai"], docks["overlays"])
    docks["ai"].raise_()
    return docks


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    # Scroll up and down only: never narrower than the panel and its scroll bar.
    area.setMinimumWidth(widget.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width())
    return area


def restore(window: QMainWindow, settings: QSettings, docks: dict[str, QDockWidget]) -> None:
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
    # Once shown: before that the docks' shares are taken from a window not yet laid out.
    QTimer.singleShot(0, window, lambda: _first_sizes(window, docks, width, height))


def _first_sizes(window: QMainWindow, docks: dict[str, QDockWidget], width: float, height: float) -> None:
    files, layers = docks["files"], docks["layers"]
    window.resizeDocks([files, layers], [int(min(240, width * 0.15)), int(min(380, width * 0.24))], Qt.Horizontal)
    window.resizeDocks([files, docks["classes"]], [int(height * 0.55), int(height * 0.45)], Qt.Vertical)
    window.resizeDocks([layers, docks["ai"]], [int(height * 0.42), int(height * 0.58)], Qt.Vertical)


def save(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
