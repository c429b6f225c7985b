"""Drawing the "person 0.87" tags that app.canvas.render.score_tags lays out over suggestions."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from app.canvas.render import ScoreTag


def paint_tags(painter: QPainter, tags: Sequence[ScoreTag]) -> None:
    """White text on a dark translucent box with a class-coloured edge, readable on any image;
    above each suggestion's box, or inside it at the top when there is no room above."""
    if not tags:
        return
    font = painter.font()
    font.setPointSizeF(max(font.pointSizeF() - 1, 7.0))
    painter.setFont(font)
    metrics = painter.fontMetrics()
    pad, h = 3, metrics.height() + 2
    for tag in tags:
        w = metrics.horizontalAdvance(tag.text) + 2 * pad + 3
        y = tag.y - h if tag.y - h >= 0 else tag.y
        rect = QRectF(tag.x, y, w, h)
        painter.fillRect(rect, QColor(0, 0, 0, 200 if tag.selected else 150))
        painter.fillRect(QRectF(tag.x, y, 3, h), QColor(*tag.color))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(rect.adjusted(pad + 3, 0, 0, 0), Qt.AlignVCenter | Qt.AlignLeft, tag.text)
