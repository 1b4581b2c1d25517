"""Tests of the static report: formatting, rendering a fixture warehouse, and a real browser."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pandas as pd
import pytest

from reports import ReportError, SiteResult, render_site
from reports.charts import money_axis
from reports.formatting import Formatter, group_digits
from reports.pages import link_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Hostile values planted in the fixture: they must show as text, never run.
XSS_NAME = "<script>alert(1)</script>"
QUOTED_NAME = '"quoted, name"'
XSS_CAPTION = "<img src=x onerror=alert(1)>"
XSS_CAMPAIGN = '<b>Monsoon</b> & "Sale" <script>alert(2)</script>'
BAD_URLS = [
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://ok.example/x\" onmouseover=\"alert(1)",
    "http:/no-host",
]
GOOD_URL = "https://www.instagram.com/p/abc123/?utm_source=x&utm_medium=y"


# -- fixture warehouse ---------------------------------------------------------


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


def _unit_metrics(frame: pd.DataFrame) -> dict:
    """Metric columns of one unit from its cells (stand-in for the dbt marts)."""
    revenue = float(frame.attributed_revenue.sum())
    orders = int(frame.attributed_orders.sum())
    spend = float(frame.spend.sum())
    incremental = float(frame.incremental_revenue.sum())
    se = float((frame.incremental_revenue_se.fillna(0) ** 2).sum() ** 0.5)
    methods = set(frame.method)
    method = "measured" if methods == {"measured"} else (
        "modelled" if methods == {"modelled"} else "mixed")
    iroas = _ratio(incremental, spend)
    low = high = None
    if method != "modelled" and spend:
        low, high = (incremental - 1.96 * se) / spend, (incremental + 1.96 * se) / spend
    roas = _ratio(revenue, spend)
    return {
        "attributed_revenue": revenue,
        "attributed_orders": orders,
        "control_revenue": float(frame.control_revenue.sum()),
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
    }


def make_warehouse(path: Path, n_influencers: int = 12, seed: int = 7) -> dict:
    """A small DuckDB warehouse with the mart tables and columns of docs/architecture.md.

    Plausible numbers, consistent across marts, with hostile names, captions and URLs.
    Returns the programme summary row.
    """
    rng = random.Random(seed)
    campaigns = ["Diwali Dhamaka", XSS_CAMPAIGN, "New Year Fit"]
    products = [("MuscleBlaze Raw Whey Protein 1kg", "MuscleBlaze"),
                ("HK Vitals Multivitamin 60 Tablets", "HKVitals")]
    platforms = ["Instagram", "YouTube", "TikTok"]
    categories = ["Fitness", "Nutrition", "Yoga"]
    names = [XSS_NAME, QUOTED_NAME, "प्रिया शर्मा", "O'Brien & Sons"]
    start = dt.date(2024, 10, 1)

    influencers, cells, daily, posts, payouts = [], [], [], [], []
    for i in range(n_influencers):
        iid = 100 + i * 7  # ids are not 1..n
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
        for c, campaign in enumerate(campaigns):
            if i == 5 and c == 2:
                continue  # a missing cell
            lift = rng.uniform(0.0, 0.8) if i % 6 else 0.0  # some influencers do nothing
            r1 = round(rng.uniform(20_000, 400_000), 2)
            r0 = round(r1 / (1 + lift) / 9 * rng.uniform(0.8, 1.2), 2) if measured else 0.0
            orders = max(1, int(r1 / rng.uniform(900, 2500)))
            roas = rng.uniform(0.3, 0.9) if i % 7 == 2 else rng.uniform(0.8, 4.0)
            spend = round(r1 / roas, 2)
            incremental = r1 - 9 * r0 if measured else r1 - r1 / 1.3
            se = r1 * rng.uniform(0.05, 0.3) if measured else None
            iroas = incremental / spend
            low = None if se is None else (incremental - 1.96 * se) / spend
            high = None if se is None else (incremental + 1.96 * se) / spend
            method = "measured" if measured else "modelled"
            cells.append({
                "campaign": campaign, "influencer_id": iid, "attributed_revenue": r1,
                "attributed_orders": orders, "control_revenue": r0, "spend": spend,
                "arm_ratio": 9.0 if measured else None, "incremental_revenue": incremental,
                "incremental_revenue_se": se, "iroas": iroas, "iroas_ci_low": low,
                "iroas_ci_high": high, "method": method,
                "iroas_verdict": _verdict(low, high, method),
            })
            total_payout += spend
            total_orders += orders
            # Spread the cell over days and products; sums match the cell.
            days = rng.randint(3, 8)
            for d in range(days):
                product, brand = products[d % 2]
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
                "campaign": campaigns[k % 3],
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
            "recorded_orders": total_orders if basis == "order" else None,
            "attributed_orders": total_orders, "expected_payout": expected,
            "total_payout": paid, "payout_gap": paid - expected, "name": inf["name"],
            "influencer_type": tier, "posts": n_posts,
            "has_payout_gap": abs(paid - expected) >= 0.5, "status": "paid",
        })

    cells_df = pd.DataFrame(cells)
    cells_mart = pd.DataFrame([{
        "campaign": c["campaign"], "influencer_id": c["influencer_id"], "method": c["method"],
        "n_exposed": 900 if c["method"] == "measured" else None,
        "n_control": 100 if c["method"] == "measured" else None, "k": c["arm_ratio"],
        "exposed_revenue": c["attributed_revenue"], "control_revenue": c["control_revenue"],
        "exposed_orders": c["attributed_orders"], "control_orders": 0,
        "exposed_buyers": c["attributed_orders"], "control_buyers": 0, "spend": c["spend"],
        "incremental_revenue": c["incremental_revenue"],
        "incremental_revenue_se": c["incremental_revenue_se"],
        "incremental_revenue_ci_low": None, "incremental_revenue_ci_high": None,
        "iroas": c["iroas"], "iroas_ci_low": c["iroas_ci_low"],
        "iroas_ci_high": c["iroas_ci_high"], "iroas_verdict": c["iroas_verdict"],
        "incremental_revenue_variance": None, "variance_method": "compound_poisson",
        "roas": c["attributed_revenue"] / c["spend"],
    } for c in cells])
    inf_df = pd.DataFrame(influencers)
    posts_df = pd.DataFrame(posts)

    perf = []
    for inf in influencers:
        own = cells_df[cells_df.influencer_id == inf["influencer_id"]]
        own_posts = posts_df[posts_df.influencer_id == inf["influencer_id"]]
        reach, likes, comments = (int(own_posts[c].sum()) for c in ("reach", "likes", "comments"))
        perf.append({
            **inf, **_unit_metrics(own),
            "posts": len(own_posts), "reach": reach, "likes": likes, "comments": comments,
            "engagement_rate_reach": _ratio(likes + comments, reach) * 100,
            "engagement_rate_followers": _ratio(likes + comments, inf["follower_count"]),
            "measured_cells": int((own.method == "measured").sum()),
            "modelled_cells": int((own.method == "modelled").sum()),
        })
    perf_df = pd.DataFrame(perf)

    campaign_rows = []
    for campaign, own in cells_df.groupby("campaign", sort=False):
        campaign_rows.append({"campaign": campaign, **_unit_metrics(own),
                              "influencers": own.influencer_id.nunique(),
                              "first_order_date": start, "last_order_date": start})
    persona_rows = []
    merged = cells_df.merge(inf_df, on="influencer_id")
    for (category, gender), own in merged.groupby(["category", "gender"]):
        persona_rows.append({"category": category, "gender": gender,
                             "influencers": own.influencer_id.nunique(), **_unit_metrics(own)})
    programme = {**_unit_metrics(cells_df), "influencers": len(influencers),
                 "campaigns": len(campaigns), "posts": len(posts),
                 "first_date": start, "last_date": start + dt.timedelta(days=60)}
    # Order the contract's columns first, like the real marts.
    programme_df = pd.DataFrame([programme])

    files = ["influencers.csv", "posts.csv", "tracking_data.csv", "payouts.csv", "audiences.csv"]
    quality = pd.DataFrame([{
        "source_file": f, "file_present": f != "audiences.csv",
        "rows_read": 0 if f == "audiences.csv" else 1000 + n,
        "rows_loaded": 0 if f == "audiences.csv" else 1000 + n - (250 if n == 2 else n),
        "rows_rejected": 0 if f == "audiences.csv" else (250 if n == 2 else n),
        "rows_flagged": 3 if f == "posts.csv" else 0, "columns_present": "a,b",
        "validated_at": "2024-12-01T00:00:00",
    } for n, f in enumerate(files)])
    rejected = pd.DataFrame([{
        "source_file": "tracking_data.csv", "line_number": n + 2,
        "column_name": "revenue" if n % 2 else None,
        "reason": "revenue must be >= 0; <script>alert(3)</script>",
        "original_values": json.dumps({"revenue": "-5", "product": XSS_CAPTION,
                                       "user": XSS_NAME}),
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
        "order_id": "o1", "source": "instagram", "campaign": campaigns[0],
        "influencer_id": influencers[0]["influencer_id"], "user_id": "u1",
        "product": products[0][0], "brand": products[0][1], "order_date": start, "orders": 1,
        "revenue": 1999.0, "group": 1,
    }])
    fct_payouts = pd.DataFrame([{k: p[k] for k in ("influencer_id", "basis", "rate")}
                                for p in payouts])

    tables = {
        "dim_influencers": inf_df,
        "fct_posts": posts_df,
        "fct_orders": orders_df,
        "fct_payouts": fct_payouts,
        "mart_influencer_performance": perf_df,
        "mart_campaign_performance": pd.DataFrame(campaign_rows),
        "mart_persona_performance": pd.DataFrame(persona_rows),
        "mart_payout_tracking": pd.DataFrame(payouts),
        "mart_daily_performance": pd.DataFrame(daily),
        "mart_programme_summary": programme_df,
        "mart_incrementality_cells": cells_mart,
        "mart_data_quality": quality,
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
            ("mart_payout_tracking", "recorded_orders", "bigint"),
            ("mart_daily_performance", "date", "date"),
            ("fct_posts", "post_date", "date"),
            ("mart_incrementality_cells", "n_exposed", "bigint"),
            ("mart_incrementality_cells", "n_control", "bigint"),
            ("mart_incrementality_cells", "incremental_revenue_ci_low", "double"),
            ("mart_incrementality_cells", "incremental_revenue_ci_high", "double"),
            ("mart_incrementality_cells", "incremental_revenue_variance", "double"),
            ("mart_programme_summary", "first_date", "date"),
            ("mart_programme_summary", "last_date", "date"),
        ]:
            con.execute(f"alter table {table} alter column {column} type {kind}")
    finally:
        con.close()
    return programme


# -- helpers -----------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collects (tag, attrs) of every start tag and the text of script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# -- formatting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1,000"),
        (99999, 0, "99,999"),
        (100000, 0, "1,00,000"),
        (1234567, 0, "12,34,567"),
        (12345678.9, 2, "1,23,45,678.90"),
        (-1234567, 0, "-12,34,567"),
        (-0.004, 2, "0.00"),
        (0.5, 0, "1"),  # half-up, not banker's rounding
        (999.995, 2, "1,000.00"),
        (None, 0, "—"),
        (float("nan"), 0, "—"),
        (float("inf"), 2, "—"),
    ],
)
def test_indian_grouping(value: object, decimals: int, expected: str) -> None:
    assert group_digits(value, decimals, indian=True) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (999, "999"), (1000, "1,000"), (100000, "100,000"),
     (1234567.891, "1,234,568"), (-1234567, "-1,234,567"), (None, "—")],
)
def test_western_grouping(value: object, expected: str) -> None:
    assert group_digits(value, 0) == expected


def test_money_formats() -> None:
    inr, usd, eur = Formatter("₹"), Formatter("$"), Formatter("EUR")
    assert inr.money(1234567) == "₹12,34,567"
    assert inr.money(-1234567) == "-₹12,34,567"
    assert inr.money(1234.5, 2) == "₹1,234.50"
    assert inr.money(None) == "—"
    assert usd.money(1234567) == "$1,234,567"
    assert eur.money(1234) == "EUR 1,234"
    assert inr.num(1234567) == "12,34,567"
    assert usd.num(1234567) == "1,234,567"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "₹0"), (99_960, "₹99,960"), (1_234_567, "₹12.3 L"), (12_345_678, "₹1.2 Cr"),
     (9_999_999, "₹1.0 Cr"), (99_999.6, "₹1,00,000"), (100_000, "₹1.0 L"),
     (1_234_567_890, "₹123.5 Cr"),
     (123_456_789_012, "₹12,345.7 Cr"), (-2_500_000, "-₹25.0 L"), (None, "—")],
)
def test_money_compact_indian(value: object, expected: str) -> None:
    assert Formatter("₹").money_compact(value) == expected


def test_money_compact_western() -> None:
    usd = Formatter("$")
    assert usd.money_compact(950) == "$950"
    assert usd.money_compact(12_345) == "$12.3K"
    assert usd.money_compact(999_960) == "$1.0M"
    assert usd.money_compact(999.6) == "$1,000"
    assert usd.money_compact(4_500_000_000) == "$4.5B"


def test_ratio_pct_date() -> None:
    f = Formatter()
    assert f.ratio(2.345) == "2.35"  # half-up
    assert f.ratio(0) == "0.00"
    assert f.ratio(-0.5) == "-0.50"
    assert f.ratio(None) == "—"
    assert f.ratio(float("nan")) == "—"
    assert f.ratio(12345.678) == "12,345.68"
    assert f.pct(3.456) == "3.46%"
    assert f.pct(None) == "—"
    assert f.date(dt.date(2024, 3, 5)) == "5 Mar 2024"
    assert f.date(None) == "—"


def test_money_axis_ticks() -> None:
    axis = money_axis([2_900_000, 1_400_000, None], Formatter("₹"))
    assert axis["ticktext"] == ["₹0", "₹10 L", "₹20 L", "₹30 L"]
    assert money_axis([0, 1_50_00_000], Formatter("₹"))["ticktext"] == [
        "₹0", "₹50 L", "₹1 Cr", "₹1.5 Cr"]
    assert money_axis([150, 420], Formatter("$"))["ticktext"][-1] == "$500"
    assert money_axis([0, 0], Formatter("₹"))["tickprefix"] == "₹"  # no data: plotly decides


@pytest.mark.parametrize(
    ("url", "ok"),
    [(GOOD_URL, True), ("http://a.example", True), ("HTTPS://A.EXAMPLE/x", True),
     *((u, False) for u in BAD_URLS), (None, False), ("", False), ("//evil.example", False),
     ("https://", False), ("https://a.example/\nx", False)],
)
def test_link_url(url: str | None, ok: bool) -> None:
    assert link_url(url) == (url if ok else None)


# -- rendering -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("wh") / "fixture.duckdb"
    return path, make_warehouse(path)


@pytest.fixture(scope="module")
def site(warehouse: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    messages: list[str] = []
    result = render_site(warehouse[0], tmp_path_factory.mktemp("site"), progress=messages.append)
    assert messages, "progress callback never called"
    return result


def test_site_result(site: SiteResult) -> None:
    assert site.index_path == site.out_dir / "index.html"
    assert site.index_path.is_file()
    assert site.pages == len(html_pages(site.out_dir))


def test_index_shows_programme_kpis(site: SiteResult, warehouse: tuple[Path, dict]) -> None:
    programme = warehouse[1]
    fmt = Formatter("₹")
    text = html.unescape(site.index_path.read_text(encoding="utf-8"))
    expected = [
        fmt.money_compact(programme["attributed_revenue"]),
        fmt.money(programme["attributed_revenue"]),
        fmt.money_compact(programme["spend"]),
        fmt.money(programme["spend"]),
        fmt.ratio(programme["roas"]),
        fmt.ratio(programme["iroas"]),
        fmt.ratio(programme["iroas_ci_low"]),
        fmt.ratio(programme["iroas_ci_high"]),
        fmt.num(programme["attributed_orders"]),
        fmt.money(programme["cpa"]),
        programme["iroas_verdict"],
    ]
    for value in expected:
        assert value in text, value
    assert re.search(r"₹[\d.]+ (L|Cr)", text), "compact lakh/crore tile missing"
    for section in ("Top influencers", "Incrementality ranking", "Poor-ROI alerts",
                    "Campaigns", "Personas", "Data quality", "Rejected rows"):
        assert section in text


def test_modelled_units_say_assumed(site: SiteResult, warehouse: tuple[Path, dict]) -> None:
    con = duckdb.connect(str(warehouse[0]), read_only=True)
    iid = con.execute("select influencer_id from mart_influencer_performance "
                      "where iroas_method = 'modelled' limit 1").fetchone()[0]
    con.close()
    text = (site.out_dir / "influencers" / f"{iid}.html").read_text(encoding="utf-8")
    assert "assumed, not measured" in text


def test_one_page_per_influencer(site: SiteResult, warehouse: tuple[Path, dict]) -> None:
    con = duckdb.connect(str(warehouse[0]), read_only=True)
    ids = [r[0] for r in con.execute("select influencer_id from dim_influencers").fetchall()]
    con.close()
    folder = site.out_dir / "influencers"
    pages = {p.name for p in folder.glob("*.html")}
    assert pages == {f"{i}.html" for i in ids} | {"index.html"}
    listing = tags_of(folder / "index.html")
    hrefs = {a.get("href") for tag, a in listing if tag == "a"}
    assert {f"{i}.html" for i in ids} <= {h.removeprefix("../influencers/") for h in hrefs if h}
    assert site.pages == len(ids) + 2


def test_hostile_strings_are_escaped(site: SiteResult) -> None:
    for page in html_pages(site.out_dir):
        text = page.read_text(encoding="utf-8")
        lowered = text.lower()
        assert "<script>alert" not in lowered, page
        assert "<img src=x" not in lowered, page
        assert "<b>monsoon" not in lowered, page
        for tag, attrs in tags_of(page):
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name)  # no inline handlers
                if name in ("href", "src", "action", "formaction"):
                    assert "javascript:" not in unquote(value or "").lower().replace(" ", "")
                    assert not (value or "").lower().lstrip().startswith("data:text"), value
            if tag == "script":  # only external files and JSON data blocks
                assert attrs.get("src") or attrs.get("type") == "application/json", page
    hostile = site.out_dir / "influencers" / "100.html"
    text = hostile.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "javascript:alert(1)" in text  # shown as text, not as a link
    index = site.index_path.read_text(encoding="utf-8")
    assert "&#34;quoted, name&#34;" in index or "&quot;quoted, name&quot;" in index


def test_only_http_links_and_local_assets(site: SiteResult) -> None:
    external_links = 0
    for page in html_pages(site.out_dir):
        for tag, attrs in tags_of(page):
            for name in ("href", "src"):
                value = attrs.get(name)
                if value is None:
                    continue
                parts = urlsplit(value)
                if tag == "a" and parts.scheme in ("http", "https"):
                    assert parts.netloc, value
                    assert attrs.get("rel") and "noopener" in attrs["rel"]
                    external_links += 1
                    continue
                # Everything else is a relative path inside the site (or data: icon).
                if tag == "link" and value == "data:,":
                    continue
                assert not parts.scheme and not parts.netloc, (page, tag, value)
                assert not value.startswith("/"), (page, value)  # relative only
                if parts.path:
                    target = (page.parent / unquote(parts.path)).resolve()
                    assert target.is_file(), (page, value)
                    assert site.out_dir.resolve() in target.parents, (page, value)
    assert external_links > 0
    # The hostile influencer has exactly one safe post URL and it is a link.
    hrefs = [a.get("href") for tag, a in tags_of(site.out_dir / "influencers" / "100.html")
             if tag == "a"]
    assert GOOD_URL in hrefs
    assert not any(h in hrefs for h in BAD_URLS)


def test_assets_and_csp(site: SiteResult) -> None:
    assets = site.out_dir / "assets"
    assert {p.name for p in assets.iterdir()} == {"plotly.min.js", "app.js", "style.css"}
    assert (assets / "plotly.min.js").stat().st_size > 1_000_000
    # plotly.js shipped once: no other copy anywhere in the site.
    assert len(list(site.out_dir.rglob("plotly*.js"))) == 1
    for page in html_pages(site.out_dir):
        metas = [a for t, a in tags_of(page)
                 if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
        assert len(metas) == 1, page
        csp = metas[0]["content"] or ""
        assert "default-src 'none'" in csp
        assert "script-src 'self'" in csp
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "unsafe" not in script_src
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert "http://" not in head and "https://" not in head, page
    css = (assets / "style.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "prefers-color-scheme: dark" in css


def test_chart_json_is_escaped(site: SiteResult) -> None:
    text = site.index_path.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S)
    assert len(blocks) >= 2
    for block in blocks:
        assert "<" not in block and ">" not in block and "&" not in block
        figure = json.loads(block)
        assert figure["data"] and "layout" in figure
    # Campaign names reach plotly HTML-escaped (plotly renders a subset of HTML).
    assert "\\u0026lt;b\\u0026gt;Monsoon" in text


def test_rejected_rows_capped(site: SiteResult) -> None:
    text = site.index_path.read_text(encoding="utf-8")
    table = text.split('id="table-rejected"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 200  # header + first 200
    assert "First 200 of 250" in text


def test_render_does_not_read_orders(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    """fct_orders (which grows with orders) is never read: dropping it changes nothing."""
    copy = tmp_path / "no_orders.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("drop table fct_orders")
    con.close()
    assert render_site(copy, tmp_path / "site").pages > 2


def test_empty_marts_render(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    """Empty marts and NULL ratios render as notes and dashes, not errors or empty axes."""
    copy = tmp_path / "empty.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    con = duckdb.connect(str(copy))
    for table in ("mart_campaign_performance", "mart_daily_performance", "fct_posts",
                  "mart_incrementality_cells", "mart_payout_tracking", "rejected_rows"):
        con.execute(f"delete from {table}")
    con.execute("update mart_programme_summary set roas = null, iroas = null, "
                "iroas_ci_low = null, iroas_ci_high = null, iroas_method = 'modelled', "
                "iroas_verdict = 'assumed'")
    con.close()
    result = render_site(copy, tmp_path / "site")
    text = result.index_path.read_text(encoding="utf-8")
    assert "No data to chart." in text
    assert "assumed, not measured" in text
    assert "No row was rejected." in text
    page = (result.out_dir / "influencers" / "100.html").read_text(encoding="utf-8")
    assert "No posts recorded." in page and "No payout recorded" in page


def test_warehouse_open_read_write_in_process(warehouse: tuple[Path, dict],
                                              tmp_path: Path) -> None:
    """A read-write connection held in this process (dbt-duckdb in-process) gives a clear error."""
    copy = tmp_path / "busy.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    holder = duckdb.connect(str(copy))
    try:
        with pytest.raises(ReportError, match="busy.duckdb.*close that connection"):
            render_site(copy, tmp_path / "site")
    finally:
        holder.close()
    assert render_site(copy, tmp_path / "site").pages > 2


def test_missing_warehouse_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(ReportError, match="nope.duckdb"):
        render_site(missing, tmp_path / "site")
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("table", ["mart_programme_summary", "mart_incrementality_cells",
                                   "rejected_rows"])
def test_missing_mart_raises(warehouse: tuple[Path, dict], tmp_path: Path, table: str) -> None:
    copy = tmp_path / "partial.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    con = duckdb.connect(str(copy))
    con.execute(f"drop table {table}")
    con.close()
    with pytest.raises(ReportError, match=table):
        render_site(copy, tmp_path / "site")


def test_missing_column_raises(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    copy = tmp_path / "partial.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("alter table mart_influencer_performance drop column iroas_verdict")
    con.close()
    with pytest.raises(ReportError, match="mart_influencer_performance.*iroas_verdict"):
        render_site(copy, tmp_path / "site")


def test_other_currency(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    result = render_site(warehouse[0], tmp_path / "usd", currency="$")
    text = html.unescape(result.index_path.read_text(encoding="utf-8"))
    assert Formatter("$").money(warehouse[1]["spend"]) in text
    assert "₹" not in text


def test_rerender_removes_stale_pages(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "influencers").mkdir(parents=True)
    (out / "influencers" / "999999.html").write_text("old")
    (out / "keep.txt").write_text("user file")
    render_site(warehouse[0], out)
    assert not (out / "influencers" / "999999.html").exists()
    assert (out / "keep.txt").exists()


def test_render_time_500_influencers(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "big.duckdb"
    make_warehouse(path, n_influencers=500, seed=11)
    started = time.perf_counter()
    result = render_site(path, tmp_path / "site")
    elapsed = time.perf_counter() - started
    assert result.pages == 502
    with capsys.disabled():
        print(f"\n[report] rendered {result.pages} pages for 500 influencers in {elapsed:.2f} s")
    assert elapsed < 60


# -- real browser ------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt install chromium)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, page_path: Path):
    """A page opened from file:// with listeners for dialogs, console errors and requests."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    seen: dict[str, list[str]] = {"dialogs": [], "errors": [], "requests": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(page_path.resolve().as_uri())
    page.wait_for_selector(".js-plotly-plot svg.main-svg", timeout=20_000)
    return page, seen


