"""maskpilot-embed --ray on the session's local Ray, with tests/ai's stand-in for SAM loaded in
each actor: every image's embedding lands where the app's engine finds it, a rerun finds them
all cached without starting anything, and a corrupt image is listed."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from app.ai.domain.embeddings import ImageKey
from app.ai.domain.prompts import engine_for
from app.cli import cluster_embed, embed
from tests.cluster import small_model
from tests.cluster.conftest import NAMES

pytest.importorskip("ray")
pytestmark = [pytest.mark.usefixtures("ray_session"), pytest.mark.slow]


def test_embeddings_on_ray_are_found_by_the_app(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    monkeypatch.setattr(cluster_embed, "run", partial(cluster_embed.run, setup=small_model.install_fake_interactive))
    argv = [str(folder), "--random-init", "-q", "--device", "cpu", "--ray", "--ray-actors", "1", "--ray-batch", "2"]
    assert embed.main(argv) == 0
    captured = capsys.readouterr()
    assert f"{len(NAMES)} image(s) embedded, 0 already cached" in captured.out
    assert "unreadable image skipped: broken.jpg" in captured.err
    engine = engine_for("sam_vit_b", None, store_root=folder / ".maskpilot", random_init=True)
    for name in NAMES:
        assert engine.has_embedding(ImageKey.of("sam_vit_b", name, folder / name))
    assert engine.encoder_runs == 0

    assert embed.main(argv) == 0  # nothing left to encode: no pipeline is started
    assert f"0 image(s) embedded, {len(NAMES)} already cached" in capsys.readouterr().out
