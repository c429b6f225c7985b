"""The window's own menu entries, toolbar buttons and shortcuts, declared once as data.

The main window builds QActions from these rows (and the AI feature's) with app.ui.action_table;
`slot` names a window method, or a controller's ("edits.merge_selected")."""

from __future__ import annotations

from app.ai.autofill_controller import AI_ACTIONS
from app.ai.interactive_controller import INTERACTIVE_ACTIONS
from app.ai.overlay_controller import OVERLAY_ACTIONS
from app.ai.review_controller import REVIEW_ACTIONS
from app.training.controller import TRAINING_ACTIONS
from app.ui.action_table import ActionSpec

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open_folder", "&Open Folder…", "choose_folder", "file", ("Ctrl+O",), "open", True),
    ActionSpec("save", "&Save", "save_now", "file", ("Ctrl+S",), "save", True, tip="Labels also save automatically"),
    ActionSpec("import", "&Import Labels…", "transfer.import_labels", "file", ("Ctrl+I",)),
    ActionSpec("export", "&Export Labels…", "transfer.export_labels", "file", ("Ctrl+E",)),
    ActionSpec("recursive", "Include &Sub-folders", "toggle_recursive", "file", checkable=True),
    ActionSpec("quit", "&Quit", "close", "file", ("Ctrl+Q",)),
    ActionSpec("undo", "&Undo", "undo", "edit", ("Ctrl+Z",), "undo", True),
    ActionSpec("redo", "&Redo", "redo", "edit", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", True),
    ActionSpec("delete", "&Delete Selected", "delete_selected", "edit", ("Delete",), "delete"),
    ActionSpec("mark_done", "Mark Image &Done", "edits.toggle_done", "edit", ("Ctrl+Return",), "done", True),
    ActionSpec("history", "&History…", "stacks.show_history", "edit"),
    ActionSpec("copy", "&Copy Instances", "edits.copy_selected", "edit", ("Ctrl+C",)),
    ActionSpec("paste", "&Paste Instances", "edits.paste", "edit", ("Ctrl+V",)),
    ActionSpec("duplicate", "D&uplicate Instances", "edits.duplicate_selected", "edit", ("Ctrl+D",)),
    ActionSpec("tool_select", "&Select / Edit", "use_tool", "tools", ("V",), "select", True, True, group="tools", arg="select"),
    ActionSpec("tool_polygon", "&Polygon", "use_tool", "tools", ("P",), "polygon", True, True, group="tools", arg="polygon"),
    ActionSpec("tool_brush", "&Brush", "use_tool", "tools", ("B",), "brush", True, True, group="tools", arg="brush"),
    ActionSpec("tool_eraser", "&Eraser", "use_tool", "tools", ("E",), "eraser", True, True, group="tools", arg="eraser"),
    ActionSpec("tool_fill", "&Fill Region", "use_tool", "tools", ("G",), "fill", True, True, group="tools", arg="fill"),
    ActionSpec("tool_grabcut", "&GrabCut Box", "use_tool", "tools", ("R",), "grabcut", True, True, group="tools", arg="grabcut"),
    ActionSpec("tool_auto_edit", "&Auto-Edit Box (Model)", "use_tool", "tools", ("W",), "auto_edit", True, True, group="tools", arg="auto_edit",
               tip="Draw a box: Mask R-CNN finds the object's mask (GrabCut without weights)"),
    ActionSpec("tool_interactive", "&Interactive AI (SAM)", "use_tool", "tools", ("S",), "interactive", True, True, group="tools", arg="interactive",
               tip="Click: include, right-click: exclude, drag: box; Tab: next mask, Enter: add, Esc: clear"),
    ActionSpec("protect", "Do Not Paint Over &Other Instances", "toggle_protect", "tools", checkable=True),
    ActionSpec("to_polygon", "Mask → &Polygon", "edits.convert_selected", "tools", arg="polygon"),
    ActionSpec("to_mask", "Polygon → &Mask", "edits.convert_selected", "tools", arg="mask"),
    ActionSpec("merge", "&Merge Selected", "edits.merge_selected", "tools", ("Ctrl+M",)),
    ActionSpec("split", "&Split Disconnected Parts", "edits.split_selected", "tools"),
    ActionSpec("subtract", "Subtract &Overlap With Instances Above", "edits.subtract_above", "tools"),
    ActionSpec("fit", "&Fit to Window", "canvas.fit", "view", ("F",), "fit", True),
    ActionSpec("zoom_100", "Actual &Pixels (100 %)", "canvas.zoom_actual", "view", ("Ctrl+0",), "zoom100"),
    ActionSpec("zoom_in", "Zoom &In", "canvas.zoom_in", "view", ("Ctrl++", "Ctrl+="), "zoom_in"),
    ActionSpec("zoom_out", "Zoom &Out", "canvas.zoom_out", "view", ("Ctrl+-",), "zoom_out"),
    ActionSpec("hide_all", "&Hide All Masks", "toggle_hide_all", "view", ("T",), "eye", checkable=True),
    ActionSpec("prev_image", "&Previous Image", "prev_image", "go", ("A", "PgUp"), "prev", True),
    ActionSpec("next_image", "&Next Image", "next_image", "go", ("D", "PgDown"), "next", True),
    ActionSpec("next_todo", "Next &Unfinished Image", "next_unfinished", "go", ("Ctrl+Shift+D",), "next_todo", True),
    ActionSpec("next_uncertain", "Next Un&certain Image", "uncertain.next_uncertain", "go", ("U",),
               tip="Go to the unfinished image the model was least sure about (after auto-fill)"),
    ActionSpec("shortcuts", "&Keyboard Shortcuts…", "help.show_shortcuts", "help", ("F1",)),
    ActionSpec("open_sample", "Open &Sample Folder", "help.open_sample", "help"),
    ActionSpec("about", "&About MaskPilot", "show_about", "help"),
    *(
        ActionSpec(f"class_{n}", f"Set Class {n}", "edits.set_class_number", "edit", (str(n),), arg=n)
        for n in range(1, 10)
    ),
)

#: Every row the window builds: its own, then each feature's (the shortcut sheet lists them all).
ALL_ACTIONS: tuple[ActionSpec, ...] = ACTIONS + AI_ACTIONS + TRAINING_ACTIONS + INTERACTIVE_ACTIONS + REVIEW_ACTIONS + OVERLAY_ACTIONS
