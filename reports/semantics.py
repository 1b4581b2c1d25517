"""What the report knows about mart columns: dimensions, measures, ratios, formats.

One source of truth for Python (validation, formats) and the browser (it is
written into `assets/data/model.js`). The browser filters and re-aggregates
query results with it:

* a **dimension** can be filtered on (campaign, influencer, brand, ...);
* an **additive measure** is summed (revenue, orders, spend, reach, ...);
* a **ratio** is a ratio of sums, with the mart's definition (roas = revenue ÷ spend);
* an **incrementality** value (iROAS, its interval, verdict, ...) belongs to a whole
  mart unit (a campaign × influencer cell, an influencer, a campaign, a persona, the
  programme) and is never re-derived: under a filter it is shown only where the
  selection is exactly such a unit.
"""

from __future__ import annotations

import re
from typing import Any

# Filters, in the order of the filter bar; the value is the URL parameter.
FILTERS: tuple[str, ...] = (
    "brand", "product", "influencer_type", "platform", "campaign",
    "influencer", "category", "gender",
)
FILTER_LABELS = {
    "brand": "Brand", "product": "Product", "influencer_type": "Influencer type",
    "platform": "Platform", "campaign": "Campaign", "influencer": "Influencer",
    "category": "Category", "gender": "Gender", "date": "Dates",
}
# Filters shown as drop-downs; the others are set by clicking charts (cross-filters).
BAR_FILTERS = ("brand", "product", "influencer_type", "platform", "campaign")

# Result columns that carry a dimension (filter name -> column).
DIMENSION_COLUMNS = {
    "brand": "brand", "product": "product", "influencer_type": "influencer_type",
    "platform": "platform", "campaign": "campaign", "influencer": "influencer_id",
    "category": "category", "gender": "gender",
}
# Attributes of an influencer: a row with influencer_id can be filtered on them.
INFLUENCER_ATTRIBUTES = ("platform", "influencer_type", "category", "gender")
DATE_COLUMNS = ("date", "post_date", "order_date")
# Time grains a query may group by (date_trunc('month', date) as month).
TIME_GRAINS = ("week", "month")

# Additive measures and the fact table ("cube") they come from.
ORDERS_MEASURES = ("attributed_revenue", "attributed_orders", "control_revenue",
                   "control_orders", "spend")
POSTS_MEASURES = ("posts", "reach", "likes", "comments", "engagements", "follower_impressions")

# Ratios of sums: name -> (kind, numerator terms, denominator, scale).
# The marts define them this way at every grain (docs/data-contract.md).
RATIOS: dict[str, dict[str, Any]] = {
    "roas": {"num": ["attributed_revenue"], "den": "spend", "scale": 1},
    "roi": {"num": ["attributed_revenue", "-spend"], "den": "spend", "scale": 1},
    "cpa": {"num": ["spend"], "den": "attributed_orders", "scale": 1},
    "aov": {"num": ["attributed_revenue"], "den": "attributed_orders", "scale": 1},
    "engagement_rate_reach": {"num": ["likes", "comments"], "den": "reach", "scale": 100},
    "engagement_rate_followers": {"num": ["likes", "comments"], "den": "follower_impressions",
                                  "scale": 100},
    "cpm": {"num": ["spend"], "den": "reach", "scale": 1000},
    "cpe": {"num": ["spend"], "den": "engagements", "scale": 1},
}
# Flags derived from a ratio and a threshold from the configuration.
FLAGS = {"is_poor_roi": {"ratio": "roas", "below": "poor_roi_below"}}

# Values of whole mart units only (never summed or re-derived in the browser).
INCREMENTALITY: tuple[str, ...] = (
    "incremental_revenue", "incremental_revenue_se", "incremental_revenue_ci_low",
    "incremental_revenue_ci_high", "incremental_orders", "incremental_orders_se",
    "iroas", "iroas_ci_low", "iroas_ci_high", "iroas_method", "method", "iroas_verdict",
    "p_value", "power_status", "mde_iroas", "assumed_iroas_low", "assumed_iroas_high",
    "iroas_shrunk", "iroas_rank", "measured_cells", "modelled_cells", "variance_method",
    "n_exposed", "n_control", "k", "holdout_share", "exposed_revenue", "exposed_orders",
    "exposed_buyers", "control_buyers", "exposed_revenue_per_user",
    "control_revenue_per_user", "incremental_revenue_variance",
)

