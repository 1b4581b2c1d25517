"""The planted truth, written outside the raw folder for tests and evaluation only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .catalogue import Campaign, Product, expected_revenue_per_buyer
from .cells import Cells
from .params import SimulationParams
from .payouts import Discrepancy, Payouts
from .population import Influencers
from .writer import write_rows

UNALLOCATED = "(unallocated)"

README = """\
# Planted truth of a generated programme

Written by `generator.generate` next to (never inside) the raw folder; the
pipeline never reads it. Tests and evaluations compare the marts with it.

- `cells.csv`: one row per measured (campaign, influencer) cell. `n_exposed`
  and `n_control` are the realised arm sizes (as in audiences.csv); `p0` is the
  control conversion rate, `p1 = p0 * (1 + true_lift)` the exposed one.
  `expected_revenue_per_buyer` is exact under the generator's distributions:
  E[orders per buyer] * E[revenue per order], the latter summed over the
  campaign's product weights, units 1..3 and discounts, with the same rounding
  to the paisa as the simulation. `expected_revenue_per_user_control = p0 *
  expected_revenue_per_buyer`; `true_incremental_revenue = n_exposed * (p1 -
  p0) * expected_revenue_per_buyer`, the expectation of R1 - (N1/N0) * R0.
- `influencers.csv`: the planted `true_lift` of each influencer (about 30% are
  exactly 0), `true_incremental_revenue` summed over its cells (0 for an
  influencer without cells), its `total_payout` as written to payouts.csv,
  `expected_payout` (rate x posts or rate x attributed orders), and
  `true_iroas = true_incremental_revenue / total_payout` (empty when the payout is 0).
- `campaigns.csv`: `true_incremental_revenue` per campaign; `allocated_payout`
  spreads each influencer's total_payout over its campaigns in proportion to its
  realised attributed orders (units, group = 1), as the data contract does, with
  influencers without attributed orders under `(unallocated)`; `true_iroas` =
  true_incremental_revenue / allocated_payout.
- `programme.json`: seed, requested and realised row counts, the audience scale
  factor, every simulation parameter, and programme totals.
- `discrepancies.csv`: every deliberate defect or edge case in the raw files
  (kind, file, influencer_id, post_id, detail); see generator/README.md.
"""


def _num(x: float) -> str:
    return repr(float(x))


def write_truth(truth_dir: Path, *, seed: int, requested_rows: int | None, target_rows: int,
                inf: Influencers, cells: Cells, campaigns: list[Campaign],
                products: list[Product], payouts: Payouts, cell_attributed_units: np.ndarray,
                discrepancies: list[Discrepancy], row_counts: dict[str, int],
                params: SimulationParams) -> dict:
    truth_dir.mkdir(parents=True, exist_ok=True)
    m = np.array([expected_revenue_per_buyer(c, products, params) for c in campaigns])
    m_cell = m[cells.campaign]
    incr = cells.n_exposed * (cells.p1 - cells.p0) * m_cell
    write_rows(
        truth_dir / "cells.csv",
        ["campaign", "influencer_id", "n_exposed", "n_control", "p0", "p1", "true_lift",
         "expected_revenue_per_buyer", "expected_revenue_per_user_control",
         "true_incremental_revenue"],
        ([campaigns[cells.campaign[c]].name, int(inf.ids[cells.influencer[c]]),
          int(cells.n_exposed[c]), int(cells.n_control[c]), _num(cells.p0[c]),
          _num(cells.p1[c]), _num(inf.true_lift[cells.influencer[c]]), _num(m_cell[c]),
          _num(cells.p0[c] * m_cell[c]), _num(incr[c])] for c in range(len(cells))),
    )

    n = len(inf)
    infl_incr = np.bincount(cells.influencer, weights=incr, minlength=n)
    total = payouts.total_payout
    write_rows(
        truth_dir / "influencers.csv",
        ["influencer_id", "true_lift", "true_incremental_revenue", "total_payout",
         "expected_payout", "true_iroas"],
        ([int(inf.ids[i]), _num(inf.true_lift[i]), _num(infl_incr[i]), f"{total[i]:.2f}",
          f"{payouts.expected_payout[i]:.2f}",
          _num(infl_incr[i] / total[i]) if total[i] > 0 else None] for i in range(n)),
    )

    # Spend allocation as the contract defines it, from realised attributed units.
    infl_units = np.bincount(cells.influencer, weights=cell_attributed_units, minlength=n)
    share = np.divide(cell_attributed_units, infl_units[cells.influencer],
                      out=np.zeros(len(cells)), where=infl_units[cells.influencer] > 0)
    n_camp = len(campaigns)
    camp_incr = np.bincount(cells.campaign, weights=incr, minlength=n_camp)
    camp_spend = np.bincount(cells.campaign, weights=share * total[cells.influencer],
                             minlength=n_camp)
    unallocated = float(total[infl_units == 0].sum())
    campaign_rows = [
        [c.name, _num(camp_incr[j]), f"{camp_spend[j]:.2f}",
         _num(camp_incr[j] / camp_spend[j]) if camp_spend[j] > 0 else None]
        for j, c in enumerate(campaigns)
    ]
    campaign_rows.append([UNALLOCATED, _num(0.0), f"{unallocated:.2f}", None])
    write_rows(truth_dir / "campaigns.csv",
               ["campaign", "true_incremental_revenue", "allocated_payout", "true_iroas"],
               campaign_rows)

    write_rows(truth_dir / "discrepancies.csv",
               ["kind", "file", "influencer_id", "post_id", "detail"],
               ([d.kind, d.file, d.influencer_id, d.post_id, d.detail] for d in discrepancies))

    total_incr = float(incr.sum())
    total_payout = float(total.sum())
    programme = {
        "seed": seed,
        "requested_tracking_rows": requested_rows,
        "target_tracking_rows": target_rows,
        "audience_scale": cells.scale,
        "rows": row_counts,
        "cells": len(cells),
        "campaigns": len(campaigns),
        "influencers": n,
        "users": int(cells.n_exposed.sum() + cells.n_control.sum()),
        "true_incremental_revenue": total_incr,
        "total_payout": total_payout,
        "true_iroas": total_incr / total_payout if total_payout > 0 else None,
        "expected_revenue_per_buyer": {c.name: float(v) for c, v in zip(campaigns, m,
                                                                        strict=True)},
        "currency": "INR",
        "parameters": params.to_json(),
    }
    (truth_dir / "programme.json").write_text(
        json.dumps(programme, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (truth_dir / "README.md").write_text(README, encoding="utf-8")
    return programme
