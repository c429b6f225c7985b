"""Live training curves: the training loss per step and the validation mask AP50, on one plot
with two y axes (pyqtgraph: a well-kept, fast plotting widget, rather than charts drawn by hand).

pyqtgraph is imported here only, when the training dialog is first opened.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.i18n import translate

#: Loss points kept on the plot (older ones are thinned to every other one): long runs stay cheap.
MAX_LOSS_POINTS = 2000

LOSS_COLOR = (70, 130, 230)
AP_COLOR = (230, 120, 40)


class TrainingCurves(QWidget):
    """`add_loss(step, loss)` after each step, `add_ap50(step, ap50)` after each validation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self._pg = pg
        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.25)
        item.setLabel("bottom", translate("TrainingCurves", "step"))
        item.setLabel("left", translate("TrainingCurves", "training loss"), color=LOSS_COLOR)
        item.addLegend(offset=(-10, 10))
        self.loss_curve = item.plot([], [], pen=pg.mkPen(LOSS_COLOR, width=1.5), name=translate("TrainingCurves", "training loss"))
        # AP50 on its own axis at the right (0..1), in a view box linked to the plot's x axis.
        self.ap_view = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.ap_view)
        item.getAxis("right").linkToView(self.ap_view)
        item.getAxis("right").setLabel(translate("TrainingCurves", "validation mask AP50"), color=AP_COLOR)
        self.ap_view.setXLink(item)
        self.ap_view.setYRange(0.0, 1.0, padding=0.02)
        self.ap_view.disableAutoRange(axis=pg.ViewBox.YAxis)
        self.ap_view.setMouseEnabled(x=False, y=False)
        self.ap_curve = pg.PlotDataItem(
            [], [], pen=pg.mkPen(AP_COLOR, width=2), symbol="o", symbolSize=6, symbolBrush=AP_COLOR
        )
        self.ap_view.addItem(self.ap_curve)
        item.legend.addItem(self.ap_curve, translate("TrainingCurves", "validation mask AP50"))
        item.vb.sigResized.connect(self._sync_views)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.clear()

    def clear(self) -> None:
        self.loss_steps: list[float] = []
        self.losses: list[float] = []
        self.ap_steps: list[float] = []
        self.ap50s: list[float] = []
        self.loss_curve.setData([], [])
        self.ap_curve.setData([], [])

    def add_loss(self, step: int, loss: float) -> None:
        self.loss_steps.append(float(step))
        self.losses.append(float(loss))
        if len(self.losses) > MAX_LOSS_POINTS:
            self.loss_steps, self.losses = self.loss_steps[::2], self.losses[::2]
        self.loss_curve.setData(self.loss_steps, self.losses)

    def add_ap50(self, step: int, ap50: float) -> None:
        self.ap_steps.append(float(step))
        self.ap50s.append(float(ap50))
        self.ap_curve.setData(self.ap_steps, self.ap50s)

    def _sync_views(self) -> None:
        self.ap_view.setGeometry(self.plot.getPlotItem().vb.sceneBoundingRect())
