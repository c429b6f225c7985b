"""How --ray sizes its pipeline from the cluster's resources, and that nothing else imports Ray
(no Ray needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.cli.cluster_plan import READ_CPUS, ClusterPlan, PlanError, plan_cluster
from tests.cluster.conftest import ROOT


def test_cpu_only_cluster() -> None:
    one = plan_cluster({"CPU": 2.0}, "auto", batch=4)
    assert one == ClusterPlan(actors=1, cpus=2 - READ_CPUS, gpus=0.0, cores=2, batch_size=8)
    two = plan_cluster({"CPU": 2.0}, "cpu", batch=1, actors=2, ray_batch=3)
    assert (two.actors, two.cores, two.batch_size) == (2, 1, 3)
    assert two.actors * two.cpus + READ_CPUS <= 2  # room left for read+decode tasks
    big = plan_cluster({"CPU": 32.0}, "auto", batch=4)
    assert (big.actors, big.cores) == (8, 4) and big.actors * big.cpus + big.actors * READ_CPUS <= 32
    crowded = plan_cluster({"CPU": 2.0}, "cpu", batch=1, actors=8)
    assert crowded.actors == 8 and crowded.cores == 1 and crowded.cpus > 0


def test_gpu_cluster() -> None:
    plan = plan_cluster({"CPU": 16.0, "GPU": 2.0}, "auto", batch=4)
    assert (plan.actors, plan.gpus, plan.cores) == (2, 1.0, 4) and plan.cpus == 1 - READ_CPUS
    shared = plan_cluster({"CPU": 16.0, "GPU": 1.0}, "cuda", batch=4, actors=2)
    assert shared.gpus == 0.5
    on_cpu = plan_cluster({"CPU": 16.0, "GPU": 2.0}, "cpu", batch=4)
    assert on_cpu.gpus == 0.0 and on_cpu.actors == 4
    assert "GPU" in plan.describe() and "2 model actor(s)" in plan.describe()


def test_plans_that_cannot_work_say_why() -> None:
    with pytest.raises(PlanError, match="no GPU"):
        plan_cluster({"CPU": 4.0}, "cuda", batch=4)
    with pytest.raises(PlanError, match="at least 1"):
        plan_cluster({"CPU": 0.0}, "auto", batch=4)
    with pytest.raises(PlanError, match="--ray-actors"):
        plan_cluster({"CPU": 4.0}, "auto", batch=4, actors=0)


def test_ray_is_imported_only_for_a_ray_run() -> None:
    """The CLIs parse --ray without Ray; the app's packages never reach it (import-linter checks
    the code, this the running imports)."""
    code = (
        "import sys\n"
        "from app.cli import label, embed, cluster_plan\n"
        "label.build_parser().parse_args(['f', '--model', 'maskrcnn_resnet50_fpn', '--ray', 'auto'])\n"
        "embed.build_parser().parse_args(['f', '--ray'])\n"
        "import app.formats.store, app.ai.domain.suggestions, app.cli.common\n"
        "assert 'ray' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
