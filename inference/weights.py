"""Finding, downloading and safely reading weights files.

Search order for a model's weights when no explicit file is given:
1. the user weights folder: `$MASKPILOT_WEIGHTS_DIR`, else `weights/` in the per-user data folder
   (Linux `~/.local/share/maskpilot/weights`, macOS `~/Library/Application Support/MaskPilot/
   weights`, Windows `%LOCALAPPDATA%\\MaskPilot\\weights`; see `user_data_dir`);
2. torch's download cache, `torch.hub.get_dir()/checkpoints` (where torchvision puts its files);
3. only when the caller asks for it, a download into the user weights folder.

Files are always read with `torch.load(path, weights_only=True, map_location=...)`, which refuses
pickles that would construct arbitrary Python objects (and so run code).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.errors import (
    WeightsCorruptError,
    WeightsError,
    WeightsFormatError,
    WeightsMismatchError,
    WeightsNotFoundError,
    WeightsUnsafeError,
    WrongModelError,
    describe_key_mismatch,
)

if TYPE_CHECKING:
    import torch

APP_NAME = "MaskPilot"
ENV_WEIGHTS_DIR = "MASKPILOT_WEIGHTS_DIR"

#: (bytes done, total bytes or -1 when the server does not say)
DownloadProgress = Callable[[int, int], None]


def user_data_dir(home: Path | None = None, platform: str | None = None) -> Path:
    """Per-user data folder of the app, following each platform's convention (no Qt needed).

    Same folder as the app's `app.paths.user_data_dir` (which inference may not import):
    `$MASKPILOT_DATA_DIR` if set; Windows `%LOCALAPPDATA%\\MaskPilot`; macOS
    `~/Library/Application Support/MaskPilot`; else `$XDG_DATA_HOME/maskpilot` or
    `~/.local/share/maskpilot`.
    """
    if env := os.environ.get("MASKPILOT_DATA_DIR"):
        return Path(env).expanduser()
    home = home if home is not None else Path.home()
    platform = platform if platform is not None else sys.platform
    if platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / APP_NAME
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_NAME
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / APP_NAME.lower()


def weights_dir() -> Path:
    """The user weights folder: `$MASKPILOT_WEIGHTS_DIR` if set, else `user_data_dir()/weights`."""
    env = os.environ.get(ENV_WEIGHTS_DIR)
    return Path(env).expanduser() if env else user_data_dir() / "weights"


def torch_checkpoint_dir() -> Path:
    """torch's download cache for weights files, `torch.hub.get_dir()/checkpoints`.

    Computed with torch.hub's own rules ($TORCH_HOME, else $XDG_CACHE_HOME/torch, else
    ~/.cache/torch) instead of importing torch, so the app can list available weights at start.
    """
    home = os.environ.get("TORCH_HOME")
    if not home:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        home = str(Path(cache) / "torch")
    return Path(home).expanduser() / "hub" / "checkpoints"


def search_folders() -> list[Path]:
    """Folders searched, in order, for a weights file given by name or not given at all."""
    return [weights_dir(), torch_checkpoint_dir()]


def find_weights(file_names: Iterable[str]) -> Path | None:
    """The first of `file_names` present in `search_folders()`, or None. Never downloads."""
    for folder in search_folders():
        for name in file_names:
            if (folder / name).is_file():
                return folder / name
    return None


def resolve_weights(
    model: str,
    file_names: Iterable[str],
    weights: str | Path | None = None,
    download_url: str | None = None,
    download: bool = False,
    progress: DownloadProgress | None = None,
) -> Path:
    """Find the weights file of `model`.

    `weights` may be a file path, a bare file name (searched in `search_folders()`) or a folder
    (searched for `file_names`). With `weights=None` the registered `file_names` are searched;
    when nothing is found and `download` is True, `download_url` is fetched into `weights_dir()`.
    Raises WeightsNotFoundError naming the files and folders tried.
    """
    names = list(file_names)
    folders = search_folders()
    if weights is not None:
        path = Path(weights).expanduser()
        if path.is_file():
            return path
        if path.is_dir():
            folders, names = [path], names
        elif path.parent == Path("."):
            names = [path.name]
        else:
            raise WeightsNotFoundError(model, [path.name], [path.parent])
    for folder in folders:
        for name in names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    if download and download_url and weights is None:
        return download_file(download_url, weights_dir() / names[0], progress)
    raise WeightsNotFoundError(model, names, folders)


def download_file(url: str, dest: Path, progress: DownloadProgress | None = None) -> Path:
    """Download `url` to `dest` via a `.part` file, reporting progress; verify torchvision-style
    hash suffixes (`name-<sha256 prefix>.pth`). Only ever called on the user's request."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or -1)
            done = 0
            while chunk := response.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise WeightsError(f"Downloading {url} failed: {exc}") from exc
    match = re.search(r"-([0-9a-f]{8,})\.pth$", dest.name)
    if match and not digest.hexdigest().startswith(match.group(1)):
        part.unlink(missing_ok=True)
        raise WeightsCorruptError(f"The download of {dest.name} is damaged (checksum mismatch).")
    os.replace(part, dest)
    return dest


