"""The uncertainty ranking the U key walks (app.window.browse): unfinished images with a known
uncertainty, most uncertain first; the walk continues below the last image it went to."""

from __future__ import annotations

import pytest

from app.formats.store import IndexEntry
from app.panels.file_list import FileListModel, FileState
from app.window import browse

pytestmark = pytest.mark.gui


@pytest.fixture
def model(qtbot) -> FileListModel:
    m = FileListModel()
    m.set_files(["a", "b", "c", "d", "e", "f"], {
        "a": FileState("in_progress", 1, uncertainty=0.2),
        "b": FileState("done", uncertainty=0.95),  # done: never visited
        "c": FileState("in_progress", 2, uncertainty=0.7),
        "d": FileState("new"),  # never auto-filled: not ranked
        "e": FileState("error", uncertainty=0.9),  # unreadable: not ranked
        "f": FileState("in_progress", 1, uncertainty=0.7),  # ties with c: folder order
    })  # fmt: skip
    return m


def test_order_leaves_out_done_unreadable_and_unknown(model):
    assert browse.uncertain_order(model) == ["c", "f", "a"]


def test_walk_from_the_top_down_and_around(model):
    assert browse.next_uncertain(model, None, "d") == "c"
    assert browse.next_uncertain(model, "c", "c") == "f"
    assert browse.next_uncertain(model, "f", "f") == "a"
    assert browse.next_uncertain(model, "a", "a") == "c"  # wraps around
    assert browse.next_uncertain(model, None, "c") == "f"  # never the image already shown
    model.update_state("f", status="done")  # marked done while shown: its place still counts
    assert browse.next_uncertain(model, "f", "f") == "a"
    assert browse.next_uncertain(model, "gone", "a") == "c"  # an image no longer listed: the top


def test_nothing_to_go_to(model):
    for rel in ("a", "c", "f"):
        model.update_state(rel, status="done")
    assert browse.next_uncertain(model, None, "a") is None
    model.update_state("c", status="in_progress")
    assert browse.next_uncertain(model, None, "c") is None  # the only one is the one shown


def test_file_states_carry_the_index_uncertainty():
    states = browse.file_states({
        "x": IndexEntry("new", 0, 2, uncertainty=0.4),
        "y": IndexEntry("error"),
        "z": IndexEntry("done", 0, 1),
    }, "unreadable")  # fmt: skip
    assert (states["x"].status, states["x"].uncertainty) == ("in_progress", 0.4)
    assert (states["y"].status, states["y"].error) == ("error", "unreadable")
    assert states["z"].uncertainty is None
