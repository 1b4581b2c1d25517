"""What columns mean is declared once, in the dbt project's YAML, and reaches the report
engine through the warehouse (table column_meanings, reports/meanings.py)."""

from __future__ import annotations

import copy

import duckdb
from meanings_table import declared_rows

from reports.meanings import Meanings
from reports.model import build_model
from reports.queries import Warehouse
from reports.render import default_pages_dir, site_config


def built_rows(warehouse) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute("select * from column_meanings order by model_name, column_position")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_build_writes_what_the_yaml_declares(hand_build):
    built = built_rows(hand_build.warehouse)
    expected = declared_rows()
    assert [(r["model_name"], r["column_name"]) for r in built] == [
        (r["model_name"], r["column_name"]) for r in expected]
    for got, want in zip(built, expected, strict=True):
        assert got["meaning"] == want["meaning"], (got["model_name"], got["column_name"])
        assert got["model_meta"] == want["model_meta"]
        assert got["data_type"] == want["data_type"]
    # every contract column of the public marts is declared, with a title and a format
    assert {"mart_programme_summary", "fct_orders", "rejected_rows"} <= {
        r["model_name"] for r in built}
    assert all('"title"' in r["meaning"] and '"format"' in r["meaning"] for r in built)


def test_the_engine_reads_ratios_units_and_measures_from_the_declarations(hand_build):
    with duckdb.connect(str(hand_build.warehouse), read_only=True) as con:
        meanings = Meanings.load(con, "column_meanings", "hand")
    assert meanings.ratio("roas") == {"numerator": ["attributed_revenue"],
                                      "denominator": "spend", "scale": 1}
    assert meanings.format_of("spend") == "money" and meanings.title_of("roas") == "ROAS"
    assert "iroas_ci_low" in meanings.companions_of("iroas")
    assert meanings.meaning("iroas").get("unit") is True
    assert "attributed_revenue" in meanings.measures("orders")
    assert "follower_impressions" in meanings.measures("posts")  # follower_count, summed
    assert meanings.uses_grain(["cpm"], "posts") and not meanings.uses_grain(["roas"], "posts")
    assert "fct_orders" not in meanings.report_tables()  # grows with orders
    assert "mart_daily_performance" in meanings.report_tables()
    # an undeclared name (a page's own alias) falls back to its value's type and words
    assert meanings.format_of("rows_seen", 3) == "count"
    assert meanings.title_of("rows_seen") == "Rows seen"
    # a page's alias declared as a model's metric: summed in totals like any count
    assert meanings.meaning("gaps_flagged") == {
        "title": "Gaps flagged", "format": "count", "additive": True,
        "description": "Influencers whose payout gap is flagged (has_payout_gap), counted."}


def test_the_site_model_follows_the_declarations(hand_build):
    """What the browser gets (grains, cells, units) is what the YAML declares: change a
    declaration and the site model changes with it, with no engine change."""
    with Warehouse(hand_build.warehouse) as wh:
        declared = wh.meanings.with_site(site_config(default_pages_dir()))
        model = build_model(wh, "₹", True, declared)
        assert model["facts"]["grain"] == "orders"
        assert list(model["facts"]["keys"]) == ["date", "campaign", "influencer", "product",
                                                "brand"]
        assert list(model["facts"]["measures"]) == [
            "attributed_revenue", "attributed_orders", "control_revenue", "control_orders"]
        assert list(model["cells"]["keys"]) == ["campaign", "influencer"]
        assert list(model["cells"]["measures"]) == ["spend"]
        assert "iroas_method" in model["cells"]["values"]  # the alias of the cells' method
        assert [u["name"] for u in model["units"]] == [
            "influencer", "campaign", "persona", "brand", "programme"]
        assert list(model["units"][2]["keys"]) == ["category", "gender"]
        assert model["labels"]["influencer"][0] == wh.result(
            "select name from mart_influencer_performance order by influencer_id").rows[0][0]
        assert declared.dataset("posts")[:3] == ["post_date", "campaign", "influencer_id"]
        assert declared.format_of("follower_impressions") == "count"  # as follower_count

        changed = copy.deepcopy(declared.models)
        changed["mart_persona_performance"]["site_model"]["order"] = 0
        changed["mart_incrementality_cells"]["site_model"]["unit_values"] = ["iroas"]
        del changed["mart_brand_performance"]["site_model"]
        redeclared = Meanings(changed, declared.columns, declared.site,
                              declared.columns_by_model)
        model = build_model(wh, "₹", True, redeclared)
        assert [u["name"] for u in model["units"]] == [
            "persona", "influencer", "campaign", "programme"]
        assert all(list(u["values"]) == ["iroas"] for u in model["units"])
        assert list(model["cells"]["values"]) == ["iroas"]
