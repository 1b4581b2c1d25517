"""Every mart value of the hand fixture (tests/fixtures/hand), computed by hand.

Cells (campaign, influencer) and their arms, from tracking_data.csv and audiences.csv.
x is a user's revenue summed within the cell and arm; non-buyers count as 0.
Variance with arm sizes: Var = N1^2 (s1^2/N1 + s0^2/N0), s^2 = (Σx² - (Σx)²/N)/(N-1).

WS = "Whey Summer", KM = 'Kids "Monsoon" Drive'.
(WS,1) N1=10 N0=5 k=2. exposed x = 150 (u1001: 100+50), 200 (u1002); control x = 60.
       incr = 350 - 2*60 = 230
       s1² = (62500 - 350²/10)/9 = 5583.333..; s0² = (3600 - 60²/5)/4 = 720
       Var = 100 * (558.333.. + 144) = 70233.333..
(WS,2) N1=8 N0=4 k=2. exposed x = 300; control none. incr = 300
       s1² = (90000 - 11250)/7 = 11250; Var = 64 * 11250/8 = 90000
(KM,2) N1=6 N0=3 k=2. exposed 120, control 40. incr = 120 - 80 = 40
       s1² = (14400 - 2400)/5 = 2400; s0² = (1600 - 533.33..)/2 = 533.33..
       Var = 36 * (400 + 177.77..) = 20800
(WS,3) N1=4 N0=2 k=2. exposed 80, control 90. incr = 80 - 180 = -100
       s1² = (6400 - 1600)/3 = 1600; s0² = (8100 - 4050)/1 = 4050; Var = 16 * 2425 = 38800
(KM,5) no audiences row: modelled, R1 = 260, incr = 260 - 260/1.3 = 60, no variance.
(KM,6) N1=2 N0=2 k=1. exposed 100, 100; control none. incr = 200, Var = 0 (no spread).
(WS,7) N1=2 N0=2 k=1. exposed 100, 100; control 100, 100. incr = 0, Var = 0.
Influencer 4 has no orders: its payout (100) goes to '(unallocated)', a modelled cell, incr 0.

Spend: payouts.csv has no campaign column, so each payout is spread over the influencer's
campaigns by attributed orders: influencer 2 has 3 units in WS and 1 in KM -> 225 / 75.
Line 19 (revenue 'abc') and line 20 (influencer 99) of tracking_data.csv are rejected.
"""

from __future__ import annotations

import math

import pytest

Z = 1.96
WS, KM = "Whey Summer", 'Kids "Monsoon" Drive'
VAR_WS1, VAR_WS2, VAR_KM2, VAR_WS3 = 70233.0 + 1 / 3, 90000.0, 20800.0, 38800.0


def interval(incr: float, var: float, spend: float) -> tuple[float, float]:
    half = Z * math.sqrt(var)
    return (incr - half) / spend, (incr + half) / spend


def approx(value: float) -> pytest.approx:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


def influencer(build, influencer_id: int) -> dict:
    return build.one(
        "select * from mart_influencer_performance where influencer_id = ?", [influencer_id]
    )


def test_programme_summary(hand_build):
    row = hand_build.one("select * from mart_programme_summary")
    assert row["attributed_revenue"] == approx(1510.0)
    assert row["attributed_orders"] == 15
    assert row["control_revenue"] == approx(60 + 40 + 90 + 200)
    assert row["spend"] == approx(610.0)
    assert row["roas"] == approx(1510 / 610)
    assert row["roi"] == approx((1510 - 610) / 610)
    assert row["cpa"] == approx(610 / 15)
    assert row["aov"] == approx(1510 / 15)
    assert row["incremental_revenue"] == approx(730.0)
    var = VAR_WS1 + VAR_WS2 + VAR_KM2 + VAR_WS3
    assert row["incremental_revenue_se"] == approx(math.sqrt(var))
    assert row["iroas"] == approx(730 / 610)
    low, high = interval(730, var, 610)
    assert (row["iroas_ci_low"], row["iroas_ci_high"]) == (approx(low), approx(high))
    assert row["iroas_method"] == "mixed"
    assert row["iroas_verdict"] == "inconclusive"


