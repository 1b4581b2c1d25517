"""The site's pages: each is a Jinja2 template plus the named queries it reads.

A page builder takes the warehouse and the formatter and yields `Page`s (output
path, template, context). To add a page, write a template and a builder, and
list the builder in `PAGE_BUILDERS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from reports import charts
from reports.formatting import Formatter
from reports.queries import REJECTED_ROWS_SHOWN, Row, Warehouse

# How many influencers the overview tables show (the influencer index lists all).
TOP_N = 20

VERDICT_RANK = {"profitable": 1, "inconclusive": 2, "unprofitable": 3, "assumed": 4}


@dataclass(frozen=True)
class Page:
    """One HTML file to write: its path inside the site, template and context."""

    path: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """Relative prefix from this page back to the site root ('' or '../')."""
        return "../" * self.path.count("/")


PageBuilder = Callable[[Warehouse, Formatter], Iterable[Page]]


def influencer_path(influencer_id: Any) -> str:
    """Site path of an influencer page: from the integer id only, never from names."""
    return f"influencers/{int(influencer_id)}.html"


def link_url(url: Any) -> str | None:
    """The URL if it is safe to render as a link (http or https with a host), else None."""
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        return None
    if any(ord(ch) < 33 or ch in "\"'<>`\\" for ch in url):
        return None  # no whitespace, control characters or quote tricks inside the href
    parts = urlsplit(url)
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def verdict_rank(verdict: Any) -> int:
    """Sort key of an iROAS verdict: profitable, inconclusive, unprofitable, assumed."""
    return VERDICT_RANK.get(verdict, 5)


_WORDS = {"roas": "ROAS", "iroas": "iROAS", "ci": "CI", "se": "SE", "id": "ID",
          "cpa": "CPA", "aov": "AOV", "roi": "ROI", "k": "k"}
_MONEY_HINTS = ("revenue", "spend", "payout", "_se", "value")


# Short titles for well-known mart columns; others are derived from the name.
_TITLES = {
    "attributed_revenue": "Revenue", "attributed_orders": "Orders",
    "control_revenue": "Control revenue", "incremental_revenue": "Incremental revenue",
    "iroas_method": "Method", "iroas_verdict": "Verdict", "iroas_ci_low": "95% CI",
    "exposed_revenue": "Exposed revenue", "exposed_orders": "Exposed orders",
    "k": "Arm ratio k",
}


def column_title(name: str) -> str:
    """'incremental_revenue_se' -> 'Incremental revenue SE'."""
    if name in _TITLES:
        return _TITLES[name]
    words = [_WORDS.get(w, w) for w in name.split("_")]
    first = words[0] if words[0] in _WORDS.values() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def column_kind(name: str, values: Iterable[Any]) -> str:
    """How to format a column whose schema the report does not fix: by name and type."""
    if name.endswith("verdict"):
        return "verdict"
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "bool"
    if isinstance(sample, dt.date):
        return "date"
    if isinstance(sample, int):
        return "count"
    if isinstance(sample, float):
        return "money" if any(h in name for h in _MONEY_HINTS) else "ratio"
    return "text"


# Incrementality-cell columns shown when the mart has them, in this order.
CELL_COLUMNS = (
    "campaign", "method", "iroas_method", "exposed_revenue", "attributed_revenue",
    "exposed_orders", "attributed_orders", "control_revenue", "k", "spend",
    "incremental_revenue", "iroas", "iroas_ci_low", "iroas_ci_high", "iroas_verdict",
)


def generic_columns(
    rows: list[Row], prefer: Iterable[str] = (), skip: Iterable[str] = ()
) -> list[dict[str, str]]:
    """Columns of a mart whose schema the report does not fix (e.g. incrementality cells).

    The `prefer`red columns that exist, in that order; when fewer than three exist,
    every column but the `skip`ped ones. Each is a dict of name, title and kind.
    """
    if not rows:
        return []
    present = list(rows[0])
    names = [c for c in prefer if c in present]
    if len(names) < 3:
        names = [c for c in present if c not in set(skip)]
    columns = []
    for name in names:
        if name == "iroas_ci_high" and "iroas_ci_low" in names:
            continue  # shown with the low end, as one interval column
        kind = "ci" if name == "iroas_ci_low" and "iroas_ci_high" in names else column_kind(
            name, (r[name] for r in rows))
        columns.append({"name": name, "title": column_title(name), "kind": kind})
    return columns


# -- page builders -----------------------------------------------------------


def overview_pages(wh: Warehouse, fmt: Formatter) -> Iterator[Page]:
    """index.html: programme KPIs, rankings, alerts, campaigns, personas, data quality."""
    influencers = wh.rows("influencers")
    by_verdict = wh.rows("influencers_by_verdict")
    campaigns = wh.rows("campaigns")
    verdict_counts: dict[str, int] = {}
    for row in influencers:
        verdict = row["iroas_verdict"] or "unknown"
        verdict_counts[verdict] = verdict_counts.get(verdict, 0) + 1
    yield Page(
        path="index.html",
        template="index.html",
        title="Programme overview",
        context={
            "programme": wh.one("programme"),
            "top_influencers": influencers[:TOP_N],
            "ranking": by_verdict[:TOP_N],
            "influencer_count": len(influencers),
            "verdict_counts": sorted(verdict_counts.items(), key=lambda kv: verdict_rank(kv[0])),
            "poor_roi": wh.rows("poor_roi"),
            "campaigns": campaigns,
            "personas": wh.rows("personas"),
            "data_quality": wh.rows("data_quality"),
            "rejected_rows": wh.rows("rejected_rows"),
            "rejected_count": wh.one("rejected_count")["n"],
            "rejected_shown": REJECTED_ROWS_SHOWN,
            "failed_checks": wh.rows("failed_checks"),
            "check_counts": wh.one("check_counts"),
            "charts": {
                "campaigns": charts.campaign_revenue_vs_spend(campaigns, fmt),
                "daily": charts.daily_revenue(wh.rows("daily_programme"), fmt),
                "iroas": charts.campaign_iroas(campaigns, fmt),
            },
        },
    )


def influencer_pages(wh: Warehouse, fmt: Formatter) -> Iterator[Page]:
    """influencers/index.html (all influencers) and influencers/<id>.html (one each)."""
    influencers = wh.rows("influencers")
    yield Page(
        path="influencers/index.html",
        template="influencers.html",
        title="Influencers",
        context={"influencers": influencers},
    )
    # One query per table for all pages, partitioned here: no query per influencer.
    cells = wh.by_influencer("cells")
    posts = wh.by_influencer("posts")
    payouts = wh.by_influencer("payouts")
    daily = wh.by_influencer("daily_by_influencer")
    for row in influencers:
        iid = row["influencer_id"]
        own_cells = cells.get(iid, [])
        yield Page(
            path=influencer_path(iid),
            template="influencer.html",
            title=str(row["name"]),
            context={
                "inf": row,
                "cells": own_cells,
                "cell_columns": generic_columns(own_cells, CELL_COLUMNS, skip=("influencer_id",)),
                "posts": posts.get(iid, []),
                "payouts": payouts.get(iid, []),
                "chart": charts.influencer_orders(daily.get(iid, []), fmt),
            },
        )


PAGE_BUILDERS: tuple[PageBuilder, ...] = (overview_pages, influencer_pages)
