"""The permanent fields of the status bar: the instance under the pointer, overlay class, image
size, pointer, pixel value, zoom."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from app.canvas.canvas import Canvas
from app.core.categories import Category
from app.formats.image_io import LoadedImage
from app.ui.i18n import translate


class StatusReadout:
    def __init__(self, bar: QStatusBar) -> None:
        labels = tuple(QLabel() for _ in range(7))
        self.class_label, self.hover_label, self.overlay_label, self.size_label, self.pos_label, self.value_label, self.zoom_label = labels
        self.class_label.setToolTip(translate("StatusReadout", "The class new instances get (1-9 or the Classes panel)"))
        self.hover_label.setToolTip(translate("StatusReadout", "The instance under the pointer: id, class, score"))
        widths = ((self.class_label, 0), (self.hover_label, 0), (self.overlay_label, 0), (self.size_label, 150), (self.pos_label, 120), (self.value_label, 150), (self.zoom_label, 70))
        for label, width in widths:
            label.setMinimumWidth(width)
            bar.addPermanentWidget(label)
        # The window builds the canvas (its central widget) before the status bar: follow its
        # hover from here, so the window's wiring stays as it is.
        canvas = bar.window().centralWidget() if bar.window() is not None else None
        if isinstance(canvas, Canvas):
            self.follow_hover(canvas)

    def follow_hover(self, canvas: Canvas) -> None:
        """Show the name and score of the instance under the canvas's pointer."""
        canvas.hover_changed.connect(self.show_hover)

    def show_hover(self, text: str) -> None:
        self.hover_label.setText(text)

    def show_image(self, image: LoadedImage | None, unreadable: str = "") -> None:
        self.size_label.setText(f"{image.width} × {image.height}  {image.description}" if image is not None else unreadable)

    def show_pointer(self, x: float, y: float, image: LoadedImage | None) -> None:
        ix, iy = int(x // 1), int(y // 1)
        self.pos_label.setText(translate("StatusReadout", "x {0}  y {1}").format(ix, iy))
        self.value_label.setText(image.pixel_text(ix, iy) if image is not None else "")

    def show_zoom(self, scale: float) -> None:
        self.zoom_label.setText(f"{scale * 100:.0f} %")

    def show_class(self, category: Category | None) -> None:
        """The current class, with its colour, so it is known without looking at the panel."""
        if category is None:
            self.class_label.setText("")
            return
        r, g, b = category.color
        self.class_label.setText(f'<span style="color: rgb({r},{g},{b});">■</span> {category.name}')
