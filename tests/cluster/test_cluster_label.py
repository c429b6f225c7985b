"""maskpilot-label --ray on a local Ray (2 CPUs) with a small trained Mask R-CNN: the label files
(and --out, and --semantic class maps) equal the local CLI's, a second run skips finished images, an actor killed on one image is
restarted and its batch retried without doubling anything, a corrupt image is reported while
the rest finish, a stop finishes the images in progress, and --ray-gather writes from the driver."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from app.cli import cluster, label
from app.formats.store import ProjectStore
from inference import torch_threads
from tests.cluster import small_model
from tests.cluster.conftest import COMMON, MODEL, NAMES, SEMANTIC, SIZES, class_maps, suggestions

pytest.importorskip("ray")
# Each test starts actors (a process each, importing torch and loading the model): 20-40 s here.
pytestmark = [pytest.mark.usefixtures("ray_session"), pytest.mark.slow]

#: Two single-core actors (one torch thread each, like the reference run), two images per call.
RAY = ["--ray", "--ray-actors", "2", "--ray-batch", "2"]


def _with_setup(monkeypatch: pytest.MonkeyPatch, **install: object) -> None:
    """Make `--ray` runs install the small model in every actor (cluster.run's setup hook)."""
    monkeypatch.setattr(cluster, "run", partial(cluster.run, setup=partial(small_model.install, **install)))


def _driver_loads_small_model(monkeypatch: pytest.MonkeyPatch, weights: str) -> None:
    import inference

    monkeypatch.setattr(inference, "load_model", small_model.SmallModelLoader(weights))


def _no_temp_files(folder: Path) -> bool:
    return not list(folder.glob("**/.*.tmp"))


def test_ray_run_equals_the_local_run_and_resumes(folder: Path, small_weights: str, reference: dict,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    _driver_loads_small_model(monkeypatch, small_weights)
    _with_setup(monkeypatch, weights=small_weights)
    out = folder / "results.json"
    assert label.main([str(folder), *COMMON, *RAY, "--out", str(out), *SEMANTIC]) == 0
    captured = capsys.readouterr()
    assert "broken.jpg" in captured.err and "unreadable" in captured.err  # reported, not fatal
    assert suggestions(folder) == reference["suggestions"]  # boxes, scores, masks: exactly
    assert out.read_text() == reference["coco"]
    assert class_maps(folder) == reference["class_maps"] and len(reference["class_maps"]) == len(NAMES)
    total = sum(len(v) for v in reference["suggestions"].values())
    assert f"6 image(s) labeled, {total} suggestion(s) written, 1 unreadable" in captured.out
    index = ProjectStore(folder).index()  # rebuilt once by the driver at the end
    assert all(index[n].pending == len(reference["suggestions"][n]) for n in NAMES)
    assert _no_temp_files(folder)

    mtimes = {n: ProjectStore(folder).label_path(n).stat().st_mtime_ns for n in NAMES}
    assert label.main([str(folder), *COMMON, *RAY, *SEMANTIC, "--images", *NAMES]) == 0
    captured = capsys.readouterr()
    assert "6 image(s) already done" in captured.err and "0 image(s) labeled" in captured.out
    assert {n: ProjectStore(folder).label_path(n).stat().st_mtime_ns for n in NAMES} == mtimes


def test_an_actor_that_dies_is_restarted_and_nothing_doubles(folder: Path, small_weights: str, reference: dict,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    """img_3 is the second image of its batch: img_2 is written before the actor dies, and written
    again by the retry; each image ends with one set of suggestions."""
    marker = folder.parent / "crashed-once"
    _driver_loads_small_model(monkeypatch, small_weights)
    _with_setup(monkeypatch, weights=small_weights, crash_marker=str(marker), crash_shape=SIZES[3])
    assert label.main([str(folder), *COMMON, *RAY]) == 0
    assert marker.exists()  # the actor did die (os._exit) on img_3
    assert "6 image(s) labeled" in capsys.readouterr().out
    assert suggestions(folder) == reference["suggestions"]
    for name in NAMES:
        doc = json.loads(ProjectStore(folder).label_path(name).read_text())
        assert list(doc["ai_runs"]) == [MODEL] and doc["ai_runs"][MODEL]["count"] == len(doc["instances"])
    assert _no_temp_files(folder)


class StopAfterFirstRows:
    """should_stop() that turns true once the driver has received results (polled after each)."""

    def __init__(self, folder: Path) -> None:
        self.store = ProjectStore(folder)

    def __call__(self) -> bool:
        return any(self.store.label_path(n).exists() for n in NAMES)


def test_stop_finishes_images_in_progress_and_the_local_cli_does_the_rest(folder: Path, small_weights: str,
                                                                          reference: dict,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A stop (Ctrl-C) lets each actor finish the image it holds and start no other; what is
    written is whole, and the local CLI carries on from there as from one of its own runs."""
    _driver_loads_small_model(monkeypatch, small_weights)
    args = label.build_parser().parse_args([str(folder), *COMMON, *RAY])
    setup = partial(small_model.install, weights=small_weights, delay_s=1.0)
    count, _, _, stopped = cluster.run(args, StopAfterFirstRows(folder), setup=setup)  # type: ignore[arg-type]
    assert stopped
    written = suggestions(folder)
    assert 1 <= len(written) < len(NAMES) and count == len(written)
    assert all(written[n] == reference["suggestions"][n] for n in written)  # whole files only
    assert _no_temp_files(folder)

    with torch_threads(1):
        assert label.main([str(folder), *COMMON]) == 0
    assert suggestions(folder) == reference["suggestions"]


def test_gather_mode_ships_images_and_writes_from_the_driver(folder: Path, small_weights: str, reference: dict,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    _driver_loads_small_model(monkeypatch, small_weights)
    _with_setup(monkeypatch, weights=small_weights)
    monkeypatch.setattr(cluster, "GATHER_WINDOW", 4)  # two datasets: 4 images, then the other 3
    out = folder / "results.json"
    assert label.main([str(folder), *COMMON, *RAY, "--ray-gather", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "broken.jpg" in captured.err and "6 image(s) labeled" in captured.out
    assert suggestions(folder) == reference["suggestions"]
    assert out.read_text() == reference["coco"]
