"""Benchmark: the plan's true net return against the naive rankings and the oracle.

For each regime and seed: generate a programme (planted truth), validate it, build the
plan marts with dbt (the same models as `roas run`), then value on the truth
(generator/decisions.py), under the same budget (the current total spend) and caps
(S = 2, b = 1):

* the status quo (every influencer at its current spend);
* the plan (mart_influencer_plan.planned_spend);
* funding by ROAS, and by point iROAS (greedy by score, skipping scores <= b);
* the oracle (greedy by the true iROAS).

`capture` = (value - status quo) / (oracle - status quo). Also: the share of `scale`
and `cut` rows on the wrong side of break-even, and p_profitable's calibration by
deciles pooled over the seeds. Regimes: small arms (the demo's 500 influencers and
~15k orders: a handful of control buyers per cell) and large arms (150 influencers,
600k orders).

    python benchmarks/decisions.py                      # 4 seeds per regime
    python benchmarks/decisions.py --seeds 1 2 --out /tmp/decisions
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator import generate  # noqa: E402
from generator.decisions import calibration, score_plan  # noqa: E402
from roas.config import RunConfig  # noqa: E402
from roas.dbt_runner import build_warehouse  # noqa: E402
from roas.paths import build_paths  # noqa: E402
from roas.validation import validate_folder  # noqa: E402

REGIMES = {"small arms": {"orders": None, "influencers": 500},
           "large arms": {"orders": 600_000, "influencers": 150}}
BREAKEVEN, MAX_SCALE = 1.0, 2.0
MODELS = "+mart_influencer_plan +mart_programme_plan"


def build(root: Path, regime: str, seed: int) -> Path:
    raw = root / f"{regime.split()[0]}-{seed}" / "raw"
    if not (raw / "influencers.csv").exists():
        generate(raw, seed=seed, **REGIMES[regime])
    paths = build_paths(raw.parent / "warehouse.duckdb")
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    report = validate_folder(raw, paths.validated_dir)
    dbt_vars = RunConfig().dbt_vars(has_audiences=report.has_audiences,
                                    tracking_has_group=report.tracking_has_group)
    build_warehouse("build --resource-type model --resource-type seed --select " + MODELS,
                    paths, dbt_vars)
    return raw.parent


def score(folder: Path) -> tuple[dict, pd.DataFrame]:
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        plan = con.execute("select * from mart_influencer_plan").df()
        budget = con.execute("select budget from mart_programme_plan").fetchone()[0]
    truth = pd.read_csv(folder / "raw_truth" / "influencers.csv")
    plan = plan.merge(truth[["influencer_id", "true_iroas"]], on="influencer_id", how="left")
    s = score_plan(spend=plan.spend.fillna(0), planned=plan.planned_spend,
                   recommendation=plan.recommendation, roas=plan.roas.fillna(0),
                   point_iroas=plan.iroas.fillna(-np.inf), true_iroas=plan.true_iroas,
                   budget=float(budget), max_scale=MAX_SCALE, breakeven=BREAKEVEN)
    row = {"status_quo": s.status_quo, "plan": s.plan, "by_roas": s.by_roas,
           "by_point_iroas": s.by_point_iroas, "oracle": s.oracle,
           "capture_plan": s.capture(s.plan), "capture_roas": s.capture(s.by_roas),
           "capture_point_iroas": s.capture(s.by_point_iroas),
           "scale": f"{s.scale_wrong}/{s.scale_rows}", "cut": f"{s.cut_wrong}/{s.cut_rows}",
           "scale_rows": s.scale_rows, "scale_wrong": s.scale_wrong,
           "cut_rows": s.cut_rows, "cut_wrong": s.cut_wrong}
    return row, plan[plan.p_profitable.notna() & plan.true_iroas.notna()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "bench-decisions")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    rows, pooled = [], []
    for regime in REGIMES:
        for seed in args.seeds:
            row, plan = score(build(args.out, regime, seed))
            rows.append({"regime": regime, "seed": seed, **row})
            pooled.append(plan)
            print(f"{regime} seed {seed}: plan {row['capture_plan']:.3f}, ROAS "
                  f"{row['capture_roas']:.3f}, point iROAS {row['capture_point_iroas']:.3f}",
                  flush=True)
    table = pd.DataFrame(rows)
    everyone = pd.concat(pooled, ignore_index=True)
    deciles = calibration(everyone.p_profitable, everyone.true_iroas > BREAKEVEN)
    lines = ["| regime | seed | status quo | plan | by ROAS | by point iROAS | oracle | "
             "capture: plan | ROAS | point iROAS | scale wrong | cut wrong |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['regime']} | {r['seed']} | {r['status_quo']:,.0f} | {r['plan']:,.0f} | "
            f"{r['by_roas']:,.0f} | {r['by_point_iroas']:,.0f} | {r['oracle']:,.0f} | "
            f"{r['capture_plan']:.3f} | {r['capture_roas']:.3f} | "
            f"{r['capture_point_iroas']:.3f} | {r['scale']} | {r['cut']} |")
    for regime, group in table.groupby("regime", sort=False):
        lines.append(
            f"| {regime} | mean | | | | | | {group.capture_plan.mean():.3f} | "
            f"{group.capture_roas.mean():.3f} | {group.capture_point_iroas.mean():.3f} | "
            f"{group.scale_wrong.sum() / max(group.scale_rows.sum(), 1):.1%} | "
            f"{group.cut_wrong.sum() / max(group.cut_rows.sum(), 1):.1%} |")
    lines += ["", "p_profitable calibration (equal-count deciles, pooled): "
              "influencers, mean p, share truly profitable", "",
              "| decile | influencers | mean p | truly profitable |", "|---|---|---|---|"]
    lines += [f"| {i + 1} | {n} | {p:.3f} | {t:.3f} |" for i, (n, p, t) in enumerate(deciles)]
    gap = max(abs(p - t) for _, p, t in deciles)
    lines.append(f"\nlargest decile gap: {gap:.3f}")
    text = "\n".join(lines)
    print(text)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "decisions.md").write_text(text + "\n")
    (args.results / "decisions.json").write_text(json.dumps(
        {"programmes": rows, "calibration": deciles, "largest_gap": gap}, indent=2) + "\n")


if __name__ == "__main__":
    main()
