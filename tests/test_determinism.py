"""Issue 5, determinism: the same inputs and configuration give identical marts and a
byte-identical site, wherever the folders are.

The only clock a build reads is SOURCE_DATE_EPOCH (run_roas pins it): it is the
`validated_at` of the load audit, and nothing else in the warehouse or the site may
depend on the time, the process or the paths of a run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import (
    HAND_FIXTURE,
    HAND_MAX_REJECT_SHARE,
    Build,
    build_from,
    run_roas,
    stage_line,
)


def output(build: Build) -> str:
    return build.result.stdout + build.result.stderr


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of the warehouse (marts, dimensions, facts, quality), rows sorted."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()]  # fmt: skip
        return {n: sorted(con.execute(f'select * from "{n}"').fetchall(), key=repr) for n in names}


@pytest.fixture(scope="module")
def own_cache(tmp_path_factory) -> dict[str, str]:
    """A project cache of this module's own: `again` generates dbt's docs page afresh."""
    return {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg-cache"))}


@pytest.fixture(scope="module")
def again(tmp_path_factory, own_cache) -> Build:
    """The hand fixture built a second time, from and into other folders, by a user whose
    dbt settings keep no debug log file (roas reads the node results from that log)."""
    root = tmp_path_factory.mktemp("determinism") / "elsewhere"
    shutil.copytree(HAND_FIXTURE, root / "input files")
    env = {**own_cache, "DBT_LOG_LEVEL_FILE": "none", "DBT_LOG_FORMAT_FILE": "text"}
    return build_from(root / "input files", root, *HAND_MAX_REJECT_SHARE, env=env)


def test_dbt_log_settings_change_nothing_reported(hand_build, again):
    lines = [stage_line(build.result.stderr, "dbt build", until="dbt docs")
             for build in (hand_build, again)]
    counts = [re.search(r"(\d+) models and seeds, (\d+) tests passed", line)
              for line in lines]
    assert all(counts), lines
    (models, tests), (models_again, tests_again) = (map(int, c.groups()) for c in counts)
    assert models == models_again >= 30 and min(tests, tests_again) >= 50, lines


@pytest.mark.slow
def test_marts_are_identical(hand_build, again):
    first, second = tables(hand_build.warehouse), tables(again.warehouse)
    assert sorted(first) == sorted(second)
    assert {"mart_influencer_performance", "mart_programme_summary", "rejected_rows"} <= set(first)
    for name in first:
        assert first[name] == second[name], f"{name} differs between two identical runs"


# Each public table's grain; `select *` returns its rows in this order. dbt builds on
# several threads, so without it the stored order (and so `select *`, the Parquet exports
# and any report query without `order by`) changes from run to run.
KEY_ORDER = {
    "dim_influencers": "influencer_id",
    "fct_posts": "line_number",
    "fct_payouts": "line_number",
    "mart_influencer_performance": "influencer_id",
    "mart_influencer_plan": "influencer_id",
    "mart_campaign_performance": "campaign",
    "mart_payout_tracking": "influencer_id",
    "mart_brand_performance": "brand",
    "mart_incrementality_cells": "campaign, influencer_id",
    "mart_persona_performance": "category, gender",
    "mart_daily_performance": "date, campaign, influencer_id, product",
    "mart_data_quality": "source_file",
    "rejected_rows": "source_file, line_number",
    "validation_results": "source_file, expectation, column_name, rule",
}
UNORDERED = {
    "fct_orders",  # one row per order line: sorting millions of rows each build is not worth it
    "mart_programme_summary",  # one row
    "mart_programme_plan",  # one row
}


def test_public_tables_are_stored_in_key_order(hand_build):
    with duckdb.connect(str(hand_build.warehouse), read_only=True) as con:
        names = {r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_type = 'BASE TABLE' "
            "and (table_name similar to '(mart|dim|fct)_.*' "
            "     or table_name in ('rejected_rows', 'validation_results'))"
        ).fetchall()}  # fmt: skip
        assert names == KEY_ORDER.keys() | UNORDERED
        for name, key in KEY_ORDER.items():
            stored = con.execute(f'select * from "{name}"').fetchall()
            ordered = con.execute(f'select * from "{name}" order by {key}').fetchall()
            assert len(stored) > 1, name
            assert stored == ordered, f"{name} is not stored in {key} order"


@pytest.mark.slow
def test_site_is_byte_identical(hand_build, again):
    first, second = snapshot(hand_build.site), snapshot(again.site)
    differing = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    assert not differing, f"site files differ between two identical runs: {differing}"
    assert "index.html" in first


@pytest.mark.slow
def test_a_docs_page_reused_from_the_project_cache_is_the_generated_one(
    again, own_cache, tmp_path
):
    """A new warehouse of the same project, vars and schema takes dbt's docs page from the
    project's cache (as it takes the parse state) instead of running `dbt docs generate`:
    in another folder, the page and the whole site are the freshly generated ones."""
    assert "dbt docs" in again.result.stderr
    assert "reused" not in stage_line(output(again), "dbt docs")
    data = tmp_path / "third place"
    shutil.copytree(HAND_FIXTURE, data)
    restored = build_from(data, tmp_path / "out", *HAND_MAX_REJECT_SHARE, env=own_cache)
    assert "reused (same project, vars and schema)" in stage_line(output(restored), "dbt docs")
    assert snapshot(restored.site) == snapshot(again.site)


def test_the_build_time_is_source_date_epoch(hand_build):
    (validated_at,) = {r[0] for r in hand_build.query("select validated_at from mart_data_quality")}
    assert validated_at == dt.datetime.fromtimestamp(1767225600, dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_rendering_the_same_warehouse_again_gives_the_same_site(hand_build, tmp_path):
    result = run_roas("report", "--warehouse", hand_build.warehouse, "--out", tmp_path / "site",
                      env={"SOURCE_DATE_EPOCH": "1"})  # another clock: the site cannot tell
    assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path / "site") == snapshot(hand_build.site)
