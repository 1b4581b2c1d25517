"""Score a budget plan against the planted truth (benchmarks/decisions.py, tests).

The generator knows each influencer's true iROAS (`<raw>_truth/influencers.csv`,
true incremental revenue over its total payout), so every allocation of next period's
budget has a true value: sum planned x (true iROAS - b), the incremental revenue it
buys net of b per rupee spent. The plan is compared with:

- the status quo: every influencer at its current spend;
- two naive rankings: fund in descending order of a score (ROAS, or the point iROAS),
  each up to S x spend, until the budget is spent, skipping scores <= b;
- the oracle: the same greedy order on the true iROAS, the best any plan can do under
  the same budget and caps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def greedy_allocation(
    score: Sequence[float], spend: Sequence[float], budget: float, max_scale: float,
    breakeven: float,
) -> np.ndarray:
    """Fund by descending score (ties by position), each up to max_scale x spend."""
    score_array = np.asarray(score, dtype=float)
    spend_array = np.asarray(spend, dtype=float)
    planned = np.zeros(len(spend_array))
    ranked = np.nan_to_num(score_array, nan=-np.inf)
    order = np.lexsort((np.arange(len(ranked)), -ranked))
    left = float(budget)
    for i in order:
        if not ranked[i] > breakeven or left <= 0:
            continue
        amount = min(max_scale * spend_array[i], left)
        planned[i] = amount
        left -= amount
    return planned


def true_value(planned: Sequence[float], true_iroas: Sequence[float], breakeven: float) -> float:
    """Sum planned x (true iROAS - b): an unknown true iROAS counts as 0."""
    truth = np.nan_to_num(np.asarray(true_iroas, dtype=float))
    return float(np.sum(np.asarray(planned, dtype=float) * (truth - breakeven)))


@dataclass(frozen=True)
class PlanScore:
    """One programme's plan against the status quo, the naive rankings and the oracle."""

    status_quo: float
    plan: float
    by_roas: float
    by_point_iroas: float
    oracle: float
    scale_rows: int
    scale_wrong: int
    cut_rows: int
    cut_wrong: int

    def capture(self, value: float) -> float:
        """Share of the oracle's gain over the status quo that `value` achieves."""
        gain = self.oracle - self.status_quo
        return (value - self.status_quo) / gain if gain > 0 else float("nan")


def score_plan(
    *, spend: Sequence[float], planned: Sequence[float], recommendation: Sequence[str],
    roas: Sequence[float], point_iroas: Sequence[float], true_iroas: Sequence[float],
    budget: float, max_scale: float, breakeven: float,
) -> PlanScore:
    """Value every allocation on the truth; count scale and cut rows on the wrong side."""
    truth = np.asarray(true_iroas, dtype=float)
    rec = np.asarray(recommendation, dtype=object)

    def value(allocation: np.ndarray | Sequence[float]) -> float:
        return true_value(allocation, truth, breakeven)

    def naive(score: Sequence[float]) -> float:
        return value(greedy_allocation(score, spend, budget, max_scale, breakeven))

    scale, cut = rec == "scale", rec == "cut"
    return PlanScore(
        status_quo=value(np.asarray(spend, dtype=float)),
        plan=value(planned),
        by_roas=naive(roas),
        by_point_iroas=naive(point_iroas),
        oracle=naive(truth),
        scale_rows=int(scale.sum()),
        scale_wrong=int((scale & (truth <= breakeven)).sum()),
        cut_rows=int(cut.sum()),
        cut_wrong=int((cut & (truth > breakeven)).sum()),
    )


def calibration(p_profitable: Sequence[float], profitable: Sequence[bool], bins: int = 10):
    """Equal-count bins of p: (count, mean p, share truly profitable) per bin."""
    p = np.asarray(p_profitable, dtype=float)
    truth = np.asarray(profitable, dtype=float)
    order = np.argsort(p, kind="stable")
    return [(len(chunk), float(p[chunk].mean()), float(truth[chunk].mean()))
            for chunk in np.array_split(order, bins)]
