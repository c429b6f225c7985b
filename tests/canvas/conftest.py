"""GUI fixtures (offscreen Qt, fresh QSettings, a window, an image folder) for this folder."""

from tests.gui import _fresh_qsettings, image_folder, window  # noqa: F401 (fixtures)
