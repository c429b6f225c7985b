"""Training in a child process: a crash there (killed like the out-of-memory killer does) is
reported to the parent, which carries on; maskpilot-train prints progress, stops cleanly on
Ctrl-C keeping the best weights, and prints the metrics table."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from app.ai.domain import project_models as pm
from app.cli import train as train_cli
from app.cli.train import metrics_table
from app.training.domain.job import FAULT_ENV
from app.training.domain.messages import Failed, Progress, Started, TrainingJob
from app.training.domain.runner import TrainingRun, describe_exit
from tests.training.projects import make_project


def test_a_crash_in_the_training_process_is_reported_and_the_parent_carries_on(tmp_path, monkeypatch) -> None:
    project = make_project(tmp_path / "p", done=4, size=(64, 64))
    monkeypatch.setenv(FAULT_ENV, "kill:2")  # the child inherits it at spawn
    run = TrainingRun(TrainingJob(str(project.folder), steps=20, threads=1, device="cpu", validations=1))
    assert run.poll() == [] and not run.running  # not started: nothing, no error
    run.start()
    assert run.running and run.pid != os.getpid()
    messages, polls = [], 0
    while not run.finished and polls < 10_000:
        batch = run.poll()  # never blocks: a GUI timer calls it
        messages += batch
        polls += 1
        if not batch:
            time.sleep(0.05)
    assert isinstance(messages[0], Started) and any(isinstance(m, Progress) for m in messages)
    final = messages[-1]
    assert final is run.result and isinstance(final, Failed)
    assert "stopped unexpectedly" in final.message and "SIGKILL" in final.message and "app is not affected" in final.message
    assert run.poll() == [] and list(run) == []  # finished: nothing more, no error
    run.close()
    assert not pm.list_project_models(project.store)


def test_describe_exit() -> None:
    assert "status 3" in describe_exit(3)
    assert "SIGSEGV" in describe_exit(-signal.SIGSEGV)
    assert "did not exit" in describe_exit(None)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process is POSIX")
def test_maskpilot_train_stops_cleanly_on_ctrl_c(tmp_path, monkeypatch, capsys) -> None:
    """A real SIGINT to this process, right after the first progress line, as a terminal's Ctrl-C
    would send it (the training process ignores it; the command turns it into a cancel)."""
    project = make_project(tmp_path / "p", done=5, size=(64, 64))
    show = train_cli._Printer.__call__
    sent = []

    def printer(self, message) -> None:  # noqa: ANN001
        show(self, message)
        if isinstance(message, Progress) and not sent:
            sent.append(message.step)
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(train_cli._Printer, "__call__", printer)
    code = train_cli.main([str(project.folder), "--steps", "500", "--threads", "1", "--device", "cpu",
                           "--name", "cli", "--val", "0.2"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 130, err
    assert "training project:cli: small (scratch) on cpu with 1 thread(s)" in err and "epoch " in err
    assert "stopping: saving the best weights so far" in err
    assert "Training cancelled; the best weights so far were saved as project:cli" in out
    assert "mask AP" in out and "precision" in out
    info = pm.read_project_model(project.store, "cli")
    assert info.card["training"]["cancelled"] and info.card["training"]["steps"] < 500
    assert metrics_table(info.metrics).splitlines()[0].startswith("class")


def test_maskpilot_train_refuses_bad_arguments(tmp_path, capsys) -> None:
    from app.cli.train import main

    assert main([str(tmp_path / "nope")]) == 1
    assert "is not a folder" in capsys.readouterr().err
    assert main([str(tmp_path), "--from", str(tmp_path / "w.pth")]) == 1
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--minutes", "1", "--epochs", "2"])
    project = make_project(tmp_path / "p", done=0, other=1)
    assert main([str(project.folder), "--steps", "2", "--threads", "1", "-q"]) == 1
    assert "No image is marked done" in capsys.readouterr().err


def test_starting_a_run_needs_neither_torch_nor_qt_in_the_parent() -> None:
    """The GUI plans and starts training without loading torch (the child does)."""
    import subprocess

    code = (
        "import sys\n"
        "import app.training.domain.runner, app.training.domain.dataset, app.ai.domain.project_models\n"
        "import app.cli.train, app.cli.model_choice\n"
        "bad = [m for m in ('PySide6', 'torch') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
