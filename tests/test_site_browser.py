"""The fixture site in a real browser: hostile data stays inert on every page, CSV exports
are neutralised, the CSP holds, dark mode, cross-filters and the filter bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_fixture import (
    BAD_URLS,
    FORMULA_NAME,
    GOOD_URL,
    HOSTILE_ID,
    QUOTED_NAME,
    XSS_CAMPAIGN,
    XSS_CAPTION,
    XSS_NAME,
    XSS_PRODUCT,
    make_warehouse,
)
from test_site_helpers import (
    Seen,
    choose,
    component,
    download,
    goto,
    kpis,
    launch,
    needs_chromium,
    new_tab,
)

from reports import SiteResult, render_site

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    root = tmp_path_factory.mktemp("hostile")
    make_warehouse(root / "w.duckdb")
    return render_site(root / "w.duckdb", root / "site")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


INERT_CHECK = """() => {
  const bad = [];
  document.querySelectorAll('*').forEach(e => {
    for (const a of e.attributes) {
      if (a.name.startsWith('on')) bad.push('handler ' + e.tagName + ' ' + a.name);
    }
  });
  document.querySelectorAll('a[href]').forEach(a => {
    const p = new URL(a.href, document.baseURI).protocol;
    if (!['http:', 'https:', 'file:'].includes(p)) bad.push('link ' + a.href);
  });
  if (document.querySelectorAll('img, iframe, object, embed').length) bad.push('element');
  if (window.__pwned) bad.push('pwned');
  return bad;
}"""


def test_every_page_is_inert(site: SiteResult, browser) -> None:
    """All pages (per-influencer and per-campaign ones included): no dialog, no handler
    or script from the data, no javascript: link, no request leaving the folder."""
    seen = Seen()
    page = new_tab(browser, seen)
    hostile = {f"{HOSTILE_ID + 7 * i}.html" for i in range(5)}  # the hostile names
    for path in sorted(site.out_dir.rglob("*.html")):
        if "docs/dbt" in path.as_posix():
            continue  # dbt's page: tests/test_dbt_docs_browser.py
        if path.parent.name == "influencers" and path.name not in hostile | {"index.html"}:
            # Plain names: the tables and tiles, without waiting for the charts.
            page.goto(path.resolve().as_uri())
            page.wait_for_selector("html[data-content]", timeout=30_000)
            assert page.evaluate(INERT_CHECK) == [], path
            continue
        goto(page, path)
        # Hover the charts: tooltips show data too.
        for chart in page.locator(".js-plotly-plot").all()[:3]:
            box = chart.bounding_box()
            if box:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert page.evaluate(INERT_CHECK) == [], path
    page.close()
    seen.assert_clean()


def test_hostile_influencer_page(site: SiteResult, browser) -> None:
    seen = Seen()
    page = new_tab(browser, seen)
    goto(page, site.out_dir / "influencers" / f"{HOSTILE_ID}.html")
    assert page.locator("h1").inner_text() == XSS_NAME
    posts = component(page, "Posts")
    assert posts.locator("td", has_text=XSS_CAPTION).count() == 1
    links = posts.locator("a").evaluate_all("els => els.map(e => e.href)")
    assert links == [GOOD_URL]
    shown = posts.locator(".unsafe-url").all_inner_texts()
    assert "javascript:alert(1)" in shown  # shown as text, not a link
    assert all(u.strip() not in links for u in BAD_URLS)
    cells = component(page, "Per campaign (cell)")
    assert cells.locator("td", has_text=XSS_CAMPAIGN).count() == 1
    # Back to the list through the breadcrumb, then to another hostile name.
    page.locator(".crumbs a", has_text="Influencers").click()
    page.wait_for_selector("html[data-ready]")
    page.locator(".cmp-table a", has_text=QUOTED_NAME).first.click()
    page.wait_for_selector("html[data-ready]")
    assert page.locator("h1").inner_text() == QUOTED_NAME
    page.close()
    seen.assert_clean()


def test_csv_export_neutralises_formulas(site: SiteResult, browser) -> None:
    seen = Seen()
    page = new_tab(browser, seen)
    goto(page, site.out_dir / "influencers" / "index.html")
    board = component(page, "Leaderboard")
    board.locator("input.search").fill("HYPERLINK")
    assert board.locator("tbody tr").count() == 1
    rows = download(page, board.locator("button.csv"))
    assert rows[0][:2] == ["name", "influencer_type"]
    assert len(rows) == 2 and rows[1][0] == "'" + FORMULA_NAME
    board.locator("input.search").fill("")
    rows = download(page, board.locator("button.csv"))
    names = [r[0] for r in rows[1:]]
    assert XSS_NAME in names and QUOTED_NAME in names  # text, quoted by the CSV writer
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
    # Negative numbers stay numbers.
    goto(page, site.out_dir / "payouts.html")
    gaps = download(page, component(page, "All payouts").locator("button.csv"))
    gap = gaps[0].index("payout_gap")
    assert any(r[gap].startswith("-") and float(r[gap]) < 0 for r in gaps[1:]) or all(
        float(r[gap] or 0) >= 0 for r in gaps[1:])
    page.close()
    seen.assert_clean()


def test_filter_on_a_hostile_product_and_campaign(site: SiteResult, browser) -> None:
    seen = Seen()
    page = new_tab(browser, seen)
    goto(page, site.out_dir / "index.html")
    choose(page, "product", XSS_PRODUCT)
    assert page.locator('button[data-filter="product"] .dropdown-value').inner_text() \
        .startswith("<img")
    assert "product=%3Cimg" in page.url
    assert kpis(page)["Spend"]["value"] == "—"  # spend is not recorded per product
    page.locator(".reset").click()
    page.wait_for_function("() => !location.search")
    choose(page, "campaign", XSS_CAMPAIGN)
    assert kpis(page)["ROAS"]["value"] != "—"
    page.close()
    seen.assert_clean()


def test_csp_blocks_inline_script(site: SiteResult, browser) -> None:
    """The CSP the site ships blocks an inline script and handler under file://."""
    text = site.index_path.read_text(encoding="utf-8")
    injected = text.replace("</main>", "<script>window.__pwned = 1; alert('x')</script>"
                                       "<img src=x onerror=\"alert('y')\"></main>")
    probe = site.out_dir / "csp-probe.html"
    probe.write_text(injected, encoding="utf-8")
    try:
        seen = Seen()
        page = new_tab(browser, seen)
        goto(page, probe)
        assert page.evaluate("() => window.__pwned") is None
        assert seen.dialogs == []
        page.close()
    finally:
        probe.unlink()


