"""View ▸ Language: follow the system, or English, or Korean. The choice is saved in QSettings and
used from the next start (every string is set when its widget is built, so the running window
keeps its language); a message says so."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app.ui import language
from app.ui.action_table import MENUS
from app.ui.i18n import translate


class LanguageMenu:
    def __init__(self, settings, parent: QWidget) -> None:
        self.settings, self.parent = settings, parent
        self.menu = QMenu(translate("Language", "&Language"), parent)
        group = QActionGroup(self.menu)
        saved = language.saved_language(settings)
        choices = (("", translate("Language", "System Language")), *language.LANGUAGES)
        self.actions: dict[str, QAction] = {}
        for code, name in choices:
            act = self.menu.addAction(name)  # each language is named in itself
            act.setCheckable(True)
            act.setChecked(code == saved)
            act.setData(code)
            group.addAction(act)
            act.triggered.connect(lambda _=False, c=code: self.choose(c))
            self.actions[code] = act

    def attach(self, menubar) -> None:
        """Adds the submenu at the end of the View menu that app.ui.action_table built."""
        view = menubar.actions()[MENUS.index("view")].menu()
        view.addSeparator()
        view.addMenu(self.menu)

    def choose(self, code: str) -> None:
        if code == language.saved_language(self.settings):
            return
        self.settings.setValue(language.SETTINGS_KEY, code)
        effective = code or language.system_language()
        if effective == language.active_language():
            return
        name = dict(language.LANGUAGES)[effective]
        QMessageBox.information(
            self.parent, translate("Language", "Language"),
            translate("Language", "MaskPilot will start in {0} next time.").format(name),
        )
