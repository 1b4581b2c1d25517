"""Incremental builds equal full rebuilds (docs/incremental.md).

A small generated programme is built without its last day; then, each time into the
same warehouse (so each run continues the previous build): the last day appended,
an old row changed (revenue, and another row moved to another day), a row deleted
in the middle of the file (every later line number shifts). After each incremental
run every public mart, fct_orders and int_user_purchases must equal a full build of
the same files into a fresh warehouse, row for row and bit for bit; and the run must
really have been incremental (its stage line says so, and roas_order_changes holds
only the orders that changed). A changed dbt var or project file falls back to a
full refresh and says why.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, run_roas, stage_line

from roas.export import public_marts
from roas.incremental import BuildState, current_state, plan_build, record_state

pytestmark = pytest.mark.slow

COMPARED_EXTRA = ("fct_orders", "int_user_purchases")


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def run(data: Path, warehouse: Path, *extra: str) -> str:
    result = run_roas("run", "--data", data, "--out", warehouse.parent / "site",
                      "--warehouse", warehouse, *extra)
    assert result.returncode == 0, f"roas run failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr  # the stage lines are on stderr


def build_line(stdout: str) -> str:
    return stage_line(stdout, "dbt build", until="dbt docs")


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [*public_marts(con), *COMPARED_EXTRA]
        return {
            name: con.execute(f"select * from main.{name} order by all").fetchall()
            for name in names
        }


def changes(warehouse: Path) -> dict[str, int]:
    """The lines fct_orders' incremental build replaced (none after a full build)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {name for (name,) in con.execute("select table_name from duckdb_tables()")
                  .fetchall()}
        if "roas_order_changes" not in tables:
            return {}
        rows = con.execute(
            "select change_side, count(*) from roas_order_changes group by change_side"
        ).fetchall()
    return dict(rows)


def assert_same(incremental: Path, full: Path) -> None:
    got, expected = snapshot(incremental), snapshot(full)
    assert sorted(got) == sorted(expected)
    assert "fct_orders" in got and "mart_programme_summary" in got
    for name in expected:
        assert len(got[name]) == len(expected[name]), name
        assert got[name] == expected[name], f"{name} differs from the full rebuild"


def full_build(data: Path, folder: Path) -> Path:
    warehouse = folder / "full.duckdb"
    assert "full build (no previous warehouse)" in build_line(run(data, warehouse))
    return warehouse


@pytest.fixture(scope="module")
def programme(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    generated = run_roas("generate", "--out", root / "raw", "--seed", "7",
                         "--orders", "4000", "--influencers", "40")
    assert generated.returncode == 0, generated.stderr
    return root


def test_append_change_delete_equal_full_rebuilds(programme: Path) -> None:
    raw = programme / "raw"
    header, rows = read_rows(raw / "tracking_data.csv")
    date_at = header.index("date")
    last_day = max(row[date_at] for row in rows)
    head = [row for row in rows if row[date_at] != last_day]
    appended = len(rows) - len(head)
    assert 0 < appended < len(rows) // 20

    data = programme / "data"
    shutil.copytree(raw, data)
    warehouse = programme / "inc" / "warehouse.duckdb"

    # 1. without the last day: the first build is a full one
    write_rows(data / "tracking_data.csv", header, head)
    assert "full build (no previous warehouse)" in build_line(run(data, warehouse))

    # 2. the last day appended: only its orders are inserted
    write_rows(data / "tracking_data.csv", header, rows)
    assert "incremental on the previous build" in build_line(run(data, warehouse))
    assert changes(warehouse) == {"new": appended}
    assert_same(warehouse, full_build(data, programme / "ref-append"))

    # 3. an old row's revenue changed, another row moved to another day
    revenue_at = header.index("revenue")
    changed = [list(row) for row in rows]
    changed[100][revenue_at] = f"{float(changed[100][revenue_at]) + 123.45:.2f}"
    changed[2000][date_at] = changed[10][date_at]
    write_rows(data / "tracking_data.csv", header, changed)
    assert "incremental on the previous build" in build_line(run(data, warehouse))
    assert 0 < changes(warehouse).get("old", 0) < len(rows) // 2
    assert_same(warehouse, full_build(data, programme / "ref-change"))

    # 4. a row deleted in the middle: the later lines move up one line number
    deleted = changed[:1500] + changed[1501:]
    write_rows(data / "tracking_data.csv", header, deleted)
    assert "incremental on the previous build" in build_line(run(data, warehouse))
    assert_same(warehouse, full_build(data, programme / "ref-delete"))

    # 5. a dbt var changed: the run rebuilds in full and says why
    line = build_line(run(data, warehouse, "--assumed-lift", "0.4"))
    assert "full refresh (the dbt vars (run options) changed" in line
    assert changes(warehouse) == {}
    # 6. --full-refresh rebuilds in full although nothing changed
    line = build_line(run(data, warehouse, "--assumed-lift", "0.4", "--full-refresh"))
    assert "full refresh (--full-refresh)" in line


def test_plan_falls_back_when_the_project_or_seeds_change(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, project / name)
    for folder in ("models", "macros", "seeds"):
        shutil.copytree(REPO / folder, project / folder)
    dbt_vars = {"assumed_lift": 0.3}
    state = current_state(dbt_vars, project)
    warehouse = tmp_path / "wh.duckdb"
    assert plan_build(warehouse, state, False).reason == "full build (no previous warehouse)"

    duckdb.connect(str(warehouse)).close()
    assert "has no build state" in plan_build(warehouse, state, False).reason
    record_state(warehouse, state)
    assert plan_build(warehouse, state, False).incremental
    assert not plan_build(warehouse, state, True).incremental

    with (project / "seeds" / "products.csv").open("a") as fh:
        fh.write("New Product 1kg,NewBrand,Protein,999.0\n")
    seeds_changed = current_state(dbt_vars, project)
    assert seeds_changed.project == state.project and seeds_changed.seeds != state.seeds
    plan = plan_build(warehouse, seeds_changed, False)
    assert not plan.incremental and "the seeds changed" in plan.reason

    (project / "models" / "marts" / "core" / "fct_orders.sql").write_text("select 1 as x\n")
    plan = plan_build(warehouse, current_state(dbt_vars, project), False)
    assert not plan.incremental and "the dbt project" in plan.reason

    plan = plan_build(warehouse, BuildState(state.project, state.seeds, "other"), False)
    assert not plan.incremental and "dbt vars" in plan.reason
