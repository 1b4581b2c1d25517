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
    # the failing node's compiled SQL, where dbt writes it (its log names the file)
    paths = build_paths(tmp_path / "warehouse.duckdb")
    compiled = paths.dbt_target_dir / "compiled" / "influencer_roas" / "models" / "_x.yml"
    compiled.mkdir(parents=True)
    (compiled / "rows.sql").write_text(sql, encoding="utf-8")
    (compiled / "other.sql").write_text("select 1", encoding="utf-8")
    failed = {"unique_id": "test.influencer_roas.rows", "node_path": "rows.sql"}
    assert _failed_checks(failed, paths, tmp_path / NEW_WAREHOUSE) == (
        " (campaigns_p_value_is_a_probability: 1; spend is not null: 1)")
    other = {"unique_id": "test.influencer_roas.other", "node_path": "other.sql"}
    assert _failed_checks(other, paths, tmp_path / NEW_WAREHOUSE) == ""


def test_node_results_are_this_invocations_only(tmp_path: Path) -> None:
    """dbt appends every run to the build folder's dbt.log: the results read back are
    those of the invocation that the command's own output names."""
    import json

    from roas.dbt_runner import _node_results

    def finished(invocation: str, name: str, status: str) -> str:
        return json.dumps({
            "info": {"name": "NodeFinished", "invocation_id": invocation},
            "data": {"node_info": {"unique_id": f"test.p.{name}", "node_path": f"{name}.sql"},
                     "run_result": {"status": status, "message": f"{name} {status}"}}})

    paths = build_paths(tmp_path / "warehouse.duckdb")
    paths.dbt_log_dir.mkdir(parents=True)
    (paths.dbt_log_dir / "dbt.log.1").write_text(finished("run-2", "a", "pass") + "\n")
    (paths.dbt_log_dir / "dbt.log").write_text("\n".join([
        finished("run-1", "a", "fail"), "not json", finished("run-2", "b", "fail")]) + "\n")
    printed = ['{"info": {"name": "MainReportVersion", "invocation_id": "run-2"}}']
    assert _node_results(paths, printed) == [
        {"unique_id": "test.p.b", "node_path": "b.sql", "status": "fail", "message": "b fail"},
        {"unique_id": "test.p.a", "node_path": "a.sql", "status": "pass", "message": "a pass"},
    ]
    assert _node_results(paths, ["dbt printed no JSON"]) == []
