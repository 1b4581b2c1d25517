"""Plotly figures as plain dicts, embedded in pages as JSON data blocks.

Figures are drawn by assets/app.js with the plotly.js bundle shipped in the
site; theme colours (light/dark) are applied there. Plain dicts keep rendering
fast: hundreds of influencer pages each carry a figure.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from reports.formatting import Formatter
from reports.queries import Row, iso

# Mid-tone colours that read on both light and dark backgrounds.
REVENUE = "#2f6fde"
SPEND = "#e8833a"
ORDERS = "#2a9d8f"
VERDICT_COLOURS = {
    "profitable": "#2a9d8f",
    "unprofitable": "#d1495b",
    "inconclusive": "#8d99ae",
    "assumed": "#b08d57",
}

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _json_default(value: Any) -> Any:
    """Warehouse types json does not know: DECIMAL as float, dates as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in chart JSON")


def safe_json(value: Any) -> Markup:
    """JSON that is safe inside <script type="application/json">: no '<', '>' or '&'."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                      default=_json_default)
    return Markup(text.translate(_JSON_ESCAPES))


def label(text: Any) -> str:
    """Text shown by plotly, which parses a little HTML: escape it so it shows literally."""
    return html.escape("" if text is None else str(text), quote=False)


@dataclass(frozen=True)
class Chart:
    """One chart: the id of its container, a title for screen readers, the figure."""

    id: str
    title: str
    figure: dict[str, Any]

    @property
    def empty(self) -> bool:
        """True when no trace has a point: the page shows a note instead of empty axes."""
        return not any(trace.get("x") for trace in self.figure["data"])

    @property
    def json(self) -> Markup:
        return safe_json(self.figure)


def short(text: str, limit: int = 24) -> str:
    """A tick label cut to `limit` characters (the full text stays in the hover)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def money_axis(values: Iterable[Any], fmt: Formatter) -> dict[str, Any]:
    """A y-axis with money tick labels in the report's style (₹20 L, ₹1.5 Cr, $2M)."""
    numbers = [float(v) for v in values if v is not None]
    low, high = min([0.0, *numbers]), max([0.0, *numbers])
    if high == low:
        return {"rangemode": "tozero", "tickprefix": fmt.currency}
    step = _nice_step(high - low)
    first = math.floor(low / step)
    ticks = [(first + i) * step for i in range(math.ceil(high / step) - first + 1)]
    # One decimal where needed: ₹50 L, ₹1 Cr, ₹1.5 Cr.
    text = [re.sub(r"\.0(?=\D*$)", "", fmt.money_compact(t)) for t in ticks]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": text, "rangemode": "tozero"}


def _layout(fmt: Formatter, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "margin": {"l": 64, "r": 16, "t": 36, "b": 48},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left",
                   "yanchor": "bottom"},
        "hovermode": "x unified",
    }
    layout.update(extra)
    if layout.get("showlegend") is False:
        layout["margin"] = {**layout["margin"], "t": 16}  # no legend row to leave room for
    return layout


DAY_MS = 86_400_000


def _date_axis(dates: Sequence[Any]) -> dict[str, Any]:
    """A date x-axis for daily data: day ticks at most, never hours."""
    axis: dict[str, Any] = {
        "type": "date",
        "tickformatstops": [
            {"dtickrange": [None, "M1"], "value": "%-d %b\n%Y"},
            {"dtickrange": ["M1", None], "value": "%b %Y"},
        ],
    }
    if len(dates) <= 10:
        axis["dtick"] = DAY_MS  # few days: one tick per day, no sub-day ticks
    return axis


def campaign_revenue_vs_spend(campaigns: Sequence[Row], fmt: Formatter) -> Chart:
    """Grouped bars: attributed revenue and spend per campaign."""
    names = [label(c["campaign"]) for c in campaigns]

    def bars(column: str, name: str, colour: str) -> dict[str, Any]:
        return {
            "type": "bar",
            "name": name,
            "x": names,
            "y": [c[column] for c in campaigns],
            "customdata": [fmt.money(c[column]) for c in campaigns],
            "hovertemplate": f"{name}: %{{customdata}}<extra></extra>",
            "marker": {"color": colour},
        }

    raw = ["" if c["campaign"] is None else str(c["campaign"]) for c in campaigns]
    xaxis = {"type": "category", "automargin": True, "tickmode": "array",
             "tickvals": names, "ticktext": [label(short(t)) for t in raw]}
    figure = {
        "data": [
            bars("attributed_revenue", "Attributed revenue", REVENUE),
            bars("spend", "Spend", SPEND),
        ],
        "layout": _layout(fmt, barmode="group", xaxis=xaxis, yaxis=money_axis(
            [c[k] for c in campaigns for k in ("attributed_revenue", "spend")], fmt)),
    }
    return Chart("chart-campaigns", "Attributed revenue vs spend per campaign", figure)


