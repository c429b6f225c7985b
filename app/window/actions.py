"""The window's own menu entries, toolbar buttons and shortcuts, declared once as data.

The main window builds QActions from these rows (and the AI feature's) with app.ui.action_table;
`slot` names a window method, or a controller's ("edits.merge_selected")."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from app.ai.autofill_controller import AI_ACTIONS
from app.ai.interactive_controller import INTERACTIVE_ACTIONS
from app.ai.overlay_controller import OVERLAY_ACTIONS
from app.ai.review_controller import REVIEW_ACTIONS
from app.training.controller import TRAINING_ACTIONS
from app.ui.action_table import ActionSpec

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open_folder", QT_TRANSLATE_NOOP("Actions", "&Open Folder…"), "choose_folder", "file", ("Ctrl+O",), "open", True),
    ActionSpec("save", QT_TRANSLATE_NOOP("Actions", "&Save"), "save_now", "file", ("Ctrl+S",), "save", True, tip=QT_TRANSLATE_NOOP("Actions", "Labels also save automatically")),
    ActionSpec("import", QT_TRANSLATE_NOOP("Actions", "&Import Labels…"), "transfer.import_labels", "file", ("Ctrl+I",)),
    ActionSpec("export", QT_TRANSLATE_NOOP("Actions", "&Export Labels…"), "transfer.export_labels", "file", ("Ctrl+E",)),
    ActionSpec("recursive", QT_TRANSLATE_NOOP("Actions", "Include &Sub-folders"), "toggle_recursive", "file", checkable=True),
    ActionSpec("quit", QT_TRANSLATE_NOOP("Actions", "&Quit"), "close", "file", ("Ctrl+Q",)),
    ActionSpec("undo", QT_TRANSLATE_NOOP("Actions", "&Undo"), "undo", "edit", ("Ctrl+Z",), "undo", True),
    ActionSpec("redo", QT_TRANSLATE_NOOP("Actions", "&Redo"), "redo", "edit", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", True),
    ActionSpec("delete", QT_TRANSLATE_NOOP("Actions", "&Delete Selected"), "delete_selected", "edit", ("Delete",), "delete"),
    ActionSpec("mark_done", QT_TRANSLATE_NOOP("Actions", "Mark Image &Done"), "edits.toggle_done", "edit", ("Ctrl+Return",), "done", True),
    ActionSpec("history", QT_TRANSLATE_NOOP("Actions", "&History…"), "stacks.show_history", "edit"),
    ActionSpec("copy", QT_TRANSLATE_NOOP("Actions", "&Copy Instances"), "edits.copy_selected", "edit", ("Ctrl+C",)),
    ActionSpec("paste", QT_TRANSLATE_NOOP("Actions", "&Paste Instances"), "edits.paste", "edit", ("Ctrl+V",)),
    ActionSpec("duplicate", QT_TRANSLATE_NOOP("Actions", "D&uplicate Instances"), "edits.duplicate_selected", "edit", ("Ctrl+D",)),
    ActionSpec("tool_select", QT_TRANSLATE_NOOP("Actions", "&Select / Edit"), "use_tool", "tools", ("V",), "select", True, True, group="tools", arg="select"),
    ActionSpec("tool_polygon", QT_TRANSLATE_NOOP("Actions", "&Polygon"), "use_tool", "tools", ("P",), "polygon", True, True, group="tools", arg="polygon"),
    ActionSpec("tool_brush", QT_TRANSLATE_NOOP("Actions", "&Brush"), "use_tool", "tools", ("B",), "brush", True, True, group="tools", arg="brush"),
    ActionSpec("tool_eraser", QT_TRANSLATE_NOOP("Actions", "&Eraser"), "use_tool", "tools", ("E",), "eraser", True, True, group="tools", arg="eraser"),
    ActionSpec("tool_fill", QT_TRANSLATE_NOOP("Actions", "&Fill Region"), "use_tool", "tools", ("G",), "fill", True, True, group="tools", arg="fill"),
    ActionSpec("tool_grabcut", QT_TRANSLATE_NOOP("Actions", "&GrabCut Box"), "use_tool", "tools", ("R",), "grabcut", True, True, group="tools", arg="grabcut"),
    ActionSpec("tool_auto_edit", QT_TRANSLATE_NOOP("Actions", "&Auto-Edit Box (Model)"), "use_tool", "tools", ("W",), "auto_edit", True, True, group="tools", arg="auto_edit",
               tip=QT_TRANSLATE_NOOP("Actions", "Draw a box: Mask R-CNN finds the object's mask (GrabCut without weights)")),
    ActionSpec("tool_interactive", QT_TRANSLATE_NOOP("Actions", "&Interactive AI (SAM)"), "use_tool", "tools", ("S",), "interactive", True, True, group="tools", arg="interactive",
               tip=QT_TRANSLATE_NOOP("Actions", "Click: include, right-click: exclude, drag: box; Tab: next mask, Enter: add, Esc: clear")),
    ActionSpec("protect", QT_TRANSLATE_NOOP("Actions", "Do Not Paint Over &Other Instances"), "toggle_protect", "tools", checkable=True),
    ActionSpec("to_polygon", QT_TRANSLATE_NOOP("Actions", "Mask → &Polygon"), "edits.convert_selected", "tools", arg="polygon"),
    ActionSpec("to_mask", QT_TRANSLATE_NOOP("Actions", "Polygon → &Mask"), "edits.convert_selected", "tools", arg="mask"),
    ActionSpec("merge", QT_TRANSLATE_NOOP("Actions", "&Merge Selected"), "edits.merge_selected", "tools", ("Ctrl+M",)),
    ActionSpec("split", QT_TRANSLATE_NOOP("Actions", "&Split Disconnected Parts"), "edits.split_selected", "tools"),
    ActionSpec("subtract", QT_TRANSLATE_NOOP("Actions", "Subtract &Overlap With Instances Above"), "edits.subtract_above", "tools"),
    ActionSpec("fit", QT_TRANSLATE_NOOP("Actions", "&Fit to Window"), "canvas.fit", "view", ("F",), "fit", True),
    ActionSpec("zoom_100", QT_TRANSLATE_NOOP("Actions", "Actual &Pixels (100 %)"), "canvas.zoom_actual", "view", ("Ctrl+0",), "zoom100"),
    ActionSpec("zoom_in", QT_TRANSLATE_NOOP("Actions", "Zoom &In"), "canvas.zoom_in", "view", ("Ctrl++", "Ctrl+="), "zoom_in"),
    ActionSpec("zoom_out", QT_TRANSLATE_NOOP("Actions", "Zoom &Out"), "canvas.zoom_out", "view", ("Ctrl+-",), "zoom_out"),
    ActionSpec("hide_all", QT_TRANSLATE_NOOP("Actions", "&Hide All Masks"), "toggle_hide_all", "view", ("T",), "eye", checkable=True),
    ActionSpec("prev_image", QT_TRANSLATE_NOOP("Actions", "&Previous Image"), "prev_image", "go", ("A", "PgUp"), "prev", True),
    ActionSpec("next_image", QT_TRANSLATE_NOOP("Actions", "&Next Image"), "next_image", "go", ("D", "PgDown"), "next", True),
    ActionSpec("next_todo", QT_TRANSLATE_NOOP("Actions", "Next &Unfinished Image"), "next_unfinished", "go", ("Ctrl+Shift+D",), "next_todo", True),
    ActionSpec("next_uncertain", QT_TRANSLATE_NOOP("Actions", "Next Un&certain Image"), "uncertain.next_uncertain", "go", ("U",),
               tip=QT_TRANSLATE_NOOP("Actions", "Go to the unfinished image the model was least sure about (after auto-fill)")),
    ActionSpec("shortcuts", QT_TRANSLATE_NOOP("Actions", "&Keyboard Shortcuts…"), "help.show_shortcuts", "help", ("F1",)),
    ActionSpec("open_sample", QT_TRANSLATE_NOOP("Actions", "Open &Sample Folder"), "help.open_sample", "help"),
    ActionSpec("about", QT_TRANSLATE_NOOP("Actions", "&About MaskPilot"), "show_about", "help"),
    *(
        ActionSpec(f"class_{n}", QT_TRANSLATE_NOOP("Actions", "Set Class {0}"), "edits.set_class_number", "edit", (str(n),), arg=n)
        for n in range(1, 10)
    ),
)

#: Every row the window builds: its own, then each feature's (the shortcut sheet lists them all).
ALL_ACTIONS: tuple[ActionSpec, ...] = ACTIONS + AI_ACTIONS + TRAINING_ACTIONS + INTERACTIVE_ACTIONS + REVIEW_ACTIONS + OVERLAY_ACTIONS
