"""What columns mean is declared once, in the dbt project's YAML, and reaches the report
engine through the warehouse (table column_meanings, reports/meanings.py)."""

from __future__ import annotations

import duckdb
from meanings_table import declared_rows

from reports.meanings import Meanings


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
    assert meanings.format_of("gaps_flagged", 3) == "count"
    assert meanings.title_of("gaps_flagged") == "Gaps flagged"
