"""The vendored partial plotly.js: the pinned version, exactly the trace types the pages
draw, a strict build that rejects a chart the bundle cannot draw, and (in Chromium) the
bundle registering what its header says and every chart drawing only declared traces."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from test_report_fixture import make_warehouse
from test_site_helpers import Seen, goto, launch, needs_chromium, new_tab

import reports.components
from reports import ReportError, render_site
from reports.bundle import parse_header, plotly_bundle
from reports.components import KINDS
from reports.render import app_source, default_pages_dir, discover

REPO = Path(__file__).resolve().parents[1]
RECIPE = REPO / "reports" / "vendor" / "plotly"
STATIC = REPO / "reports" / "static"


def kinds_used(pages_dir: Path) -> set[str]:
    return {c.name for f in discover(pages_dir) for c in f.source.body.walk()}


def test_bundle_is_the_plotly_js_of_the_pinned_python_plotly() -> None:
    from plotly.offline import get_plotlyjs_version

    bundle = plotly_bundle()
    assert bundle.version == get_plotlyjs_version()
    # The recipe pins the same version exactly, in package.json and in its lock file.
    package = json.loads((RECIPE / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["plotly.js"] == bundle.version
    lock = json.loads((RECIPE / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/plotly.js"]["version"] == bundle.version
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]


def test_bundle_keeps_its_licence_and_is_minified() -> None:
    source = plotly_bundle().source
    head = source[:600].decode("utf-8")
    assert head.startswith("/**\n* plotly.js (roas partial bundle - minified) v")
    assert "Copyright 2012-" in head and "Plotly, Inc." in head
    assert "Licensed under the MIT license" in head
    # esbuild keeps the bundled libraries' licence comments at the end.
    assert b"@license" in source[-20_000:]
    assert source.rstrip().endswith(b"window.Plotly = Plotly;")
    assert 800_000 < len(source) < 2_000_000  # the full bundle is 4.6 MB
    assert len(source.splitlines()) < 200  # minified


def test_header_parser_refuses_other_bundles() -> None:
    from plotly.offline import get_plotlyjs

    with pytest.raises(ValueError, match="build.mjs"):
        parse_header(get_plotlyjs().encode("utf-8"))  # plotly's full bundle
    version, traces = parse_header(b"/**\n* plotly.js (roas partial bundle - minified) v4.1.1"
                                   b"\n* traces: bar, scatter\n*/\nvar Plotly=1;")
    assert (version, traces) == ("4.1.1", frozenset({"bar", "scatter"}))


def test_bundle_registers_exactly_the_traces_the_pages_draw() -> None:
    used = kinds_used(default_pages_dir())
    needed = {t for kind in used for t in KINDS[kind].traces}
    assert needed == plotly_bundle().traces
    # The recipe's list is the header's (scatter comes with plotly.js/lib/core).
    build = (RECIPE / "build.mjs").read_text(encoding="utf-8")
    listed = re.search(r"const TRACES = \[([^\]]*)\]", build)
    assert listed
    assert set(re.findall(r'"([a-z0-9]+)"', listed.group(1))) | {"scatter"} == needed


def test_every_plotly_component_declares_its_traces() -> None:
    """app.js draws a plotly figure for each `figure<Kind>`: each such kind names its
    trace types (so the strict build can check them), and no other kind does."""
    app = app_source().decode("utf-8")
    drawn = set(re.findall(r"Chart\.prototype\.figure(\w+) = function", app))
    assert drawn == {name for name, kind in KINDS.items() if kind.traces}
    assert drawn >= {"BarChart", "LineChart", "ScatterChart", "Heatmap", "Treemap", "ForestPlot"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "fixture.duckdb"
    make_warehouse(path)
    return path


INDEX = "---\ntitle: Home\n---\n```sql programme\nselect * from mart_programme_summary\n```\n" \
        "<KPI data=\"programme\" value=\"roas\"/>\n"
TREEMAP = """---
title: Mix
---
```sql brands
select * from mart_brand_performance
```

