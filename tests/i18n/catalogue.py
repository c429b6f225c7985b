"""Reading the Korean catalogue, and running lupdate / lrelease as the README says."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
TS = I18N / "maskpilot_ko.ts"
QM = I18N / "maskpilot_ko.qm"
#: The flags the README gives; the sources are everything under app/ (app/cli has no messages).
LUPDATE_FLAGS = ("-extensions", "py", "-locations", "none", "-no-obsolete")
PLACEHOLDER = re.compile(r"%n|%\d|\{[^{}]*\}")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    numerus: bool
    kind: str  # the translation's type: "" (finished), "unfinished", "obsolete", "vanished"
    translations: tuple[str, ...]


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease next to this interpreter (the venv), else on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found (it ships with PySide6)")
    return found


def read_ts(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for m in context.iter("message"):
            t = m.find("translation")
            forms = tuple(f.text or "" for f in t.iter("numerusform")) or (t.text or "",)
            messages.append(Message(name, m.findtext("source") or "", m.findtext("comment") or "",
                                    m.get("numerus") == "yes", t.get("type", ""), forms))
    return messages


def run_lupdate(ts_path: Path, *, keep_obsolete: bool = False) -> str:
    flags = [f for f in LUPDATE_FLAGS if not (keep_obsolete and f == "-no-obsolete")]
    done = subprocess.run([tool("pyside6-lupdate"), *flags, "app", "-ts", str(ts_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout + done.stderr


def run_lrelease(ts_path: Path, qm_path: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts_path), "-qm", str(qm_path)],
                   capture_output=True, text=True, timeout=120, check=True)


def literal_messages(root: Path) -> set[tuple[str, str]]:
    """(context, text) of every translate(ctx, "text") / QT_TRANSLATE_NOOP(ctx, "text") /
    Name.tr("text", ...) call with literals under root: what lupdate must have found."""
    found = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = {id(m): c.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for m in ast.walk(c)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            args = node.args
            texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args[:2]]
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in ("translate", "QT_TRANSLATE_NOOP") and len(texts) == 2 and None not in texts:
                found.add((texts[0], texts[1]))
            elif name == "tr" and texts and texts[0] is not None and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id == "self":
                    found.add((classes.get(id(node), ""), texts[0]))
                elif isinstance(owner, ast.Name):
                    found.add((owner.id, texts[0]))
    return found