def _assert_clean(seen: dict[str, list[str]]) -> None:
    assert seen["dialogs"] == [], seen["dialogs"]
    assert seen["errors"] == [], seen["errors"]
    assert seen["requests"] and all(u.startswith("file://") for u in seen["requests"]), \
        seen["requests"]


@pytest.mark.slow
@needs_chromium
def test_browser_index(site: SiteResult, browser) -> None:
    page, seen = _open(browser, site.index_path)
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 3
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg").count() > 0
    # bars and a line were drawn
    assert page.locator("#chart-campaigns .bars path").count() > 0
    assert page.locator("#chart-daily .scatterlayer path.js-line").count() > 0

    # Sorting: click "Spend" in the campaigns table, ascending then descending.
    def spend_values() -> list[float]:
        cells = page.locator("#table-campaigns tbody tr td:nth-child(5)")
        return [float(v) for v in cells.evaluate_all("els => els.map(e => e.dataset.sort)")]

    header = page.locator("#table-campaigns thead th", has_text="Spend")
    header.click()
    assert spend_values() == sorted(spend_values())
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert spend_values() == sorted(spend_values(), reverse=True)
    # Text column: influencer names in the top table.
    page.locator("#table-top-influencers thead th", has_text="Influencer").click()
    names = page.locator("#table-top-influencers tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, key=str.lower)

    page.evaluate("window.scrollTo(0, 0)")  # sticky header back on top for the screenshot
    page.screenshot(path="/tmp/report_index.png", full_page=True)
    _assert_clean(seen)
    page.close()


@pytest.mark.slow
@needs_chromium
def test_browser_hostile_influencer_page(site: SiteResult, browser) -> None:
    page, seen = _open(browser, site.out_dir / "influencers" / "100.html")
    assert page.locator("h1").inner_text() == XSS_NAME  # shown as text
    assert page.locator("#table-posts td.caption", has_text=XSS_CAPTION).count() == 1
    assert page.locator("img").count() == 0
    links = page.locator("#table-posts a").evaluate_all("els => els.map(e => e.href)")
    assert links == [GOOD_URL]
    page.locator("a", has_text="All influencers").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/influencers/index.html")
    page.locator(f"a:text-is('{QUOTED_NAME}')").click()
    page.wait_for_selector(".js-plotly-plot svg.main-svg")
    assert page.locator("h1").inner_text() == QUOTED_NAME
    page.screenshot(path="/tmp/report_influencer.png", full_page=True)
    _assert_clean(seen)
    page.close()


@pytest.mark.slow
@needs_chromium
def test_browser_csp_blocks_inline_script(site: SiteResult, browser, tmp_path: Path) -> None:
    """The CSP the site ships really blocks an inline script under file:// (defence in depth)."""
    text = site.index_path.read_text(encoding="utf-8")
    injected = text.replace("</main>", "<script>document.title='PWNED'</script></main>")
    probe = site.out_dir / "csp-probe.html"
    probe.write_text(injected, encoding="utf-8")
    try:
        page = browser.new_page()
        page.goto(probe.resolve().as_uri())
        page.wait_for_selector(".js-plotly-plot svg.main-svg", timeout=20_000)
        assert page.title() != "PWNED"
        page.close()
    finally:
        probe.unlink()
