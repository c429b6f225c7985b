"""The monkey in `make test`: a bounded, reproducible run of the window state machine
(tests/monkey/machine.py). bench/bench_monkey.py runs it for thousands of steps."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.monkey import machine

pytestmark = pytest.mark.gui


@pytest.fixture
def monkey_env(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("MASKPILOT_RANDOM_WEIGHTS", "1")  # "weights present" for the fake model's name
    monkeypatch.setattr(machine, "CONFIG", machine.MonkeyConfig(root=tmp_path))
    machine.STATS.reset()
    return machine.STATS


def test_monkey_drives_the_window_and_every_invariant_holds(monkey_env):
    run_state_machine_as_test(machine.MonkeyMachine, settings=settings(
        max_examples=16, stateful_step_count=75, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck), print_blob=False,
    ))  # fmt: skip
    print(f"\nmonkey: {monkey_env.steps} steps, {monkey_env.checks} invariant checks over {monkey_env.examples} examples")
    assert monkey_env.steps >= 500 and monkey_env.checks > 3 * monkey_env.steps


def test_an_empty_interactive_candidate_paints_nothing_instead_of_raising(qtbot):
    """Found by the monkey: a candidate whose mask is empty (Tab to it) raised IndexError in the
    canvas's paintEvent, on every frame while it was shown."""
    import numpy as np
    from PySide6.QtGui import QImage, QPainter

    from app.canvas.render import ViewTransform
    from app.core.geometry import RasterGeometry
    from app.core.prompts import Candidates, Prompt
    from app.editing.tools.interactive import InteractiveTool
    from tests.editing.tool_harness import Harness

    h = Harness(width=60, height=40)
    tool = InteractiveTool(h.ctx)
    tool.points = [(10.0, 10.0, 0)]
    tool._doc = h.doc
    masks = [RasterGeometry(np.ones((4, 4), bool), 5, 5), RasterGeometry.empty()]
    # Tab to the second candidate: its box comes from the low-resolution answer (conservative),
    # its exact mask, made on first use, is empty.
    tool.candidates = Candidates("t.png", Prompt(points=((10.0, 10.0, 0),)), (0.9, 0.5), masks.__getitem__, bounds=lambda k: (0, 0, 20, 20))
    tool.index = 1
    image = QImage(120, 80, QImage.Format_ARGB32)
    painter = QPainter(image)
    tool.paint_overlay(painter, ViewTransform(2.0, 0, 0))  # must not raise
    painter.end()
    assert tool.shown_mask().is_empty()
