"""Every mart value of the hand fixture (tests/fixtures/hand), computed by hand.

Cells (campaign, influencer) and their arms, from tracking_data.csv and audiences.csv.
x is a user's revenue summed within the cell and arm; non-buyers count as 0; B = buyers.

WS = "Whey Summer", KM = 'Kids "Monsoon" Drive'.
(WS,1) N1=10 N0=5 k=2. exposed x = 150 (u1001: 100+50), 200 (u1002); control x = 60.
       incr = 350 - 2*60 = 230
(WS,2) N1=8 N0=4 k=2. exposed x = 300; control none. incr = 300
(KM,2) N1=6 N0=3 k=2. exposed 120, control 40. incr = 120 - 80 = 40
(WS,3) N1=4 N0=2 k=2. exposed 80, control 90. incr = 80 - 180 = -100
(KM,5) no audiences row: modelled, R1 = 260, incr = 260 - 260/1.3 = 60, no variance.
(KM,6) N1=2 N0=2 k=1. exposed 100, 100; control none. incr = 200.
(WS,7) N1=2 N0=2 k=1. exposed 100, 100; control 100, 100. incr = 0.
Influencer 4 has no orders: its payout (100) goes to '(unallocated)', a spend-only cell
(no control arm, no order), incr 0 under any lift: it is not a modelled cell of its units.

Variance (docs/incrementality.md; changed from the plug-in N1^2 (s1^2/N1 + s0^2/N0),
which gave the 2-user arms of (KM,6) and (WS,7) a variance of 0 and so a 'profitable'
and an 'unprofitable' verdict out of 2 users per arm; with the empirical-Bayes smoothing
(KM,6) stays 'profitable', with an interval, and (WS,7) is 'inconclusive').
Per cell Var = V(B1, N1) + k^2 V(B0, N0) with, per arm,
    V = lam m2 - lam^2 mu^2 / N,   lam = max(B, (B + 1/2) P / (P + 1/2)),  P = campaign rate x N,
    m2 = (cell sum x^2 + 5 M2) / (cell buyers + 5),  mu = (cell sum x + 5 MU) / (cell buyers + 5)
(both arms of the cell pooled; M2, MU the campaign's per-buyer moments).
Campaign priors over the measured cells:
  WS: exposed rate (2+1+1+2)/(10+8+4+2) = 6/24, control (1+0+1+2)/(5+4+2+2) = 4/13;
      x = 150, 200, 300, 80, 100, 100 | 60, 90, 100, 100: M2 = 210600/10, MU = 1280/10.
  KM: exposed (1+2)/(6+2) = 3/8, control (1+0)/(3+2) = 1/5;
      x = 120, 100, 100 | 40: M2 = 36000/4, MU = 360/4.
e.g. (WS,1): P1 = 10 * 6/24 = 2.5 -> lam1 = max(2, 2.5 * 2.5 / 3) = 2.083; P0 = 5 * 4/13 = 1.538
     -> lam0 = max(1, 1.5 * 1.538 / 2.038) = 1.132; m2 = (66100 + 5 * 21060) / 8 = 21425,
     mu = (410 + 5 * 128) / 8 = 131.25; Var = 2.083 * 21425 - 2.083^2 * 131.25^2 / 10
     + 4 (1.132 * 21425 - 1.132^2 * 131.25^2 / 5) = 116515.5.
     Orders (units o per user: 2, 2 | 1; campaign sum o^2 = 24, sum o = 14 over 10 buyers):
     m2 = (9 + 5 * 2.4) / 8 = 2.625, mu = (5 + 5 * 1.4) / 8 = 1.5, incremental 4 - 2 * 1 = 2.

Spend: payouts.csv has no campaign column, so each payout is spread over the influencer's
campaigns by attributed orders: influencer 2 has 3 units in WS and 1 in KM -> 225 / 75.
Line 19 (revenue 'abc') and line 20 (influencer 99) of tracking_data.csv are rejected.
"""

