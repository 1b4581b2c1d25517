"""The real demo site (built by `roas run` in conftest's demo) in Chromium:
every filter against DuckDB queries of the marts, cross-filtering, filters carried
across pages, CSV downloads against the marts, no network, the PDF, speed and size."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_site_helpers import (
    Seen,
    choose,
    component,
    download,
    goto,
    js,
    kpis,
    launch,
    needs_chromium,
    new_tab,
    set_dates,
    updates,
    wait_update,
)

from reports import Attachment, render_site
from reports.formatting import Formatter
from roas.dbt_docs import SITE_PATH, docs_html

pytestmark = [pytest.mark.slow, needs_chromium]

FMT = Formatter("₹")
# Speed budgets (render < 10 s, index < 1.5 s, filter update < 200 ms) are judged by
# benchmarks/report_bench.py, which prints them; the tests print the figures they see
# but assert only what does not depend on machine load.
SIZE_BUDGET = 12 * 1024 * 1024


@pytest.fixture(scope="module")
def demo(request, tmp_path_factory: pytest.TempPathFactory):
    """The demo build of conftest (generate + `roas run`), or, with ROAS_DEMO_WAREHOUSE
    set, an already built warehouse rendered here (a quick re-run of these checks)."""
    given = os.environ.get("ROAS_DEMO_WAREHOUSE")
    if not given:
        return request.getfixturevalue("demo_build")
    from conftest import Build

    site = tmp_path_factory.mktemp("demo-site") / "site"
    render_site(Path(given), site, attachments=[Attachment(
        SITE_PATH.as_posix(), "Lineage & column docs (dbt)", docs_html(Path(given)))])
    return Build(data=Path(given).parent, site=site, warehouse=Path(given), result=None)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def seen() -> Seen:
    """Everything every page of this module saw: checked once at the end."""
    record = Seen()
    yield record
    record.assert_clean()


def site_bytes(root: Path, *, with_dbt_docs: bool = True) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()
               and (with_dbt_docs or "docs/dbt" not in p.as_posix()))


def money(tile: dict[str, str]) -> str:
    """The full amount of a money tile (the detail line, or the value when short)."""
    return tile["detail"] or tile["value"]


def expect_tiles(tiles: dict, revenue: float, orders: int, spend: float | None,
                 iroas: float | None | str = "skip") -> None:
    assert money(tiles["Revenue"]) == FMT.money(revenue), tiles["Revenue"]
    assert tiles["Orders"]["value"] == FMT.num(orders)
    if spend is None:
        assert tiles["Spend"]["value"] == "—" and tiles["ROAS"]["value"] == "—"
        assert "per campaign × influencer" in tiles["Spend"]["note"]
    else:
        assert money(tiles["Spend"]) == FMT.money(spend)
        assert tiles["ROAS"]["value"] == FMT.ratio(revenue / spend)
        assert tiles["CPA"]["value"] == FMT.money(spend / orders)
    assert tiles["AOV"]["value"] == FMT.money(revenue / orders)
    if iroas is None:
        assert tiles["iROAS"]["value"] == "—" and "needs whole cells" in tiles["iROAS"]["note"]
    elif iroas != "skip":
        assert tiles["iROAS"]["value"] == FMT.ratio(iroas)


def whole_cell_spend(demo, where: str) -> float | None:
    """Spend of the cells all of whose daily rows match `where`, or None when the
    filter cuts a cell (the report's documented rule, written here in SQL)."""
    cut, spend = demo.query(f"""
        with rows as (
            select campaign, influencer_id, count(*) as n,
                   count(*) filter (where {where}) as s
            from mart_daily_performance group by campaign, influencer_id)
        select count(*) filter (where s > 0 and s < n),
               sum(c.spend) filter (where s = n)
        from rows join mart_incrementality_cells c using (campaign, influencer_id)""")[0]
    return None if cut else spend


# -- render, size, determinism ----------------------------------------------------------


def test_render_time_size_and_determinism(demo, tmp_path: Path, capsys) -> None:
    started = time.perf_counter()
    # as the pipeline renders it: dbt's docs page handed over as an attachment
    docs = Attachment(SITE_PATH.as_posix(), "Lineage & column docs (dbt)",
                      docs_html(demo.warehouse))
    result = render_site(demo.warehouse, tmp_path / "site", attachments=[docs])
    elapsed = time.perf_counter() - started
    influencers = demo.query("select count(*) from mart_influencer_performance")[0][0]
    assert len(list((result.out_dir / "influencers").glob("*.html"))) == influencers + 1
    size = site_bytes(result.out_dir, with_dbt_docs=False)
    total = site_bytes(result.out_dir)
    with capsys.disabled():
        print(f"\n[report] demo: {result.pages} pages in {elapsed:.2f} s, "
              f"{size / 1024 / 1024:.2f} MB report + dbt docs = {total / 1024 / 1024:.2f} MB")
    # The whole folder, dbt's docs page (about 3 MB) included, is under the budget since
    # plotly.js ships as a partial bundle (1.3 MB instead of 4.6 MB).
    assert size < total < SIZE_BUDGET
    # Same warehouse, same configuration: a byte-identical site (beside the files the
    # pipeline adds around it, e.g. its publish marker).
    for path in sorted(result.out_dir.rglob("*")):
        if path.is_file():
            rel = path.relative_to(result.out_dir)
            assert path.read_bytes() == (demo.site / rel).read_bytes(), rel


# -- the overview and its filters ----------------------------------------------------------


def test_index_loads_fast_and_equals_the_marts(demo, browser, seen, capsys) -> None:
    page = new_tab(browser, seen)
    goto(page, demo.site / "index.html")
    content, ready = page.evaluate("() => [window.ROAS.contentAt, window.ROAS.readyAt]")
    with capsys.disabled():
        print(f"\n[report] index: tiles and tables at {content:.0f} ms, charts at {ready:.0f} ms")
    p = demo.one("select * from mart_programme_summary")
    tiles = kpis(page)
    expect_tiles(tiles, p["attributed_revenue"], p["attributed_orders"], p["spend"], p["iroas"])
    assert tiles["ROI"]["value"] == FMT.percent(p["roi"])
    assert f"95% CI {FMT.ratio(p['iroas_ci_low'])} – {FMT.ratio(p['iroas_ci_high'])}" in \
        tiles["iROAS"]["detail"]
    # Sparklines and changes against the previous period on every tile.
    assert page.locator(".kpi-spark svg").count() == 8
    assert all(t.strip() for t in page.locator(".kpi-delta").all_inner_texts())
    # The browser's aggregation of the filterable grain, with no filter, is the mart.
    cube = page.evaluate("() => window.ROAS.cube.total({})")
    for key in ("attributed_revenue", "attributed_orders", "spend", "roas", "iroas"):
        assert math.isclose(cube[key], p[key], rel_tol=1e-9), key
    page.close()


def test_each_filter_matches_the_marts(demo, browser, seen, capsys) -> None:
    page = new_tab(browser, seen)
    goto(page, demo.site / "index.html")
    timings: dict[str, float] = {}

    def reset() -> None:
        if page.evaluate("() => location.search"):
            before = updates(page)
            page.locator(".reset").click()
            wait_update(page, before)

    # Campaign: exactly the campaign mart's row, iROAS included.
    campaign = demo.one("""select * from mart_campaign_performance
        where campaign <> '(unallocated)' order by attributed_revenue desc limit 1""")
    choose(page, "campaign", campaign["campaign"])
    timings["campaign"] = page.evaluate("() => window.ROAS.lastUpdateMs")
    expect_tiles(kpis(page), campaign["attributed_revenue"], campaign["attributed_orders"],
                 campaign["spend"], campaign["iroas"])
    assert "campaign=" in page.url
    reset()

    # Platform and influencer type: sums of the influencer mart; iROAS needs whole cells.
    for dim in ("platform", "influencer_type"):
        value, revenue, orders, spend = demo.query(f"""
            select {dim}, sum(attributed_revenue), sum(attributed_orders), sum(spend)
            from mart_influencer_performance group by 1 order by 2 desc limit 1""")[0]
        choose(page, dim, value)
        timings[dim] = page.evaluate("() => window.ROAS.lastUpdateMs")
        expect_tiles(kpis(page), revenue, orders, spend, None)
        reset()

    # Brand: the orders of the brand's products; spend and iROAS of the brand mart.
    brand, revenue, orders = demo.query("""
        select brand, sum(attributed_revenue), sum(attributed_orders)
        from mart_daily_performance group by 1 order by 2 desc limit 1""")[0]
    choose(page, "brand", brand)
    timings["brand"] = page.evaluate("() => window.ROAS.lastUpdateMs")
    mart = demo.one("select * from mart_brand_performance where brand = ?", [brand])
    expect_tiles(kpis(page), revenue, orders, mart["spend"], mart["iroas"])
    assert math.isclose(revenue, mart["attributed_revenue"], rel_tol=1e-9)
    reset()

    # Product and dates: orders of the grain; spend only where cells are whole.
    product, revenue, orders = demo.query("""
        select product, sum(attributed_revenue), sum(attributed_orders)
        from mart_daily_performance group by 1 order by 2 desc limit 1""")[0]
    choose(page, "product", product)
    timings["product"] = page.evaluate("() => window.ROAS.lastUpdateMs")
    spend = whole_cell_spend(demo, f"product = '{product.replace(chr(39), chr(39) * 2)}'")
    expect_tiles(kpis(page), revenue, orders, spend, None)
    reset()

    start, end = demo.query("""
        select min(date) + 120, min(date) + 180 from mart_daily_performance""")[0]
    timings["dates"] = set_dates(page, start.isoformat(), end.isoformat())
    revenue, orders = demo.query(f"""
        select sum(attributed_revenue), sum(attributed_orders) from mart_daily_performance
        where date between '{start}' and '{end}'""")[0]
    spend = whole_cell_spend(demo, f"date between '{start}' and '{end}'")
    tiles = kpis(page)
    expect_tiles(tiles, revenue, orders, spend, None)
    assert "vs the previous 61 days" in page.locator(".kpi-delta").first.inner_text()
    assert f"from={start}" in page.url and f"to={end}" in page.url
    with capsys.disabled():
        print("\n[report] filter updates (ms): " + ", ".join(
            f"{k} {v:.0f}" for k, v in timings.items()))
    page.close()


def test_cross_filtering_by_clicking_a_bar_and_a_heatmap_cell(demo, browser,
                                                              seen) -> None:
    page = new_tab(browser, seen)
    goto(page, demo.site / "index.html")
    chart = component(page, "Revenue vs spend per campaign")
    first = demo.one("""select * from mart_campaign_performance
        order by first_order_date nulls last, campaign limit 1""")
    before = updates(page)
    box = chart.locator(".bars path").first.bounding_box()  # plotly listens on its drag layer
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 3)
    wait_update(page, before)
    assert page.evaluate("() => window.ROAS.state().campaign") == [first["campaign"]]
    expect_tiles(kpis(page), first["attributed_revenue"], first["attributed_orders"],
                 first["spend"], first["iroas"])
    # The clicked chart keeps every bar (the selection is highlighted, not filtered out).
    campaigns = demo.query("select count(*) from mart_campaign_performance")[0][0]
    assert chart.locator(".bars path").count() == 2 * campaigns

    goto(page, demo.site / "personas.html")
    heat = component(page, "ROAS by category and gender")
    persona = demo.one("""select * from mart_persona_performance
        order by category, gender limit 1""")
    point = heat.locator(".js-plotly-plot").evaluate("""(gd, args) => {
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(xa.d2l(args[0])),
                box.top + ya._offset + ya.l2p(ya.d2l(args[1]))]; }""",
                                                       [persona["gender"], persona["category"]])
    before = updates(page)
    page.mouse.click(point[0], point[1])
    wait_update(page, before)
    state = page.evaluate("() => window.ROAS.state()")
    assert state["category"] == [persona["category"]] and state["gender"] == [persona["gender"]]
    table = component(page, "Personas")
    assert table.locator("tbody tr").count() == 1
    tiers = component(page, "Tier × platform")
    expected = demo.query("""
        select count(*), sum(attributed_revenue) from (
            select influencer_type, platform, sum(attributed_revenue) as attributed_revenue
            from mart_influencer_performance where category = ? and gender = ?
            group by 1, 2)""", [persona["category"], persona["gender"]])[0]
    assert tiers.locator("tbody tr").count() == min(expected[0], 25)
    assert tiers.locator("tfoot td").nth(3).inner_text() == FMT.money(expected[1])
    page.close()


