"""Prints the rendered site to PDF through headless Chromium (Debian's package)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from roas.errors import RoasError

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The browser binary: ROAS_CHROMIUM, else Debian's chromium on PATH."""
    found = os.environ.get("ROAS_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser"
    )
    if not found:
        raise RoasError(
            "--pdf needs Chromium: install Debian's package (apt-get install chromium) "
            "or set ROAS_CHROMIUM to a Chromium binary"
        )
    return found


def render_pdf(index_path: Path, pdf_path: Path) -> Path:
    """Open the index from file:// (no server), wait for the charts, print with print CSS."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(index_path.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.pdf(path=str(pdf_path), format="A4", print_background=True,
                     margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
        finally:
            browser.close()
    return pdf_path
