"""No user-visible literal in app/ bypasses translation (tests/i18n/tr_scan.py says what counts),
and the scan does catch the mistakes it is for."""

from __future__ import annotations

import textwrap

import pytest

from tests.i18n.catalogue import ROOT
from tests.i18n.tr_scan import scan_source, scan_tree


def test_app_shows_no_untranslated_text():
    # app/cli prints English on purpose (scriptable output, README "Languages").
    findings = scan_tree(ROOT / "app", skip=("cli",))
    assert not findings, "user-visible text without translate():\n" + "\n".join(map(str, findings))


BAD = {
    "label literal": 'QLabel("Threshold")',
    "button literal": 'QPushButton("Cancel", self)',
    "setText literal": 'self.status.setText("Done.")',
    "tooltip f-string": 'w.setToolTip(f"Score {score:.2f}")',
    "status message": 'self.statusBar().showMessage("Saved", 2000)',
    "message box": 'QMessageBox.warning(self, translate("X", "Export"), f"Cannot write {path}")',
    "file dialog caption": 'QFileDialog.getSaveFileName(self, "Save class list", "classes.txt", "")',
    "action": 'QAction("&Quit", window)',
    "menu": 'menubar.addMenu("&File")',
    "keyword text": 'QToolButton(text="Batch")',
    "window title": 'dialog.setWindowTitle("Export labels")',
    "placeholder": 'edit.setPlaceholderText("Filter by name…")',
    "concatenated fragments": 'label.setText(translate("X", "Saved") + " " + translate("X", "to disk"))',
    "f-string of fragments": 'label.setText(f"{translate(\'X\', \'Saved\')} {translate(\'X\', \'to\')}")',
    "fragment plus words": 'label.setText(translate("X", "Saved") + " to disk")',
    "format on a literal": 'label.setText("{n} images".format(n=3))',
    "percent format": 'label.setText("%d images" % n)',
    "f-string as message text": 'label.setText(translate("X", f"{n} images"))',
    "combo item": 'box.addItem("Polygon", "polygon")',
    "header labels": 'table.setHorizontalHeaderLabels(["Menu", translate("X", "Keys")])',
}


@pytest.mark.parametrize("snippet", BAD.values(), ids=BAD.keys())
def test_scanner_flags_a_planted_bad_call(snippet):
    findings = scan_source(f"def f(self):\n    {snippet}\n")
    assert len(findings) == 1 and findings[0].line == 2, findings


GOOD = """
    def f(self, name, n, path):
        QLabel(translate("X", "Threshold"))
        self.status.setText(translate("X", "Saved {name}.").format(name=name))
        self.status.setText(translate("X", "Exported %1 images.").replace("%1", str(n)))
        self.status.setText(self.tr("%n image(s)", "", n))
        self.status.setText(name)
        self.pos.setText(f"{n} %")
        self.title.setText("MaskPilot")
        self.statusBar().showMessage("")
        box.addItem(translate("X", "Polygon"), "polygon")
        box.addItem(icon("mask"), translate("X", "Mask"), "mask")
        QFileDialog.getSaveFileName(self, translate("X", "Save"), "classes.txt", translate("X", "Text (*.txt)"))
        label.setText(f'<span style="color: red;">■</span> {name}')
        label.setText("Debug only")  # i18n: not translated (developer overlay)
        self.setObjectName("main_toolbar")
"""


def test_scanner_passes_translated_and_data_text():
    assert scan_source(textwrap.dedent(GOOD)) == []
