"""A small warehouse with the mart tables of docs/architecture.md (and issue 3's columns),
consistent across marts, with hostile names, captions, campaigns, products and URLs.

Used by test_report.py and test_site_*.py; it holds no tests itself.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import duckdb
import pandas as pd
from meanings_table import write_column_meanings

# Hostile values planted in the fixture: they must show as text, never run.
XSS_NAME = "<script>alert(1)</script>"
QUOTED_NAME = '"quoted, name"'
FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'
XSS_CAPTION = "<img src=x onerror=alert(1)>"
XSS_CAMPAIGN = '<b>Monsoon</b> & "Sale" <script>alert(2)</script>'
TRAVERSAL_CAMPAIGN = "../../etc/passwd"
XSS_PRODUCT = "<img src=x onerror=alert(3)> Whey"
BAD_URLS = [
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://ok.example/x\" onmouseover=\"alert(1)",
    "http:/no-host",
]
GOOD_URL = "https://www.instagram.com/p/abc123/?utm_source=x&utm_medium=y"
HOSTILE_ID = 100  # the influencer named XSS_NAME


def _ratio(num: float, den: float) -> float | None:
    return None if not den else num / den


def _verdict(low: float | None, high: float | None, method: str) -> str:
    if method == "modelled":
        return "assumed"
    if low is not None and low > 1.0:
        return "profitable"
    if high is not None and high < 1.0:
        return "unprofitable"
    return "inconclusive"


def unit_metrics(frame: pd.DataFrame) -> dict:
    """Metric columns of one unit from its cells (stand-in for the dbt marts)."""
    revenue = float(frame.exposed_revenue.sum())
    orders = int(frame.exposed_orders.sum())
    spend = float(frame.spend.sum())
    incremental = float(frame.incremental_revenue.sum())
    var = float((frame.incremental_revenue_se.fillna(0) ** 2).sum())
    se = var ** 0.5
    methods = set(frame.method)
    method = "measured" if methods == {"measured"} else (
        "modelled" if methods == {"modelled"} else "mixed")
    iroas = _ratio(incremental, spend)
    low = high = None
    if method != "modelled" and spend:
        low, high = (incremental - 1.96 * se) / spend, (incremental + 1.96 * se) / spend
    roas = _ratio(revenue, spend)
    modelled = frame[frame.method == "modelled"]
    a_low = a_high = None
    if len(modelled) and spend:
        r = float(modelled.exposed_revenue.sum())
        a_low, a_high = (r - r / 1.1) / spend, (r - r / 1.5) / spend
    return {
        "attributed_revenue": revenue,
        "attributed_orders": orders,
        "control_revenue": float(frame.control_revenue.sum()),
        "control_orders": 0,
        "spend": spend,
        "roas": roas,
        "roi": None if roas is None else roas - 1,
        "cpa": _ratio(spend, orders),
        "aov": _ratio(revenue, orders),
        "incremental_revenue": incremental,
        "incremental_revenue_se": se if method != "modelled" else None,
        "iroas": iroas,
        "iroas_ci_low": low,
        "iroas_ci_high": high,
        "iroas_method": method,
        "iroas_verdict": _verdict(low, high, method),
        "is_poor_roi": roas is not None and roas < 1.0,
        "measured_cells": int((frame.method == "measured").sum()),
        "modelled_cells": int((frame.method == "modelled").sum()),
        "incremental_orders": incremental / 1500.0,
        "p_value": 0.04 if method != "modelled" else None,
        "power_status": "powered" if method != "modelled" else "not measured",
        "mde_iroas": 2.8 * se / spend if spend and method != "modelled" else None,
        "assumed_iroas_low": a_low,
        "assumed_iroas_high": a_high,
    }


CAMPAIGNS = ["Diwali Dhamaka", XSS_CAMPAIGN, "New Year Fit", TRAVERSAL_CAMPAIGN]
PRODUCTS = [("MuscleBlaze Raw Whey Protein 1kg", "MuscleBlaze"),
            (XSS_PRODUCT, "MuscleBlaze"),
            ("HK Vitals Multivitamin 60 Tablets", "HKVitals")]
CAMPAIGN_BRAND = {"Diwali Dhamaka": "MuscleBlaze", XSS_CAMPAIGN: "MuscleBlaze",
                  "New Year Fit": "HKVitals", TRAVERSAL_CAMPAIGN: "HKVitals"}


ACTIONS = ("scale", "keep", "test", "cut")


def _plan_tables(perf: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """A plan per influencer (not computed: the report only shows the marts' values)."""
    rows = []
    for i, r in enumerate(perf.itertuples()):
        action = ACTIONS[i % 4]
        spend = float(r.spend or 0)
        planned = {"scale": 2 * spend, "keep": spend, "test": spend, "cut": 0.0}[action]
        posterior = 0.5 + 0.4 * (i % 7)
        rows.append({
            "influencer_id": r.influencer_id, "name": r.name, "spend": spend,
            "iroas": r.iroas, "iroas_verdict": r.iroas_verdict, "posterior_iroas": posterior,
            "posterior_iroas_low": posterior - 0.4, "posterior_iroas_high": posterior + 0.4,
            "p_profitable": min(1.0, 0.1 * (i % 11)), "recommendation": action,
            "planned_spend": planned, "expected_incremental_revenue": planned * posterior,
            "breakeven_rate": 10.0 * posterior, "test_exposed_users": 900,
            "test_control_users": 100, "test_mde_iroas": 1.5, "test_holdout_share": 0.1,
            "test_holdout_cost": 0.1 * posterior * spend, "roas": r.roas,
            "posterior_method": "measured", "posterior_iroas_sd": 0.2,
            "planned_change": planned - spend, "expected_net_return": planned * (posterior - 1),
            "status_quo_incremental_revenue": spend * posterior,
            "status_quo_net_return": spend * (posterior - 1), "payout_basis": "post",
            "test_design_basis": "audiences", "test_reaches_target": False,
            "rationale": f"{action}: a fixture's reason",
        })
    frame = pd.DataFrame(rows)
    programme = {
        "budget": frame.spend.sum(), "planned_spend": frame.planned_spend.sum(),
        "expected_incremental_revenue": frame.expected_incremental_revenue.sum(),
        "expected_incremental_revenue_low": 0.9 * frame.expected_incremental_revenue.sum(),
        "expected_incremental_revenue_high": 1.1 * frame.expected_incremental_revenue.sum(),
        "expected_net_return": frame.expected_net_return.sum(),
        "status_quo_spend": frame.spend.sum(),
        "status_quo_incremental_revenue": frame.status_quo_incremental_revenue.sum(),
        "status_quo_incremental_revenue_low": 0.9 * frame.status_quo_incremental_revenue.sum(),
        "status_quo_incremental_revenue_high": 1.1 * frame.status_quo_incremental_revenue.sum(),
        "status_quo_net_return": frame.status_quo_net_return.sum(),
        "unspent_budget": 0.0, "max_scale": 2.0, "breakeven": 1.0,
        "influencers_measured": len(frame), "plan_note": "The budget is fully allocated.",
    }
    return frame, programme


def make_warehouse(path: Path, n_influencers: int = 12, seed: int = 7,
                   orders_copies: int = 1) -> dict:
    """Write the warehouse; returns the programme summary row.

    Campaigns sell one brand each (so a brand filter selects whole cells); each cell
    spreads over a few days and products, its daily rows summing to the cell.
    `orders_copies` repeats fct_orders (the report must not read it).
    """
    rng = random.Random(seed)
    platforms = ["Instagram", "YouTube", "TikTok"]
    categories = ["Fitness", "Nutrition", "Yoga"]
    names = [XSS_NAME, QUOTED_NAME, FORMULA_NAME, "प्रिया शर्मा", "O'Brien & Sons"]
    start = dt.date(2024, 10, 1)

    influencers, cells, daily, posts, payouts = [], [], [], [], []
    for i in range(n_influencers):
        iid = HOSTILE_ID + i * 7  # ids are not 1..n
        followers = rng.choice([5_000, 50_000, 250_000, 750_000, 2_000_000])
        tier = next(t for t, top in [("nano", 1e4), ("micro", 1e5), ("mid", 5e5),
                                     ("macro", 1e6), ("mega", 1e18)] if followers < top)
        inf = {
            "influencer_id": iid,
            "name": names[i] if i < len(names) else f"Creator {i:03d}",
            "platform": platforms[i % 3],
            "category": categories[i % 3],
            "gender": ["Female", "Male", "Other"][i % 3] if i % 5 else "Female",
            "follower_count": followers,
            "influencer_type": tier,
        }
        influencers.append(inf)
        measured = i % 4 != 3  # every fourth influencer has no control group
        basis = "order" if i % 2 else "post"
        total_payout, total_orders = 0.0, 0
        for c, campaign in enumerate(CAMPAIGNS):
            if (i == 5 and c == 2) or (i % 3 == 1 and c == 3):
                continue  # missing cells
            lift = rng.uniform(0.0, 0.8) if i % 6 else 0.0
            r1 = round(rng.uniform(20_000, 400_000), 2)
            r0 = round(r1 / (1 + lift) / 9 * rng.uniform(0.8, 1.2), 2) if measured else 0.0
            orders = max(1, int(r1 / rng.uniform(900, 2500)))
            roas = rng.uniform(0.3, 0.9) if i % 7 == 2 else rng.uniform(0.8, 4.0)
            spend = round(r1 / roas, 2)
            incremental = r1 - 9 * r0 if measured else r1 - r1 / 1.3
            se = r1 * rng.uniform(0.05, 0.3) if measured else None
            low = None if se is None else (incremental - 1.96 * se) / spend
            high = None if se is None else (incremental + 1.96 * se) / spend
            method = "measured" if measured else "modelled"
            cells.append({
                "campaign": campaign, "influencer_id": iid,
                "brand": CAMPAIGN_BRAND[campaign], "method": method,
                "n_exposed": 900 if measured else None, "n_control": 100 if measured else None,
                "holdout_share": 0.1, "k": 9.0 if measured else None,
                "exposed_revenue": r1, "control_revenue": r0, "exposed_orders": orders,
                "control_orders": 0, "exposed_buyers": orders, "control_buyers": 0,
                "exposed_revenue_per_user": r1 / 900 if measured else None,
                "control_revenue_per_user": r0 / 100 if measured else None,
                "spend": spend, "incremental_revenue": incremental,
                "incremental_revenue_se": se,
                "incremental_revenue_ci_low": None if se is None else incremental - 1.96 * se,
                "incremental_revenue_ci_high": None if se is None else incremental + 1.96 * se,
                "incremental_orders": incremental / 1500.0, "incremental_orders_se": None,
                "p_value": 0.04 if measured else None,
                "mde_iroas": None if se is None else 2.8 * se / spend,
                "power_status": "powered" if measured else "not measured",
                "iroas": incremental / spend, "iroas_ci_low": low, "iroas_ci_high": high,
                "iroas_verdict": _verdict(low, high, method),
                "assumed_iroas_low": None if measured else (r1 - r1 / 1.1) / spend,
                "assumed_iroas_high": None if measured else (r1 - r1 / 1.5) / spend,
                "variance_method": "arm_sizes" if measured else None,
                "incremental_revenue_variance": None if se is None else se * se,
                "roas": r1 / spend,
            })
            total_payout += spend
            total_orders += orders
            # Spread the cell over days and over products of the campaign's brand.
            own_products = [p for p in PRODUCTS if p[1] == CAMPAIGN_BRAND[campaign]]
            days = rng.randint(3, 8)
            for d in range(days):
                product, brand = own_products[d % len(own_products)]
                last = d == days - 1
                daily.append({
                    "date": start + dt.timedelta(days=c * 20 + d * 2),
                    "campaign": campaign, "influencer_id": iid, "product": product,
                    "attributed_revenue": r1 / days, "attributed_orders": orders // days
                    + (orders % days if last else 0), "control_revenue": r0 / days,
                    "brand": brand, "platform": inf["platform"],
                    "influencer_type": tier, "category": inf["category"],
                    "gender": inf["gender"], "control_orders": 0,
                })
        n_posts = 2 + i % 4
        for k in range(n_posts):
            url, caption = f"https://www.instagram.com/p/{iid}x{k}/", f"Post {k} #fitness"
            if i == 0:  # the hostile influencer
                url = ([GOOD_URL, *BAD_URLS] * 2)[k]
                caption = XSS_CAPTION if k == 0 else "Try <b>this</b> & that \"now\""
            posts.append({
                "post_id": f"p{iid}-{k}", "influencer_id": iid, "platform": inf["platform"],
                "post_date": start + dt.timedelta(days=3 * k), "url": url,
                "caption": caption, "reach": rng.randint(1_000, 90_000),
                "likes": rng.randint(10, 900), "comments": rng.randint(0, 90),
                "campaign": CAMPAIGNS[k % 3], "follower_count": followers,
            })
        if i == 0:
            n_posts = len(BAD_URLS) + 1
            for k in range(2 + i % 4, n_posts):
                posts.append({**posts[-1], "post_id": f"p{iid}-{k}", "url": BAD_URLS[k - 1],
                              "post_date": start + dt.timedelta(days=3 * k)})
        rate = round(total_payout / n_posts, 2) if basis == "post" else round(
            total_payout / total_orders, 2)
        expected = rate * (n_posts if basis == "post" else total_orders)
        paid = round(total_payout + (5_000 if i == 1 else 0), 2)
        payouts.append({
            "influencer_id": iid, "basis": basis, "rate": rate,
            "recorded_orders": total_orders if basis == "order" else 0,
            "attributed_orders": total_orders, "expected_payout": expected,
            "total_payout": paid, "payout_gap": paid - expected, "name": inf["name"],
            "influencer_type": tier, "posts": n_posts,
            "has_payout_gap": abs(paid - expected) >= 0.5,
            "status": ["paid", "pending", "approved"][i % 3], "payout_rows": 1,
        })

    cells_df = pd.DataFrame(cells)
    inf_df = pd.DataFrame(influencers)
    posts_df = pd.DataFrame(posts)
    posts_df["engagements"] = posts_df.likes + posts_df.comments  # as fct_posts has it

    perf = []
    for inf in influencers:
        own = cells_df[cells_df.influencer_id == inf["influencer_id"]]
        own_posts = posts_df[posts_df.influencer_id == inf["influencer_id"]]
        reach, likes, comments = (int(own_posts[c].sum()) for c in ("reach", "likes", "comments"))
        impressions = int(own_posts.follower_count.sum())
        metrics = unit_metrics(own)
        perf.append({
            **inf, **metrics,
            "posts": len(own_posts), "reach": reach, "likes": likes, "comments": comments,
            "engagement_rate_reach": _ratio(likes + comments, reach) * 100,
            "engagement_rate_followers": _ratio(likes + comments, impressions) * 100,
            "cpm": _ratio(metrics["spend"], reach) * 1000,
            "cpe": _ratio(metrics["spend"], likes + comments),
            "iroas_shrunk": metrics["iroas"],
        })
    perf_df = pd.DataFrame(perf)
    measured = perf_df[perf_df.iroas_method != "modelled"].sort_values(
        "iroas_ci_low", ascending=False)
    perf_df["iroas_rank"] = None
    for rank, index in enumerate(measured.index, start=1):
        perf_df.loc[index, "iroas_rank"] = rank

    campaign_rows = []
    for c, campaign in enumerate(CAMPAIGNS):
        own = cells_df[cells_df.campaign == campaign]
        campaign_rows.append({"campaign": campaign, **unit_metrics(own),
                              "influencers": own.influencer_id.nunique(),
                              "first_order_date": start + dt.timedelta(days=c * 20),
                              "last_order_date": start + dt.timedelta(days=c * 20 + 14)})
    persona_rows = []
    merged = cells_df.merge(inf_df, on="influencer_id")
    for (category, gender), own in merged.groupby(["category", "gender"]):
        persona_rows.append({"category": category, "gender": gender,
                             "influencers": own.influencer_id.nunique(), **unit_metrics(own)})
    brand_rows = []
    for brand, own in cells_df.groupby("brand"):
        brand_rows.append({"brand": brand, "campaigns": own.campaign.nunique(),
                           "influencers": own.influencer_id.nunique(), **unit_metrics(own)})
    programme = {**unit_metrics(cells_df), "influencers": len(influencers),
                 "campaigns": len(CAMPAIGNS), "posts": len(posts),
                 "first_date": start, "last_date": start + dt.timedelta(days=74),
                 "breakeven": 1.0, "poor_roi_below": 1.0, "assumed_lift": 0.3,
                 "lift_range_low": 0.1, "lift_range_high": 0.5, "holdout_share": 0.1}

    files = ["influencers.csv", "posts.csv", "tracking_data.csv", "payouts.csv", "audiences.csv"]
    quality = pd.DataFrame([{
        "source_file": f, "file_present": f != "audiences.csv",
        "rows_read": 0 if f == "audiences.csv" else 1000 + n,
        "rows_loaded": 0 if f == "audiences.csv" else 1000 + n - (250 if n == 2 else n),
        "rows_rejected": 0 if f == "audiences.csv" else (250 if n == 2 else n),
        "rows_flagged": 3 if f == "posts.csv" else 0, "columns_present": "a,b",
        "validated_at": "2024-12-01T00:00:00Z",
    } for n, f in enumerate(files)])
    rejected = pd.DataFrame([{
        "source_file": "tracking_data.csv", "line_number": n + 2,
        "column_name": "revenue" if n % 2 else None,
        "reason": "revenue must be >= 0; <script>alert(3)</script>",
        "original_values": json.dumps({"revenue": "-5", "product": XSS_CAPTION,
                                       "user": XSS_NAME, "formula": "=1+1"}),
    } for n in range(250)])
    checks = pd.DataFrame([
        {"source_file": "tracking_data.csv", "expectation": "expect_column_values_to_be_between",
         "column_name": "revenue", "rule": "revenue >= 0", "success": False,
         "element_count": 1250, "unexpected_count": 250},
        {"source_file": "posts.csv", "expectation": "expect_column_values_to_not_be_null",
         "column_name": "url", "rule": "url is required", "success": True,
         "element_count": 1000, "unexpected_count": 0},
    ])
    orders_df = pd.DataFrame([{
        "order_id": f"o{n}", "source": "instagram", "campaign": CAMPAIGNS[0],
        "influencer_id": influencers[0]["influencer_id"], "user_id": "u1",
        "product": PRODUCTS[0][0], "brand": PRODUCTS[0][1], "order_date": start, "orders": 1,
        "revenue": 1999.0, "group": 1,
    } for n in range(orders_copies)])
    fct_payouts = pd.DataFrame([{k: p[k] for k in ("influencer_id", "basis", "rate")}
                                for p in payouts])

    plan_df, programme_plan = _plan_tables(perf_df)
    tables = {
        "dim_influencers": inf_df,
        "fct_posts": posts_df,
        "fct_orders": orders_df,
        "fct_payouts": fct_payouts,
        "mart_influencer_performance": perf_df,
        "mart_campaign_performance": pd.DataFrame(campaign_rows),
        "mart_persona_performance": pd.DataFrame(persona_rows),
        "mart_brand_performance": pd.DataFrame(brand_rows),
        "mart_payout_tracking": pd.DataFrame(payouts),
        "mart_daily_performance": pd.DataFrame(daily),
        "mart_programme_summary": pd.DataFrame([programme]),
        "mart_incrementality_cells": cells_df,
        "mart_data_quality": quality,
        "mart_influencer_plan": plan_df,
        "mart_programme_plan": pd.DataFrame([programme_plan]),
        "rejected_rows": rejected,
        "validation_results": checks,
    }
    con = duckdb.connect(str(path))
    try:
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"create table {name} as select * from frame")
            con.unregister("frame")
        # Integer and date types as in the real marts (pandas gives float/object).
        for table, column, kind in [
            ("mart_daily_performance", "date", "date"),
            ("fct_posts", "post_date", "date"),
            ("fct_orders", "order_date", "date"),
            ("mart_incrementality_cells", "n_exposed", "bigint"),
            ("mart_incrementality_cells", "n_control", "bigint"),
            ("mart_incrementality_cells", "k", "double"),
            ("mart_incrementality_cells", "incremental_revenue_se", "double"),
            ("mart_incrementality_cells", "incremental_revenue_ci_low", "double"),
            ("mart_incrementality_cells", "incremental_revenue_ci_high", "double"),
            ("mart_incrementality_cells", "incremental_orders_se", "double"),
            ("mart_incrementality_cells", "p_value", "double"),
            ("mart_incrementality_cells", "mde_iroas", "double"),
            ("mart_incrementality_cells", "iroas_ci_low", "double"),
            ("mart_incrementality_cells", "iroas_ci_high", "double"),
            ("mart_incrementality_cells", "assumed_iroas_low", "double"),
            ("mart_incrementality_cells", "assumed_iroas_high", "double"),
            ("mart_incrementality_cells", "exposed_revenue_per_user", "double"),
            ("mart_incrementality_cells", "control_revenue_per_user", "double"),
            ("mart_incrementality_cells", "incremental_revenue_variance", "double"),
            ("mart_incrementality_cells", "variance_method", "varchar"),
            ("mart_influencer_performance", "iroas_rank", "bigint"),
            ("mart_programme_summary", "first_date", "date"),
            ("mart_programme_summary", "last_date", "date"),
            ("mart_campaign_performance", "first_order_date", "date"),
            ("mart_campaign_performance", "last_order_date", "date"),
        ]:
            con.execute(f"alter table {table} alter column {column} type {kind}")
        write_column_meanings(con)
    finally:
        con.close()
    return programme
