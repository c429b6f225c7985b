"""The permanent fields of the status bar: overlay class, image size, pointer, pixel value, zoom."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from app.formats.image_io import LoadedImage


class StatusReadout:
    def __init__(self, bar: QStatusBar) -> None:
        self.overlay_label, self.size_label, self.pos_label, self.value_label, self.zoom_label = (QLabel() for _ in range(5))
        widths = ((self.overlay_label, 0), (self.size_label, 150), (self.pos_label, 120), (self.value_label, 150), (self.zoom_label, 70))
        for label, width in widths:
            label.setMinimumWidth(width)
            bar.addPermanentWidget(label)

    def show_image(self, image: LoadedImage | None, unreadable: str = "") -> None:
        self.size_label.setText(f"{image.width} × {image.height}  {image.description}" if image is not None else unreadable)

    def show_pointer(self, x: float, y: float, image: LoadedImage | None) -> None:
        ix, iy = int(x // 1), int(y // 1)
        self.pos_label.setText(f"x {ix}  y {iy}")
        self.value_label.setText(image.pixel_text(ix, iy) if image is not None else "")

    def show_zoom(self, scale: float) -> None:
        self.zoom_label.setText(f"{scale * 100:.0f} %")
