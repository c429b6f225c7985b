"""Menus, toolbar buttons and shortcuts declared as data: an ActionSpec per command, and
build_actions() turning a table of them into QActions connected to their slots by name.

Each feature declares its own rows (app.window.actions, app.ai.*_controller) so a new command
is one row plus one method."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from app.ui.i18n import translate
from app.ui.icons import icon


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


MNEMONIC = re.compile(r"\(&\w\)")  # CJK style: the key letter in brackets after the name
MENUS = ("file", "edit", "tools", "ai", "view", "go", "help")
MENU_TITLES = {
    "file": QT_TRANSLATE_NOOP("Actions", "&File"), "edit": QT_TRANSLATE_NOOP("Actions", "&Edit"),
    "tools": QT_TRANSLATE_NOOP("Actions", "&Tools"), "ai": QT_TRANSLATE_NOOP("Actions", "&AI"),
    "view": QT_TRANSLATE_NOOP("Actions", "&View"), "go": QT_TRANSLATE_NOOP("Actions", "&Go"),
    "help": QT_TRANSLATE_NOOP("Actions", "&Help"),
}  # fmt: skip


def menu_title(menu: str) -> str:
    return translate("Actions", MENU_TITLES[menu])


def action_text(spec: ActionSpec) -> str:
    """The spec's menu text in the UI language; "{0}" in it is the spec's arg ("Set Class {0}")."""
    return translate("Actions", spec.text).format(spec.arg)


def strip_mnemonic(text: str) -> str:
    """Text without its mnemonic ('&Save', or '저장(&S)' in Korean) and trailing '…', for
    tooltips and the shortcut sheet."""
    return MNEMONIC.sub("", text).replace("&", "").rstrip("…").rstrip()


def plain_text(spec: ActionSpec) -> str:
    return strip_mnemonic(action_text(spec))

def resolve_slot(window: QWidget, path: str):
    """`slot` may be dotted ("review.accept_selected"): a method of a controller the window owns."""
    target: object = window
    for name in path.split("."):
        target = getattr(target, name)
    return target


def build_actions(
    window: QWidget, menubar: QMenuBar, toolbar: QToolBar, specs: tuple[ActionSpec, ...]
) -> dict[str, QAction]:
    menus: dict[str, QMenu] = {m: menubar.addMenu(menu_title(m)) for m in MENUS}
    actions: dict[str, QAction] = {}
    groups: dict[str, QActionGroup] = {}
    for spec in specs:
        act = QAction(action_text(spec), window)
        if spec.icon:
            act.setIcon(icon(spec.icon))
        if spec.shortcuts:
            act.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            shown = ", ".join(QKeySequence(s).toString(QKeySequence.NativeText) for s in spec.shortcuts)
            act.setToolTip(translate("Actions", "{0} ({1})", "command (its shortcuts)").format(plain_text(spec), shown))
        if spec.tip:
            act.setStatusTip(translate("Actions", spec.tip))
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
