"""Which language the UI speaks, and installing its translators.

The language is, in order: `--lang` on the command line, the View ▸ Language choice (QSettings
"ui/language"), the system locale. Korean loads resources/i18n/maskpilot_ko.qm and Qt's own
qtbase_ko.qm (standard buttons and dialogs); any other language shows the English source text.
The choice applies when the window is built, so a change in the menu takes effect on restart.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from app.paths import resource_path

log = logging.getLogger(__name__)

SETTINGS_KEY = "ui/language"
#: (code, name in its own language); "en" is the source language and needs no catalogue.
LANGUAGES = (("en", "English"), ("ko", "한국어"))
CODES = tuple(code for code, _ in LANGUAGES)
LOCALES = {"en": QLocale(QLocale.English, QLocale.UnitedStates), "ko": QLocale(QLocale.Korean, QLocale.SouthKorea)}

_installed: list[QTranslator] = []  # kept alive: Qt does not own installed translators
_active = "en"


def system_language(locale: QLocale | None = None) -> str:
    """The language of `locale` (the system's by default) if the app has it, else English."""
    locale = QLocale.system() if locale is None else locale
    return "ko" if locale.language() == QLocale.Korean else "en"


def saved_language(settings: QSettings) -> str:
    """The View ▸ Language choice, or "" to follow the system."""
    value = str(settings.value(SETTINGS_KEY, "") or "")
    return value if value in CODES else ""


def choose_language(cli: str | None, settings: QSettings, locale: QLocale | None = None) -> str:
    if cli in CODES:
        return cli
    return saved_language(settings) or system_language(locale)


def catalogue_path(code: str) -> str:
    return str(resource_path("i18n", f"maskpilot_{code}.qm"))


def install(code: str, app: QCoreApplication | None = None) -> str:
    """Make `code` the UI language of `app` (the running application by default), removing the
    translators of an earlier call. Returns the language in effect: "en" when the catalogue of
    `code` cannot be loaded (logged, the UI stays usable in English)."""
    global _active
    app = app or QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _active = "en"
    QLocale.setDefault(LOCALES["en"])
    if code == "en":
        return _active
    ours = QTranslator(app)
    if not ours.load(catalogue_path(code)):
        log.warning("No translations for %r at %s; the UI stays in English", code, catalogue_path(code))
        return _active
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
    if qt.load(LOCALES[code], "qtbase", "_", qt_dir):
        _installed.append(qt)
    else:
        log.info("Qt's own %s translations not found in %s", code, qt_dir)
    _installed.append(ours)
    for translator in _installed:
        app.installTranslator(translator)
    QLocale.setDefault(LOCALES[code])
    _active = code
    return _active


def active_language() -> str:
    """The language install() put in effect ("en" before any call)."""
    return _active