from __future__ import annotations

import math

import pytest

Z = 1.96
WS, KM = "Whey Summer", 'Kids "Monsoon" Drive'
PRIOR_BUYERS, MOMENT_PRIOR_BUYERS = 0.5, 5


def expected_buyers(buyers: int, prior: float) -> float:
    return max(buyers, (buyers + PRIOR_BUYERS) * prior / (prior + PRIOR_BUYERS))


def moment(cell_sum: float, cell_buyers: int, campaign_moment: float) -> float:
    return (cell_sum + MOMENT_PRIOR_BUYERS * campaign_moment) / (cell_buyers + MOMENT_PRIOR_BUYERS)


def arm_variance(lam: float, m2: float, mu: float, n: int) -> float:
    return lam * m2 - lam * lam * mu * mu / n


def cell_variance(b1, n1, b0, n0, sum_sq, sum_x, buyers, campaign) -> float:
    rate1, rate0, m2_campaign, mu_campaign = campaign
    m2, mu = moment(sum_sq, buyers, m2_campaign), moment(sum_x, buyers, mu_campaign)
    return arm_variance(expected_buyers(b1, rate1 * n1), m2, mu, n1) + (n1 / n0) ** 2 * (
        arm_variance(expected_buyers(b0, rate0 * n0), m2, mu, n0)
    )


CAMPAIGN_WS = (6 / 24, 4 / 13, 210600 / 10, 1280 / 10)
CAMPAIGN_KM = (3 / 8, 1 / 5, 36000 / 4, 360 / 4)
# (B1, N1, B0, N0, cell sum x^2, cell sum x, cell buyers)
VAR_WS1 = cell_variance(2, 10, 1, 5, 150**2 + 200**2 + 60**2, 410, 3, CAMPAIGN_WS)
VAR_WS2 = cell_variance(1, 8, 0, 4, 300**2, 300, 1, CAMPAIGN_WS)
VAR_WS3 = cell_variance(1, 4, 1, 2, 80**2 + 90**2, 170, 2, CAMPAIGN_WS)
VAR_WS7 = cell_variance(2, 2, 2, 2, 4 * 100**2, 400, 4, CAMPAIGN_WS)
VAR_KM2 = cell_variance(1, 6, 1, 3, 120**2 + 40**2, 160, 2, CAMPAIGN_KM)
VAR_KM6 = cell_variance(2, 2, 0, 2, 2 * 100**2, 200, 2, CAMPAIGN_KM)
# orders of (WS,1): units per user 2, 2 | 1; campaign WS: sum o^2 = 24, sum o = 14, 10 buyers
VAR_ORDERS_WS1 = cell_variance(2, 10, 1, 5, 2**2 + 2**2 + 1**2, 5, 3, (6 / 24, 4 / 13, 2.4, 1.4))


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
    var = VAR_WS1 + VAR_WS2 + VAR_KM2 + VAR_WS3 + VAR_KM6 + VAR_WS7
    assert row["incremental_revenue_se"] == approx(math.sqrt(var))
    assert row["iroas"] == approx(730 / 610)
    low, high = interval(730, var, 610)
    assert (row["iroas_ci_low"], row["iroas_ci_high"]) == (approx(low), approx(high))
    assert row["iroas_method"] == "mixed"
    assert row["iroas_verdict"] == "inconclusive"
    # two-sided p of z = 730 / se, and the 80%-power MDE
    assert row["p_value"] == pytest.approx(math.erfc(730 / math.sqrt(var) / math.sqrt(2)), rel=2e-7)
    assert row["mde_iroas"] == approx(2.801585 * math.sqrt(var) / 610)
    assert row["power_status"] == "underpowered"  # MDE 2.51 > break-even 1.0
    # mixed: the modelled cell (KM,5) spans the lift range 10%..50% around the measured 670
    assert row["assumed_iroas_low"] == approx((670 + 260 - 260 / 1.1) / 610)
    assert row["assumed_iroas_high"] == approx((670 + 260 - 260 / 1.5) / 610)
    # incremental orders: measured 2 + 3 - 1 - 1 + 2 + 0, modelled (KM,5) 2 - 2 / 1.3
    assert row["incremental_orders"] == approx(5 + 2 - 2 / 1.3)
    # the configuration used, for the report's break-even line
    assert (row["breakeven"], row["assumed_lift"], row["holdout_share"]) == (1.0, 0.3, 0.1)
    assert (row["lift_range_low"], row["lift_range_high"]) == (0.1, 0.5)


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
    # its only cell is spend-only: no increment under any lift, so no modelled cell either
    assert (row["measured_cells"], row["modelled_cells"]) == (0, 0)
    assert (row["assumed_iroas_low"], row["assumed_iroas_high"]) == (approx(0.0), approx(0.0))
    assert row["p_value"] is None and row["power_status"] is None and row["iroas_rank"] is None


