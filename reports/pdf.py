"""Prints the rendered site to PDF through headless Chromium (Debian's package).

The PDF is `print.html` of the site (every page of the navigation, one after the
other, sharing the pages' data files), opened from file:// with the filters of its
URL (none: everything), printed with the site's print CSS: A4, no
navigation or filter bar, a page break before each report page, and no chart, KPI
tile or table row cut across pages.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from reports.errors import ReportError

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PRINT_PAGE = "print.html"
# A4 portrait less 10 mm margins, in CSS pixels (96 dpi): charts are laid out at the
# width they are printed at.
PRINT_VIEWPORT = {"width": 718, "height": 1000}


def chromium_path() -> str:
    """The browser binary: ROAS_CHROMIUM, else Debian's chromium on PATH."""
    found = os.environ.get("ROAS_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser"
    )
    if not found:
        raise ReportError(
            "--pdf needs Chromium: install Debian's package (apt-get install chromium) "
            "or set ROAS_CHROMIUM to a Chromium binary"
        )
    return found


def render_pdf(index_path: Path, pdf_path: Path, timeout_ms: int = 60_000) -> Path:
    """Print the site beside `index_path` (its print.html, else the index) to `pdf_path`."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    index_path = Path(index_path)
    source = index_path.parent / PRINT_PAGE
    if not source.is_file():
        source = index_path
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            raise ReportError(f"cannot start Chromium for the PDF: {exc}") from exc
        try:
            page = browser.new_page(viewport=PRINT_VIEWPORT)
            # Nothing may leave the machine, even from the PDF renderer.
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(("file:", "data:", "blob:"))
                       else route.abort())
            page.goto(source.resolve().as_uri(), wait_until="load")
            page.wait_for_selector("html[data-ready]", timeout=timeout_ms)
            page.emulate_media(media="print")
            page.evaluate("() => window.ROAS && window.ROAS.preparePrint()")
            page.pdf(path=str(pdf_path), format="A4", print_background=True,
                     display_header_footer=True, header_template="<span></span>",
                     footer_template=(
                         '<div style="font-size:8px;width:100%;text-align:center;color:#667085">'
                         'Influencer ROAS · page <span class="pageNumber"></span> of '
                         '<span class="totalPages"></span></div>'),
                     margin={"top": "12mm", "bottom": "14mm", "left": "10mm", "right": "10mm"})
        except PlaywrightError as exc:
            raise ReportError(f"printing {source} to PDF failed: {exc}") from exc
        finally:
            browser.close()
    return pdf_path
