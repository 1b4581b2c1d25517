"""The browser's aggregation and formatting, unit by unit, on a hand-computed table.

A four-row warehouse (two campaigns, two influencers, two products of two brands, two
days) goes through the real site model (reports/model.py) into the real assets/app.js,
loaded from file:// in Chromium with no page around it. Expected values are worked out
by hand below, not by the code under test.

    date   campaign infl product brand  revenue orders control
    01-01  A        1    P1      X        100      1      10
    01-02  A        1    P2      Y        300      3       0
    01-01  A        2    P1      X        200      2      20
    01-02  B        2    P1      X        400      4      40

    cells (spend): A×1 200, A×2 100, B×2 400
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from meanings_table import write_column_meanings
from test_site_helpers import Seen, launch, needs_chromium, new_tab

from reports.formatting import Formatter
from reports.model import as_script, build_model
from reports.queries import Warehouse
from reports.render import app_source, default_pages_dir, site_config

pytestmark = [pytest.mark.slow, needs_chromium]

UNIT = ("incremental_revenue double, iroas double, iroas_ci_low double, iroas_ci_high double, "
        "iroas_verdict varchar, iroas_method varchar")


def hand_warehouse(path: Path, b: str = "B", p2: str = "P2") -> Path:
    """The table above; `b` and `p2` rename campaign B and product P2."""
    with duckdb.connect(str(path)) as con:
        con.execute("""create table mart_daily_performance as select * from (values
            (date '2025-01-01', 'A', 1, 'P1', 'X', 100.0, 1, 10.0, 1),
            (date '2025-01-02', 'A', 1, $p2, 'Y', 300.0, 3, 0.0, 0),
            (date '2025-01-01', 'A', 2, 'P1', 'X', 200.0, 2, 20.0, 1),
            (date '2025-01-02', $b, 2, 'P1', 'X', 400.0, 4, 40.0, 2))
            as t(date, campaign, influencer_id, product, brand, attributed_revenue,
                 attributed_orders, control_revenue, control_orders)""", {"b": b, "p2": p2})
        con.execute(f"""create table mart_incrementality_cells (campaign varchar,
            influencer_id bigint, spend double, {UNIT})""")
        con.execute("""insert into mart_incrementality_cells values
            ('A', 1, 200, 180, 0.9, 0.5, 1.3, 'inconclusive', 'measured'),
            ('A', 2, 100, 150, 1.5, 1.1, 1.9, 'profitable', 'measured'),
            ($b, 2, 400, 200, 0.5, 0.1, 0.9, 'unprofitable', 'measured')""", {"b": b})
        con.execute(f"""create table mart_influencer_performance (influencer_id bigint,
            name varchar, platform varchar, influencer_type varchar, category varchar,
            gender varchar, {UNIT})""")
        con.execute("""insert into mart_influencer_performance values
            (1, 'One', 'Instagram', 'nano', 'Fitness', 'Male',
             180, 0.9, 0.5, 1.3, 'inconclusive', 'measured'),
            (2, 'Two', 'YouTube', 'micro', 'Beauty', 'Female',
             350, 0.7, 0.4, 1.0, 'inconclusive', 'measured')""")
        con.execute(f"create table mart_campaign_performance (campaign varchar, {UNIT})")
        con.execute("""insert into mart_campaign_performance values
            ('A', 330, 1.1, 0.8, 1.4, 'inconclusive', 'measured'),
            ($b, 200, 0.5, 0.1, 0.9, 'unprofitable', 'measured')""", {"b": b})
        con.execute(f"""create table mart_persona_performance (category varchar,
            gender varchar, {UNIT})""")
        con.execute("""insert into mart_persona_performance values
            ('Fitness', 'Male', 180, 0.9, 0.5, 1.3, 'inconclusive', 'measured'),
            ('Beauty', 'Female', 350, 0.7, 0.4, 1.0, 'inconclusive', 'measured')""")
        con.execute(f"""create table mart_programme_summary (first_date date, last_date date,
            breakeven double, poor_roi_below double, {UNIT})""")
        con.execute("""insert into mart_programme_summary values (date '2025-01-01',
            date '2025-01-02', 1.0, 1.0, 530, 0.757, 0.6, 0.9, 'unprofitable', 'measured')""")
        con.execute("create table mart_data_quality as select '2025-01-03T00:00:00Z' "
                    "as validated_at")
        write_column_meanings(con)
    return path


def open_page(browser, seen: Seen, root: Path, routes: dict | None = None, **names: str):
    """The table's site model and the real app.js, loaded from file:// in Chromium."""
    with Warehouse(hand_warehouse(root / "w.duckdb", **names)) as wh:
        meanings = wh.meanings.with_site(site_config(default_pages_dir()))
        model = build_model(wh, "₹", True, meanings)
    model["routes"] = routes or {}  # as the renderer adds them: key -> page, as pairs
    (root / "model.js").write_text(as_script("ROAS_MODEL", model), encoding="utf-8")
    (root / "app.js").write_bytes(app_source())
    (root / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        '<script src="model.js"></script><script src="app.js"></script></body></html>',
        encoding="utf-8")
    tab = new_tab(browser, seen)
    tab.goto((root / "index.html").as_uri())
    tab.wait_for_function("() => window.ROAS && window.ROAS.cube")
    return tab


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    seen = Seen()
    with sync_playwright() as p:
        browser = launch(p)
        yield browser, seen
        browser.close()
    assert seen.errors == [] and seen.dialogs == []


