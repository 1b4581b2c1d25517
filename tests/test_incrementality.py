"""Incrementality scored against the generator's planted truth (docs/incrementality.md).

Nine programmes are generated and built through the real stages (generator ->
Great Expectations validation -> the dbt models of the performance marts; the dbt data
tests and the report are left to the other test files), two at a time:

- ``demo``: seeds 1, 2, 3 at demo size (500 influencers, ~15k orders, ~625 cells each,
  ~17 exposed and ~1.2 control buyers per cell, half the control arms without a buyer):
  the sparse regime where a plug-in variance collapses;
- ``large``: seeds 1, 2, 3 with 600k orders over 150 influencers (~190 cells each,
  hundreds of buyers per arm): programme estimates precise to ~1%, for the bias check
  and the large-sample limit;
- ``no_audiences``: demo seeds 1, 2, 3 without audiences.csv (k = (1 - h) / h, compound
  Poisson).

Each check is also run on two wrong methods, which must fail it: the fixed lift
(incremental = R1 - R1 / 1.3, which makes iROAS a constant times ROAS) and, in the
sparse regime, the data contract's plug-in variance N1^2 (s1^2/N1 + s0^2/N0).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from planted import _group  # the session fixture `programmes` comes from conftest
from scipy.stats import norm, spearmanr

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

BREAKEVEN = 1.0
Z = 1.96
MDE_MULTIPLIER = 2.801585
COVERAGE_BAND = (0.92, 0.98)

@pytest.fixture(scope="session")
def demo_cells(programmes) -> pd.DataFrame:
    return pd.concat([p.cells() for p in _group(programmes, "demo")], ignore_index=True)


@pytest.fixture(scope="session")
def large_cells(programmes) -> pd.DataFrame:
    return pd.concat([p.cells() for p in _group(programmes, "large")], ignore_index=True)


@pytest.fixture(scope="session")
def demo_influencers(programmes) -> pd.DataFrame:
    frame = pd.concat([p.influencers() for p in _group(programmes, "demo")], ignore_index=True)
    return frame[frame.iroas_method == "measured"]


# --------------------------------------------------------------------------
# the checks, on any estimate with any standard error


def coverage(estimate, se, truth) -> float:
    return float(((estimate - Z * se <= truth) & (truth <= estimate + Z * se)).mean())


def false_positive_rate(estimate, se, truth) -> float:
    """Among zero-effect units, the share whose whole interval lies above zero."""
    zero = np.asarray(truth) == 0
    assert zero.sum() >= 100, "too few zero-effect cells for the check"
    return float(((np.asarray(estimate) - Z * np.asarray(se)) > 0)[zero].mean())


def relative_bias(estimate, truth) -> float:
    return float((np.sum(estimate) - np.sum(truth)) / np.sum(truth))


def unprofitable_fdr(estimate, se, spend, true_iroas) -> tuple[float, int]:
    """Among 'unprofitable' verdicts (whole interval below break-even), the share truly
    at or above break-even; and how many verdicts there were."""
    spend = np.asarray(spend, dtype=float)
    ok = spend > 0
    ci_high = (np.asarray(estimate) + Z * np.asarray(se))[ok] / spend[ok]
    unprofitable = ci_high < BREAKEVEN
    truly_profitable = np.asarray(true_iroas)[ok] >= BREAKEVEN
    count = int(unprofitable.sum())
    return (float(truly_profitable[unprofitable].mean()) if count else 0.0), count


def fixed_lift(revenue, lift: float = 0.30):
    return revenue - revenue / (1 + lift)


def plug_in_variance(cells: pd.DataFrame) -> pd.Series:
    """The data contract's N1^2 (s1^2/N1 + s0^2/N0), s^2 over all users of the arm."""
    n1, n0 = cells.n_exposed, cells.n_control
    s1 = (cells.exposed_revenue_sq - cells.exposed_revenue**2 / n1) / (n1 - 1)
    s0 = (cells.control_revenue_sq - cells.control_revenue**2 / n0) / (n0 - 1)
    return n1**2 * (s1 / n1 + s0 / n0)


# --------------------------------------------------------------------------
# the method on planted truth


