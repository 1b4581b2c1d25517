"""The project's one-pass not-null test (macros/generic_tests.sql, not_null_columns): one
dbt node per model checks every listed column, and a failure names the column."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from conftest import Build

from roas.paths import NEW_WAREHOUSE, build_paths


def compiled_test(build: Build, model: str) -> str:
    compiled = build_paths(build.warehouse).dbt_target_dir / "compiled"
    (sql,) = [text for path in compiled.rglob("not_null_columns_*.sql")
              if f'."{model}"' in (text := path.read_text(encoding="utf-8"))]
    return sql


def test_a_null_is_found_and_named(hand_build: Build, tmp_path: Path) -> None:
    sql = compiled_test(hand_build, "mart_campaign_performance")
    assert "spend" in sql and "attributed_revenue" in sql
    # the compiled test names the database dbt built: the build folder's fixed file
    copy = tmp_path / NEW_WAREHOUSE
    shutil.copyfile(hand_build.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert con.execute(sql).fetchall() == []  # the built mart passes
        con.execute("update mart_campaign_performance set spend = null "
                    "where campaign = (select min(campaign) from mart_campaign_performance)")
        assert con.execute(sql).fetchall() == [("spend", 1)]
