"""maskpilot-label without weights says how to get them, --list-models, --download, model choices
by kind, and progress lines that end with a newline when stderr is not a terminal. No network:
downloads are handed to a stand-in for inference.load_model."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import inference
from app.cli import label
from app.cli.common import Progress

MODEL = "maskrcnn_resnet50_fpn"


@pytest.fixture
def no_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty user weights folder and torch cache."""
    weights = tmp_path / "weights"
    weights.mkdir()
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(weights))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return weights


def test_missing_weights_say_how_to_get_them(folder: Path, no_weights: Path, capsys: pytest.CaptureFixture) -> None:
    assert label.main([str(folder), "--model", MODEL, "--device", "cpu", "-q"]) == 1
    err = capsys.readouterr().err
    url = inference.get_model_info(MODEL).download_url
    assert "No weights found" in err and "--download" in err and url in err
    assert str(no_weights) in err and "--weights PATH" in err
    assert not list(no_weights.iterdir())  # nothing fetched without --download


def test_download_is_asked_for_only_with_the_flag(folder: Path, no_weights: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    calls: list[dict[str, Any]] = []

    def fake_load(name: str, weights: Any = None, device: str = "auto", **options: Any) -> Any:
        calls.append(options)
        progress = options.get("download_progress")
        if progress is not None:
            progress(5_000_000, 10_000_000)
            progress(10_000_000, 10_000_000)
        raise inference.WeightsNotFoundError(name, ["x.pth"], [no_weights])  # stops the run here

    monkeypatch.setattr(inference, "load_model", fake_load)
    assert label.main([str(folder), "--model", MODEL, "--download", "--device", "cpu", "-q"]) == 1
    assert calls[-1]["download"] is True and callable(calls[-1]["download_progress"])
    assert label.main([str(folder), "--model", MODEL, "--device", "cpu", "-q"]) == 1
    assert "download" not in calls[-1]
    with pytest.raises(SystemExit) as exc:  # one or the other
        label.main([str(folder), "--model", MODEL, "--download", "--weights", "x.pth"])
    assert exc.value.code == 2


def test_list_models_shows_present_weights(no_weights: Path, capsys: pytest.CaptureFixture) -> None:
    present = no_weights / "yolact_base_54_800000.pth"
    present.write_bytes(b"not read by --list-models")
    assert label.main(["--list-models"]) == 0  # no FOLDER needed
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines if line and not line.startswith("Weights folder")}
    kinds = {m.name: m.kind for m in inference.list_models() if m.kind in ("instance", "semantic")}
    assert set(rows) == set(kinds)
    assert str(present) in rows["yolact_base"] and "instance" in rows["yolact_base"]
    assert "missing: maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth" in rows[MODEL]
    assert "semantic" in rows["deeplabv3_resnet50"]
    assert any(str(no_weights) in line and "--download" in line for line in lines)


def test_model_choices_are_instance_models_only() -> None:
    parser = label.build_parser()
    choices = {a.dest: a.choices for a in parser._actions if a.dest in ("model", "semantic")}
    models = {m.name: m.kind for m in inference.list_models()}
    assert set(choices["model"]) == {n for n, k in models.items() if k == "instance"}
    assert set(choices["semantic"]) == {n for n, k in models.items() if k == "semantic"}


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("make", [
    lambda stream: label.RateProgress(3, stream=stream),
    lambda stream: Progress("exporting", stream=stream),
])  # fmt: skip
def test_progress_lines_end_with_a_newline_off_a_terminal(make) -> None:
    log = io.StringIO()
    bar = make(log)
    for done in (1, 2, 3):
        bar.update(done) if isinstance(bar, label.RateProgress) else bar(done, 3)
    bar.close()
    text = log.getvalue()
    assert "\r" not in text and text.endswith("\n")
    assert "3/3" in text.splitlines()[-1]

    screen = Tty()
    bar = make(screen)
    bar.update(3) if isinstance(bar, label.RateProgress) else bar(3, 3)
    assert screen.getvalue().startswith("\r") and not screen.getvalue().endswith("\n")
    bar.close()
    assert screen.getvalue().endswith("\n")
