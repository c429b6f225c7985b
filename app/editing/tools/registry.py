"""The tools the window offers, by the name its action table uses (`use_tool(name)`).

A new tool: one module in this package, one row here, one row in app.window.actions."""

from __future__ import annotations

from app.canvas.pointer import Tool
from app.editing.tools.box_to_mask import BoxToMaskTool
from app.editing.tools.brush import BrushTool, EraserTool
from app.editing.tools.fill import FillTool
from app.editing.tools.grabcut import GrabCutTool
from app.editing.tools.interactive import InteractiveTool
from app.editing.tools.polygon import PolygonTool
from app.editing.tools.select import SelectTool

TOOLS: dict[str, type[Tool]] = {
    "select": SelectTool,
    "polygon": PolygonTool,
    "brush": BrushTool,
    "eraser": EraserTool,
    "fill": FillTool,
    "grabcut": GrabCutTool,
    "auto_edit": BoxToMaskTool,
    "interactive": InteractiveTool,
}
