"""User-facing sentences composed where there is no Qt (formats, training, model domain), and
translated where they are shown.

    raise FormatError(QT_TRANSLATE_NOOP("FormatErrors", "cannot read {name}: {error}")
                      .format(name=path.name, error=exc.strerror or exc))

`QT_TRANSLATE_NOOP(context, text)` marks the text for pyside6-lupdate (which recognises the
call by its name, so no Qt import is needed; the context and text must be literals, and lupdate
drops the call when it has further arguments: the placeholders are filled by `.format(**args)`
on its result). It returns a `Text`: a str whose value is the English sentence, so the CLI,
logs, f-strings and `==` see exactly the text a plain string would give, and which also keeps
its context, template and arguments, so the GUI can show it translated
(`app.ui.i18n.show_text`). A `Text` argument inside a `Text` is translated too; anything else
(a file name, a number, an OS error's strerror) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: (context, source text) -> translated text; the GUI passes QCoreApplication.translate.
Translator = Callable[[str, str], str]


class Text(str):
    """An English sentence (the str value) with what it takes to translate it: `context`,
    `template` (with {named} placeholders) and `args`. Immutable and picklable (training
    messages cross a process pipe). String operations (+, join, replace) give plain strs: build
    whole sentences with placeholders instead."""

    context: str
    template: str
    args: Mapping[str, Any]

    def __new__(cls, context: str, template: str, args: Mapping[str, Any] | None = None) -> Text:
        plain = {k: _plain(v) for k, v in (args or {}).items()}
        self = super().__new__(cls, template.format(**plain) if args else template)
        self.context, self.template, self.args = context, template, plain
        return self

    def format(self, *positional: object, **args: object) -> Text:  # type: ignore[override]
        """The template with its {named} placeholders filled (a new Text)."""
        if positional:
            raise TypeError("Text.format takes {named} placeholders only")
        return Text(self.context, self.template, {**self.args, **args})

    def translated(self, translate: Translator) -> str:
        """The sentence in the language of `translate`; English when the translation does not fit
        the arguments (a catalogue with a wrong placeholder must not break the message)."""
        args = {k: v.translated(translate) if isinstance(v, Text) else v for k, v in self.args.items()}
        try:
            return translate(self.context, self.template).format(**args) if args else translate(self.context, self.template)
        except (KeyError, IndexError, ValueError):
            return str(self)

    def __reduce__(self) -> tuple:
        return Text, (self.context, self.template, dict(self.args))

    def __repr__(self) -> str:
        return f"Text({self.context!r}, {str(self)!r})"


def QT_TRANSLATE_NOOP(context: str, text: str) -> Text:  # noqa: N802 (the name lupdate looks for)
    """Mark `text` for translation in `context`; its value stays the English `text`."""
    return Text(context, text)


def text_of(value: object) -> Text | None:
    """The Text inside `value`: itself, or an exception raised with one Text as its message."""
    if isinstance(value, Text):
        return value
    if isinstance(value, BaseException) and len(value.args) == 1 and isinstance(value.args[0], Text):
        return value.args[0] if str(value) == value.args[0] else None
    return None


def _plain(value: object) -> object:
    """An argument as a Text keeps it: Texts (also inside exceptions), numbers and strs stay,
    anything else becomes its str (what the f-string gave), so a Text pickles and compares
    without dragging exceptions or paths along."""
    inner = text_of(value)
    if inner is not None:
        return inner
    if isinstance(value, (bool, int, float)):
        return value
    return str(value)
