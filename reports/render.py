"""Render the static site: pages from templates, plus the shipped assets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from reports.errors import ReportError
from reports.formatting import Formatter
from reports.pages import PAGE_BUILDERS, influencer_path, link_url, verdict_rank
from reports.queries import Warehouse, iso

ASSETS_DIR = "assets"
STATIC_FILES = ("app.js", "style.css")
PLOTLY_FILE = "plotly.min.js"

# Scripts only from the site's own files (no inline script, no eval), no network
# at all. 'unsafe-inline' styles are needed by plotly.js, which sets style
# attributes and injects a <style> element. Checked under file:// in Chromium.
CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
])


@dataclass(frozen=True)
class SiteResult:
    """What render_site wrote: the folder, its entry page, how many HTML pages."""

    out_dir: Path
    index_path: Path
    pages: int


def _environment(fmt: Formatter) -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,  # every value is escaped unless it is Markup (chart JSON only)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fmt.filters())
    env.filters.update(iso=iso, link_url=link_url, verdict_rank=verdict_rank,
                       influencer_path=influencer_path)
    env.globals.update(csp=CSP, currency=fmt.currency)
    return env


def _remove_stale_pages(out_dir: Path) -> None:
    """Delete influencer pages of a previous render (e.g. of a removed influencer)."""
    for page in (out_dir / "influencers").glob("*.html"):
        if page.stem.isdigit():  # only files this module names; nothing else is touched
            page.unlink()


def _write_assets(out_dir: Path) -> None:
    assets = out_dir / ASSETS_DIR
    assets.mkdir(parents=True, exist_ok=True)
    static = resources.files("reports") / "static"
    for name in STATIC_FILES:
        (assets / name).write_bytes((static / name).read_bytes())
    # plotly.js from the installed plotly package: shipped once, never fetched.
    from plotly.offline import get_plotlyjs

    (assets / PLOTLY_FILE).write_text(get_plotlyjs(), encoding="utf-8")


def render_site(
    warehouse: Path,
    out_dir: Path,
    currency: str = "₹",
    progress: Callable[[str], None] | None = None,
) -> SiteResult:
    """Render the report for `warehouse` into `out_dir`; raise ReportError when it cannot."""
    say = progress or (lambda _message: None)
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    fmt = Formatter(currency)
    env = _environment(fmt)
    say(f"reading marts from {warehouse}")
    with Warehouse(warehouse) as wh:
        if out_dir.exists() and not out_dir.is_dir():
            raise ReportError(f"output path exists and is not a folder: {out_dir}")
        _remove_stale_pages(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        count = 0
        for build in PAGE_BUILDERS:
            say(f"rendering {build.__name__.replace('_', ' ')}")
            for page in build(wh, fmt):
                target = out_dir / page.path
                target.parent.mkdir(parents=True, exist_ok=True)
                template = env.get_template(page.template)
                html = template.render(page.context, root=page.root, title=page.title,
                                       page_path=page.path)
                target.write_text(html, encoding="utf-8")
                count += 1
    say("writing assets")
    _write_assets(out_dir)
    say(f"wrote {count} pages to {out_dir}")
    return SiteResult(out_dir=out_dir, index_path=out_dir / "index.html", pages=count)
