"""The acceptance run of Custom Auto-Label, on a CPU with 2 threads: a generated folder of shapes
of three classes with known ground truth and 40 done images; train the small model for at most
5 minutes (900 steps) in a training process; auto-fill 40 other images with the project model through
maskpilot-label; export COCO through our exporter; pycocotools mask AP50 >= 0.8 against the
generated ground truth."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from app.cli import label
from app.formats.coco import export_coco
from app.training.domain.messages import Finished, Progress, TrainingJob, Validation
from app.training.domain.runner import TrainingRun
from tests.training.projects import GeneratedProject, make_project

#: Budgeted by steps, not minutes, so the outcome does not depend on how busy the machine is.
#: On the idle 2-core machine a step of the small model takes ~0.23 s, so 900 steps train in
#: about 4 minutes (the acceptance budget is 5). The same data trained outside the app gave
#: held-out mask AP50 0.747 after 600 steps and 0.856 after 900.
TRAIN_STEPS = 900


def _ground_truth(project: GeneratedProject, exported: dict) -> dict:
    """COCO instances of the generated truth, with the exported file's image ids and categories."""
    anns = []
    for img in exported["images"]:
        scene = project.truth[img["file_name"]]
        for mask, cid in zip(scene.masks, scene.category_ids, strict=True):
            rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
            anns.append({"id": len(anns) + 1, "image_id": img["id"], "category_id": int(cid), "iscrowd": 0,
                         "segmentation": {"size": rle["size"], "counts": rle["counts"].decode()},
                         "area": float(mask.sum()), "bbox": [float(v) for v in mask_utils.toBbox(rle)]})  # fmt: skip
    return {"images": exported["images"], "annotations": anns, "categories": exported["categories"]}


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~5 minutes on the idle machine; a busy one takes longer, same result
def test_train_autofill_export_reaches_ap50_08(tmp_path) -> None:
    project = make_project(tmp_path / "shapes", done=40, other=40, seed=7)
    # normal priority: the test measures what the model learns, not how a busy machine shares its CPUs
    job = TrainingJob(str(project.folder), name="shapes", steps=TRAIN_STEPS, threads=2, device="cpu",
                      validations=10, low_priority=False)  # fmt: skip
    run = TrainingRun(job).start()
    messages = list(run)
    final = run.result
    assert isinstance(final, Finished) and not final.cancelled, final
    steps = [m.step for m in messages if isinstance(m, Progress)]
    curve = [round(m.ap50, 3) for m in messages if isinstance(m, Validation)]
    training = project.store.root / "models" / "shapes.json"
    cpu = json.loads(training.read_text())["training"]["cpu_seconds_this_run"]
    print(f"\n{final.message}; {cpu} CPU seconds in {final.seconds:.0f} s; validation AP50 curve {curve}")
    assert steps == sorted(steps) and curve
    assert label.main([str(project.folder), "--model", "project:shapes", "--images", *project.other,
                       "--score", "0.1", "--device", "cpu", "--quiet"]) == 0  # fmt: skip
    store = project.store
    out = tmp_path / "export.json"
    report = export_coco(project.folder, store, store.load_project().labels, project.other, out,
                         include_suggestions=True)  # fmt: skip
    assert report.files_written == 1
    exported = json.loads(out.read_text())
    assert {img["file_name"] for img in exported["images"]} == set(project.other)
    gt = COCO()
    gt.dataset = _ground_truth(project, exported)
    results = [{"image_id": a["image_id"], "category_id": a["category_id"], "segmentation": a["segmentation"],
                "score": a["score"]} for a in exported["annotations"]]  # fmt: skip
    assert results, "the project model suggested nothing"
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, iouType="segm")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    ap, ap50 = float(ev.stats[0]), float(ev.stats[1])
    print(f"auto-filled {len(project.other)} images: mask AP {ap:.3f}, AP50 {ap50:.3f}")
    assert ap50 >= 0.8, (ap50, final.metrics)
