"""Choosing the UI language: --lang, then View ▸ Language (saved), then the system locale."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings
from PySide6.QtWidgets import QMessageBox

from app.__main__ import parse_args
from app.ui import language

KOREAN, GERMAN = QLocale(QLocale.Korean, QLocale.SouthKorea), QLocale(QLocale.German, QLocale.Germany)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)


def test_command_line_then_saved_choice_then_system_locale(settings):
    assert language.choose_language(None, settings, KOREAN) == "ko"
    assert language.choose_language(None, settings, GERMAN) == "en"  # no German: English
    settings.setValue(language.SETTINGS_KEY, "en")
    assert language.choose_language(None, settings, KOREAN) == "en"
    assert language.choose_language("ko", settings, GERMAN) == "ko"
    settings.setValue(language.SETTINGS_KEY, "xx")  # an unknown saved value is ignored
    assert language.choose_language(None, settings, KOREAN) == "ko"


def test_lang_argument():
    assert parse_args(["--lang", "ko"]).lang == "ko"
    assert parse_args([]).lang is None
    with pytest.raises(SystemExit):
        parse_args(["--lang", "fr"])


def test_install_and_remove_korean(qapp):
    try:
        assert language.install("ko") == "ko" and language.active_language() == "ko"
        assert QCoreApplication.translate("Actions", "&File") == "파일(&F)"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "취소"  # qtbase_ko
        assert QLocale().language() == QLocale.Korean
    finally:
        assert language.install("en") == "en"
    assert QCoreApplication.translate("Actions", "&File") == "&File"


def test_missing_catalogue_leaves_english(qapp, monkeypatch, tmp_path):
    monkeypatch.setattr(language, "catalogue_path", lambda code: str(tmp_path / "none.qm"))
    assert language.install("ko") == "en"
    assert QCoreApplication.translate("Actions", "&File") == "&File"


def test_language_menu_saves_the_choice_for_the_next_start(qtbot, settings, monkeypatch):
    from PySide6.QtWidgets import QWidget

    from app.window.language import LanguageMenu

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    parent = QWidget()
    qtbot.addWidget(parent)
    menu = LanguageMenu(settings, parent)
    assert [a.text() for a in menu.menu.actions()] == ["System Language", "English", "한국어"]
    assert menu.actions[""].isChecked()
    menu.actions["ko"].trigger()
    assert settings.value(language.SETTINGS_KEY) == "ko"
    assert shown == ["MaskPilot will start in 한국어 next time."]
    menu.actions["en"].trigger()  # back to the language in effect: saved, nothing to say
    assert settings.value(language.SETTINGS_KEY) == "en" and len(shown) == 1