def test_enough_measured_cells_over_three_seeds(demo_cells, large_cells):
    assert demo_cells.seed.nunique() >= 3 and large_cells.seed.nunique() >= 3
    assert len(demo_cells) >= 600
    assert len(demo_cells) + len(large_cells) >= 1_800
    # every measured cell of the truth is in the mart, with its interval
    assert demo_cells.incremental_revenue_se.notna().all()
    assert (demo_cells.variance_method == "arm_sizes").all()


def test_cell_coverage_in_the_sparse_regime(demo_cells):
    c = demo_cells
    value = coverage(c.incremental_revenue, c.incremental_revenue_se, c.true_incremental_revenue)
    assert COVERAGE_BAND[0] <= value <= COVERAGE_BAND[1], value
    # the interval in the mart is exactly estimate ± 1.96 se
    assert np.allclose(c.incremental_revenue_ci_low,
                       c.incremental_revenue - Z * c.incremental_revenue_se)


def test_cell_coverage_at_scale(large_cells):
    c = large_cells
    value = coverage(c.incremental_revenue, c.incremental_revenue_se, c.true_incremental_revenue)
    assert COVERAGE_BAND[0] <= value <= COVERAGE_BAND[1], value


def test_influencer_coverage(demo_influencers):
    i = demo_influencers
    assert len(i) >= 1_000
    inside = (i.incremental_revenue_ci_low <= i.true_incremental_revenue) & (
        i.true_incremental_revenue <= i.incremental_revenue_ci_high)
    assert COVERAGE_BAND[0] <= inside.mean() <= COVERAGE_BAND[1], inside.mean()


def test_programme_relative_bias_within_3_percent(programmes, large_cells):
    estimate, truth = 0.0, 0.0
    variance = 0.0
    for p in _group(programmes, "large"):
        row = p.frame("select incremental_revenue, incremental_revenue_se"
                      " from mart_programme_summary").iloc[0]
        estimate += row.incremental_revenue
        variance += row.incremental_revenue_se**2
        truth += json.loads((p.truth / "programme.json").read_text())["true_incremental_revenue"]
    bias = (estimate - truth) / truth
    assert math.sqrt(variance) / truth < 0.01  # the check has teeth: 3% is > 3 standard errors
    assert abs(bias) < 0.03, bias
    # the programme row is the sum of its cells, never an average of ratios
    assert estimate == pytest.approx(large_cells.incremental_revenue.sum(), rel=1e-9)


def test_zero_effect_cells_rarely_look_positive(demo_cells):
    c = demo_cells
    rate = false_positive_rate(c.incremental_revenue, c.incremental_revenue_se,
                               c.true_incremental_revenue)
    assert rate <= 0.05, rate


def test_unprofitable_verdicts_are_rarely_truly_profitable(demo_influencers, demo_cells):
    i = demo_influencers
    fdr, count = unprofitable_fdr(i.incremental_revenue, i.incremental_revenue_se, i.spend,
                                  i.true_iroas)
    assert count >= 30, count
    assert fdr <= 0.10, fdr
    # the mart's verdict is this rule
    assert ((i.iroas_verdict == "unprofitable") == (i.iroas_ci_high < BREAKEVEN)).all()
    c = demo_cells[demo_cells.spend > 0]
    fdr, count = unprofitable_fdr(c.incremental_revenue, c.incremental_revenue_se, c.spend,
                                  c.true_incremental_revenue / c.spend)
    assert count >= 30 and fdr <= 0.10, (fdr, count)


def test_without_audiences_compound_poisson_keeps_coverage(programmes):
    c = pd.concat([p.cells() for p in _group(programmes, "no_audiences")], ignore_index=True)
    assert c.seed.nunique() == 3
    # cells without any order are invisible without audiences.csv (their truth is ~0.2%)
    assert len(c) >= 1_650
    assert (c.variance_method == "compound_poisson").all()
    assert np.allclose(c.k, 9.0) and c.n_exposed.isna().all()
    value = coverage(c.incremental_revenue, c.incremental_revenue_se, c.true_incremental_revenue)
    assert COVERAGE_BAND[0] <= value <= COVERAGE_BAND[1], value
    assert false_positive_rate(c.incremental_revenue, c.incremental_revenue_se,
                               c.true_incremental_revenue) <= 0.05