def test_filters_carry_across_pages_and_csv_equals_the_mart(demo, browser,
                                                            seen) -> None:
    page = new_tab(browser, seen)
    goto(page, demo.site / "index.html")
    choose(page, "platform", "YouTube")
    page.locator(".nav a", has_text="Influencers").click()
    page.wait_for_selector("html[data-ready]")
    assert "platform=YouTube" in page.url
    assert page.locator('button[data-filter="platform"] .dropdown-value').inner_text() == \
        "YouTube"
    mart = demo.query("""
        select name, influencer_type, attributed_revenue, spend, roas, iroas
        from mart_influencer_performance where platform = 'YouTube'
        order by attributed_revenue desc, influencer_id""")
    board = component(page, "Leaderboard")
    assert board.locator(".cmp-tools .count").inner_text() == f"{FMT.num(len(mart))} rows"
    rows = download(page, board.locator("button.csv"))
    header = rows[0]
    assert header[:4] == ["name", "influencer_type", "platform", "category"]
    got = [(r[header.index("name")], float(r[header.index("attributed_revenue")]),
            float(r[header.index("spend")])) for r in rows[1:]]
    assert [g[0] for g in got] == [m[0] for m in mart]
    for (name, revenue, spend), row in zip(got, mart, strict=True):
        assert math.isclose(revenue, row[2], rel_tol=1e-12, abs_tol=1e-9), name
        assert math.isclose(spend, row[3], rel_tol=1e-12, abs_tol=1e-9), name
    # Sorting and searching narrow the CSV to exactly the rows shown.
    board.locator("th button").get_by_text("ROAS", exact=True).click()
    board.locator("input.search").fill("mega")
    shown = board.locator("tbody tr").count()
    rows = download(page, board.locator("button.csv"))
    assert len(rows) - 1 == int(board.locator(".cmp-tools .count").inner_text().split()[0])
    assert shown == min(len(rows) - 1, 25)
    roas = [float(r[header.index("roas")]) for r in rows[1:] if r[header.index("roas")]]
    assert roas == sorted(roas, reverse=True)
    assert all(r[header.index("influencer_type")] == "mega" for r in rows[1:])
    # The filter goes on to an influencer's page and back.
    board.locator("input.search").fill("")
    board.locator("tbody a").first.click()
    page.wait_for_selector("html[data-ready]")
    assert "platform=YouTube" in page.url
    page.close()


