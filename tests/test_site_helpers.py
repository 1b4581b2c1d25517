"""Helpers for the browser tests of the site (Debian's chromium through Playwright).

No tests here; test_site_browser.py (fixture site) and test_site_demo.py (demo site)
use them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reports.pdf import CHROMIUM_ARGS

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (make browser installs it)")

# Requests a page may make: its own files, and blob: URLs of CSV downloads.
LOCAL = ("file://", "blob:", "data:")


@dataclass
class Seen:
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.errors == [], self.errors
        assert self.requests, "no request seen at all"
        remote = [u for u in self.requests if not u.startswith(LOCAL)]
        assert remote == [], remote


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def new_tab(browser, seen: Seen, width: int = 1400):
    page = browser.new_page(viewport={"width": width, "height": 1000}, accept_downloads=True)
    page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    return page


def goto(page, path: Path, query: str = "") -> None:
    page.goto(path.resolve().as_uri() + query)
    page.wait_for_selector("html[data-ready]", timeout=30_000)


def updates(page) -> int:
    return page.evaluate("() => window.ROAS.updates")


def wait_update(page, before: int) -> float:
    """Wait until the page re-rendered after a filter change; the update's duration (ms)."""
    page.wait_for_function(f"() => window.ROAS.updates > {before}", timeout=10_000)
    return page.evaluate("() => window.ROAS.lastUpdateMs")


def kpis(page) -> dict[str, dict[str, str]]:
    """KPI tiles by label: value, detail, note (the texts shown)."""
    rows = page.eval_on_selector_all(".kpi", """els => els.map(e => [
        e.querySelector('.kpi-label').textContent,
        e.querySelector('.kpi-value').textContent,
        (e.querySelector('.kpi-detail') || {}).textContent || '',
        (e.querySelector('.kpi-note') || {}).textContent || ''])""")
    return {r[0]: {"value": r[1], "detail": r[2], "note": r[3]} for r in rows}


def component(page, title: str):
    """The component (table or chart card) whose title is `title`."""
    return page.locator(".cmp", has=page.locator(".cmp-title", has_text=title)).first


def choose(page, dim: str, value: str) -> None:
    """Pick one value in a filter drop-down, like a user: open, find, tick, close."""
    before = updates(page)
    page.locator(f'button[data-filter="{dim}"]').click()
    panel = page.locator(".dropdown", has=page.locator(f'button[data-filter="{dim}"]'))
    panel.locator("input.search").fill(value[:20])
    panel.locator("label.option", has_text=value).first.locator("input").check()
    wait_update(page, before)
    page.keyboard.press("Escape")


def set_dates(page, start: str, end: str) -> float:
    before = updates(page)
    page.locator('input[data-filter="from"]').fill(start)
    wait_update(page, before)
    before = updates(page)
    page.locator('input[data-filter="to"]').fill(end)
    return wait_update(page, before)


def download(page, locator) -> list[list[str]]:
    """Click a CSV button; the downloaded rows (header first)."""
    with page.expect_download() as info:
        locator.click()
    path = info.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def js(value) -> str:
    return json.dumps(value)
