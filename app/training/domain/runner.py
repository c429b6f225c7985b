"""Runs a training job in a child process and hands its messages to the GUI or the CLI.

Why a process and not a thread: training allocates gigabytes and runs native code for minutes;
a crash, an out-of-memory kill or a MemoryError there must never take the app down, and the
GUI thread must stay responsive (no GIL shared with the training loop). The child is started
with the "spawn" method (fork would copy a Qt process with its threads), runs
`app.training.domain.job.run_job`, and sends every message over a one-way Pipe. The parent
notices the pipe closing: a child that ends without a Finished/Failed message is reported as a
Failed with its exit code or signal.

Cancel sets an Event the child checks every step; the job then saves the best weights so far
and ends with Finished(cancelled=True). The child ignores Ctrl-C (the terminal sends it to the
whole process group: the CLI's parent turns it into a cancel), lowers its own priority (unless
the job says otherwise), lets idle OpenMP threads sleep instead of spin, uses `threads` torch
threads (default all cores but one), and stops when its parent is gone.

`poll()` never blocks (for a QTimer); iterating a run blocks until it ends (for the CLI).
This module does not import torch: the GUI can start a run without loading it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

from app.core.text import QT_TRANSLATE_NOOP
from app.training.domain.messages import Failed, Finished, Message, TrainingJob

#: Seconds the child may take to finish after a cancel before `close` kills it.
CANCEL_GRACE_S = 60.0


def brief_openmp_waits() -> None:
    """Call before torch is imported. OpenMP threads that spin while waiting take whole cores
    from the GUI and, on a busy machine, made 2-thread steps 4-5x slower than sleeping ones
    (measured). Sleeping at once costs the wake-up on each of a step's thousands of small ops,
    though, so libgomp (Linux wheels) spins briefly first: small-model 2-thread steps took
    0.28-0.35 s against 0.43-0.49 s passive on the idle machine, and 0.32 against 0.43 s beside
    a busy loop. Settings the user made win."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")


def _child_main(job: TrainingJob, conn: Connection, cancel: Any) -> None:
    """Entry point of the training process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    brief_openmp_waits()
    if job.low_priority and hasattr(os, "nice"):
        try:
            os.nice(5)  # the GUI (and the rest of the desktop) first
        except OSError:
            pass
    parent = multiprocessing.parent_process()
    gone = False

    def emit(message: Message) -> None:
        nonlocal gone
        if gone:
            return
        try:
            conn.send(message)
        except (BrokenPipeError, EOFError, OSError):
            gone = True  # the parent closed its end: finish quietly, keeping the checkpoints

    def should_stop() -> bool:
        return gone or cancel.is_set() or (parent is not None and not parent.is_alive())

    from app.training.domain.job import run_job

    run_job(job, emit, should_stop)
    conn.close()


def describe_exit(code: int | None) -> str:
    """Why a process ended, in words, from its exit code (negative: killed by that signal)."""
    if code is None:
        return QT_TRANSLATE_NOOP("Training", "it did not exit")
    if code >= 0:
        return QT_TRANSLATE_NOOP("Training", "it exited with status {code}").format(code=code)
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    if name == "SIGKILL":
        return QT_TRANSLATE_NOOP("Training", "it was killed (SIGKILL; the system does that when memory runs out)")
    return QT_TRANSLATE_NOOP("Training", "it crashed ({signal})").format(signal=name)


class TrainingRun:
    """One training job in its own process. `start()`, then `poll()` from a timer or iterate.

    `result` is the final Finished or Failed once it came; `finished` tells whether it did.
    """

    def __init__(self, job: TrainingJob) -> None:
        self.job = job
        self.result: Finished | Failed | None = None
        self._ctx = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None
        self._cancel = self._ctx.Event()

    def start(self) -> TrainingRun:
        """Start the child process (returns at once; the child needs a few seconds to import)."""
        if self._process is not None:
            raise RuntimeError("a TrainingRun starts only once")
        receiver, sender = self._ctx.Pipe(duplex=False)
        self._process = self._ctx.Process(
            target=_child_main, args=(self.job, sender, self._cancel), name="maskpilot-training", daemon=True
        )
        self._process.start()
        sender.close()  # only the child holds the sending end: its exit closes the pipe
        self._conn = receiver
        return self

    @property
    def finished(self) -> bool:
        return self.result is not None

    @property
    def running(self) -> bool:
        return self._process is not None and self.result is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def cancel(self) -> None:
        """Ask the job to stop; it saves the best weights so far and sends Finished(cancelled)."""
        self._cancel.set()

    def _receive(self, timeout: float) -> list[Message]:
        """Messages available within `timeout` seconds (0: only those already queued)."""
        if self._conn is None or self.result is not None:
            self._reap(0.0)
            return []
        out: list[Message] = []
        try:
            ready = self._conn.poll(timeout)
            while ready:
                message = self._conn.recv()
                out.append(message)
                if isinstance(message, (Finished, Failed)):
                    self.result = message
                    self._close_pipe()
                    break
                ready = self._conn.poll(0)
        except (EOFError, OSError):
            out.append(self._lost())
        self._reap(0.0)
        return out

    def _lost(self) -> Failed:
        """The pipe closed without a final message: the child died (or is about to exit)."""
        self._process.join(2.0)
        code = self._process.exitcode
        self.result = Failed(
            QT_TRANSLATE_NOOP("Training", "The training process stopped unexpectedly: {why}. The app is not "
                              "affected; the last checkpoint is kept, so a later run can resume from it.").format(why=describe_exit(code)),
            f"exit code {code}",
        )
        self._close_pipe()
        return self.result

    def _close_pipe(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _reap(self, timeout: float) -> None:
        """Collect the exited child without blocking a GUI timer (timeout 0) once it is done."""
        if self._process is not None and self.result is not None and self._process.exitcode is None:
            self._process.join(timeout)

    def _shutdown(self) -> None:
        self._close_pipe()
        if self._process is not None:
            self._process.join(5.0)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(5.0)

    def poll(self) -> list[Message]:
        """The messages that arrived since the last call; never blocks."""
        return self._receive(0.0)

    def wait_messages(self, timeout: float) -> list[Message]:
        """Like poll, but waits up to `timeout` seconds for the first message."""
        return self._receive(timeout)

    def __iter__(self) -> Iterator[Message]:
        """Every message until the run ends (blocking)."""
        while self.result is None:
            yield from self._receive(0.5)

    def close(self, grace_s: float = CANCEL_GRACE_S) -> None:
        """Release the run. After its final message this never blocks (a GUI may call it from
        a timer): the child, already on its way out, is reaped if it has exited (else it ends
        by itself, and a daemon process never outlives the app). While it still runs: cancel,
        give the job `grace_s` to save, then make sure the process is gone (killed if it must
        be); messages not read by then are dropped."""
        if self._process is None:
            return
        if self.result is not None:
            self._close_pipe()
            self._reap(0.0)
            return
        self.cancel()
        deadline = time.monotonic() + grace_s
        while self.result is None and time.monotonic() < deadline:
            self._receive(min(0.5, max(deadline - time.monotonic(), 0.0)))
        if self.result is None:
            self.result = Failed(QT_TRANSLATE_NOOP("Training", "Training was stopped because it did not end after the cancel."))
        self._shutdown()


def start_training(job: TrainingJob) -> TrainingRun:
    """Start `job` in a training process; see TrainingRun."""
    return TrainingRun(job).start()
