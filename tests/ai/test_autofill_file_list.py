"""Auto-fill of images that are not open writes their label files; the file list must then show
them as a reload of the folder would (found by the monkey, tests/monkey: it showed "new" for an
image holding suggestions, which the store's index calls in progress)."""

from __future__ import annotations

import pytest

from tests.ai.test_autofill import fake, make_folder, open_with, wait_idle  # noqa: F401 (fixture)

pytestmark = pytest.mark.gui


def test_autofill_all_shows_each_image_as_a_reload_of_the_folder_would(window, qtbot, tmp_path, fake):  # noqa: F811
    folder = make_folder(tmp_path, 3)
    open_with(window, qtbot, folder, fake)
    window.ai.autofill("all")
    wait_idle(qtbot, window)
    assert window._save_all()
    model = window.files.model
    shown = {rel: (model.state(rel).status, model.state(rel).pending) for rel in model.paths()}
    assert shown["im001.png"] == ("in_progress", 2)  # not open: its label file was rewritten
    window._load_file_list()  # what reopening the folder shows, from the store's index
    assert {rel: (model.state(rel).status, model.state(rel).pending) for rel in model.paths()} == shown
