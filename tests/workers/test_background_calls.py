"""BackgroundCalls: work on a pool thread, its result (or exception) back on the GUI thread."""

from __future__ import annotations

import threading

from app.workers.background_calls import BackgroundCalls


def test_work_runs_off_the_gui_thread_and_done_on_it(qtbot):
    calls = BackgroundCalls()
    seen = []
    calls.run(threading.get_ident, lambda worker: seen.append((worker, threading.get_ident())))
    assert calls.busy and seen == []  # delivered by the event loop, never inside run()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    worker, gui = seen[0]
    assert worker != gui == threading.main_thread().ident
    assert not calls.busy
    calls.shutdown()


def test_results_arrive_in_call_order(qtbot):
    calls = BackgroundCalls()
    gate = threading.Event()
    got = []
    calls.run(lambda: gate.wait(5) and "slow", got.append)
    calls.run(lambda: "fast", got.append)
    qtbot.wait(50)
    assert got == []
    gate.set()
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert got == ["slow", "fast"]
    calls.shutdown()


def test_an_exception_is_raised_on_the_gui_thread(qtbot):
    calls = BackgroundCalls()
    with qtbot.captureExceptions() as exceptions:
        calls.run(lambda: 1 / 0, lambda _: None)
        qtbot.waitUntil(lambda: not calls.busy, timeout=5000)
    assert [e[0] for e in exceptions] == [ZeroDivisionError]
    calls.shutdown()


def test_shutdown_drops_pending_results(qtbot):
    calls = BackgroundCalls()
    gate = threading.Event()
    got = []
    calls.run(lambda: gate.wait(5), got.append)
    calls.shutdown()
    gate.set()
    qtbot.wait(100)
    assert got == [] and not calls.busy


class _FinishesWhileChecked:
    """A future that is still running at its first done() and finished from the second on."""

    def __init__(self) -> None:
        self.checks = 0

    def done(self) -> bool:
        self.checks += 1
        return self.checks > 1

    def cancelled(self) -> bool:
        return False

    def result(self) -> str:
        return "late"


def test_a_call_finishing_during_collection_is_still_delivered(qtbot):
    calls = BackgroundCalls()
    got = []
    calls._pending.append((_FinishesWhileChecked(), got.append))
    calls._poll.start()
    qtbot.waitUntil(lambda: got == ["late"], timeout=2000)
    assert not calls.busy
    calls.shutdown()