def test_smoothed_variance_tends_to_the_plug_in(large_cells, demo_cells):
    big = large_cells[large_cells.control_buyers >= 50]
    assert len(big) >= 100
    ratio = big.incremental_revenue_se**2 / plug_in_variance(big)
    assert 0.95 <= ratio.median() <= 1.05, ratio.median()
    assert ratio.between(0.75, 1.33).mean() >= 0.95
    # in the sparse regime it is what stops a 0- or 1-buyer control arm claiming precision
    sparse = demo_cells[demo_cells.control_buyers == 0]
    assert (sparse.incremental_revenue_se**2 > plug_in_variance(sparse)).mean() > 0.95


# --------------------------------------------------------------------------
# wrong methods fail the same checks


def test_fixed_lift_fails_the_same_checks(demo_cells, large_cells, demo_influencers):
    """incremental = R1 - R1 / 1.3 (so iROAS = 0.23 x ROAS), as a dashboard shows it (no
    interval), and even when granted the measured standard error."""
    for c in (demo_cells, large_cells):
        fixed = fixed_lift(c.exposed_revenue)
        assert abs(relative_bias(fixed, c.true_incremental_revenue)) > 0.03
        no_se = 0 * fixed
        assert coverage(fixed, no_se, c.true_incremental_revenue) < 0.10
        assert false_positive_rate(fixed, no_se, c.true_incremental_revenue) > 0.5
        ratio = (fixed / c.spend) / (c.exposed_revenue / c.spend)
        assert np.allclose(ratio.dropna(), 1 - 1 / 1.3)
    c = large_cells
    fixed = fixed_lift(c.exposed_revenue)
    assert coverage(fixed, c.incremental_revenue_se, c.true_incremental_revenue) < COVERAGE_BAND[0]
    assert false_positive_rate(fixed, c.incremental_revenue_se, c.true_incremental_revenue) > 0.05
    i = demo_influencers
    fixed = fixed_lift(i.attributed_revenue)
    fdr, count = unprofitable_fdr(fixed, 0 * fixed, i.spend, i.true_iroas)
    assert count >= 30 and fdr > 0.10, (fdr, count)
    inside = np.isclose(fixed, i.true_incremental_revenue)
    assert inside.mean() < COVERAGE_BAND[0]


def test_plug_in_variance_fails_in_the_sparse_regime(demo_cells):
    c = demo_cells
    se = np.sqrt(plug_in_variance(c))
    assert coverage(c.incremental_revenue, se, c.true_incremental_revenue) < COVERAGE_BAND[0]
    assert false_positive_rate(c.incremental_revenue, se, c.true_incremental_revenue) > 0.05


# --------------------------------------------------------------------------
# the other columns


def test_p_value_matches_scipy(demo_cells, large_cells):
    c = pd.concat([demo_cells, large_cells], ignore_index=True)
    z = c.incremental_revenue / c.incremental_revenue_se
    expected = 2 * norm.sf(np.abs(z))
    assert np.allclose(c.p_value, expected, rtol=2e-7, atol=0)
    assert z.abs().max() > 8  # the tail is exercised
    assert ((c.p_value < 0.05) == ((c.incremental_revenue_ci_low > 0)
                                   | (c.incremental_revenue_ci_high < 0))).all()


def test_mde_and_power_status(demo_cells, programmes):
    c = demo_cells[demo_cells.spend > 0]
    assert np.allclose(c.mde_iroas, MDE_MULTIPLIER * c.incremental_revenue_se / c.spend)
    assert ((c.power_status == "adequate") == (c.mde_iroas <= BREAKEVEN)).all()
    assert set(c.power_status) == {"adequate", "underpowered"}
    summary = programmes["demo-1"].frame("select * from mart_programme_summary").iloc[0]
    assert summary.power_status == "adequate" and summary.p_value < 1e-6
    assert summary.breakeven == BREAKEVEN and summary.holdout_share == pytest.approx(0.10)
    assert (summary.lift_range_low, summary.lift_range_high) == pytest.approx((0.10, 0.50))