def test_modelled_influencer_uses_assumed_lift(hand_build):
    row = influencer(hand_build, 5)
    assert row["attributed_revenue"] == approx(260.0)
    assert row["incremental_revenue"] == approx(260 - 260 / 1.3)
    assert row["iroas"] == approx(60 / 60)
    assert (row["iroas_method"], row["iroas_verdict"]) == ("modelled", "assumed")
    assert row["iroas_ci_low"] is None and row["iroas_ci_high"] is None


def test_verdicts_of_two_user_arms(hand_build):
    # Two users per arm: the plug-in variance was 0 for both influencers below.
    # 6: both exposed users bought 100, no control user bought: profitable even with the
    # smoothed control rate (lam0 = 0.5 * 0.4 / 0.9 = 0.222 expected control buyers).
    six = influencer(hand_build, 6)
    assert six["name"] == "Meera <b>Bold</b> Rao"
    assert six["iroas"] == approx(4.0)
    low, high = interval(200, VAR_KM6, 50)
    assert (six["iroas_ci_low"], six["iroas_ci_high"]) == (approx(low), approx(high))
    assert low == pytest.approx(1.79, abs=0.01)
    assert six["iroas_verdict"] == "profitable"
    # 7: high ROAS, yet the control arm bought as much: nothing incremental, but two users
    # per arm cannot prove it unprofitable either.
    seven = influencer(hand_build, 7)
    assert seven["roas"] == approx(10.0)
    assert seven["iroas"] == approx(0.0)
    low, high = interval(0, VAR_WS7, 20)
    assert (seven["iroas_ci_low"], seven["iroas_ci_high"]) == (approx(low), approx(high))
    assert seven["iroas_verdict"] == "inconclusive"
    assert seven["p_value"] == approx(1.0)


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
    exp_low, exp_high = interval(430, VAR_WS1 + VAR_WS2 + VAR_WS3 + VAR_WS7, 325)
    assert (low, high, method) == (approx(exp_low), approx(exp_high), "measured")
    revenue, orders, spend, incr, low, high, method = rows[KM]
    assert (revenue, orders, spend, incr) == (approx(580), 5, approx(185), approx(300))
    exp_low, exp_high = interval(300, VAR_KM2 + VAR_KM6, 185)
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
    assert cell["exposed_buyers_smoothed"] == approx(2.5 * 2.5 / 3)
    assert cell["control_buyers_smoothed"] == approx(1.5 * (20 / 13) / (20 / 13 + 0.5))
    assert (cell["incremental_orders"], cell["variance_method"]) == (approx(2.0), "arm_sizes")
    assert cell["incremental_orders_se"] == approx(math.sqrt(VAR_ORDERS_WS1))
    assert (cell["holdout_share"], cell["brand"]) == (approx(5 / 15), "MuscleBlaze")
    assert cell["exposed_revenue_per_user"] == approx(35.0)
    assert cell["control_revenue_per_user"] == approx(12.0)


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
    low, high = interval(190, VAR_WS1 + VAR_WS3 + VAR_WS7, 160)
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
