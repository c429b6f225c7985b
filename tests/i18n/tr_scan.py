"""A syntax-tree scan for user-visible text that bypasses Qt's translation.

It looks at the places where text reaches the screen: widget constructors (QLabel("..."),
QPushButton, QAction, ...), setters (setText, setToolTip, showMessage, addMenu, ...), message
and file dialogs (QMessageBox.warning, QFileDialog.getSaveFileName, ...) and keyword arguments
such as text= or toolTip=. An argument there is flagged when it is

- a string literal with a letter in it ("Open", but not "", " %" or "…"),
- an f-string, a `%` format or a `+` concatenation with such a literal in it,
- `"...".format(...)` on such a literal,
- a concatenation (`+` or an f-string) of two translated fragments: word order differs between
  languages, so a sentence is one message with `{0}` placeholders or `%n`.

A translated call is `translate(...)` / `QCoreApplication.translate(...)` / `tr(...)` whose text
is a literal; an f-string as the text of a translate call is flagged too, since it can never
match a message in the catalogue. Names and attributes (data: file names, class names) pass.
A line can opt out with a `# i18n: not translated` comment saying why.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

LETTER = re.compile(r"[^\W\d_]")
PRAGMA = "# i18n: not translated"

#: Methods whose string arguments are shown to the user.
SETTERS = frozenset({
    "setText", "setToolTip", "setWindowTitle", "setStatusTip", "setWhatsThis", "setPlaceholderText",
    "showMessage", "addMenu", "setTitle", "setLabelText", "setHorizontalHeaderLabels",
    "setVerticalHeaderLabels", "setHeaderLabels", "setHeaderLabel", "addTab", "insertTab",
    "setTabText", "setTabToolTip", "addItem", "addItems", "insertItem", "setItemText", "addAction",
    "addRow", "setPrefix", "setSuffix", "setSpecialValueText", "setCancelButtonText",
    "setInformativeText", "setDetailedText", "addButton", "setButtonText", "setAccessibleName",
    "setItemToolTip", "setNameFilter", "setNameFilters", "setFormat",
})  # fmt: skip

#: Classes and functions whose string arguments are shown to the user.
CONSTRUCTORS = frozenset({
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QToolButton", "QGroupBox", "QAction",
    "QMenu", "QDockWidget", "QCommandLinkButton", "QTableWidgetItem", "QListWidgetItem",
    "QTreeWidgetItem", "QStandardItem", "QProgressDialog", "QMessageBox", "QErrorMessage",
    "QWidgetAction",
})  # fmt: skip

#: Static dialogs: QMessageBox.warning(parent, title, text), QFileDialog.getOpenFileName(...).
DIALOG_CLASSES = frozenset({"QMessageBox", "QFileDialog", "QInputDialog", "QColorDialog", "QFontDialog"})

#: Keyword arguments that carry user-visible text, in any call.
TEXT_KEYWORDS = frozenset({
    "text", "toolTip", "windowTitle", "statusTip", "whatsThis", "placeholderText", "title",
    "caption", "labelText", "suffix", "prefix", "specialValueText", "informativeText",
})  # fmt: skip

TRANSLATE_NAMES = frozenset({"translate", "tr", "qsTr"})

#: Names that are the same in every language; markup is not text either.
PROPER_NOUNS = ("MaskPilot",)
MARKUP = re.compile(r"<[^>]*>|&\w+;")

#: Positional arguments that are text, where the others are data (a default file name, an item's
#: user data): QFileDialog.getSaveFileName(parent, caption, dir, filter), addItem(text, data).
TEXT_POSITIONS = {"QFileDialog": (1, 3), "QInputDialog": (1, 2), "addItem": (0,), "insertItem": (1,)}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    call: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}: {self.call}"


def _has_letters(value: object) -> bool:
    if not isinstance(value, str):
        return False
    value = MARKUP.sub("", value)
    for noun in PROPER_NOUNS:
        value = value.replace(noun, "")
    return bool(LETTER.search(value))


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_translated(node: ast.expr) -> bool:
    """translate(...), tr(...) or one of them followed by .format(...), .replace(...) and so on."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _call_name(node.func) != "translate":
        node = node.func.value
    return isinstance(node, ast.Call) and _call_name(node.func) in TRANSLATE_NAMES


def _problem(node: ast.expr) -> str:
    """Why this argument is untranslated user text, or "" when it is fine (or unknowable)."""
    if isinstance(node, ast.Constant):
        return "untranslated literal" if _has_letters(node.value) else ""
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if _has_letters(literal):
            return "f-string with untranslated words"
        pieces = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        if sum(_is_translated(p) for p in pieces) >= 2:
            return "f-string joining translated fragments"
        return next((p for p in map(_problem, pieces) if p), "")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        operands = _flatten_add(node)
        if sum(_is_translated(o) for o in operands) >= 2:
            return "concatenated translated fragments"
        return next((p for p in map(_problem, operands) if p), "")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _problem(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _problem(node.func.value)
    if isinstance(node, ast.IfExp):
        return _problem(node.body) or _problem(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return next((p for p in map(_problem, node.elts) if p), "")
    return ""


def _flatten_add(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def _shown_arguments(call: ast.Call) -> list[ast.expr]:
    """The arguments of `call` that reach the screen."""
    name = _call_name(call.func)
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    shown: list[ast.expr] = [kw.value for kw in call.keywords if kw.arg in TEXT_KEYWORDS]
    if isinstance(owner, ast.Name) and owner.id in DIALOG_CLASSES:
        positions = TEXT_POSITIONS.get(owner.id, range(1, len(call.args)))  # 0 is the parent
        shown += [call.args[k] for k in positions if k < len(call.args)]
    elif name in TEXT_POSITIONS:
        args = call.args
        if args and isinstance(args[0], ast.Call) and not _is_translated(args[0]):
            args = args[1:]  # addItem(icon("x"), text, data)
        shown += [args[k] for k in TEXT_POSITIONS[name] if k < len(args)]
    elif name in SETTERS or name in CONSTRUCTORS:
        shown += call.args
    return shown


def _translate_text_problem(call: ast.Call) -> str:
    """translate(ctx, f"...") or tr(f"...") can never be found in the catalogue."""
    name = _call_name(call.func)
    if name not in TRANSLATE_NAMES:
        return ""
    text = call.args[1] if name == "translate" and len(call.args) > 1 else (call.args[0] if call.args else None)
    if isinstance(text, (ast.JoinedStr, ast.BinOp)):
        return "computed text passed to translate()"
    return ""


def scan_source(source: str, path: str = "<source>") -> list[Finding]:
    """Every untranslated user-visible text in one module's source."""
    tree = ast.parse(source)
    lines = source.splitlines()
    findings: list[Finding] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        reasons = [_translate_text_problem(node)] + [_problem(arg) for arg in _shown_arguments(node)]
        reason = next((r for r in reasons if r), "")
        if not reason:
            continue
        span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        if any(PRAGMA in line for line in span):
            continue
        segment = ast.get_source_segment(source, node) or ""
        findings.append(Finding(path, node.lineno, " ".join(segment.split())[:160], reason))
    return sorted(findings, key=lambda f: f.line)


def scan_tree(root: Path, skip: tuple[str, ...] = ()) -> list[Finding]:
    """scan_source over every .py file below root, except those under a `skip` sub-folder."""
    findings: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if any(rel == s or rel.startswith(s.rstrip("/") + "/") for s in skip):
            continue
        findings += scan_source(path.read_text(encoding="utf-8"), str(path))
    return findings
