"""The benchmark's smoke run (100k tracking rows): what `make bench` does, small.

It checks that the harness measures every step, that the incremental run and the
Parquet-input run give the full build's marts, and that the two baselines compute the
same numbers as the marts they are compared with (so the comparison is like for like).
The figures themselves are printed, not asserted: speed is judged by `make bench`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
ROWS = 100_000
STEPS = {
    "roas generate", "roas run", "roas run, Parquet input", "roas run, all but the last day",
    "roas run after appending a day", "baseline: floor", "baseline: pandas",
}
RUN_STAGES = {"inputs", "validate", "dbt build", "dbt docs", "export", "report"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    root = tmp_path_factory.mktemp("bench")
    completed = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", str(ROWS),
         "--out", str(root / "results"), "--work", str(root / "work"), "--no-demo"],
        capture_output=True, text=True, cwd=REPO, timeout=1200,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    print(completed.stdout)
    results = json.loads((root / "results" / "latest.json").read_text())
    markdown = (root / "results" / "latest.md").read_text()
    return results, markdown, root / "work" / f"rows_{ROWS}"


def test_every_step_is_measured(bench: tuple[dict, str, Path]) -> None:
    results, markdown, _ = bench
    (size,) = results["results"]
    assert size["rows"] == ROWS
    assert set(size["steps"]) == STEPS
    for label, step in size["steps"].items():
        assert step["seconds"] > 0 and step["peak_mb"] > 0, label
        if label.startswith("roas run"):
            assert set(step["stages"]) == RUN_STAGES, label
    assert results["machine"]["cores"] >= 1
    targets = {t["target"]: t for t in results["targets"]}
    assert len(targets) == 10
    for target in targets.values():
        assert target["verdict"] == "met" or target["verdict"].startswith("missed"), target
        assert f"| {target['target']} | {target['measured']} | {target['verdict']} |" in markdown


def test_incremental_and_parquet_runs_give_the_full_builds_marts(
    bench: tuple[dict, str, Path],
) -> None:
    results, _, work = bench
    (size,) = results["results"]
    assert size["marts_identical"] == {
        "Parquet input vs CSV": "identical", "appended day vs full build": "identical",
    }
    # the appended-day run really built on the previous warehouse; the others from nothing
    plans = {label: step["build_plan"] for label, step in size["steps"].items()
             if label.startswith("roas run")}
    assert plans == {
        "roas run": "full build (no previous warehouse)",
        "roas run, Parquet input": "full build (no previous warehouse)",
        "roas run, all but the last day": "full build (no previous warehouse)",
        "roas run after appending a day": "incremental on the previous build",
    }
    # the appended day really was appended: the incremental warehouse has every order
    con = duckdb.connect()
    orders = {
        name: con.execute(f"select count(*) from '{work / name / 'roas.marts'}/fct_orders.parquet'")
        .fetchall()[0][0]
        for name in ("full", "incremental")
    }
    assert orders["full"] == orders["incremental"] >= ROWS * 0.9


def test_baselines_compute_what_the_marts_compute(bench: tuple[dict, str, Path]) -> None:
    _, _, work = bench
    marts = work / "full" / "roas.marts"
    con = duckdb.connect()
    roas_gap = con.execute(
        f"""
        select count(*), max(abs(b.roas - m.roas) / m.roas)
        from read_csv('{work / "baseline_pandas.csv"}') b
        join '{marts / "mart_influencer_performance.parquet"}' m using (influencer_id)
        where m.spend > 0 and m.attributed_revenue > 0
        """
    ).fetchall()[0]
    assert roas_gap[0] >= 100 and roas_gap[1] < 1e-9, roas_gap
    arms = con.execute(
        f"""
        with floor as (select * from read_csv('{work / "baseline_floor.csv"}')),
        cells as (
            select campaign, influencer_id, 1 as "group", exposed_revenue as revenue,
                   exposed_orders as units, exposed_buyers as buyers
            from '{marts / "mart_incrementality_cells.parquet"}' where not is_spend_only
            union all
            select campaign, influencer_id, 0, control_revenue, control_orders, control_buyers
            from '{marts / "mart_incrementality_cells.parquet"}' where not is_spend_only
        )
        select count(*), count(cells.campaign),
               max(abs(floor.revenue - cells.revenue)), max(abs(floor.units - cells.units)),
               max(abs(floor.buyers - cells.buyers))
        from floor left join cells using (campaign, influencer_id, "group")
        """
    ).fetchall()[0]
    assert arms[0] > 100 and arms[1] == arms[0], arms
    assert arms[2] < 1e-6 and arms[3] == 0 and arms[4] == 0, arms
