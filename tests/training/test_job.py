"""A training job run in-process, from the project store to a saved project model: the wiring
(train a few steps, save, list, load, predict, maskpilot-label with it), and each refusal or
mishap with its clear message: no done images, one class only with images of many sizes, an
image deleted mid-training, cancel and resume, a full disk, running out of memory."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from app.ai.domain import project_models as pm
from app.cli import label
from app.training.domain import job as job_module
from app.training.domain.job import run_job
from app.training.domain.messages import (
    Failed,
    Finished,
    Note,
    Progress,
    Skipped,
    Started,
    TrainingJob,
    Validation,
)
from tests.training.projects import make_project


def _job(folder: Path, **kw) -> TrainingJob:  # noqa: ANN003
    # few validation images and passes: an untrained model's 100 detections per image make them slow
    base = dict(folder=str(folder), name="m", steps=4, threads=1, device="cpu", validations=1, val_fraction=0.1)
    return TrainingJob(**{**base, **kw})


def _run(job: TrainingJob, **kw) -> tuple[list, object]:  # noqa: ANN003
    messages: list = []
    final = run_job(job, messages.append, **kw)
    return messages, final


def test_wiring_train_save_list_load_and_label(tmp_path, capsys) -> None:
    project = make_project(tmp_path / "p", done=8, other=3, size=(96, 96))
    messages, final = _run(_job(project.folder, name="shapes", validations=2))
    kinds = [type(m) for m in messages]
    assert kinds[0] is Started and kinds[-1] is Finished and Progress in kinds and Validation in kinds
    started = messages[0]
    assert (started.base_model, started.init, started.device, started.threads) == ("small", "scratch", "cpu", 1)
    assert started.train_images + started.val_images == 8 and started.val_images >= 1
    assert isinstance(final, Finished) and final.model == "project:shapes" and not final.cancelled
    assert final.steps == 4 and set(final.metrics) >= {"AP", "AP50", "AP75", "classes"}
    progress = [m for m in messages if isinstance(m, Progress)]
    assert progress[0].step == 1 and progress[-1].fraction == pytest.approx(1.0)
    [info] = pm.list_project_models(project.store)
    assert sorted(info.train_images + info.val_images) == sorted(project.done)
    assert info.card["training"]["steps"] == 4 and info.card["spec"]["max_size"] == 128
    predictor = pm.load_project_model(project.store, "project:shapes", device="cpu")
    assert len(predictor.predict([project.truth[project.other[0]].image], score_threshold=0.0)[0])
    # the same path maskpilot-label takes
    code = label.main([str(project.folder), "--model", "project:shapes", "--images", *project.other,
                       "--score", "0.0", "--max-detections", "5", "--device", "cpu", "--workers", "1", "--quiet"])  # fmt: skip
    assert code == 0
    for rel in project.other:
        data = json.loads(project.store.label_path(rel).read_text())
        assert "project:shapes" in data["ai_runs"] and data["instances"]
        assert all(i["source"] == "project:shapes" and i["category_id"] in (1, 2, 3) for i in data["instances"])
    assert "project:shapes" in label.list_models_text(project.store)
    # a class renamed since training: maskpilot-label says so
    labels = project.store.load_project().labels
    labels.update(1, name="disc")
    project.store.save_project(labels, {})
    code = label.main([str(project.folder), "--model", "project:shapes", "--images", project.other[0], "--redo",
                       "--max-detections", "5", "--device", "cpu", "--workers", "1", "--quiet"])  # fmt: skip
    assert code == 0 and "no longer matches the project" in capsys.readouterr().err
    assert label.main([str(project.folder), "--model", "project:nope", "--device", "cpu", "--quiet"]) == 1
    assert "no model 'nope'" in capsys.readouterr().err


def test_no_done_images_fail_clearly(tmp_path) -> None:
    project = make_project(tmp_path / "p", done=0, other=2)
    messages, final = _run(_job(project.folder))
    assert messages == [final] and isinstance(final, Failed)
    assert "No image is marked done" in final.message and not final.details
    assert not (project.store.root / "models").exists()
    _, bad_name = _run(_job(project.folder, name="../evil"))
    assert isinstance(bad_name, Failed) and "cannot be a model name" in bad_name.message


def test_one_class_only_and_images_of_many_sizes(tmp_path) -> None:
    sizes = [(96, 160), (200, 90), (64, 64), (150, 150), (80, 120)]
    project = make_project(tmp_path / "p", done=5, sizes=sizes, classes=("circle",), n_objects=(3, 5))
    messages, final = _run(_job(project.folder, steps=3, batch_size=3))
    assert isinstance(final, Finished), final
    started = messages[0]
    assert started.classes == ((1, "circle"),) and any("Only one class" in n for n in started.notes)
    assert [c.name for c in pm.read_project_model(project.store, "m").classes] == ["circle"]


def test_an_image_deleted_mid_training_is_skipped_and_reported(tmp_path) -> None:
    project = make_project(tmp_path / "p", done=6, size=(80, 80))
    messages: list = []
    victim: list[str] = []

    def emit(message) -> None:  # noqa: ANN001
        messages.append(message)
        if isinstance(message, Started):
            plan_train = sorted(set(project.done) - set(_val_images(project)))
            victim.append(plan_train[0])
            (project.folder / plan_train[0]).unlink()

    final = run_job(_job(project.folder, steps=6, batch_size=2, cache_mb=0), emit)
    assert isinstance(final, Finished) and final.steps == 6, final
    skipped = [m for m in messages if isinstance(m, Skipped)]
    assert [s.image for s in skipped] == victim and "cannot read" in skipped[0].reason
    assert final.skipped == tuple(victim)
    card = pm.read_project_model(project.store, "m").card
    assert victim[0] not in card["training"]["images"] and victim[0] in card["training"]["skipped"]


def _val_images(project) -> list[str]:  # noqa: ANN001
    from app.training.domain.dataset import split_images

    return split_images(project.done, 0.1)[1]


def test_cancel_keeps_the_best_and_resume_continues(tmp_path) -> None:
    project = make_project(tmp_path / "p", done=6, size=(80, 80))
    calls = 0

    def stop_after_three_steps() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    messages, final = _run(_job(project.folder, steps=8, batch_size=2), should_stop=stop_after_three_steps)
    assert isinstance(final, Finished) and final.cancelled and final.steps == 3
    assert final.model == "project:m" and "cancelled" in final.message
    card = pm.read_project_model(project.store, "m").card
    assert card["training"]["cancelled"] and card["training"]["steps"] == 3
    folder = pm.training_dir(project.store, "m")
    assert (folder / "resume.pt").is_file() and (folder / "best.pth").is_file()
    messages, final = _run(_job(project.folder, steps=5, batch_size=2, resume=True))
    assert messages[0].resumed_step == 3 and messages[0].init == "resumed"
    assert isinstance(final, Finished) and final.steps == 5 and not final.cancelled
    assert [m.step for m in messages if isinstance(m, Progress)][0] == 4
    _, spent = _run(_job(project.folder, steps=5, batch_size=2, resume=True))
    assert isinstance(spent, Failed) and "already trained 5 of 5 steps" in spent.message
    _, none = _run(_job(project.folder, name="other", resume=True))
    assert isinstance(none, Failed) and "no checkpoint of 'other'" in none.message
    _, stopped_at_once = _run(_job(project.folder, name="quick"), should_stop=lambda: True)
    assert isinstance(stopped_at_once, Finished) and stopped_at_once.model is None
    assert "nothing was saved" in stopped_at_once.message


def test_a_full_disk_keeps_the_previous_model(tmp_path, monkeypatch) -> None:
    project = make_project(tmp_path / "p", done=5, size=(80, 80))
    _, first = _run(_job(project.folder, steps=2, batch_size=2, validations=1))
    assert isinstance(first, Finished)
    info = pm.read_project_model(project.store, "m")
    before = (info.weights_path.read_bytes(), info.card_path.read_bytes())

    def full(path, data):  # noqa: ANN001
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pm, "write_bytes_atomic", full)
    monkeypatch.setattr(job_module, "write_bytes_atomic", full)
    messages, final = _run(_job(project.folder, steps=2, batch_size=2, validations=1))
    assert isinstance(final, Failed) and "not enough disk space" in final.message and "is kept" in final.message
    notes = [m for m in messages if isinstance(m, Note)]
    assert len(notes) == 1 and "checkpoint could not be written" in notes[0].message
    assert (info.weights_path.read_bytes(), info.card_path.read_bytes()) == before


def test_running_out_of_memory_is_reported(tmp_path, monkeypatch) -> None:
    project = make_project(tmp_path / "p", done=4, size=(64, 64))
    monkeypatch.setenv(job_module.FAULT_ENV, "memory:2")
    _, final = _run(_job(project.folder))
    assert isinstance(final, Failed) and "ran out of memory" in final.message
