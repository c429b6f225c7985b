"""The monkey for a long run: drive the real window (offscreen) with random user actions, from a
fixed seed, checking every invariant after every step (tests/monkey/machine.py), and print JSON:
steps run, invariant checks made, failures (each with Hypothesis's shrunk sequence), crashes
(exceptions from the app rather than a broken invariant) and resident memory at start and end.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_monkey.py [--steps 10000] [--seed 18]

The run is batches of `--examples` examples of up to `--steps-per-example` steps, batch k seeded
with seed + k, until --steps steps have run. A failing batch is shrunk by Hypothesis (bounded by
--no-shrink), reported, and the run goes on with the next batch.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _sequences(exc: BaseException, printed: str) -> list[str]:
    """The failing step sequences: printed by Hypothesis, or in the notes of each failure."""
    lines = printed.splitlines()
    for e in (exc, *getattr(exc, "exceptions", ())):
        lines += [ln for note in getattr(e, "__notes__", ()) for ln in str(note).splitlines()] + ["----"]
    return [ln for ln in lines if ln.startswith("state") and "step_checks" not in ln or ln == "----"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--examples", type=int, default=10, help="examples per batch")
    parser.add_argument("--steps-per-example", type=int, default=50)
    parser.add_argument("--heavy-every", type=int, default=15, help="history/file list/round trip checks every N steps")
    parser.add_argument("--no-shrink", action="store_true", help="report failures unshrunk (faster)")
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["MASKPILOT_RANDOM_WEIGHTS"] = "1"  # "weights present" for the fake model's name
    from hypothesis import HealthCheck, Phase, seed, settings
    from hypothesis.stateful import run_state_machine_as_test
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-monkey-") as tmp:
        QSettings.setPath(QSettings.NativeFormat, QSettings.UserScope, str(Path(tmp) / "qsettings"))
        from tests.monkey import machine

        machine.CONFIG = machine.MonkeyConfig(root=Path(tmp), heavy_every=args.heavy_every)
        machine.STATS.reset()
        phases = [Phase.generate] if args.no_shrink else [Phase.generate, Phase.shrink]
        rss_start = rss_mb()
        t0 = time.perf_counter()
        failures, crashes, batch, rss_first = [], 0, 0, 0.0
        while machine.STATS.steps < args.steps:
            remaining = args.steps - machine.STATS.steps
            examples = max(1, min(args.examples, -(-remaining // args.steps_per_example)))
            factory = seed(args.seed + batch)(lambda: machine.MonkeyMachine())
            out = io.StringIO()

            def run(phases, out=out, factory=factory, examples=examples) -> None:  # noqa: ANN001
                with contextlib.redirect_stdout(out):
                    run_state_machine_as_test(factory, settings=settings(
                        max_examples=examples, stateful_step_count=args.steps_per_example, deadline=None,
                        database=None, phases=phases, suppress_health_check=list(HealthCheck), print_blob=False,
                    ))  # fmt: skip

            try:
                run([Phase.generate])
            except Exception as first:  # noqa: BLE001 - every failure is reported, then the run goes on
                exc = first
                if Phase.shrink in phases:  # again, shrinking; its replays are not counted as steps
                    counted = (machine.STATS.steps, machine.STATS.checks, machine.STATS.examples, dict(machine.STATS.rules))
                    try:
                        run(phases)
                    except Exception as shrunk:  # noqa: BLE001
                        exc = shrunk
                    machine.STATS.steps, machine.STATS.checks, machine.STATS.examples, machine.STATS.rules = counted
                leaves = getattr(exc, "exceptions", None) or (exc,)
                crash = any(not isinstance(e, AssertionError) or "reached the event loop" in str(e) for e in leaves)
                crashes += crash
                failures.append({"batch": batch, "seed": args.seed + batch, "crash": crash,
                                 "error": f"{type(exc).__name__}: {str(exc)[:2000]}"
                                          + "".join(f"\n  {type(e).__name__}: {str(e)[:1500]}" for e in getattr(exc, "exceptions", ())),
                                 "sequence": _sequences(exc, out.getvalue())})  # fmt: skip
            batch += 1
            if batch == 1:
                rss_first = rss_mb()  # imports and caches warmed up: growth after this is the leak
        elapsed = time.perf_counter() - t0
        app.processEvents()
        print(json.dumps({
            "steps": machine.STATS.steps, "examples": machine.STATS.examples, "invariant_checks": machine.STATS.checks,
            "failures": len(failures), "crashes": crashes, "seed": args.seed, "seconds": round(elapsed, 1),
            "steps_per_second": round(machine.STATS.steps / elapsed, 2),
            "rss_mb": {"start": round(rss_start, 1), "after_first_batch": round(rss_first, 1), "end": round(rss_mb(), 1),
                       "growth": round(rss_mb() - rss_start, 1), "growth_after_first_batch": round(rss_mb() - rss_first, 1)},
            "threads_at_end": __import__("threading").active_count(),
            "rules": dict(sorted(machine.STATS.rules.items())), "failure_details": failures,
        }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