def test_measured_influencer_with_quoted_name(hand_build):
    row = influencer(hand_build, 1)
    assert row["name"] == 'Aarav "The Lifter" Sharma, Jr.'
    assert row["influencer_type"] == "micro"  # derived: 10,000 <= 45,000 < 100,000
    assert row["attributed_revenue"] == approx(350.0)
    assert row["attributed_orders"] == 4
    assert row["spend"] == approx(80.0)
    assert row["roas"] == approx(350 / 80)
    assert row["incremental_revenue"] == approx(230.0)
    assert row["iroas"] == approx(230 / 80)
    low, high = interval(230, VAR_WS1, 80)
    assert (row["iroas_ci_low"], row["iroas_ci_high"]) == (approx(low), approx(high))
    assert (row["iroas_method"], row["iroas_verdict"]) == ("measured", "inconclusive")
    assert row["is_poor_roi"] is False


def test_influencer_across_two_campaigns(hand_build):
    row = influencer(hand_build, 2)
    assert row["influencer_type"] == "mega"
    assert row["attributed_revenue"] == approx(420.0)
    assert row["spend"] == approx(300.0)
    assert row["incremental_revenue"] == approx(340.0)
    low, high = interval(340, VAR_WS2 + VAR_KM2, 300)
    assert (row["iroas_ci_low"], row["iroas_ci_high"]) == (approx(low), approx(high))


def test_zero_payout_gives_null_ratios(hand_build):
    row = influencer(hand_build, 3)
    assert row["influencer_type"] == "nano"
    assert row["spend"] == approx(0.0)
    assert row["roas"] is None and row["iroas"] is None
    assert row["iroas_ci_low"] is None and row["iroas_ci_high"] is None
    assert row["incremental_revenue"] == approx(-100.0)
    assert row["iroas_verdict"] == "inconclusive"
    assert row["is_poor_roi"] is False  # no ROAS, so no poor-ROI flag


def test_influencer_without_orders(hand_build):
    row = influencer(hand_build, 4)
    assert row["attributed_revenue"] == approx(0.0)
    assert row["attributed_orders"] == 0
    assert row["spend"] == approx(100.0)
    assert row["roas"] == approx(0.0)
    assert row["is_poor_roi"] is True
    assert (row["iroas_method"], row["iroas_verdict"]) == ("modelled", "assumed")
    assert row["iroas_ci_low"] is None


def test_modelled_influencer_uses_assumed_lift(hand_build):
    row = influencer(hand_build, 5)
    assert row["attributed_revenue"] == approx(260.0)
    assert row["incremental_revenue"] == approx(260 - 260 / 1.3)
    assert row["iroas"] == approx(60 / 60)
    assert (row["iroas_method"], row["iroas_verdict"]) == ("modelled", "assumed")
    assert row["iroas_ci_low"] is None and row["iroas_ci_high"] is None


def test_profitable_and_unprofitable_verdicts(hand_build):
    profitable = influencer(hand_build, 6)
    assert profitable["name"] == "Meera <b>Bold</b> Rao"
    assert profitable["iroas"] == approx(4.0)
    assert profitable["iroas_ci_low"] == approx(4.0)
    assert profitable["iroas_verdict"] == "profitable"
    # High ROAS, yet the control arm bought as much: nothing incremental.
    unprofitable = influencer(hand_build, 7)
    assert unprofitable["roas"] == approx(10.0)
    assert unprofitable["iroas"] == approx(0.0)
    assert unprofitable["iroas_ci_high"] == approx(0.0)
    assert unprofitable["iroas_verdict"] == "unprofitable"


def test_campaigns(hand_build):
    rows = {
        r[0]: r[1:]
        for r in hand_build.query(
            "select campaign, attributed_revenue, attributed_orders, spend, incremental_revenue,"
            " iroas_ci_low, iroas_ci_high, iroas_method from mart_campaign_performance"
        )
    }
    assert set(rows) == {WS, KM, "(unallocated)"}
    revenue, orders, spend, incr, low, high, method = rows[WS]
    assert (revenue, orders, spend, incr) == (approx(930), 10, approx(325), approx(430))
    exp_low, exp_high = interval(430, VAR_WS1 + VAR_WS2 + VAR_WS3, 325)
    assert (low, high, method) == (approx(exp_low), approx(exp_high), "measured")
    revenue, orders, spend, incr, low, high, method = rows[KM]
    assert (revenue, orders, spend, incr) == (approx(580), 5, approx(185), approx(300))
    exp_low, exp_high = interval(300, VAR_KM2, 185)
    assert (low, high, method) == (approx(exp_low), approx(exp_high), "mixed")
    revenue, orders, spend, incr, low, high, method = rows["(unallocated)"]
    assert (revenue, orders, spend, incr, method) == (0, 0, approx(100), 0, "modelled")
    total_spend = hand_build.one("select sum(spend) as s from mart_campaign_performance")["s"]
    assert total_spend == approx(610.0)  # spend always adds up to the payouts file


