"""Auto-Edit: drag a box around an object and get its mask from the loaded Mask R-CNN (its mask
head run on the box, in the background), or from GrabCut right away when no model can take boxes.
Either way the result is an ordinary, editable instance of the current document."""

from __future__ import annotations

from app.core.geometry import Box
from app.editing.tools.grabcut import GrabCutTool
from app.ui.i18n import translate


class BoxToMaskTool(GrabCutTool):
    """The GrabCut tool's box drag (Esc cancels, boxes under 4 px are ignored); on release the
    box goes to `context.segment_box` when the context has one. If that declines (returns False:
    no box-capable model) or the context has none, GrabCut segments the box in the background and
    an instance of the current class is added and selected. Never opens dialogs."""

    name = "auto_edit"

    def _segment(self, box: Box) -> bool:
        """Hand the box to the model or start GrabCut on it; True when either took it."""
        request = self.context.segment_box
        if request is not None and request(tuple(float(v) for v in box)):
            return True  # the controller adds the instance when the model answers
        return super()._segment(box)

    def _added_message(self) -> str:
        return translate("BoxToMaskTool", "Auto-Edit used GrabCut: no Mask R-CNN model is loaded.")

    def _provenance(self) -> dict:
        return {"tool": self.name, "method": "grabcut"}
