"""The calls every user-visible string goes through.

`translate("AIPanel", "Auto-Fill Image")` looks the text up in the installed translators
(app.ui.language installs them). The context and the text are literals at every call, so that
pyside6-lupdate finds them (resources/i18n/README.md); text kept in tables is marked with
QT_TRANSLATE_NOOP(context, text) where it is declared and translated where it is shown.

Plural (`%n`) messages are spelled `<Name>.tr("%n image(s)", "", n)` or `self.tr(...)` with a
Context as `tr`: lupdate reads `translate(ctx, text, None, n)` as a plural only when n is a number
literal (and drops the message when n is `len(ids)`), while it reads any `X.tr(text, "", n)` as
a plural of context X (of the enclosing class for `self.tr`).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    return QCoreApplication.translate(context, text, disambiguation, n)


class Context:
    """A translation context whose `tr(text, disambiguation, n)` lupdate understands; name it (the
    module variable, or the class it is the `tr` of) exactly like the context."""

    def __init__(self, name: str) -> None:
        self.name = name

    def tr(self, text: str, disambiguation: str | None = "", n: int = -1) -> str:
        return QCoreApplication.translate(self.name, text, disambiguation or None, n)
