"""Crash safety: SIGKILL an editing process at random moments; the store must always reopen as
a valid project equal to a state the user had within the last two seconds.

Several workers (tests/crash/edit_worker.py) run side by side, each on its own project folder,
and each is killed and restarted over and over on the same folder, so every restart also reopens
what the previous kill left behind. Kill delays reach past 2 s so that a worker whose autosave
lags (e.g. a debounce that continuous editing keeps postponing) is caught.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.formats.store import ProjectStore

WORKER = Path(__file__).with_name("edit_worker.py")
sys.path.insert(0, str(WORKER.parent))
from edit_worker import HEIGHT, IMAGES, WIDTH, digest  # noqa: E402

KILLS = 52
PARALLEL = 4
WINDOW_S = 2.0


def _states(journal: Path) -> dict[str, list[tuple[float, str]]]:
    out: dict[str, list[tuple[float, str]]] = {}
    for line in journal.read_text().splitlines():
        rec = json.loads(line)  # one os.write per line: a line is never torn by SIGKILL
        out.setdefault(rec["rel"], []).append((rec["t"], rec["digest"]))
    return out


def _recent_digests(states: list[tuple[float, str]], killed_at: float) -> set[str]:
    """Digests of the states held at some moment in [killed_at - WINDOW_S, killed_at]."""
    recent = set()
    for k, (_t, dig) in enumerate(states):
        ended = states[k + 1][0] if k + 1 < len(states) else killed_at
        if ended >= killed_at - WINDOW_S:
            recent.add(dig)
    return recent


def _check_store(folder: Path, journal: Path, killed_at: float) -> None:
    store_dir = folder / ".maskpilot"
    for path in store_dir.rglob("*"):
        assert ".corrupt-" not in path.name, f"a file was quarantined: {path}"
        if path.is_file() and path.suffix == ".json" and not path.name.startswith("."):
            json.loads(path.read_bytes())  # every store file parses
    store = ProjectStore(folder)
    assert store.load_project().warning is None
    states = _states(journal)
    for rel in IMAGES:
        result = store.load_document(rel, WIDTH, HEIGHT)
        assert result.warning is None, result.warning
        got = digest(result.document)
        recent = _recent_digests(states[rel], killed_at)
        assert got in recent, (
            f"{rel}: the store holds a state that is not among the "
            f"{len(recent)} states of the last {WINDOW_S} s before the kill"
        )


def _start(folder: Path, journal: Path, seed: int) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(folder), str(journal), str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    return proc


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_at_random_moments_never_loses_more_than_two_seconds(tmp_path: Path) -> None:
    rng = random.Random(8)
    folders = [tmp_path / f"project{k}" for k in range(PARALLEL)]
    for f in folders:
        f.mkdir()
    runs = [0] * PARALLEL
    procs: list[tuple[subprocess.Popen, Path, float] | None] = [None] * PARALLEL
    kills = 0
    started = time.monotonic()
    try:
        while kills < KILLS:
            for k in range(PARALLEL):
                if procs[k] is None:
                    journal = folders[k].with_name(f"{folders[k].name}.run{runs[k]}.jsonl")
                    proc = _start(folders[k], journal, seed=1000 * k + runs[k])
                    ready = proc.stdout.readline()
                    assert ready.strip() == b"ready", proc.stderr.read().decode(errors="replace")
                    # Mostly short lives (many kills), some longer than the 2 s window.
                    life = rng.uniform(0.05, 1.0) if rng.random() < 0.6 else rng.uniform(1.0, 3.5)
                    procs[k] = (proc, journal, time.monotonic() + life)
            k = min(range(PARALLEL), key=lambda i: procs[i][2])
            proc, journal, due = procs[k]
            time.sleep(max(0.0, due - time.monotonic()))
            assert proc.poll() is None, proc.stderr.read().decode(errors="replace")
            killed_at = time.time()
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
            _check_store(folders[k], journal, killed_at)
            procs[k] = None
            runs[k] += 1
            kills += 1
    finally:
        for entry in procs:
            if entry is not None:
                entry[0].kill()
                entry[0].wait()
    assert kills >= 50
    # The kills really interrupted edits: projects hold instances written by the workers.
    assert any(len(ProjectStore(f).load_document(IMAGES[0], WIDTH, HEIGHT).document) for f in folders)
    assert time.monotonic() - started < 120
