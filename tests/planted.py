"""Planted-truth programmes shared by the test modules (session fixture `programmes`).

Nine programmes are generated and built through the real stages (generator -> Great
Expectations validation -> the dbt models of the marts read by the tests; the dbt data
tests and the report are left to the other test files), two workers at a time. See
tests/test_incrementality.py and tests/test_decisions.py for what they check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]

# A child process builds a list of programmes in turn (imports and Great Expectations
# start once per process): generate, validate, build the dbt models of the marts read
# here (the data tests and the report run in the other test files).
WORKER = r"""
import json, sys
from pathlib import Path
from generator import generate
from roas.config import RunConfig
from roas.dbt_runner import build_warehouse
from roas.paths import build_paths
from roas.validation import validate_folder

MARTS = " ".join("+" + m for m in ("mart_incrementality_cells", "mart_influencer_performance",
    "mart_campaign_performance", "mart_brand_performance", "mart_programme_summary",
    "mart_influencer_plan", "mart_programme_plan"))
for spec in json.loads(sys.argv[1]):
    raw = Path(spec["raw"])
    generate(raw, seed=spec["seed"], orders=spec["orders"], influencers=spec["influencers"])
    if spec["drop_audiences"]:
        (raw / "audiences.csv").unlink()
    paths = build_paths(Path(spec["warehouse"]))
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    report = validate_folder(raw, paths.validated_dir)
    dbt_vars = RunConfig().dbt_vars(
        has_audiences=report.has_audiences, tracking_has_group=report.tracking_has_group)
    build_warehouse("build --resource-type model --resource-type seed --select " + MARTS,
                    paths, dbt_vars)
"""


@dataclass(frozen=True)
class Spec:
    name: str
    seed: int
    orders: int | None = None
    influencers: int = 500
    drop_audiences: bool = False


# two workers of about equal work (~55 s of CPU each)
WORKERS = [
    [Spec("large-1", 1, orders=600_000, influencers=150),
     Spec("large-2", 2, orders=600_000, influencers=150),
     Spec("large-3", 3, orders=600_000, influencers=150),
     Spec("no_audiences-3", 3, drop_audiences=True)],
    [Spec("demo-1", 1), Spec("demo-2", 2), Spec("demo-3", 3),
     Spec("no_audiences-1", 1, drop_audiences=True),
     Spec("no_audiences-2", 2, drop_audiences=True)],
]


@dataclass(frozen=True)
class Programme:
    spec: Spec
    warehouse: Path
    truth: Path

    def frame(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).df()

    def cells(self) -> pd.DataFrame:
        """Measured cells of the mart joined to their planted truth."""
        marts = self.frame(
            """
            select m.*, h.exposed_revenue_sq, h.control_revenue_sq
            from mart_incrementality_cells as m
            inner join int_holdout_cells as h
                on m.campaign = h.campaign and m.influencer_id = h.influencer_id
            where m.method = 'measured'
            """
        )
        truth = pd.read_csv(self.truth / "cells.csv")
        cells = marts.merge(truth, on=["campaign", "influencer_id"], how="inner",
                            suffixes=("", "_true"))
        cells["seed"] = self.spec.seed
        return cells

    def influencers(self) -> pd.DataFrame:
        marts = self.frame("select * from mart_influencer_performance")
        truth = pd.read_csv(self.truth / "influencers.csv")
        frame = marts.merge(truth, on="influencer_id", suffixes=("", "_true"))
        frame["seed"] = self.spec.seed
        return frame


def _paths(spec: Spec, root: Path) -> tuple[Path, Path]:
    return root / spec.name / "raw", root / spec.name / "warehouse.duckdb"


def _build(specs: list[Spec], root: Path) -> None:
    payload = []
    for spec in specs:
        raw, warehouse = _paths(spec, root)
        payload.append({"raw": str(raw), "warehouse": str(warehouse), "seed": spec.seed,
                        "orders": spec.orders, "influencers": spec.influencers,
                        "drop_audiences": spec.drop_audiences})
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run([sys.executable, "-c", WORKER, json.dumps(payload)], cwd=REPO,
                          env=env, capture_output=True, text=True)
    names = ", ".join(spec.name for spec in specs)
    assert done.returncode == 0, f"{names}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="session")
def programmes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Programme]:
    root = tmp_path_factory.mktemp("planted")
    with ThreadPoolExecutor(max_workers=len(WORKERS)) as pool:
        list(pool.map(lambda specs: _build(specs, root), WORKERS))
    built = {}
    for spec in (spec for specs in WORKERS for spec in specs):
        raw, warehouse = _paths(spec, root)
        built[spec.name] = Programme(spec, warehouse, raw.parent / "raw_truth")
    return built


def _group(programmes: dict[str, Programme], kind: str) -> list[Programme]:
    return [p for name, p in programmes.items() if name.startswith(kind + "-")]


