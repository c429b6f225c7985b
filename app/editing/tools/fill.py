"""Fill tool: a click adds the connected region of similar colour under the cursor to the selected
instance, or makes a new instance of the current class from it when nothing is selected."""

from __future__ import annotations

from app.canvas.pointer import Buttons, PointerEvent, Tool
from app.core.document import Document
from app.core.geometry import RasterGeometry, to_raster
from app.core.instance import Instance
from app.core.mask_ops import flood_fill_region, merge
from app.editing.commands import AddInstance, CommandSequence, SetGeometry
from app.editing.tools.base import ToolContext
from app.ui.i18n import translate


class FillTool(Tool):
    """Flood fill into raster masks.

    tolerance: how far (0-255, per RGB channel) a pixel may be from the clicked pixel's colour and
    still join the region (see app.core.mask_ops.flood_fill_region).
    """

    name = "fill"
    cursor_shape = "cross"

    def __init__(self, context: ToolContext, tolerance: int = 32) -> None:
        self.context = context
        self.tolerance = tolerance

    @property
    def tolerance(self) -> int:
        return self._tolerance

    @tolerance.setter
    def tolerance(self, value: int) -> None:
        self._tolerance = max(0, min(255, int(value)))

    def press(self, event: PointerEvent) -> None:
        # The canvas sends a second press for a double-click; one fill per click is enough.
        if event.button is not Buttons.LEFT or event.double:
            return
        doc, image = self.context.document(), self.context.image()
        if doc is None or image is None:
            return
        selected = [i for i in self.context.selection.ordered if i in doc]
        if len(selected) > 1:
            self.context.message(translate("FillTool", "Select a single instance to fill into."))
            return
        if selected and doc.get(selected[0]).locked:
            self.context.message(translate("FillTool", "The selected instance is locked."))
            return
        region = flood_fill_region(image, event.x, event.y, self.tolerance)
        if region.is_empty():
            return
        if selected:
            self._fill_into(doc, selected[0], region)
        else:
            self._create(doc, region)

    def _fill_into(self, doc: Document, instance_id: int, region: RasterGeometry) -> None:
        inst = doc.get(instance_id)
        raster = to_raster(inst.geometry, (doc.height, doc.width))
        filled = merge([raster, region])
        if filled == raster:
            self.context.message(translate("FillTool", "That region is already part of the instance."))
            return
        if inst.is_polygon:
            # Converting and filling are one undo step: undo brings the polygon back untouched.
            steps = [
                SetGeometry(doc, instance_id, raster, translate("FillTool", "Convert to mask")),
                SetGeometry(doc, instance_id, filled, translate("FillTool", "Fill")),
            ]
            self.context.push(CommandSequence(translate("FillTool", "Fill"), steps))
        else:
            self.context.push(SetGeometry(doc, instance_id, filled, translate("FillTool", "Fill")))
        self.context.repaint()

    def _create(self, doc: Document, region: RasterGeometry) -> None:
        category = self.context.current_category()
        if category is None:
            self.context.message(translate("FillTool", "Choose a class for the new instance first."))
            return
        inst = Instance(doc.new_id(), int(category), region, provenance={"tool": "fill"})
        self.context.push(AddInstance(doc, inst, text=translate("FillTool", "Fill new instance")))
        self.context.selection.set([inst.id])
        self.context.repaint()