def test_chart_csv_equals_the_mart(demo, browser, seen) -> None:
    page = new_tab(browser, seen)
    goto(page, demo.site / "campaigns" / "index.html")
    chart = component(page, "Revenue vs spend per campaign")
    rows = download(page, chart.locator("button.csv"))
    assert rows[0] == ["campaign", "attributed_revenue", "spend"]
    mart = demo.query("""select campaign, attributed_revenue, spend
        from mart_campaign_performance order by first_order_date nulls last, campaign""")
    assert [r[0] for r in rows[1:]] == [m[0] for m in mart]
    for got, row in zip(rows[1:], mart, strict=True):
        assert math.isclose(float(got[1]), row[1], rel_tol=1e-12, abs_tol=1e-9)
        assert math.isclose(float(got[2]), row[2], rel_tol=1e-12, abs_tol=1e-9)
    # Underperforming campaigns are highlighted.
    flagged = demo.query("""select count(*) from mart_campaign_performance
        where is_poor_roi or iroas_verdict = 'unprofitable'""")[0][0]
    table = component(page, "Campaign performance")
    assert table.locator("tbody tr.flag").count() == flagged
    page.close()


def test_roas_report_pdf(demo, tmp_path: Path) -> None:
    """`roas report --pdf` (a child process, as a user runs it) prints the site to A4."""
    from conftest import run_roas

    result = run_roas("report", "--warehouse", demo.warehouse, "--out", tmp_path / "s",
                      "--pdf")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s" / "index.html").is_file()
    pdf = tmp_path / "s" / "report.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 10, pages
    if shutil.which("pdftoppm"):  # its pages render to real images
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf),
                        str(tmp_path / "page")], check=True)
        image = next(tmp_path.glob("page*.png"))
        assert image.stat().st_size > 5_000