def test_dark_mode_and_theme_toggle(site: SiteResult, browser) -> None:
    seen = Seen()
    page = new_tab(browser, seen)
    page.emulate_media(color_scheme="dark")
    goto(page, site.out_dir / "index.html")
    background = page.evaluate("() => getComputedStyle(document.querySelector('.kpi'))"
                               ".backgroundColor")
    assert background == "rgb(23, 27, 33)"
    toggle = page.locator("[data-theme-toggle]")
    toggle.click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.kpi'))"
                         ".backgroundColor") == "rgb(255, 255, 255)"
    toggle.click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    page.close()
    seen.assert_clean()


def test_templated_page_keeps_its_own_unit(site: SiteResult, browser) -> None:
    """An influencer filter does not empty another influencer's page: its key is fixed."""
    seen = Seen()
    page = new_tab(browser, seen)
    goto(page, site.out_dir / "influencers" / "107.html", f"?influencer={HOSTILE_ID}")
    assert kpis(page)["Revenue"]["value"] not in ("", "—")
    assert page.locator("button[data-filter=campaign]").is_enabled()
    page.close()
    seen.assert_clean()


def test_print_page_shows_every_section(site: SiteResult, browser) -> None:
    seen = Seen()
    page = new_tab(browser, seen)
    goto(page, site.out_dir / "print.html")
    titles = page.locator("article.report-page h1").all_inner_texts()
    assert titles == ["Programme overview", "Campaigns", "Influencers", "Personas",
                      "Engagement", "Payouts", "Incrementality", "Plan", "Data quality"]
    assert page.locator(".js-plotly-plot").count() >= 15
    page.close()
    seen.assert_clean()


def test_site_opens_under_a_base_path(site: SiteResult, browser, tmp_path: Path) -> None:
    """Copied anywhere (a static host's sub-folder), it still works: relative links only."""
    import shutil

    deep = tmp_path / "a b" / "reports" / "2025"
    shutil.copytree(site.out_dir, deep)
    seen = Seen()
    page = new_tab(browser, seen)
    goto(page, deep / "index.html")
    page.locator(".nav a", has_text="Campaigns").click()
    page.wait_for_selector("html[data-ready]")
    assert page.url.endswith("/campaigns/index.html")
    page.close()
    seen.assert_clean()
