"""The one-file summary (roas summary) and the freshness warnings of summary, site and run."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from conftest import Build, run_roas
from test_site_helpers import Seen, launch, needs_chromium, new_tab

from reports import render_site
from reports.formatting import Formatter

pytestmark = pytest.mark.slow
SUMMARY_BUDGET = 3 * 1024 * 1024


def summary(demo_build: Build, folder: Path, *extra: str) -> tuple[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "summary.html"
    result = run_roas("summary", "--warehouse", demo_build.warehouse, "--out", out, *extra)
    assert result.returncode == 0, result.stderr
    return out, result.stdout + result.stderr


def last_date(demo_build: Build) -> dt.date:
    return demo_build.query("select last_date from mart_programme_summary")[0][0]


def test_one_file_with_every_number_of_the_marts(demo_build: Build, tmp_path: Path) -> None:
    out, _ = summary(demo_build, tmp_path / "mail", "--site-url", "https://reports.example/r/")
    assert [p.name for p in out.parent.iterdir()] == ["summary.html"]  # no sidecar, no lock
    size = out.stat().st_size
    print(f"\n[summary] demo: {size / 1024:.1f} KB")
    assert size <= SUMMARY_BUDGET
    text = html.unescape(out.read_text(encoding="utf-8"))
    fmt = Formatter("₹")
    programme = demo_build.one("select * from mart_programme_summary")
    plan = demo_build.one("select * from mart_programme_plan")
    assert fmt.format(programme["roas"], "ratio") in text  # two decimals, as in the site
    assert len(fmt.format(programme["roas"], "ratio").split(".")[1]) == 2
    for value, kind in ((programme["attributed_revenue"], "money"),
                        (programme["spend"], "money"), (programme["iroas"], "ratio"),
                        (programme["iroas_ci_low"], "ratio"), (plan["planned_spend"], "money"),
                        (plan["expected_net_return"], "money")):
        assert fmt.format(value, kind) in text, (value, kind)
    for (name,) in demo_build.query("""select name from mart_influencer_performance
            where is_poor_roi order by spend desc, influencer_id limit 10"""):
        assert name in text
    verdicts = dict(demo_build.query("""select iroas_verdict, count(*)
                                        from mart_influencer_performance group by 1"""))
    for verdict, count in verdicts.items():
        assert f"{verdict}</text>" in out.read_text(encoding="utf-8") and f"{count} ·" in text
    assert 'href="https://reports.example/r/"' in out.read_text(encoding="utf-8")
    assert "default-src 'none'" in text and "<link" not in text and "src=" not in text


@needs_chromium
def test_opened_alone_in_chromium(demo_build: Build, hand_build: Build, tmp_path: Path) -> None:
    out, said = summary(demo_build, tmp_path / "a")
    assert "warning" not in said  # the demo ends today: fresh
    old, _ = summary(hand_build, tmp_path / "b")  # the hand fixture's orders are from 2025
    fmt = Formatter("₹")
    roas = fmt.format(demo_build.one("select roas from mart_programme_summary")["roas"], "ratio")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        # scripts blocked, as in many mail clients: every number is still there
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        tiles = page.eval_on_selector_all(".tile", "els => els.map(e => e.innerText)")
        assert any(roas in t and "ROAS" in t for t in tiles)
        assert requests == [out.as_uri()]
        context.close()
        # with scripts: no error, no other request; judged on the reader's today
        seen = Seen()
        page = new_tab(browser, seen)
        page.goto(out.as_uri())
        assert not page.locator("#stale").is_visible()
        page.goto(old.as_uri())
        assert page.locator("#stale").is_visible()
        assert "days old, more than 7" in page.locator("#stale").inner_text()
        browser.close()
    seen.assert_clean()
    assert seen.requests == [out.as_uri(), old.as_uri()]


def test_freshness_as_of_a_day_is_static(demo_build: Build, tmp_path: Path) -> None:
    last = last_date(demo_build)
    fresh, said = summary(demo_build, tmp_path / "fresh", "--as-of",
                          (last + dt.timedelta(days=7)).isoformat())
    assert "days old" not in fresh.read_text(encoding="utf-8") and "warning" not in said
    stale, said = summary(demo_build, tmp_path / "stale", "--as-of",
                          (last + dt.timedelta(days=30)).isoformat(), "--stale-after", "20")
    assert "These data are 30 days old, more than 20" in stale.read_text(encoding="utf-8")
    assert f"warning: the data end on {last.isoformat()}, 30 days before --as-of" in said


@needs_chromium
def test_the_site_shows_stale_data(demo_build: Build, tmp_path: Path) -> None:
    last = last_date(demo_build)
    sites = {}
    for label, days in (("fresh", 2), ("stale", 40)):
        sites[label] = render_site(demo_build.warehouse, tmp_path / label,
                                   as_of=last + dt.timedelta(days=days)).out_dir
    from playwright.sync_api import sync_playwright

    seen = Seen()
    with sync_playwright() as p:
        browser = launch(p)
        page = new_tab(browser, seen)
        page.goto((sites["fresh"] / "index.html").as_uri())
        page.wait_for_selector("html[data-ready]", timeout=30_000)
        assert not page.locator("[data-stale]").is_visible()
        assert "Data up to" in page.locator("[data-built]").inner_text()
        page.goto((sites["stale"] / "personas.html").as_uri())
        page.wait_for_selector("html[data-ready]", timeout=30_000)
        banner = page.locator("[data-stale]")
        assert banner.is_visible() and "40 days before" in banner.inner_text()
        browser.close()
    seen.assert_clean()


def test_a_bad_summary_definition_is_one_clear_error(demo_build: Build, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "_summary.yml").write_text(
        "queries:\n  p: select * from mart_programme_summary\n"
        "sections:\n  - bars: {title: x, data: p, label: nope, value: roas}\n",
        encoding="utf-8")
    result = run_roas("summary", "--warehouse", demo_build.warehouse, "--out",
                      tmp_path / "s.html", "--pages", pages)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "query 'summary: p' has no column nope" in result.stderr
    assert not (tmp_path / "s.html").exists()