def test_incrementality_cell_arms(hand_build):
    cell = hand_build.one(
        "select * from mart_incrementality_cells where campaign = ? and influencer_id = 1", [WS]
    )
    assert (cell["n_exposed"], cell["n_control"], cell["k"]) == (10, 5, approx(2.0))
    assert (cell["exposed_revenue"], cell["control_revenue"]) == (approx(350), approx(60))
    assert (cell["exposed_buyers"], cell["control_buyers"]) == (2, 1)
    assert cell["incremental_revenue"] == approx(230.0)
    assert cell["incremental_revenue_se"] == approx(math.sqrt(VAR_WS1))


def test_personas(hand_build):
    row = hand_build.one(
        "select * from mart_persona_performance where category = 'Fitness' and gender = 'Male'"
    )
    # influencers 1, 3, 5, 7
    assert row["attributed_revenue"] == approx(350 + 80 + 260 + 200)
    assert row["spend"] == approx(80 + 0 + 60 + 20)
    assert row["roas"] == approx(890 / 160)
    assert row["incremental_revenue"] == approx(230 - 100 + 60 + 0)
    assert row["iroas_method"] == "mixed"
    low, high = interval(190, VAR_WS1 + VAR_WS3, 160)
    assert (row["iroas_ci_low"], row["iroas_ci_high"]) == (approx(low), approx(high))
    assert hand_build.query("select count(*) from mart_persona_performance")[0][0] == 4


def test_payout_tracking(hand_build):
    rows = {
        r[0]: r[1:]
        for r in hand_build.query(
            "select influencer_id, basis, rate, attributed_orders, expected_payout, total_payout,"
            " payout_gap from mart_payout_tracking"
        )
    }
    assert rows[1] == ("order", approx(20), 4, approx(80), approx(80), approx(0))
    assert rows[2] == ("post", approx(100), 4, approx(300), approx(300), approx(0))  # 3 posts
    assert rows[3] == ("order", approx(10), 1, approx(10), approx(0), approx(-10))
    assert rows[5] == ("order", approx(25), 2, approx(50), approx(60), approx(10))
    assert rows[6][0] == "post"  # 'POST' in the file: basis is case-insensitive


def test_daily_grain_and_timestamp_dates(hand_build):
    rows = hand_build.query(
        "select date, attributed_revenue from mart_daily_performance"
        " where influencer_id = 6 order by date"
    )
    assert [(str(d), r) for d, r in rows] == [("2025-07-04", 100.0), ("2025-07-05", 100.0)]
    control = hand_build.one(
        "select sum(control_revenue) as c from mart_daily_performance where influencer_id = 7"
    )
    assert control["c"] == approx(200.0)


def test_catalogue_fills_missing_brand(hand_build):
    row = hand_build.one("select brand from fct_orders where order_id = 'O3'")
    assert row["brand"] == "MuscleBlaze"


def test_bad_rows_are_rejected_and_counted(hand_build):
    rejected = hand_build.query(
        "select source_file, line_number, reason from rejected_rows order by line_number"
    )
    assert [(f, n) for f, n, _ in rejected] == [
        ("tracking_data.csv", 19),
        ("tracking_data.csv", 20),
    ]
    assert "revenue" in rejected[0][2]
    assert "influencer" in rejected[1][2]
    audit = hand_build.one(
        "select rows_read, rows_loaded, rows_rejected from mart_data_quality"
        " where source_file = 'tracking_data.csv'"
    )
    assert audit == {"rows_read": 19, "rows_loaded": 17, "rows_rejected": 2}
    flagged = hand_build.one(
        "select rows_flagged from mart_data_quality where source_file = 'posts.csv'"
    )
    assert flagged["rows_flagged"] == 1  # likes 900 above reach 800, kept
    assert hand_build.one("select count(*) as n from fct_orders")["n"] == 17