def test_no_filter_values_come_back_after_reset(demo, browser, seen) -> None:
    page = new_tab(browser, seen)
    goto(page, demo.site / "index.html", "?campaign=" + "nope&brand=" + "x")
    # Unknown values in the URL are ignored, not errors.
    assert page.evaluate("() => window.ROAS.state().campaign") == []
    p = demo.one("select * from mart_programme_summary")
    before = updates(page)
    page.evaluate(f"() => window.ROAS.setFilters({js({'platform': ['TikTok']})})")
    wait_update(page, before)
    before = updates(page)
    page.evaluate("() => window.ROAS.reset()")
    wait_update(page, before)
    expect_tiles(kpis(page), p["attributed_revenue"], p["attributed_orders"], p["spend"],
                 p["iroas"])
    page.close()


# Per KPI tile: its value, how many lines the value takes, and the sparkline's box
# against the tile's (the sparkline beside the value or below it, never outside).
TILE_LAYOUT = """() => Array.from(document.querySelectorAll('.kpi')).map(k => {
  const v = k.querySelector('.kpi-value'), s = k.querySelector('.kpi-spark svg');
  const vr = v.getBoundingClientRect(), kr = k.getBoundingClientRect();
  const sr = s ? s.getBoundingClientRect() : null;
  const lineHeight = parseFloat(getComputedStyle(v).lineHeight);
  return {value: v.textContent, lines: Math.round(vr.height / lineHeight),
          inside: vr.right <= kr.right
            && (!sr || (sr.right <= kr.right + 0.5 && sr.left >= kr.left)),
          beside: sr ? sr.left >= vr.right : null, spark: sr ? sr.width : null};
})"""


def test_kpi_values_never_wrap(demo, browser, seen) -> None:
    """'₹2.1 Cr' and '₹69.1 L' stay on one line at every width that has four tiles a row,
    light and dark, and in print: the sparkline shrinks beside the value or goes below."""
    for width in (1400, 1280, 1180, 1120):
        for scheme in ("light", "dark"):
            page = new_tab(browser, seen, width=width)
            page.emulate_media(color_scheme=scheme)
            goto(page, demo.site / "index.html")
            tiles = page.evaluate(TILE_LAYOUT)
            assert len(tiles) == 8 and any(" Cr" in t["value"] or " L" in t["value"]
                                           for t in tiles), tiles
            for tile in tiles:
                assert tile["lines"] == 1 and tile["inside"], (width, scheme, tile)
                assert tile["spark"] is None or tile["spark"] >= 72 or not tile["beside"], tile
            page.close()
    page = new_tab(browser, seen, width=718)  # A4 less margins, as the PDF prints it
    goto(page, demo.site / "print.html")
    page.emulate_media(media="print")
    tiles = page.evaluate(TILE_LAYOUT)
    assert len(tiles) >= 8
    for tile in tiles:
        assert tile["lines"] == 1 and tile["inside"], ("print", tile)
    page.close()