def daily_revenue(days: Sequence[Row], fmt: Formatter) -> Chart:
    """Line: attributed revenue per day, summed over the daily mart."""
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Attributed revenue",
                "x": [iso(d["date"]) for d in days],
                "y": [d["attributed_revenue"] for d in days],
                "customdata": [fmt.money(d["attributed_revenue"]) for d in days],
                "hovertemplate": "Revenue: %{customdata}<extra></extra>",
                "line": {"color": REVENUE, "width": 2},
                "fill": "tozeroy",
                "fillcolor": "rgba(47,111,222,0.12)",
            }
        ],
        "layout": _layout(fmt, showlegend=False, xaxis=_date_axis(days),
                          yaxis=money_axis((d["attributed_revenue"] for d in days), fmt)),
    }
    return Chart("chart-daily", "Daily attributed revenue", figure)


def campaign_iroas(campaigns: Sequence[Row], fmt: Formatter) -> Chart:
    """Dots with 95% interval whiskers: iROAS per campaign, coloured by verdict."""
    traces = []
    for verdict, colour in VERDICT_COLOURS.items():
        rows = [c for c in campaigns if c["iroas_verdict"] == verdict and c["iroas"] is not None]
        if not rows:
            continue
        # Whisker lengths for drawing only; the interval itself comes from the mart.
        plus = [None if c["iroas_ci_high"] is None else c["iroas_ci_high"] - c["iroas"]
                for c in rows]
        minus = [None if c["iroas_ci_low"] is None else c["iroas"] - c["iroas_ci_low"]
                 for c in rows]
        traces.append({
            "type": "scatter",
            "mode": "markers",
            "name": verdict,
            "x": [c["iroas"] for c in rows],
            "y": [label(c["campaign"]) for c in rows],
            "text": [label(c["campaign"]) for c in rows],
            "error_x": {"type": "data", "array": plus, "arrayminus": minus,
                        "color": colour, "thickness": 1.5, "width": 4},
            "customdata": [
                f"{fmt.ratio(c['iroas'])} ({fmt.ratio(c['iroas_ci_low'])} – "
                f"{fmt.ratio(c['iroas_ci_high'])})" for c in rows
            ],
            "hovertemplate": "%{text}: iROAS %{customdata}<extra>" + verdict + "</extra>",
            "marker": {"color": colour, "size": 9},
        })
    names = [label(c["campaign"]) for c in campaigns]
    ticks = [label(short("" if c["campaign"] is None else str(c["campaign"]), 32))
             for c in campaigns]
    figure = {
        "data": traces,
        "layout": _layout(
            fmt,
            hovermode="closest",
            showlegend=True,
            height=110 + 34 * max(len(campaigns), 3),  # grows with the number of campaigns
            margin={"l": 16, "r": 16, "t": 36, "b": 44},
            xaxis={"title": {"text": "iROAS (95% interval)"}, "zeroline": True},
            yaxis={"type": "category", "automargin": True, "autorange": "reversed",
                   "categoryorder": "array", "categoryarray": names,
                   "tickmode": "array", "tickvals": names, "ticktext": ticks},
        ),
    }
    return Chart("chart-campaign-iroas", "Incremental ROAS per campaign with 95% interval",
                 figure)


def influencer_orders(days: Sequence[Row], fmt: Formatter) -> Chart:
    """Bars: attributed orders per day for one influencer."""
    figure = {
        "data": [
            {
                "type": "bar",
                "name": "Attributed orders",
                "x": [iso(d["date"]) for d in days],
                "y": [d["attributed_orders"] for d in days],
                "customdata": [fmt.money(d["attributed_revenue"]) for d in days],
                "hovertemplate": "Orders: %{y}<br>Revenue: %{customdata}<extra></extra>",
                "marker": {"color": ORDERS},
            }
        ],
        "layout": _layout(
            fmt,
            showlegend=False,
            xaxis=_date_axis(days),
            yaxis={"rangemode": "tozero", "title": {"text": "orders"}},
        ),
    }
    return Chart("chart-orders", "Attributed orders per day", figure)
