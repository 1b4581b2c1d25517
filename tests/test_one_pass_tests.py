"""The project's one-pass tests (macros/generic_tests.sql): one dbt node per model checks
every listed column (not_null_columns) or every row rule (rows_satisfy), and a failure
names the column or the rule."""

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


def test_a_broken_row_rule_is_found_and_named(hand_build: Build, tmp_path: Path) -> None:
    """rows_satisfy: a model's row rules in one dbt node; a failure names the rule."""
    compiled = build_paths(hand_build.warehouse).dbt_target_dir / "compiled"
    (sql,) = [path.read_text(encoding="utf-8")
              for path in compiled.rglob("mart_campaign_performance_row_rules.sql")]
    copy = tmp_path / NEW_WAREHOUSE
    shutil.copyfile(hand_build.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert con.execute(sql).fetchall() == []  # the built mart passes every rule
        con.execute("update mart_campaign_performance set p_value = 1.5 "
                    "where iroas_method = 'measured'")  # one campaign: Whey Summer
        assert con.execute(sql).fetchall() == [("campaigns_p_value_is_a_probability", 1)]
        con.execute("update mart_campaign_performance set p_value = null, mde_iroas = null "
                    "where iroas_method <> 'modelled'")  # two campaigns keep a power status
        assert con.execute(sql).fetchall() == [("campaigns_power_status_follows_the_mde", 2)]
