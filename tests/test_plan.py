"""The plan through the contract, the `roas` command and the report (issue 11).

The planted-truth scoring is tests/test_decisions.py; the SQL's hand cases are dbt unit
tests (models/_unit_tests.yml). Here: the marts on the demo and the hand fixture, the
CLI's plan options and `roas plan`, and the edge cases (no control group at all, a
single influencer, zero spend, an influencer without orders).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import HAND_FIXTURE, HAND_MAX_REJECT_SHARE, Build, build_from, run_roas

INFLUENCER_PLAN = [
    "influencer_id", "name", "spend", "iroas", "iroas_verdict", "posterior_iroas",
    "posterior_iroas_low", "posterior_iroas_high", "p_profitable", "recommendation",
    "planned_spend", "expected_incremental_revenue", "breakeven_rate", "test_exposed_users",
    "test_control_users", "test_mde_iroas", "test_holdout_share", "test_holdout_cost",
]
PROGRAMME_PLAN = [
    "budget", "planned_spend", "expected_incremental_revenue",
    "expected_incremental_revenue_low", "expected_incremental_revenue_high",
    "expected_net_return", "status_quo_spend", "status_quo_incremental_revenue",
    "status_quo_incremental_revenue_low", "status_quo_incremental_revenue_high",
    "status_quo_net_return",
]


def columns(build: Build, table: str) -> list[str]:
    return [r[0] for r in build.query(
        "select column_name from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table])]


def test_plan_marts_have_the_contract_columns(demo_build):
    assert set(INFLUENCER_PLAN) <= set(columns(demo_build, "mart_influencer_plan"))
    assert set(PROGRAMME_PLAN) <= set(columns(demo_build, "mart_programme_plan"))


def test_programme_plan_adds_up_the_influencers(demo_build):
    programme = demo_build.one("select * from mart_programme_plan")
    sums = demo_build.one(
        "select count(*) as n, sum(planned_spend) as planned, sum(spend) as spend, "
        "sum(planned_spend * posterior_iroas) as expected, "
        "sum(planned_spend * (posterior_iroas - 1)) as net, "
        "sum(spend * posterior_iroas) as status_quo, "
        "sum(case when planned_spend > 2 * spend then 1 else 0 end) as over_cap "
        "from mart_influencer_plan")
    assert sums["n"] == demo_build.one("select count(*) as n from dim_influencers")["n"]
    assert sums["over_cap"] == 0
    assert programme["budget"] == pytest.approx(sums["spend"], abs=1e-6)  # default B
    assert programme["planned_spend"] == pytest.approx(sums["planned"], abs=1e-6)
    assert programme["planned_spend"] <= programme["budget"] + 1e-6
    assert programme["expected_incremental_revenue"] == pytest.approx(sums["expected"])
    assert programme["expected_net_return"] == pytest.approx(sums["net"])
    assert programme["status_quo_incremental_revenue"] == pytest.approx(sums["status_quo"])
    assert programme["expected_net_return"] > programme["status_quo_net_return"]
    actions = {r[0] for r in demo_build.query(
        "select distinct recommendation from mart_influencer_plan")}
    assert actions == {"scale", "keep", "test", "cut"}


def test_hand_fixture_zero_spend_and_no_orders(hand_build):
    rows = {r[0]: r[1:] for r in hand_build.query(
        "select influencer_id, spend, posterior_iroas, recommendation, planned_spend, "
        "test_holdout_share from mart_influencer_plan")}
    # influencer 3 has orders but no payout: no spend, nothing to reallocate
    assert rows[3] == (0.0, None, "keep", 0.0, None)
    # influencer 4 is paid but has no attributed order and no control arm: an assumption
    spend, posterior, action, planned, share = rows[4]
    assert (spend, action, planned) == (100.0, "test", 100.0) and share is not None


@pytest.mark.parametrize("budget", ["0", "-5", "nan"])
def test_a_budget_that_is_not_positive_is_a_usage_error(tmp_path, budget):
    done = run_roas("run", "--data", "tests/fixtures/hand", "--out", tmp_path / "site",
                    "--warehouse", tmp_path / "w.duckdb", "--budget", budget,
                    *HAND_MAX_REJECT_SHARE)
    assert done.returncode == 2, done.stderr
    assert "--budget" in done.stderr
    assert not (tmp_path / "w.duckdb").exists()


def copy_warehouse(build: Build, root: Path) -> Path:
    """A private copy of a built warehouse with its build folder (validated files)."""
    target = root / "w.duckdb"
    shutil.copyfile(build.warehouse, target)
    build_dir = build.warehouse.with_name(build.warehouse.stem + ".build")
    shutil.copytree(build_dir / "validated", root / "w.build" / "validated", symlinks=False)
    return target


def test_roas_plan_prints_and_rebuilds_only_the_plan(demo_build, tmp_path):
    warehouse = copy_warehouse(demo_build, tmp_path)
    shown = run_roas("plan", "--warehouse", warehouse)
    assert shown.returncode == 0, shown.stderr
    assert "Next period's plan" in shown.stdout and "status quo" in shown.stdout

    assert run_roas("plan", "--warehouse", warehouse, "--budget", "0").returncode == 2
    assert run_roas("plan", "--warehouse", warehouse, "--max-scale", "-1").returncode == 2

    def frame(sql: str) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    performance = frame("select * from mart_influencer_performance order by influencer_id")
    rebuilt = run_roas("plan", "--warehouse", warehouse, "--budget", "1000000",
                       "--max-scale", "1.5")
    assert rebuilt.returncode == 0, rebuilt.stderr
    [(budget, planned, scale, unspent)] = frame(
        "select budget, planned_spend, max_scale, unspent_budget from mart_programme_plan")
    assert (budget, scale) == (1_000_000, 1.5)
    assert planned <= budget and unspent == pytest.approx(budget - planned)
    assert frame("select count(*) from mart_influencer_plan "
                 "where planned_spend > 1.5 * spend") == [(0,)]
    assert frame("select * from mart_influencer_performance order by influencer_id") == performance

    # far more than the profitable influencers can absorb: each funded to its cap, the
    # rest unspent, and the plan says so; the budget option is kept by the next rebuild
    huge = run_roas("plan", "--warehouse", warehouse, "--budget", "1e9")
    assert huge.returncode == 0, huge.stderr
    assert "unspent" in huge.stdout
    [(unspent, note)] = frame("select unspent_budget, plan_note from mart_programme_plan")
    assert unspent > 9e8 and "unspent" in note
    capped = frame(
        "select count(*) from mart_influencer_plan where posterior_method = 'measured' "
        "and posterior_iroas > 1 and planned_spend <> max_planned_spend")
    assert capped == [(0,)]
    again = run_roas("plan", "--warehouse", warehouse, "--max-scale", "2")
    assert again.returncode == 0, again.stderr
    assert frame("select budget from mart_programme_plan") == [(1e9,)]


def _without_control_group(source: Path, target: Path) -> None:
    """A HealthKart-style export: no audiences.csv, no `group` column."""
    shutil.copytree(source, target)
    (target / "audiences.csv").unlink()
    with (source / "tracking_data.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [n for n in rows[0] if n != "group"]
    with (target / "tracking_data.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def unmeasured_build(tmp_path_factory) -> Build:
    root = tmp_path_factory.mktemp("no_control")
    generated = run_roas("generate", "--out", root / "generated", "--seed", "5",
                         "--influencers", "60", "--orders", "3000")
    assert generated.returncode == 0, generated.stderr
    _without_control_group(root / "generated", root / "raw")
    return build_from(root / "raw", root)


def test_without_a_control_group_everything_is_a_test(unmeasured_build):
    counts = dict(unmeasured_build.query(
        "select recommendation, count(*) from mart_influencer_plan group by 1"))
    assert set(counts) <= {"test", "keep"} and counts["test"] > 0
    assert unmeasured_build.query(
        "select count(*) from mart_influencer_plan where spend > 0 and "
        "(posterior_method <> 'assumed' or abs(planned_spend - spend) >= 0.01 "
        " or test_holdout_share is null)") == [(0,)]
    programme = unmeasured_build.one("select * from mart_programme_plan")
    assert programme["influencers_measured"] == 0
    assert programme["plan_note"].startswith("Nothing is measured")
    for page in ("plan.html", "incrementality.html"):
        html = (unmeasured_build.site / page).read_text()
        assert "Nothing is measured" in html and "split at random" not in html


def _only_influencer(source: Path, target: Path, influencer: str) -> None:
    """The hand fixture cut down to one influencer's rows in every file."""
    target.mkdir()
    for path in source.glob("*.csv"):
        with path.open(newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            key = next(i for i, name in enumerate(header)
                       if name.strip().lower() in ("influencer_id", "id"))
            rows = [row for row in reader if row[key].strip() == influencer]
        with (target / path.name).open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)


def test_a_single_influencer_gets_a_plan(tmp_path):
    _only_influencer(HAND_FIXTURE, tmp_path / "raw", "6")
    build = build_from(tmp_path / "raw", tmp_path, *HAND_MAX_REJECT_SHARE)
    row = build.one("select * from mart_influencer_plan")
    assert row["influencer_id"] == 6
    assert row["recommendation"] in {"scale", "keep", "test", "cut"}
    assert 0 <= row["planned_spend"] <= 2 * row["spend"]
    assert row["posterior_method"] == "measured"  # no pool: the flat prior
    assert build.one("select count(*) as n from mart_programme_plan")["n"] == 1