def test_incremental_orders_coverage(demo_cells, programmes):
    params = json.loads((programmes["demo-1"].truth / "programme.json").read_text())["parameters"]
    units = np.dot(params["units"], params["units_weights"]) / sum(params["units_weights"])
    per_buyer = (1 + params["extra_orders_mean"]) * units
    c = demo_cells
    truth = c.n_exposed_true * (c.p1 - c.p0) * per_buyer
    value = coverage(c.incremental_orders, c.incremental_orders_se, truth)
    assert COVERAGE_BAND[0] <= value <= COVERAGE_BAND[1], value


def test_shrinkage_ranks_closer_to_the_truth(demo_influencers):
    i = demo_influencers.dropna(subset=["iroas_shrunk", "true_iroas"])
    assert len(i) >= 1_000
    raw_error = ((i.iroas - i.true_iroas) ** 2).mean()
    shrunk_error = ((i.iroas_shrunk - i.true_iroas) ** 2).mean()
    assert shrunk_error < 0.2 * raw_error, (shrunk_error, raw_error)
    for _, g in i.groupby("seed"):
        raw_rho = spearmanr(g.iroas, g.true_iroas).statistic
        shrunk_rho = spearmanr(g.iroas_shrunk, g.true_iroas).statistic
        assert shrunk_rho > raw_rho, (shrunk_rho, raw_rho)
        # the bottom of the ranking is where cuts are made: fewer truly profitable there
        raw_bottom = (g.nsmallest(25, "iroas").true_iroas >= BREAKEVEN).mean()
        shrunk_bottom = (g.nlargest(25, "iroas_rank").true_iroas >= BREAKEVEN).mean()
        assert shrunk_bottom < raw_bottom, (shrunk_bottom, raw_bottom)
        assert g.iroas_rank.min() == 1
        assert g.sort_values("iroas_rank").iroas_shrunk.is_monotonic_decreasing


def test_rollups_sum_cells_and_variances(programmes):
    p = programmes["demo-2"]
    cells = p.frame("select * from mart_incrementality_cells")
    for mart, key in (("mart_campaign_performance", "campaign"),
                      ("mart_brand_performance", "brand"),
                      ("mart_influencer_performance", "influencer_id")):
        units = p.frame(f"select * from {mart}").set_index(key)
        sums = cells.groupby(key).agg(
            incremental_revenue=("incremental_revenue", "sum"),
            incremental_orders=("incremental_orders", "sum"),
            variance=("incremental_revenue_variance", "sum"),
            spend=("spend", "sum"))
        joined = sums.join(units.add_suffix("_unit"), how="inner")
        assert len(joined) == len(sums)
        assert np.allclose(joined.incremental_revenue_unit, joined.incremental_revenue)
        assert np.allclose(joined.incremental_orders_unit, joined.incremental_orders)
        measured = joined[joined.iroas_method_unit == "measured"]
        assert len(measured) > 0
        assert np.allclose(measured.incremental_revenue_se_unit**2, measured.variance)
    brands = p.frame("select brand, campaigns from mart_brand_performance")
    assert set(brands.brand) >= {"MuscleBlaze", "HKVitals", "Gritzo"}
    assert brands.campaigns.sum() == 10


# --------------------------------------------------------------------------
# configuration


def test_lift_range_option_reaches_dbt():
    from roas.cli import build_parser
    from roas.config import RunConfig

    parser = build_parser()
    base = ["run", "--data", "d", "--out", "o", "--warehouse", "w.duckdb"]
    assert parser.parse_args(base).lift_range == (0.10, 0.50)
    args = parser.parse_args([*base, "--lift-range", "0.2, 0.4"])
    assert args.lift_range == (0.2, 0.4)
    dbt_vars = RunConfig(lift_range=args.lift_range).dbt_vars(
        has_audiences=True, tracking_has_group=True)
    assert (dbt_vars["lift_range_low"], dbt_vars["lift_range_high"]) == (0.2, 0.4)
    for bad in ("0.5,0.1", "0.1", "a,b", "-1,0.2"):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([*base, "--lift-range", bad])
        assert exit_info.value.code == 2
