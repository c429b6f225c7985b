"""The calls every user-visible string goes through.

`translate("AIPanel", "Auto-Fill Image")` looks the text up in the installed translators
(app.ui.language installs them). The context and the text are literals at every call, so that
pyside6-lupdate finds them (resources/i18n/README.md); text kept in tables is marked with
QT_TRANSLATE_NOOP(context, text) where it is declared and translated where it is shown.

Plural (`%n`) messages are spelled `<Name>.tr("%n image(s)", "", n)` or `self.tr(...)` with a
Context as `tr`: lupdate reads `translate(ctx, text, None, n)` as a plural only when n is a number
literal (and drops the message when n is `len(ids)`), while it reads any `X.tr(text, "", n)` as
a plural of context X (of the enclosing class for `self.tr`).

Sentences composed in the Qt-free layers (app/formats, the training and model domains) are
`app.core.text.Text`s: English strs marked with QT_TRANSLATE_NOOP that remember their context,
template and arguments. Wherever the GUI shows such a message it passes it through
`show_text`, which translates it (and a Text inside it); a plain str passes unchanged.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.core.text import text_of


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    return QCoreApplication.translate(context, text, disambiguation, n)


def show_text(message: object) -> str:
    """What to show for a message that may come from the Qt-free layers: a Text (or an exception
    raised with one) in the current language, anything else as its str."""
    found = text_of(message)
    if found is None:
        return str(message)
    return found.translated(lambda context, text: QCoreApplication.translate(context, text))


class Context:
    """A translation context whose `tr(text, disambiguation, n)` lupdate understands; name it (the
    module variable, or the class it is the `tr` of) exactly like the context."""

    def __init__(self, name: str) -> None:
        self.name = name

    def tr(self, text: str, disambiguation: str | None = "", n: int = -1) -> str:
        return QCoreApplication.translate(self.name, text, disambiguation or None, n)
