"""The public marts carry the data contract's names and columns (docs/data-contract.md)."""

from __future__ import annotations

import pytest

MONEY_AND_RATIOS = [
    "attributed_revenue", "attributed_orders", "spend", "roas", "incremental_revenue", "iroas",
    "iroas_ci_low", "iroas_ci_high", "iroas_method", "iroas_verdict",
]
CONTRACT = {
    "mart_influencer_performance": [
        "influencer_id", "name", "platform", "category", "gender", "influencer_type",
        *MONEY_AND_RATIOS, "is_poor_roi",
    ],
    "mart_campaign_performance": ["campaign", *MONEY_AND_RATIOS],
    "mart_persona_performance": ["category", "gender", *MONEY_AND_RATIOS],
    "mart_payout_tracking": [
        "influencer_id", "basis", "rate", "recorded_orders", "attributed_orders",
        "expected_payout", "total_payout", "payout_gap",
    ],
    "mart_daily_performance": [
        "date", "campaign", "influencer_id", "product", "attributed_revenue",
        "attributed_orders", "control_revenue",
    ],
    "rejected_rows": ["source_file", "line_number", "reason", "original_values"],
    "dim_influencers": ["influencer_id"],
    "fct_orders": ["order_id"],
    "fct_posts": ["post_id"],
    "fct_payouts": ["influencer_id"],
}
GRAIN = {
    "mart_influencer_performance": ["influencer_id"],
    "mart_campaign_performance": ["campaign"],
    "mart_persona_performance": ["category", "gender"],
    "mart_payout_tracking": ["influencer_id"],
    "mart_daily_performance": ["date", "campaign", "influencer_id", "product"],
}


@pytest.mark.parametrize("mart", sorted(CONTRACT))
def test_mart_has_contract_columns(hand_build, mart):
    columns = [
        row[0]
        for row in hand_build.query(
            "select column_name from information_schema.columns"
            " where table_schema = 'main' and table_name = ? order by ordinal_position",
            [mart],
        )
    ]
    missing = [c for c in CONTRACT[mart] if c not in columns]
    assert not missing, f"{mart} lacks contract columns {missing}"


@pytest.mark.parametrize("mart", sorted(GRAIN))
def test_mart_grain_is_unique(hand_build, mart):
    keys = ", ".join(f'"{c}"' for c in GRAIN[mart])
    duplicates = hand_build.query(
        f"select {keys}, count(*) from {mart} group by {keys} having count(*) > 1"
    )
    assert duplicates == []


def test_one_row_per_influencer(hand_build):
    for mart in ("mart_influencer_performance", "mart_payout_tracking"):
        assert hand_build.query(f"select count(*) from {mart}")[0][0] == 7


def test_verdicts_and_methods_are_the_contract_values(hand_build):
    for mart in ("mart_influencer_performance", "mart_campaign_performance",
                 "mart_persona_performance"):
        verdicts = {r[0] for r in hand_build.query(f"select distinct iroas_verdict from {mart}")}
        methods = {r[0] for r in hand_build.query(f"select distinct iroas_method from {mart}")}
        assert verdicts <= {"profitable", "unprofitable", "inconclusive", "assumed"}
        assert methods <= {"measured", "modelled", "mixed"}
