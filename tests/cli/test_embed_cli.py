"""maskpilot-embed: every image's embedding on disk where the app looks, resumable, clear errors."""

from __future__ import annotations

import inference
from app.ai.domain.embeddings import ImageKey
from app.ai.domain.prompts import engine_for
from app.cli import embed
from tests.ai.interactive_fakes import FakeInteractiveModel
from tests.cli.conftest import NAMES


def fake(monkeypatch) -> FakeInteractiveModel:
    model = FakeInteractiveModel()
    monkeypatch.setattr(inference, "load_model", lambda name, **kw: model)
    return model


def test_embeds_every_image_once_and_the_app_engine_finds_them(folder, monkeypatch, capsys):
    model = fake(monkeypatch)
    assert embed.main([str(folder), "--random-init", "-q"]) == 0
    assert len(model.embedded) == len(NAMES)
    assert f"{len(NAMES)} image(s) embedded, 0 already cached" in capsys.readouterr().out
    assert embed.main([str(folder), "--random-init", "-q"]) == 0  # a rerun has nothing to do
    assert len(model.embedded) == len(NAMES)
    assert f"0 image(s) embedded, {len(NAMES)} already cached" in capsys.readouterr().out
    engine = engine_for("sam_vit_b", None, store_root=folder / ".maskpilot", random_init=True)
    key = ImageKey.of("sam_vit_b", NAMES[0], folder / NAMES[0])
    assert engine.has_embedding(key) and engine.encoder_runs == 0


def test_unreadable_image_is_listed_not_fatal(folder, monkeypatch, capsys):
    fake(monkeypatch)
    (folder / "broken.png").write_bytes(b"not an image")
    assert embed.main([str(folder), "--random-init", "-q"]) == 0
    captured = capsys.readouterr()
    assert "unreadable image skipped: broken.png" in captured.err
    assert f"{len(NAMES)} image(s) embedded" in captured.out


def test_missing_weights_and_wrong_model_kind_are_clear_errors(folder, monkeypatch, capsys, tmp_path):
    fake(monkeypatch)
    monkeypatch.setattr(inference, "find_weights", lambda names: None)
    assert embed.main([str(folder), "-q"]) == 1
    err = capsys.readouterr().err
    assert "no weights for sam_vit_b" in err and "sam_vit_b_01ec64.pth" in err and "--weights" in err
    assert embed.main([str(folder), "--weights", str(tmp_path / "nope.pth"), "-q"]) == 1
    assert "weights file not found" in capsys.readouterr().err
    assert not (folder / ".maskpilot" / "embeddings").exists()  # a refused run wrote nothing
