"""Named SQL queries against the warehouse marts, and the read-only connection.

The report reads marts only and never recomputes a metric a mart defines: the
queries below select, filter, order and (for display) sum rows, nothing more.
They read aggregated tables, so render time does not grow with the number of orders.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from reports.errors import ReportError

Row = dict[str, Any]

# Tables (schema `main`) and the columns the report reads from each.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "mart_programme_summary": (
        "attributed_revenue", "attributed_orders", "control_revenue", "spend", "roas",
        "roi", "cpa", "aov", "incremental_revenue", "iroas", "iroas_ci_low", "iroas_ci_high",
        "iroas_method", "iroas_verdict", "influencers", "campaigns", "posts",
        "first_date", "last_date",
    ),
    "mart_influencer_performance": (
        "influencer_id", "name", "platform", "category", "gender", "influencer_type",
        "attributed_revenue", "attributed_orders", "spend", "roas", "incremental_revenue",
        "iroas", "iroas_ci_low", "iroas_ci_high", "iroas_method", "iroas_verdict",
        "is_poor_roi", "follower_count", "posts", "reach", "engagement_rate_reach",
        "roi", "cpa", "aov",
    ),
    "mart_campaign_performance": (
        "campaign", "attributed_revenue", "attributed_orders", "spend", "roas",
        "incremental_revenue", "iroas", "iroas_ci_low", "iroas_ci_high", "iroas_method",
        "iroas_verdict", "influencers", "cpa", "is_poor_roi",
    ),
    "mart_persona_performance": (
        "category", "gender", "influencers", "attributed_revenue", "attributed_orders",
        "spend", "roas", "cpa", "incremental_revenue", "iroas", "iroas_ci_low",
        "iroas_ci_high", "iroas_method", "iroas_verdict", "is_poor_roi",
    ),
    "mart_payout_tracking": (
        "influencer_id", "basis", "rate", "recorded_orders", "attributed_orders",
        "expected_payout", "total_payout", "payout_gap",
    ),
    "mart_daily_performance": (
        "date", "campaign", "influencer_id", "product", "attributed_revenue",
        "attributed_orders", "control_revenue",
    ),
    "mart_incrementality_cells": ("campaign", "influencer_id"),
    "fct_posts": (
        "influencer_id", "platform", "post_date", "url", "caption", "reach", "likes",
        "comments",
    ),
    "mart_data_quality": (
        "source_file", "file_present", "rows_read", "rows_loaded", "rows_rejected",
        "rows_flagged",
    ),
    "rejected_rows": ("source_file", "line_number", "column_name", "reason", "original_values"),
    "validation_results": ("source_file", "expectation", "column_name", "rule", "success"),
}

# How many rejected rows the data-quality section lists.
REJECTED_ROWS_SHOWN = 200

# Verdict order for the incrementality ranking: evidence first, assumptions last.
_VERDICT_ORDER = """case iroas_verdict when 'profitable' then 1 when 'inconclusive' then 2
    when 'unprofitable' then 3 else 4 end"""

QUERIES: dict[str, str] = {
    # -- programme -----------------------------------------------------------
    "programme": "select * from mart_programme_summary limit 1",
    # -- influencers ---------------------------------------------------------
    "influencers": """
        select * from mart_influencer_performance
        order by attributed_revenue desc nulls last, influencer_id""",
    "influencers_by_verdict": f"""
        select * from mart_influencer_performance
        order by {_VERDICT_ORDER}, iroas_ci_low desc nulls last, iroas desc nulls last,
                 influencer_id""",
    "poor_roi": """
        select * from mart_influencer_performance where is_poor_roi
        order by spend - attributed_revenue desc nulls last, influencer_id""",
    # -- campaigns and personas ---------------------------------------------
    "campaigns": """
        select * from mart_campaign_performance
        order by attributed_revenue desc nulls last, campaign""",
    "personas": """
        select * from mart_persona_performance
        order by attributed_revenue desc nulls last, category, gender""",
    # -- time series (summed for display only) ------------------------------
    "daily_programme": """
        select date, sum(attributed_revenue) as attributed_revenue,
               sum(attributed_orders) as attributed_orders
        from mart_daily_performance group by date order by date""",
    "daily_by_influencer": """
        select influencer_id, date, sum(attributed_revenue) as attributed_revenue,
               sum(attributed_orders) as attributed_orders
        from mart_daily_performance group by influencer_id, date
        order by influencer_id, date""",
    # -- per-influencer detail (partitioned by influencer_id in Python) ------
    "cells": "select * from mart_incrementality_cells order by influencer_id, campaign",
    "posts": """
        select influencer_id, post_date as date, platform, url, caption, reach, likes,
               comments
        from fct_posts order by influencer_id, post_date desc, url""",
    "payouts": "select * from mart_payout_tracking order by influencer_id",
    # -- data quality --------------------------------------------------------
    "data_quality": "select * from mart_data_quality order by source_file",
    "rejected_rows": f"""
        select source_file, line_number, column_name, reason, original_values
        from rejected_rows order by source_file, line_number
        limit {REJECTED_ROWS_SHOWN}""",
    "rejected_count": "select count(*) as n from rejected_rows",
    "failed_checks": """
        select * from validation_results where not success
        order by source_file, column_name, expectation""",
    "check_counts": """
        select count(*) as checks, count(*) filter (where success) as passed
        from validation_results""",
}


def _clean(value: Any) -> Any:
    """NaN/inf as None, so templates and chart JSON see one kind of missing value."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Warehouse:
    """A read-only connection to the warehouse file, checked against REQUIRED_COLUMNS."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise ReportError(f"warehouse file not found: {path}")
        try:
            self._con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            hint = ""
            if "different configuration" in str(exc):
                # e.g. dbt-duckdb run in-process keeps its read-write connection open
                hint = " (it is still open read-write in this process: close that connection first)"
            raise ReportError(f"cannot open warehouse {path} read-only: {exc}{hint}") from exc
        self.path = path
        self._check_schema()

    def _check_schema(self) -> None:
        found: dict[str, set[str]] = defaultdict(set)
        for table, column in self._con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main'"
        ).fetchall():
            found[table].add(column)
        for table, columns in REQUIRED_COLUMNS.items():
            if table not in found:
                raise ReportError(
                    f"table main.{table} is missing from warehouse {self.path} "
                    "(run the dbt build first)"
                )
            missing = [c for c in columns if c not in found[table]]
            if missing:
                raise ReportError(
                    f"table main.{table} in warehouse {self.path} lacks column(s): "
                    + ", ".join(missing)
                )

    def rows(self, name: str) -> list[Row]:
        """All rows of the named query, as dicts."""
        try:
            cursor = self._con.execute(QUERIES[name])
        except duckdb.Error as exc:
            raise ReportError(f"query {name!r} failed on {self.path}: {exc}") from exc
        columns = [d[0] for d in cursor.description]
        return [
            {c: _clean(v) for c, v in zip(columns, row, strict=True)}
            for row in cursor.fetchall()
        ]

    def one(self, name: str) -> Row:
        """The single row of the named query; ReportError when the mart is empty."""
        rows = self.rows(name)
        if not rows:
            raise ReportError(f"query {name!r} returned no row from {self.path}")
        return rows[0]

    def by_influencer(self, name: str) -> dict[int, list[Row]]:
        """The named query's rows grouped by influencer_id (one query for all pages)."""
        return partition(self.rows(name), "influencer_id")

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def partition(rows: Iterable[Row], key: str) -> dict[Any, list[Row]]:
    """Group rows by one column, keeping their order."""
    groups: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def iso(value: Any) -> Any:
    """Dates as ISO strings (for sort keys and chart axes); other values unchanged."""
    return value.isoformat() if isinstance(value, dt.date) else value
