"""Atomic writes keep the permissions a plain open() would give, or those of the replaced file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.formats.atomic import write_bytes_atomic, write_json_atomic
from app.formats.store import ProjectStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """Sets a umask for one test and restores the previous one."""
    previous = os.umask(0o022)
    try:
        yield lambda value: os.umask(value)
    finally:
        os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077, 0o000])
def test_new_file_gets_what_open_would_give(tmp_path, umask, mask):
    umask(mask)
    plain = tmp_path / "plain.txt"
    with open(plain, "w") as fh:
        fh.write("x")
    atomic = tmp_path / "atomic.txt"
    write_bytes_atomic(atomic, b"x")
    assert _mode(atomic) == _mode(plain) == 0o666 & ~mask
    write_json_atomic(tmp_path / "a.json", {"a": 1})
    assert _mode(tmp_path / "a.json") == 0o666 & ~mask


def test_replacing_keeps_the_existing_mode(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "labels.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new" and _mode(target) == 0o640
    os.chmod(target, 0o664)  # group-writable although the umask would remove it
    write_json_atomic(target, [1])
    assert _mode(target) == 0o664
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_store_files_are_not_private(tmp_path, umask):
    """The project store writes through the atomic writer: with umask 022 others can read it."""
    umask(0o022)
    from app.core.categories import LabelSet
    from app.core.document import Document

    store = ProjectStore(tmp_path)
    store.save_project(LabelSet.from_names(["a"]), {})
    store.save_document(Document("img.png", 4, 4))
    for path in (store.root / "project.json", store.label_path("img.png"), store.root / "index.json"):
        assert _mode(path) == 0o644, path


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("old")

    class Boom(Exception):
        pass

    class Bad:
        def __len__(self) -> int:
            raise Boom

    with pytest.raises(TypeError):
        write_bytes_atomic(target, Bad())  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
