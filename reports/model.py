"""The site model: the data the browser filters and re-aggregates, written once per site.

`assets/data/model.js` assigns `window.ROAS_MODEL` (a script file, not fetched:
fetch() of a local file fails under file://). Columnar arrays, strings
dictionary-encoded, dates as day offsets. It holds:

* `orders`: mart_daily_performance, the grain the filters work on
  (date × campaign × influencer × product);
* `cells`: mart_incrementality_cells (spend and incrementality per campaign ×
  influencer cell: spend is recorded per cell, never per day or product);
* `units`: the incrementality values of whole mart units (influencer, campaign,
  persona, programme, brand when the mart exists), shown when a selection is
  exactly one of them;
* dimensions (filter values), influencer attributes, the configuration, and the
  route of every templated page.

`assets/data/posts.js` (`window.ROAS_POSTS`) holds fct_posts at post grain for the
engagement measures; pages load it only when a component needs it.

Sizes grow with influencers, campaigns, products, days and posts, never with orders.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from reports.meanings import Meanings
from reports.queries import Result, Warehouse


def _sort_key(order: list[Any]):
    """A declared order of values (the column's meta `order`) first, else natural order."""
    if order:
        return lambda v: (order.index(v) if v in order else len(order), str(v))
    return lambda v: (v is None, v if isinstance(v, int | float) else 0, str(v).lower(), str(v))


class _Dictionary:
    """Values of one dimension and their codes (position in the sorted list)."""

    def __init__(self, values, order: list[Any] | None = None) -> None:
        self.values = sorted({v for v in values if v is not None}, key=_sort_key(order or []))
        self.codes = {v: i for i, v in enumerate(self.values)}

    def encode(self, values) -> list[int]:
        return [-1 if v is None else self.codes[v] for v in values]


def _day(value: str | None, first: dt.date) -> int | None:
    return None if value is None else (dt.date.fromisoformat(value[:10]) - first).days


# Values of whole units the browser shows when a selection is exactly one unit.
UNIT_VALUES = ("incremental_revenue", "iroas", "iroas_ci_low", "iroas_ci_high",
               "iroas_method", "method", "iroas_verdict", "assumed_iroas_low",
               "assumed_iroas_high", "p_value", "power_status", "mde_iroas",
               "incremental_orders", "brand")


def _unit_columns(wh: Warehouse, table: str, extra: tuple[str, ...] = ()) -> list[str]:
    present = wh.tables.get(table, [])
    return [c for c in (*extra, *UNIT_VALUES) if c in present]


def _plain(value: Any) -> Any:
    """Integral floats as ints (shorter JSON; the browser has one number type)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def encode_values(values: list[Any]) -> Any:
    """A column as JSON: a constant, dates as day offsets, dictionary-encoded text, or the
    plain list."""
    n = len(values)
    if n >= 2 and all(v == values[0] and type(v) is type(values[0]) for v in values):
        return {"const": _plain(values[0])}
    if n >= 4 and all(isinstance(v, str) and _ISO_DAY.match(v) for v in values):
        days = [dt.date.fromisoformat(v) for v in values]
        base = min(days)
        return {"base": base.isoformat(), "days": [(d - base).days for d in days]}
    if n >= 4 and all(v is None or isinstance(v, str) for v in values):
        distinct = list(dict.fromkeys(v for v in values if v is not None))
        if len(distinct) <= n / 2:
            codes = {v: i for i, v in enumerate(distinct)}
            return {"dict": distinct, "codes": [-1 if v is None else codes[v] for v in values]}
    return [_plain(v) for v in values]


def _columnar(result: Result, columns: list[str]) -> dict[str, Any]:
    return {c: encode_values(result.values(c)) for c in columns}


def build_model(wh: Warehouse, currency: str, indian: bool, meanings: Meanings) -> dict[str, Any]:
    """Everything the browser needs to filter, except routes (added by the renderer)."""
    programme = wh.result("select * from mart_programme_summary", "programme")
    if not programme.rows:
        raise_empty("mart_programme_summary")
    prog = programme.first() or {}
    first_date = dt.date.fromisoformat(str(prog["first_date"])[:10]) if prog.get("first_date") \
        else None

    daily = wh.result("""
        select date, campaign, influencer_id, product, brand, attributed_revenue,
               attributed_orders, control_revenue, control_orders
        from mart_daily_performance
        order by date, campaign, influencer_id, product""", "model: daily")
    cell_cols = _unit_columns(wh, "mart_incrementality_cells")
    cells = wh.result(f"""
        select campaign, influencer_id, spend{''.join(', ' + c for c in cell_cols)}
        from mart_incrementality_cells order by campaign, influencer_id""", "model: cells")
    inf_cols = _unit_columns(wh, "mart_influencer_performance")
    influencers = wh.result(f"""
        select influencer_id, name, platform, influencer_type, category, gender
               {''.join(', ' + c for c in inf_cols)}
        from mart_influencer_performance order by influencer_id""", "model: influencers")
    camp_extra = tuple(c for c in ("first_order_date",)
                       if wh.has("mart_campaign_performance", c))
    camp_cols = _unit_columns(wh, "mart_campaign_performance", camp_extra)
    campaigns = wh.result(f"""
        select campaign{''.join(', ' + c for c in camp_cols)}
        from mart_campaign_performance order by campaign""", "model: campaigns")
    persona_cols = _unit_columns(wh, "mart_persona_performance")
    personas = wh.result(f"""
        select category, gender{''.join(', ' + c for c in persona_cols)}
        from mart_persona_performance order by category, gender""", "model: personas")
    brands = None
    if wh.has("mart_brand_performance", "brand"):
        brand_cols = _unit_columns(wh, "mart_brand_performance")
        brands = wh.result(f"""
            select brand{''.join(', ' + c for c in brand_cols)}
            from mart_brand_performance order by brand""", "model: brands")

    if first_date is None:
        dates = [d for d in daily.values("date") if d]
        first_date = dt.date.fromisoformat(min(dates)) if dates else dt.date(1970, 1, 1)
    last_date = prog.get("last_date") or (max(daily.values("date")) if daily.rows else None)

    dims = {
        "campaign": _Dictionary([*campaigns.values("campaign"), *cells.values("campaign"),
                                 *daily.values("campaign")]),
        "influencer": _Dictionary(influencers.values("influencer_id")),
        "product": _Dictionary(daily.values("product")),
        "brand": _Dictionary([*daily.values("brand"),
                              *(brands.values("brand") if brands else [])]),
        "platform": _Dictionary(influencers.values("platform")),
        "influencer_type": _Dictionary(influencers.values("influencer_type"),
                                       meanings.meaning("influencer_type").get("order")),
        "category": _Dictionary(influencers.values("category")),
        "gender": _Dictionary(influencers.values("gender")),
    }
    # Campaign order for "over campaigns" trends: by first order date, then name.
    starts = dict(zip(campaigns.values("campaign"),
                      campaigns.values("first_order_date") if camp_extra else
                      [None] * len(campaigns), strict=True))
    campaign_start = [starts.get(c) for c in dims["campaign"].values]

    # Influencers referenced by facts must exist in the influencer mart.
    known = dims["influencer"].codes
    for table, ids in (("mart_daily_performance", daily.values("influencer_id")),
                       ("mart_incrementality_cells", cells.values("influencer_id"))):
        unknown = sorted({i for i in ids if i not in known})
        if unknown:
            from reports.errors import ReportError

            raise ReportError(f"{table} has influencer_id(s) missing from "
                              f"mart_influencer_performance: {unknown[:5]}")

    inf_code = dims["influencer"].encode(influencers.values("influencer_id"))
    assert inf_code == list(range(len(inf_code)))  # sorted by id in the query
    # the run's settings, as the summary declares them (their defaults: dbt_project.yml)
    settings = meanings.models.get("mart_programme_summary", {}).get("settings", [])
    config = {key: prog[key] for key in settings if key in prog}

    quality = wh.result("select max(validated_at) as built from mart_data_quality", "built")
    model: dict[str, Any] = {
        "semantics": meanings.browser(),
        "currency": currency,
        "indian": indian,
        "config": config,
        "configFromMarts": sorted(k for k in settings if k in prog),
        "firstDate": first_date.isoformat(),
        "lastDate": last_date,
        "builtAt": quality.rows[0][0] if quality.rows else None,
        "dims": {name: d.values for name, d in dims.items()},
        "influencerNames": influencers.values("name"),
        "influencerAttrs": {a: dims[a].encode(influencers.values(a))
                            for a in ("platform", "influencer_type", "category", "gender")},
        "campaignStart": campaign_start,
        "orders": {
            "d": [_day(v, first_date) for v in daily.values("date")],
            "c": dims["campaign"].encode(daily.values("campaign")),
            "i": [known[v] for v in daily.values("influencer_id")],
            "p": dims["product"].encode(daily.values("product")),
            "b": dims["brand"].encode(daily.values("brand")),
            **{c: [_plain(v) for v in daily.values(c)]
               for c in ("attributed_revenue", "attributed_orders", "control_revenue",
                         "control_orders")},
        },
        "cells": {
            "c": dims["campaign"].encode(cells.values("campaign")),
            "i": [known[v] for v in cells.values("influencer_id")],
            **_columnar(cells, ["spend", *cell_cols]),
        },
        "units": {
            "influencer": _columnar(influencers, inf_cols),
            "campaign": {"c": dims["campaign"].encode(campaigns.values("campaign")),
                         **_columnar(campaigns, camp_cols)},
            "persona": {"category": dims["category"].encode(personas.values("category")),
                        "gender": dims["gender"].encode(personas.values("gender")),
                        **_columnar(personas, persona_cols)},
            "programme": {c: [prog.get(c)] for c in UNIT_VALUES if c in prog},
        },
        "routes": {},
    }
    if brands is not None:
        model["units"]["brand"] = {"b": dims["brand"].encode(brands.values("brand")),
                                   **_columnar(brands, [c for c in brands.columns
                                                        if c != "brand"])}
    return model


def build_posts(wh: Warehouse, model: dict[str, Any]) -> dict[str, Any]:
    """fct_posts at post grain, coded against the model's dictionaries."""
    posts = wh.result("""
        select post_date, campaign, influencer_id, reach, likes, comments, follower_count
        from fct_posts
        -- every selected column: rows that tie are identical, so the order is stable
        order by post_date, influencer_id, campaign, reach, likes, comments, follower_count
        """, "model: posts")
    first = dt.date.fromisoformat(model["firstDate"])
    campaigns = {v: i for i, v in enumerate(model["dims"]["campaign"])}
    influencers = {v: i for i, v in enumerate(model["dims"]["influencer"])}
    return {
        "d": [_day(v, first) for v in posts.values("post_date")],
        "c": [campaigns.get(v, -1) for v in posts.values("campaign")],
        "i": [influencers.get(v, -1) for v in posts.values("influencer_id")],
        "reach": [_plain(v) for v in posts.values("reach")],
        "likes": [_plain(v) for v in posts.values("likes")],
        "comments": [_plain(v) for v in posts.values("comments")],
        "follower_impressions": [_plain(v) for v in posts.values("follower_count")],
    }


def raise_empty(table: str) -> None:
    from reports.errors import ReportError

    raise ReportError(f"table main.{table} is empty: the report needs its row")


_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                 0x2028: "\\u2028", 0x2029: "\\u2029"}


def to_json(value: Any) -> str:
    """Compact JSON, safe inside <script> elements and JS files (no <, >, &)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                      sort_keys=False).translate(_JSON_ESCAPES)


def as_script(variable: str, value: Any) -> str:
    """A JS file assigning the data to a global (loaded with <script src>, not fetched)."""
    return f"window.{variable}={to_json(value)};\n"
