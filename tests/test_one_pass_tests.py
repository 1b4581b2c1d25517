"""The project's one-node data test (macros/generic_tests.sql, rows_satisfy): one dbt node
per model checks its unique keys, its not-null columns and its row rules in one query, and
a failure names the broken check and how many rows (or key values) break it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import Build

from roas.paths import NEW_WAREHOUSE, build_paths


@pytest.fixture()
def campaigns(hand_build: Build, tmp_path: Path):
    """The compiled row checks of mart_campaign_performance, and a writable copy of the
    hand build to break rows in (the compiled test names the build folder's fixed file)."""
    compiled = build_paths(hand_build.warehouse).dbt_target_dir / "compiled"
    (sql,) = [path.read_text(encoding="utf-8")
              for path in compiled.rglob("mart_campaign_performance_row_rules.sql")]
    copy = tmp_path / NEW_WAREHOUSE
    shutil.copyfile(hand_build.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert con.execute(sql).fetchall() == []  # the built mart passes every check
        yield con, sql


@pytest.mark.parametrize(("breakage", "found"), [
    ("update mart_campaign_performance set spend = null "
     "where campaign = (select min(campaign) from mart_campaign_performance)",
     [("spend is not null", 1)]),
    ("update mart_campaign_performance set p_value = 1.5 "
     "where iroas_method = 'measured'",  # one campaign: Whey Summer
     [("campaigns_p_value_is_a_probability", 1)]),
    ("update mart_campaign_performance set p_value = null, mde_iroas = null "
     "where iroas_method <> 'modelled'",  # two campaigns keep a power status
     [("campaigns_power_status_follows_the_mde", 2)]),
    ("update mart_campaign_performance set iroas_verdict = 'great' "
     "where iroas_method = 'measured'",
     [("iroas_verdict_accepted_values", 1)]),
    ("insert into mart_campaign_performance "
     "select * from mart_campaign_performance where iroas_method = 'measured'",
     [("unique (campaign)", 1)]),
], ids=["null", "rule", "rule-across-columns", "unknown-value", "repeated-key"])
def test_a_broken_check_is_found_and_named(campaigns, breakage: str, found: list) -> None:
    con, sql = campaigns
    con.execute(breakage)
    assert con.execute(sql).fetchall() == found


def test_a_failed_build_names_the_broken_checks(campaigns, tmp_path: Path) -> None:
    """roas's error for a failing rows_satisfy node lists what its rows found."""
    from roas.dbt_runner import _failed_checks

    con, sql = campaigns
    con.execute("update mart_campaign_performance set p_value = 1.5, spend = null "
                "where iroas_method = 'measured'")
    con.close()
    assert _failed_checks({"compiled_code": sql}, tmp_path / NEW_WAREHOUSE) == (
        " (campaigns_p_value_is_a_probability: 1; spend is not null: 1)")
    assert _failed_checks({"compiled_code": "select 1"}, tmp_path / NEW_WAREHOUSE) == ""
