"""The demo, end to end through the real command, scored against the generator's planted truth."""

from __future__ import annotations

import csv
import json
import math

import pytest


def raw_sum(build, sql: str) -> float:
    return build.query(sql.replace("{raw}", str(build.data)))[0][0]


def test_demo_builds_clean(demo_build):
    assert "warning" not in demo_build.result.stderr.lower()
    assert demo_build.query("select sum(rows_rejected) from mart_data_quality")[0][0] == 0
    assert demo_build.query("select count(*) from mart_influencer_performance")[0][0] == 500
    assert demo_build.query("select count(*) from mart_campaign_performance")[0][0] >= 10


def test_money_adds_up_to_the_raw_files(demo_build):
    payouts = raw_sum(demo_build, "select sum(total_payout) from '{raw}/payouts.csv'")
    revenue = raw_sum(
        demo_build, "select sum(revenue) from '{raw}/tracking_data.csv' where \"group\" = 1"
    )
    for mart in ("mart_influencer_performance", "mart_campaign_performance",
                 "mart_persona_performance", "mart_programme_summary"):
        spend, attributed = demo_build.query(
            f"select sum(spend), sum(attributed_revenue) from {mart}"
        )[0]
        assert spend == pytest.approx(payouts, rel=1e-9), mart
        assert attributed == pytest.approx(revenue, rel=1e-9), mart


def test_programme_increment_matches_planted_truth(demo_build):
    truth_dir = demo_build.data.parent / "raw_truth"
    truth = json.loads((truth_dir / "programme.json").read_text())
    true_increment = truth["true_incremental_revenue"]
    row = demo_build.one(
        "select incremental_revenue, incremental_revenue_se from mart_programme_summary"
    )
    z = (row["incremental_revenue"] - true_increment) / row["incremental_revenue_se"]
    assert abs(z) < 3.5, f"estimate {row['incremental_revenue']:.0f} vs truth {true_increment:.0f}"


def test_influencers_without_orders_are_unallocated(demo_build):
    with (demo_build.data.parent / "raw_truth" / "discrepancies.csv").open() as handle:
        kinds = {row["kind"] for row in csv.DictReader(handle)}
    assert kinds  # the generator documents its deliberate discrepancies
    unallocated = demo_build.query(
        "select spend from mart_campaign_performance where campaign = '(unallocated)'"
    )
    assert unallocated and unallocated[0][0] > 0


def test_site_has_a_page_per_influencer(demo_build):
    pages = list((demo_build.site / "influencers").glob("*.html"))
    assert len(pages) == 501  # 500 influencers + the list
    assert (demo_build.site / "assets" / "plotly.min.js").is_file()
    assert math.isfinite(demo_build.query("select roas from mart_programme_summary")[0][0])