<Treemap data="brands" path="brand" value="attributed_revenue"/>
"""


def test_strict_build_rejects_a_chart_the_bundle_cannot_draw(
        warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "index.md").write_text(INDEX, encoding="utf-8")
    (pages / "mix.md").write_text(TREEMAP, encoding="utf-8")
    # With the shipped bundle the page builds and draws a treemap...
    render_site(warehouse, tmp_path / "ok", pages_dir=pages)
    # ...with a bundle lacking treemap it fails at build time, naming file and line.
    without = replace(plotly_bundle(), traces=plotly_bundle().traces - {"treemap"})
    monkeypatch.setattr(reports.components, "plotly_bundle", lambda: without)
    with pytest.raises(ReportError) as info:
        render_site(warehouse, tmp_path / "site", pages_dir=pages)
    message = str(info.value)
    assert re.search(r"mix\.md:8: <Treemap>: draws plotly trace type\(s\) treemap that the "
                     r"vendored plotly\.js bundle does not register", message), message
    assert "reports/vendor/plotly/build.mjs" in message
    assert not (tmp_path / "site").exists()  # nothing written


# -- in Chromium -------------------------------------------------------------------------

REGISTERED = "() => [Plotly.version, Object.keys(Plotly.PlotSchema.get().traces).sort()]"

# Per chart of every article: its component type, the trace types it asked for, and
# whether plotly knew each of them (an unregistered type is drawn as nothing).
DRAWN = """() => {
  const out = [];
  document.querySelectorAll('article.report-page').forEach(article => {
    const data = JSON.parse(article.querySelector('script.page-data').textContent);
    const specs = data.ref ? window.ROAS_PAGES[data.ref].components
                           : window.ROAS_TEMPLATES[data.template].components;
    const types = {};
    specs.forEach(s => { types[s.id] = s.type; });
    article.querySelectorAll('figure.cmp-chart[data-cmp]').forEach(fig => {
      const gd = fig.querySelector('.js-plotly-plot');
      if (!gd || fig.querySelector('.chart').hidden) return;
      out.push([types[fig.getAttribute('data-cmp')],
                gd.data.map(t => t.type || 'scatter'),
                gd._fullData.every(t => t._module !== undefined)]);
    });
  });
  return out;
}"""


@pytest.mark.slow
@needs_chromium
def test_bundle_registers_its_header_traces_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    bundle = plotly_bundle()
    page_file = tmp_path / "bundle.html"
    (tmp_path / "plotly.min.js").write_bytes(bundle.source)
    page_file.write_text('<!doctype html><meta charset="utf-8"><script src="plotly.min.js">'
                         "</script>", encoding="utf-8")
    with sync_playwright() as p:
        browser = launch(p)
        seen = Seen()
        page = new_tab(browser, seen)
        page.goto(page_file.as_uri())
        version, traces = page.evaluate(REGISTERED)
        browser.close()
    assert version == bundle.version
    assert set(traces) == bundle.traces
    seen.assert_clean()


@pytest.mark.slow
@needs_chromium
def test_every_chart_draws_only_its_declared_traces(warehouse: Path, tmp_path: Path) -> None:
    """The print page has every plain page's charts; a per-influencer and a per-campaign
    page the templated ones. Together they draw every trace type of the bundle."""
    from playwright.sync_api import sync_playwright

    site = render_site(warehouse, tmp_path / "site").out_dir
    paths = [site / "print.html", min((site / "campaigns").glob("*[!x].html")),
             min((site / "influencers").glob("[0-9]*.html"))]
    drawn: list = []
    with sync_playwright() as p:
        browser = launch(p)
        seen = Seen()
        page = new_tab(browser, seen)
        for path in paths:
            goto(page, path)
            drawn += page.evaluate(DRAWN)
        browser.close()
    seen.assert_clean()
    assert len(drawn) >= 15
    kinds = set()
    for kind, types, known in drawn:
        assert known, (kind, types)
        assert set(types) <= set(KINDS[kind].traces), (kind, types)
        kinds.add(kind)
    assert {t for _, types, _ in drawn for t in types} == plotly_bundle().traces
    assert kinds == {k for k in kinds_used(default_pages_dir()) if KINDS[k].traces}
