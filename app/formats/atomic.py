"""Atomic file writes: a reader sees the old file or the new one, never a torn mix.

Temp file in the same folder (same filesystem, so os.replace is atomic), flush, fsync, replace,
then fsync the folder so the rename itself survives a power cut where the OS supports it.

Permissions: the result has the mode a plain open() would give a new file (0666 minus the
umask), or the mode of the file it replaces. tempfile.mkstemp is not used because it always
creates 0600 files: every label file and export would become private to its owner, which breaks
shared project folders and datasets that other users or a training server read.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import orjson

_NEW_FILE_MODE = 0o666  # what open(path, "w") asks for; the kernel then applies the umask
_ATTEMPTS = 100


def _create_temp(folder: Path, name: str) -> tuple[int, Path]:
    """A new, exclusively created temp file next to the target, opened for writing.

    os.open with mode 0666 lets the kernel apply the process umask, exactly as for a plain
    open(); reading the umask ourselves would need os.umask(), which changes it for a moment
    for every thread of the app.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_ATTEMPTS):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, _NEW_FILE_MODE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file for {name} in {folder}")


def _existing_mode(path: Path) -> int | None:
    """Permission bits of the file `path` replaces, or None when there is none (or not a file)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    fd, tmp = _create_temp(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            mode = _existing_mode(path)
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)  # replacing: keep what the user set on the file
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def write_json_atomic(path: str | os.PathLike, obj: object) -> None:
    """Compact UTF-8 JSON, byte for byte what json.dumps(obj, ensure_ascii=False,
    separators=(",", ":")) writes for our data, through orjson: a label file is mostly polygon
    coordinates, and formatting floats is where json spends its time (300 polygons × 200 points:
    57 ms against 4). Non-string keys become strings as json does (OPT_NON_STR_KEYS)."""
    write_bytes_atomic(path, orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS))


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
