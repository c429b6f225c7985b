"""The Korean catalogue is complete and current: lupdate over app/ finds nothing new, changed or
gone, every message is translated with the same placeholders, and the committed .qm is what
lrelease makes of the committed .ts."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.i18n.catalogue import (
    I18N,
    PLACEHOLDER,
    QM,
    ROOT,
    TS,
    literal_messages,
    read_ts,
    run_lrelease,
    run_lupdate,
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: Messages that read the same in Korean (names, formats, pure placeholders).
SAME_IN_KOREAN = {"CUDA GPU", "CPU", "AI", "&AI", "AP50", "GrabCut", "labelme JSON", "{0} ({1})", "x {0}  y {1}", "id {id} · {kind}"}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """lupdate over the sources merged into a copy of the committed file, obsolete kept."""
    ts = tmp_path_factory.mktemp("i18n") / "maskpilot_ko.ts"
    shutil.copy(TS, ts)
    log = run_lupdate(ts, keep_obsolete=True)
    return ts, log


def test_committed_catalogue_matches_the_sources(fresh):
    ts, log = fresh
    committed = {(m.context, m.source, m.comment): m for m in read_ts(TS)}
    updated = {(m.context, m.source, m.comment): m for m in read_ts(ts)}
    new = sorted(k for k in updated if k not in committed)
    gone = sorted(k for k, m in updated.items() if m.kind in ("obsolete", "vanished"))
    unfinished = sorted(k for k, m in updated.items() if m.kind == "unfinished")
    assert not new, f"messages missing from {TS.name} (run lupdate, translate them): {new}\n{log}"
    assert not gone, f"obsolete messages in {TS.name} (run lupdate with -no-obsolete): {gone}"
    assert not unfinished, f"untranslated or unfinished messages: {unfinished}"
    changed = sorted(k for k, m in updated.items() if m.numerus != committed[k].numerus)
    assert not changed, f"plural forms changed (run lupdate): {changed}"


def test_lupdate_found_every_literal_message():
    """lupdate's Python parser silently drops some spellings (translate(ctx, text, None, len(x)));
    every literal message in app/ must be in the catalogue."""
    in_catalogue = {(m.context, m.source) for m in read_ts(TS)}
    missing = sorted(literal_messages(ROOT / "app") - in_catalogue)
    assert not missing, f"messages lupdate did not extract (see app/ui/i18n.py for the spellings): {missing}"


def test_every_message_is_translated_with_its_placeholders():
    problems = []
    for m in read_ts(TS):
        for text in m.translations:
            if not text.strip():
                problems.append((m.context, m.source, "empty"))
            elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(m.source)):
                problems.append((m.context, m.source, f"placeholders differ: {text!r}"))
            elif not HANGUL.search(text) and m.source not in SAME_IN_KOREAN:
                problems.append((m.context, m.source, f"no Korean in {text!r}"))
            elif ("&" in m.source.replace("&&", "")) != ("&" in text.replace("&&", "")) and "<" not in m.source:
                problems.append((m.context, m.source, f"mnemonic '&' missing or extra: {text!r}"))
    assert not problems, "\n".join(map(str, problems))


def test_plural_messages_are_numerus():
    """%n messages must be plural entries (spelled Name.tr(text, "", n): app/ui/i18n.py)."""
    flat = [(m.context, m.source) for m in read_ts(TS) if "%n" in m.source and not m.numerus]
    assert not flat, f"%n messages lupdate did not see as plurals: {flat}"
    assert sum(m.numerus for m in read_ts(TS)) >= 5


def test_committed_qm_is_current(tmp_path):
    qm = tmp_path / "maskpilot_ko.qm"
    run_lrelease(TS, qm)
    assert QM.read_bytes() == qm.read_bytes(), (
        f"{QM.relative_to(ROOT)} is stale: pyside6-lrelease {TS.relative_to(ROOT)} -qm {QM.relative_to(ROOT)}")


def test_every_catalogue_is_compiled():
    assert sorted(p.stem for p in I18N.glob("*.ts")) == sorted(p.stem for p in I18N.glob("*.qm")) == ["maskpilot_ko"]
