"""Every menu entry, toolbar button and shortcut, declared once as data.

MainWindow builds QActions from ACTIONS and connects each to its `slot` method by name, so a
new command is one row here plus one method there.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from app.paths import resource_path


def tr(text: str) -> str:
    return QCoreApplication.translate("Actions", text)


@dataclass(frozen=True)
class ActionSpec:
    key: str
    text: str
    slot: str
    menu: str
    shortcuts: tuple[str, ...] = ()
    icon: str = ""
    toolbar: bool = False
    checkable: bool = False
    tip: str = ""
    group: str = ""  # actions sharing a group are mutually exclusive (tools)
    arg: object = None  # passed to the slot when set


MENUS = ("file", "edit", "tools", "ai", "view", "go", "help")
MENU_TITLES = {
    "file": "&File", "edit": "&Edit", "tools": "&Tools", "ai": "&AI", "view": "&View", "go": "&Go",
    "help": "&Help",
}  # fmt: skip

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open_folder", "&Open Folder…", "choose_folder", "file", ("Ctrl+O",), "open", True),
    ActionSpec("save", "&Save", "save_now", "file", ("Ctrl+S",), "save", True, tip="Labels also save automatically"),
    ActionSpec("import", "&Import Labels…", "import_labels", "file", ("Ctrl+I",)),
    ActionSpec("export", "&Export Labels…", "export_labels", "file", ("Ctrl+E",)),
    ActionSpec("recursive", "Include &Sub-folders", "toggle_recursive", "file", checkable=True),
    ActionSpec("quit", "&Quit", "close", "file", ("Ctrl+Q",)),
    ActionSpec("undo", "&Undo", "undo", "edit", ("Ctrl+Z",), "undo", True),
    ActionSpec("redo", "&Redo", "redo", "edit", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", True),
    ActionSpec("delete", "&Delete Selected", "delete_selected", "edit", ("Delete",), "delete"),
    ActionSpec("mark_done", "Mark Image &Done", "toggle_done", "edit", ("Ctrl+Return",), "done", True),
    ActionSpec("history", "&History…", "show_history", "edit"),
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
    ActionSpec("protect", "Do Not Paint Over &Other Instances", "toggle_protect", "tools", checkable=True),
    ActionSpec("to_polygon", "Mask → &Polygon", "edits.convert_selected", "tools", arg="polygon"),
    ActionSpec("to_mask", "Polygon → &Mask", "edits.convert_selected", "tools", arg="mask"),
    ActionSpec("merge", "&Merge Selected", "edits.merge_selected", "tools", ("Ctrl+M",)),
    ActionSpec("split", "&Split Disconnected Parts", "edits.split_selected", "tools"),
    ActionSpec("subtract", "Subtract &Overlap With Instances Above", "edits.subtract_above", "tools"),
    ActionSpec("fit", "&Fit to Window", "zoom_fit", "view", ("F",), "fit", True),
    ActionSpec("zoom_100", "Actual &Pixels (100 %)", "zoom_actual", "view", ("Ctrl+0",), "zoom100"),
    ActionSpec("zoom_in", "Zoom &In", "zoom_in", "view", ("Ctrl++", "Ctrl+="), "zoom_in"),
    ActionSpec("zoom_out", "Zoom &Out", "zoom_out", "view", ("Ctrl+-",), "zoom_out"),
    ActionSpec("hide_all", "&Hide All Masks", "toggle_hide_all", "view", ("T",), "eye", checkable=True),
    ActionSpec("prev_image", "&Previous Image", "prev_image", "go", ("A", "PgUp"), "prev", True),
    ActionSpec("next_image", "&Next Image", "next_image", "go", ("D", "PgDown"), "next", True),
    ActionSpec("next_todo", "Next &Unfinished Image", "next_unfinished", "go", ("Ctrl+Shift+D",), "next_todo", True),
    ActionSpec("about", "&About MaskPilot", "show_about", "help"),
    *(
        ActionSpec(f"class_{n}", f"Set Class {n}", "edits.set_class_number", "edit", (str(n),), arg=n)
        for n in range(1, 10)
    ),
)


def icon(name: str) -> QIcon:
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def resolve_slot(window: QWidget, path: str):
    """`slot` may be dotted ("review.accept_selected"): a method of a controller the window owns."""
    target: object = window
    for name in path.split("."):
        target = getattr(target, name)
    return target


def build_actions(
    window: QWidget, menubar: QMenuBar, toolbar: QToolBar, specs: tuple[ActionSpec, ...] = ACTIONS
) -> dict[str, QAction]:
    menus: dict[str, QMenu] = {m: menubar.addMenu(tr(MENU_TITLES[m])) for m in MENUS}
    actions: dict[str, QAction] = {}
    groups: dict[str, QActionGroup] = {}
    for spec in specs:
        act = QAction(tr(spec.text), window)
        if spec.icon:
            act.setIcon(icon(spec.icon))
        if spec.shortcuts:
            act.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            shown = ", ".join(QKeySequence(s).toString(QKeySequence.NativeText) for s in spec.shortcuts)
            act.setToolTip(f"{tr(spec.text).replace('&', '').rstrip('…')} ({shown})")
        if spec.tip:
            act.setStatusTip(tr(spec.tip))
        act.setCheckable(spec.checkable)
        slot = resolve_slot(window, spec.slot)
        if spec.arg is not None:
            act.triggered.connect(lambda *a, s=slot, v=spec.arg: s(v))
        else:
            (act.toggled if spec.checkable else act.triggered).connect(lambda *a, s=slot: s())
        if spec.group:
            groups.setdefault(spec.group, QActionGroup(window)).addAction(act)
        menus[spec.menu].addAction(act)
        if spec.toolbar:
            if spec.group and not any(a.actionGroup() for a in toolbar.actions()):
                toolbar.addSeparator()
            toolbar.addAction(act)
        window.addAction(act)  # shortcuts work while any child has focus
        actions[spec.key] = act
    return actions
