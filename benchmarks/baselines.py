"""The two baselines the pipeline is measured beside, on the same raw files.

floor:  DuckDB reads tracking_data.csv once and computes per-cell, per-arm sums and
        distinct buyers: the least work any incrementality answer needs.
pandas: the seeds' way (a Streamlit app): pandas reads the four files and computes
        influencer ROAS, persona ROAS, engagement by platform and per-user revenue by group.

    python benchmarks/baselines.py floor|pandas RAW_DIR [--dump OUT.csv]

--dump writes the baseline's main result (floor: the cell arms; pandas: influencer ROAS)
so tests can check that the baseline computes what the marts compute.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def floor(raw: Path, dump: Path | None) -> str:
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"""
        create table arms as
        select campaign, influencer_id, "group",
               sum(revenue) as revenue, sum(orders) as units, count(distinct user_id) as buyers
        from read_csv('{raw / "tracking_data.csv"}')
        group by all
        """
    )
    count = con.execute("select count(*) from arms").fetchall()[0][0]
    if dump is not None:
        con.execute(f"copy (select * from arms order by all) to '{dump}' (header)")
    return f"{count:,} cell arms"


def pandas_way(raw: Path, dump: Path | None) -> str:
    import pandas as pd

    influencers = pd.read_csv(raw / "influencers.csv")
    posts = pd.read_csv(raw / "posts.csv")
    tracking = pd.read_csv(raw / "tracking_data.csv")
    payouts = pd.read_csv(raw / "payouts.csv")

    revenue = tracking[tracking["group"] == 1].groupby("influencer_id")["revenue"].sum()
    spend = payouts.groupby("influencer_id")["total_payout"].sum()
    influencer_roas = (revenue / spend).rename("roas")

    persona = influencers.set_index("id").join(revenue.rename("revenue")).join(
        spend.rename("spend")
    )
    persona_roas = persona.groupby(["category", "gender"])[["revenue", "spend"]].sum()
    persona_roas["roas"] = persona_roas["revenue"] / persona_roas["spend"]

    engagement = posts.groupby("platform")[["likes", "comments", "reach"]].sum()
    engagement["err"] = (engagement["likes"] + engagement["comments"]) / engagement["reach"] * 100

    per_user = tracking.groupby("group").agg(revenue=("revenue", "sum"),
                                             users=("user_id", "nunique"))
    per_user["revenue_per_user"] = per_user["revenue"] / per_user["users"]
    if dump is not None:
        influencer_roas.rename_axis("influencer_id").reset_index().to_csv(dump, index=False)
    return (f"{len(influencer_roas):,} influencers, {len(persona_roas):,} personas, "
            f"{len(engagement):,} platforms, {len(per_user):,} groups")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["floor", "pandas"])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    print({"floor": floor, "pandas": pandas_way}[args.kind](args.raw_dir, args.dump))
