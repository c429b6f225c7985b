"""GUI fixtures (offscreen Qt, fresh QSettings) for the monkey."""

from tests.gui import _fresh_qsettings  # noqa: F401 (fixture)
