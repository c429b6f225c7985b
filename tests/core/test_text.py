"""app.core.text: a Text is the English str a plain f-string gave, and keeps what it takes to
translate it (context, template, arguments), also through pickling and inside exceptions."""

from __future__ import annotations

import json
import pickle

import orjson
import pytest

from app.core.text import QT_TRANSLATE_NOOP, Text, text_of
from app.formats.project_io import FormatError, ImportReport


def test_a_text_is_the_english_the_f_string_gave() -> None:
    name, exc, moved = "a/b.png", ValueError("unexpected character: line 1 column 2 (char 1)"), "b.png.json.corrupt-1"
    text = QT_TRANSLATE_NOOP("ProjectStore", "The labels of {image} were unreadable ({reason}). It was moved to {moved}. "
                             "The image opens empty.").format(image=name, reason=exc, moved=moved)
    assert text == f"The labels of {name} were unreadable ({exc}). It was moved to {moved}. The image opens empty."
    assert isinstance(text, str) and str(text) == text and f"{text}" == text and hash(text) == hash(str(text))
    assert (text.context, text.args["image"]) == ("ProjectStore", name)
    assert json.loads(json.dumps(text)) == text and orjson.loads(orjson.dumps(text)) == text
    plain = QT_TRANSLATE_NOOP("Training", "its labels are gone")
    assert plain == "its labels are gone" and plain.template == plain and not plain.args
    ratio = QT_TRANSLATE_NOOP("Training", "{used:.1f} of {budget:g} minutes").format(used=2.25, budget=5.0)
    assert ratio == "2.2 of 5 minutes"
    with pytest.raises(TypeError):
        plain.format("positional")


def test_nested_texts_translate_and_survive_pickling_and_exceptions() -> None:
    inner = QT_TRANSLATE_NOOP("LabelImport", "no such image in the folder")
    outer = QT_TRANSLATE_NOOP("LabelImport", "image size unknown ({reason}); skipped").format(reason=FormatError(inner))
    assert outer == "image size unknown (no such image in the folder); skipped"
    assert outer.args["reason"] is inner  # the exception's Text, not its str
    back = pickle.loads(pickle.dumps(outer))
    assert type(back) is Text and back == outer and back.args["reason"].context == "LabelImport"
    upper = {"image size unknown ({reason}); skipped": "SIZE? {reason}", "no such image in the folder": "GONE"}
    assert back.translated(lambda ctx, text: upper.get(text, text)) == "SIZE? GONE"
    # a translation with a wrong placeholder falls back to English instead of raising
    assert outer.translated(lambda ctx, text: "{oops}") == outer
    assert text_of(FormatError(inner)) is inner and text_of(ValueError("x")) is None and text_of("x") is None


def test_import_warnings_keep_their_texts() -> None:
    report = ImportReport()
    report.warn("c.json", QT_TRANSLATE_NOOP("LabelRecords", "annotation {id}").format(id=3),
                FormatError(QT_TRANSLATE_NOOP("LabelImport", "empty mask; skipped")))
    report.warn("c.json", 4, "plain reason")
    first, second = report.warnings
    assert str(first) == "c.json: annotation 3: empty mask; skipped" and isinstance(first.reason, Text)
    assert isinstance(first.record, Text) and (second.record, second.reason) == ("4", "plain reason")
