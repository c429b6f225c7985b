"""Guards against a broken Qt binding: PySide6 6.12.0 decremented None's reference count on
every call of a void C++ method under Python 3.11, which crashed the app after a few thousand
calls ("none_dealloc"). Python >= 3.12 makes None immortal, hiding the bug."""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem

pytestmark = pytest.mark.gui


def test_void_calls_keep_none_refcount(qapp):
    lw = QListWidget()
    pm = QPixmap(4, 4)
    item = QListWidgetItem("x")
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(500):
        pm.fill(QColor(1, 2, 3))
        item.setData(Qt.UserRole, 1)
        lw.clear()
    gc.collect()
    drift = sys.getrefcount(None) - before
    assert drift > -100, f"None lost {-drift} references: this PySide6 build will crash the app"
