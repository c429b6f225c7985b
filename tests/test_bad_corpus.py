"""The bad-input corpus (tests/data/bad/make_corpus.py): every broken file gives a clear message
and no crash, and the user's file is never changed or deleted (the store's documented quarantine
moves a broken label file or project.json aside, byte for byte)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.core.categories import LabelSet
from app.formats import class_lists
from app.formats.coco import import_coco
from app.formats.image_io import read_image
from app.formats.labelme import import_labelme
from app.formats.project_io import FormatError
from app.formats.store import ProjectStore

sys.path.insert(0, str(Path(__file__).parent / "data" / "bad"))
import make_corpus  # noqa: E402

CASE_IDS = [row[0] for row in make_corpus.CASES]
QUARANTINING = {"label", "project"}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    out = tmp_path_factory.mktemp("bad_corpus")
    table = make_corpus.generate(out)
    return out, {case["id"]: case for case in table}


def _import_messages(report) -> str:
    return "\n".join([str(w) for w in report.warnings] + [f"unmatched:{u}" for u in report.unmatched])


def run_loader(case: dict, case_dir: Path) -> str:
    """Call the loader the case names; return the user-visible message (a raised error's text, a
    returned warning, or '' when it loaded without complaint)."""
    path = case_dir / case["file"]
    loader = case["loader"]
    if loader == "image":
        img = read_image(path)
        assert img.rgb.ndim == 3 and img.rgb.shape[2] == 3
        return ""
    if loader == "label":
        result = ProjectStore(case_dir).load_document("img.png", make_corpus.W, make_corpus.H)
        assert len(result.document) == 0 and not result.existed  # opens empty
        return result.warning or ""
    if loader == "project":
        meta = ProjectStore(case_dir).load_project()
        assert meta.labels is None  # the session falls back to the default classes
        return meta.warning or ""
    if loader == "classes_txt":
        return str(class_lists.read_text(path))
    if loader == "classes_coco":
        return str(class_lists.read_coco_categories(path))
    labels = LabelSet.from_names(["thing"])
    store = ProjectStore(case_dir)
    if loader == "coco":
        return _import_messages(import_coco(case_dir, store, labels, ["img.png"], path))
    if loader == "labelme":
        return _import_messages(import_labelme(case_dir, store, labels, ["img.png"], source_dir=path.parent))
    if loader == "weights":
        from inference.weights import load_state_dict_file

        return str(load_state_dict_file(path))
    raise AssertionError(f"unknown loader {loader}")


def test_corpus_is_large_and_covers_every_kind(corpus):
    _out, cases = corpus
    assert len(cases) >= 30 and len(set(CASE_IDS)) == len(CASE_IDS)
    kinds = {c["kind"] for c in cases.values()}
    assert kinds == {"image", "label file", "project.json", "class list", "COCO file", "labelme file", "weights file"}
    assert (_out / "cases.json").is_file()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("case_id", CASE_IDS)
def test_bad_input_gives_a_clear_message_and_no_crash(corpus, case_id):
    out, cases = corpus
    case = cases[case_id]
    case_dir = out / case_id
    path = case_dir / case["file"]
    original = path.read_bytes()
    if case["outcome"] == "error":
        with pytest.raises(Exception) as info:
            run_loader(case, case_dir)
        assert type(info.value).__name__ == case["exception"], repr(info.value)
        message = str(info.value)
    else:
        message = run_loader(case, case_dir)
    assert case["expect"] in message, message
    if case["outcome"] == "ok":
        assert message == ""
    # The user's file: untouched, or (store quarantine) moved aside intact, never deleted.
    if case["loader"] in QUARANTINING:
        moved = list(path.parent.glob(path.name + ".corrupt-*"))
        assert not path.exists() and len(moved) == 1 and moved[0].read_bytes() == original
        assert moved[0].name in message  # the message tells the user where it went
    else:
        assert path.read_bytes() == original
    if case_id == "weights_malicious":
        assert not (case_dir / "PWNED").exists()  # refused, never executed


def test_format_error_is_what_import_dialogs_catch(corpus):
    """The COCO 'error' cases raise FormatError, the one type the import dialog and CLI report."""
    out, cases = corpus
    for case in cases.values():
        if case["loader"] == "coco" and case["outcome"] == "error":
            with pytest.raises(FormatError):
                run_loader(case, out / case["id"])