@pytest.fixture(scope="module")
def page(chromium, tmp_path_factory: pytest.TempPathFactory):
    return open_page(*chromium, tmp_path_factory.mktemp("units"))


@pytest.fixture(scope="module")
def hostile_page(chromium, tmp_path_factory: pytest.TempPathFactory):
    """The same table with a campaign and a product named like Object's own keys."""
    routes = {"campaigns/[campaign]": [["A", "campaigns/a.html"],
                                       ["__proto__", "campaigns/proto.html"]]}
    return open_page(*chromium, tmp_path_factory.mktemp("hostile-units"), routes=routes,
                     b="__proto__", p2="constructor")


def total(page, **filters) -> dict:
    return page.evaluate(f"() => window.ROAS.cube.total({json.dumps(filters)})")


def test_whole_programme(page) -> None:
    got = total(page)
    assert got["attributed_revenue"] == 1000 and got["attributed_orders"] == 10
    assert got["spend"] == 700 and got["control_revenue"] == 70
    assert got["roas"] == pytest.approx(1000 / 700) and got["roi"] == pytest.approx(300 / 700)
    assert got["cpa"] == pytest.approx(70) and got["aov"] == pytest.approx(100)
    assert got["iroas"] == pytest.approx(0.757)  # the programme's own value, not re-derived


def test_a_campaign_is_its_whole_cells_and_its_unit(page) -> None:
    got = total(page, campaign=["A"])
    assert (got["attributed_revenue"], got["attributed_orders"], got["spend"]) == (600, 6, 300)
    assert got["roas"] == pytest.approx(2.0) and got["iroas"] == pytest.approx(1.1)


def test_an_influencer_attribute_selects_whole_cells(page) -> None:
    got = total(page, platform=["YouTube"])  # influencer 2: cells A×2 and B×2
    assert (got["attributed_revenue"], got["spend"]) == (600, 500)
    assert got["roas"] == pytest.approx(600 / 500) and got["iroas"] == pytest.approx(0.7)


def test_a_cut_cell_has_no_spend_and_no_iroas(page) -> None:
    # brand X cuts cell A×1 (it also sold P2 of brand Y): revenue is exact, spend is not
    got = total(page, brand=["X"])
    assert (got["attributed_revenue"], got["attributed_orders"]) == (700, 7)
    assert got["spend"] is None and got["roas"] is None and got["iroas"] is None
    # one day: B×2 is whole, A×1 is cut -> no spend either
    got = total(page, **{"from": "2025-01-02", "to": "2025-01-02"})
    assert got["attributed_revenue"] == 700 and got["spend"] is None


def test_formatting_in_indian_digits_and_half_up(page) -> None:
    fmt = Formatter("₹")
    cases = [(1234567, "money", "₹12,34,567"), (-1500, "money", "-₹1,500"),
             (1234567.891, "money2", "₹12,34,567.89"), (1234567, "count", "12,34,567"),
             (999, "count", "999"), (1.005, "ratio", "1.01"), (0.125, "percent", "12.5%"),
             (0.5, "share", "50%"), (0.0004, "p", "< 0.001"), (3.456, "pct", "3.46%"),
             (None, "money", "—"), ("2025-03-05", "date", "5 Mar 2025")]
    for value, kind, expected in cases:
        assert page.evaluate(f"() => window.ROAS.fmt.format({json.dumps(value)}, "
                             f"{json.dumps(kind)})") == expected, (value, kind)
        assert fmt.format(value, kind) == expected, (value, kind)  # the server agrees
    compact = page.evaluate("() => [12345678, 99990, 150000].map(window.ROAS.fmt.moneyCompact)")
    assert compact == ["₹1.2 Cr", "₹99,990", "₹1.5 L"]
    # a money axis speaks one unit, the largest tick's, with the decimals its step needs
    axes = page.evaluate("""() => [[0, 50000, 100000, 150000], [0, 20000, 40000],
        [-5000000, 0, 5000000, 10000000, 15000000], [0, 250000, 500000]]
        .map(window.ROAS.fmt.moneyAxis)""")
    assert axes == [["₹0", "₹0.5 L", "₹1 L", "₹1.5 L"], ["₹0", "₹20,000", "₹40,000"],
                    ["-₹0.5 Cr", "₹0", "₹0.5 Cr", "₹1 Cr", "₹1.5 Cr"],
                    ["₹0", "₹2.5 L", "₹5 L"]]


def test_values_named_like_object_keys_are_values_like_any_other(hostile_page) -> None:
    # campaign B is "__proto__", product P2 "constructor": the same sums as B and P2
    got = total(hostile_page, campaign=["__proto__"])
    assert (got["attributed_revenue"], got["spend"]) == (400, 400)
    assert got["iroas"] == pytest.approx(0.5)
    got = total(hostile_page, product=["constructor"])
    assert (got["attributed_revenue"], got["attributed_orders"]) == (300, 3)
    got = total(hostile_page)
    assert (got["attributed_revenue"], got["spend"]) == (1000, 700)


def test_a_page_keyed_by_an_object_key_is_linked(hostile_page) -> None:
    route = "campaigns/[campaign]"
    assert hostile_page.evaluate(f"() => window.ROAS.routeOf('{route}', '__proto__')") == \
        "campaigns/proto.html"
    assert hostile_page.evaluate(f"() => window.ROAS.routeOf('{route}', 'A')") == \
        "campaigns/a.html"
    assert hostile_page.evaluate(f"() => window.ROAS.routeOf('{route}', 'toString')") is None