def load_state_dict_file(
    path: str | Path, map_location: Any = "cpu", unwrap: Iterable[str] = ()
) -> dict[str, torch.Tensor]:
    """Read a checkpoint that must be a flat {name: tensor} mapping.

    `unwrap` names keys under which a checkpoint may nest its state dict instead (SAM 2 files
    hold theirs under "model"); the first one present whose value is a mapping is used.
    Raises WeightsNotFoundError (missing), WeightsCorruptError (truncated or not a checkpoint),
    WeightsUnsafeError (pickled objects other than tensors: refused, never executed) or
    WeightsFormatError (a checkpoint of some other shape, e.g. a training state with an optimizer).
    """
    import torch

    path = Path(path)
    if not path.is_file():
        raise WeightsNotFoundError(path.stem, [path.name], [path.parent])
    try:
        obj = torch.load(path, weights_only=True, map_location=map_location)
    except pickle.UnpicklingError as exc:
        # weights_only reports refused globals and unknown opcodes alike; bytes that are not a
        # pickle or checkpoint at all (an HTML error page saved as .pth) are damage, not danger.
        if not _starts_like_checkpoint(path):
            raise WeightsCorruptError(
                f"{path.name} is not a PyTorch weights file (damaged or wrong download?)."
            ) from exc
        raise WeightsUnsafeError(
            f"{path.name} contains Python objects other than tensors and was refused, because "
            "loading it could run code. Use a plain state-dict file from a trusted source."
        ) from exc
    except (RuntimeError, EOFError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise WeightsCorruptError(
            f"{path.name} is not a readable PyTorch weights file (truncated or damaged download?): "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from exc
    for key in unwrap:
        if isinstance(obj, Mapping) and isinstance(obj.get(key), Mapping):
            obj = obj[key]
            break
    if not isinstance(obj, Mapping) or not obj:
        raise WeightsFormatError(f"{path.name} does not hold a state dict (got {type(obj).__name__}).")
    bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise WeightsFormatError(
            f"{path.name} is not a flat state dict: entries such as {bad[:3]!r} are not tensors."
        )
    return dict(obj)


def _starts_like_checkpoint(path: Path) -> bool:
    """True for a zip archive (torch.save since 1.6) or a binary pickle (protocol >= 2)."""
    with open(path, "rb") as f:
        head = f.read(2)
    return head == b"PK" or head[:1] == b"\x80"


def identify_architecture(state_dict: Mapping[str, Any]) -> str | None:
    """Guess which family a state dict belongs to: 'maskrcnn', 'yolact', 'sam' (Segment
    Anything v1), 'sam2' (SAM 2 / 2.1) or None."""
    keys = state_dict.keys()
    if any(k.startswith("sam_mask_decoder.") for k in keys):
        return "sam2"
    if any(k.startswith("mask_decoder.") for k in keys) and any(k.startswith("prompt_encoder.") for k in keys):
        return "sam"
    if any(k.startswith("roi_heads.") for k in keys) and any(k.startswith("rpn.") for k in keys):
        return "maskrcnn"
    if any(k.startswith("proto_net.") for k in keys) or any(k.startswith("prediction_layers.") for k in keys):
        return "yolact"
    return None


_FAMILY_NAMES = {
    "maskrcnn": "torchvision Mask R-CNN",
    "yolact": "YOLACT",
    "sam": "Segment Anything (SAM v1)",
    "sam2": "SAM 2",
}


def load_into_model(
    model: torch.nn.Module, state_dict: Mapping[str, torch.Tensor], family: str, source: str
) -> None:
    """Load `state_dict` into `model` strictly, after checking keys and shapes ourselves so that
    the error names what is wrong. `family` is a key of `_FAMILY_NAMES` ('maskrcnn', 'yolact',
    'sam', 'sam2'); `source` names the file."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    wrong_shape = sorted(
        f"{k}: file {tuple(state_dict[k].shape)} vs model {tuple(own[k].shape)}"
        for k in set(own) & set(state_dict)
        if tuple(state_dict[k].shape) != tuple(own[k].shape)
    )
    if not (missing or unexpected or wrong_shape):
        model.load_state_dict(state_dict, strict=True)
        return
    found = identify_architecture(state_dict)
    listing = describe_key_mismatch(missing, unexpected, wrong_shape)
    if found is not None and found != family:
        raise WrongModelError(
            f"{source} holds {_FAMILY_NAMES[found]} weights, not {_FAMILY_NAMES[family]} weights."
            + listing,
            missing,
            unexpected,
            wrong_shape,
        )
    raise WeightsMismatchError(
        f"{source} does not match the model architecture." + listing, missing, unexpected, wrong_shape
    )


def check_family(state_dict: Mapping[str, Any], family: str, source: str) -> None:
    """Raise before a (large) model is built when `state_dict` is not of `family`.

    WrongModelError when the keys identify another known family (a SAM 2 file given to SAM,
    a Mask R-CNN file given to SAM 2); WeightsMismatchError, naming a few keys, when they
    identify none. `source` names the file in the message.
    """
    found = identify_architecture(state_dict)
    if found == family:
        return
    if found is not None:
        raise WrongModelError(
            f"{source} holds {_FAMILY_NAMES[found]} weights, not {_FAMILY_NAMES[family]} weights."
        )
    sample = ", ".join(list(state_dict)[:3])
    raise WeightsMismatchError(
        f"{source} does not hold {_FAMILY_NAMES[family]} weights (its first keys: {sample})."
    )