# Columns carried unchanged when a row is re-aggregated (attributes of the row's key).
ATTRIBUTES = ("name", "follower_count", "influencer_id", "platform", "influencer_type",
              "category", "gender", "campaign", "product", "brand", "first_order_date",
              "last_order_date", "basis", "rate", "status", "url", "caption", "post_id")

# -- formats -----------------------------------------------------------------------

_MONEY = re.compile(r"(revenue|spend|payout|_gap$|^cpa$|^aov$|^cpm$|^cpe$|^rate$|"
                    r"revenue_per_user|_value$)")
_RATIO = re.compile(r"(^roas$|^iroas|^k$|_iroas|mde_iroas|^ratio)")
_COUNT = re.compile(r"(orders$|^posts$|^reach$|^likes$|^comments$|^engagements$|"
                    r"follower|^influencers$|^campaigns$|^n_|_count$|^rows_|buyers$|cells$|"
                    r"^line_number$|^checks$|^passed$|^failed$|^expectations_|^users$)")

FORMATS = ("money", "money2", "count", "ratio", "percent", "pct", "share", "p", "date",
           "datetime", "text", "bool", "verdict", "id", "url", "number")


def column_format(name: str, sample: Any = None) -> str:
    """How to show a column: by its name first, then by the type of a sample value."""
    if name in ("influencer_id", "id", "iroas_rank"):
        return "id"
    if name.endswith("verdict"):
        return "verdict"
    if name in ("roi",) or name.endswith("_share") and name != "holdout_share":
        return "percent"
    if name == "holdout_share" or name in ("lift_range_low", "lift_range_high", "assumed_lift"):
        return "share"
    if name.startswith("engagement_rate") or name.endswith("_pct"):
        return "pct"
    if name in ("p_value",):
        return "p"
    if name in ("breakeven", "poor_roi_below"):
        return "ratio"
    if name == "url":
        return "url"
    if name.endswith("_at"):
        return "datetime"
    if name in DATE_COLUMNS or name.endswith("_date") or name in TIME_GRAINS:
        return "date"
    if isinstance(sample, bool) or name.startswith(("is_", "has_")):
        return "bool"
    if _MONEY.search(name):
        return "money"
    if _RATIO.search(name):
        return "ratio"
    if _COUNT.search(name):
        return "count"
    if isinstance(sample, int):
        return "count"
    if isinstance(sample, float):
        return "number"
    return "text"


_WORDS = {"roas": "ROAS", "iroas": "iROAS", "ci": "CI", "se": "SE", "id": "ID",
          "cpa": "CPA", "aov": "AOV", "roi": "ROI", "cpm": "CPM", "cpe": "CPE",
          "k": "k", "mde": "MDE"}
TITLES = {
    "attributed_revenue": "Revenue", "attributed_orders": "Orders",
    "control_revenue": "Control revenue", "control_orders": "Control orders",
    "incremental_revenue": "Incremental revenue", "iroas_method": "Method",
    "iroas_verdict": "Verdict", "iroas_ci_low": "CI low", "iroas_ci_high": "CI high",
    "influencer_type": "Type", "follower_count": "Followers", "name": "Influencer",
    "engagement_rate_reach": "ER (reach)", "engagement_rate_followers": "ER (followers)",
    "is_poor_roi": "Poor ROI", "k": "Arm ratio k", "spend": "Spend",
    "total_payout": "Payout", "expected_payout": "Expected payout", "payout_gap": "Gap",
    "has_payout_gap": "Gap flagged", "p_value": "p-value", "mde_iroas": "MDE (iROAS)",
    "influencer_id": "ID", "post_date": "Date",
}


def column_title(name: str) -> str:
    """'incremental_revenue_se' -> 'Incremental revenue SE'."""
    if name in TITLES:
        return TITLES[name]
    words = [_WORDS.get(w, w) for w in name.split("_")]
    first = words[0] if words[0] in _WORDS.values() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def browser_semantics() -> dict[str, Any]:
    """The registry as JSON for the browser."""
    return {
        "filters": list(FILTERS),
        "barFilters": list(BAR_FILTERS),
        "filterLabels": FILTER_LABELS,
        "dimensionColumns": DIMENSION_COLUMNS,
        "influencerAttributes": list(INFLUENCER_ATTRIBUTES),
        "dateColumns": list(DATE_COLUMNS),
        "timeGrains": list(TIME_GRAINS),
        "ordersMeasures": list(ORDERS_MEASURES),
        "postsMeasures": list(POSTS_MEASURES),
        "ratios": RATIOS,
        "flags": FLAGS,
        "incrementality": list(INCREMENTALITY),
        "attributes": list(ATTRIBUTES),
    }
