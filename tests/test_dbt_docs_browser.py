"""dbt's docs page shipped in the site works offline in a real browser (Debian's chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from roas.dbt_docs import SITE_PATH

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")
def test_dbt_docs_open_offline_with_columns_and_lineage(hand_build):
    from playwright.sync_api import sync_playwright

    page_path = hand_build.site / SITE_PATH
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: requests.append(r.url))
            model = "model.influencer_roas.mart_campaign_performance"
            page.goto(f"{page_path.resolve().as_uri()}#!/model/{model}")
            # the model's column documentation, from the inline manifest and catalog
            page.get_by_text("iroas_verdict", exact=True).first.wait_for(timeout=20_000)
            assert page.get_by_text("DOUBLE").count() > 0  # column types from the catalog
            # the lineage graph of the model
            page.locator(".launcher-btn a").first.click()
            page.get_by_text("Lineage Graph").first.wait_for(state="visible", timeout=20_000)
        finally:
            browser.close()
    assert requests and all(u.startswith(("file://", "data:", "blob:")) for u in requests), [
        u for u in requests if not u.startswith(("file://", "data:", "blob:"))
    ]
