"""Tests of the report without a browser: formatting, the page grammar, strict builds,
rendering the fixture warehouse (escaping, CSP, links, determinism, scaling)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest
from test_report_fixture import (
    BAD_URLS,
    FORMULA_NAME,
    HOSTILE_ID,
    QUOTED_NAME,
    TRAVERSAL_CAMPAIGN,
    XSS_CAMPAIGN,
    XSS_CAPTION,
    make_warehouse,
)

from reports import ReportError, SiteResult, render_site
from reports.authoring import PageError, parse_page, parse_tag
from reports.components import parse_where
from reports.formatting import Formatter, group_digits
from reports.render import CSP, page_file_name

# -- helpers -------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


def html_pages(site: Path) -> list[Path]:
    # the report's own pages; docs/dbt/ is dbt's page, shipped as dbt wrote it
    return sorted(p for p in site.rglob("*.html") if "docs/dbt" not in p.as_posix())


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


INDEX = """---
title: Home
---
```sql programme
select * from mart_programme_summary
```

<KPI data="programme" value="roas"/>
"""


# -- formatting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"), (999, 0, "999"), (1000, 0, "1,000"), (99999, 0, "99,999"),
        (100000, 0, "1,00,000"), (1234567, 0, "12,34,567"),
        (12345678.9, 2, "1,23,45,678.90"), (-1234567, 0, "-12,34,567"), (-0.004, 2, "0.00"),
        (0.5, 0, "1"),  # half-up, not banker's rounding
        (999.995, 2, "1,000.00"), (None, 0, "—"), (float("nan"), 0, "—"),
        (float("inf"), 2, "—"),
    ],
)
def test_indian_grouping(value: object, decimals: int, expected: str) -> None:
    assert group_digits(value, decimals, indian=True) == expected


def test_money_formats() -> None:
    inr, usd, eur = Formatter("₹"), Formatter("$"), Formatter("EUR")
    assert inr.money(1234567) == "₹12,34,567"
    assert inr.money(-1234567) == "-₹12,34,567"
    assert inr.money(1234.5, 2) == "₹1,234.50"
    assert usd.money(1234567) == "$1,234,567"
    assert eur.money(1234) == "EUR 1,234"
    assert inr.num(1234567) == "12,34,567"
    assert inr.format(2.0292, "percent") == "202.9%"
    assert inr.format("2024-12-01T00:00:00Z", "datetime") == "1 Dec 2024 00:00 UTC"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "₹0"), (99_960, "₹99,960"), (1_234_567, "₹12.3 L"), (12_345_678, "₹1.2 Cr"),
     (9_999_999, "₹1.0 Cr"), (99_999.6, "₹1,00,000"), (100_000, "₹1.0 L"),
     (1_234_567_890, "₹123.5 Cr"), (-2_500_000, "-₹25.0 L"), (None, "—")],
)
def test_money_compact_indian(value: object, expected: str) -> None:
    assert Formatter("₹").money_compact(value) == expected


# -- the page grammar --------------------------------------------------------------


def test_parse_tag_grammar() -> None:
    tag = parse_tag('<Table data="q" columns=\'a, b: B\' search/>', 0)
    assert tag.name == "Table" and tag.self_closing
    assert tag.attrs == {"data": "q", "columns": "a, b: B", "search": "true"}
    multi = parse_tag('<BarChart\n  data="q"\n  x="a" y="b">', 0)
    assert not multi.self_closing and multi.attrs["y"] == "b"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<KPI data="q" data="r"/>', "given twice"),
        ('<KPI data=q/>', "must be quoted"),
        ('<KPI Data="q"/>', "lower-case"),
        ('<KPI data="q"', "not closed"),
        ('<KPI data="q/>', "unterminated"),
    ],
)
def test_parse_tag_errors(text: str, message: str) -> None:
    from reports.authoring import TagSyntaxError

    with pytest.raises(TagSyntaxError, match=message):
        parse_tag(text, 0)


def test_page_parts_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    page = parse_page(path, """---
title: T
---
# Heading

```sql first
select 1 as a
```

```sql second
select * from ${first}
```

Text with an inline <Value data="first" column="a"/> value, and `<KPI/>` in code.

<Grid cols="2">
<KPI data="first" value="a"/>
<Table
  data="second"/>
</Grid>

```text
<KPI not="parsed"/>
```
""")
    assert page.front == {"title": "T"}
    assert {q: d.line for q, d in page.queries.items()} == {"first": 6, "second": 10}
    names = [(c.name, c.line, c.inline) for c in page.body.walk()]
    assert names == [("Value", 14, True), ("Grid", 16, False), ("KPI", 17, False),
                     ("Table", 18, False)]
    assert "<KPI/>" in page.body.markdown  # inline code stays text


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("```sql\nselect 1\n```\n", 4, "one lower-case name"),
        ("```sql a\nselect 1\n```\n```sql a\nselect 2\n```\n", 7, "defined twice"),
        ("<Grid>\n<KPI data='a' value='b'/>\n", 4, "never closed"),
        ("</Grid>\n", 4, "without an opening tag"),
        ("<KPI data='a' value='b'/> trailing <Grid>\n", 4, "self-closing"),
        ("```sql a\nselect 1\n", 4, "never closed"),
    ],
)
def test_page_syntax_errors_name_file_and_line(tmp_path: Path, body: str, line: int,
                                               message: str) -> None:
    path = tmp_path / "bad.md"
    with pytest.raises(PageError, match=message) as info:
        parse_page(path, "---\ntitle: T\n---\n" + body)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}:") or f"bad.md:{line}:" in str(info.value)


def test_where_grammar() -> None:
    assert parse_where("is_poor_roi or iroas_verdict = 'unprofitable'") == [
        [{"col": "is_poor_roi", "op": "truthy"}],
        [{"col": "iroas_verdict", "op": "=", "value": "unprofitable"}]]
    assert parse_where("not success and rows > 2") == [
        [{"col": "success", "op": "falsy"}, {"col": "rows", "op": ">", "value": 2}]]
    with pytest.raises(ValueError):
        parse_where("a ~ b")


def test_page_file_names_are_safe() -> None:
    assert page_file_name(42) == "42"
    assert page_file_name(7.0) == "7"
    for hostile in (TRAVERSAL_CAMPAIGN, XSS_CAMPAIGN, "..", "/abs", "a\\b", "CON", "", "ñ"):
        name = page_file_name(hostile)
        assert re.fullmatch(r"[a-z0-9-]+", name), name
    assert page_file_name("Diwali Sale") != page_file_name("diwali-sale")  # hash keeps apart


# -- strict builds -------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("wh") / "fixture.duckdb"
    return path, make_warehouse(path)


def _build_error(warehouse: Path, tmp_path: Path, pages: dict[str, str]) -> str:
    folder = write_pages(tmp_path / "pages", pages)
    with pytest.raises(ReportError) as info:
        render_site(warehouse, tmp_path / "site", pages_dir=folder)
    return str(info.value)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("```sql q\nselect nope from mart_programme_summary\n```\n<KPI data='q' value='x'/>\n",
         r"p\.md:5: query 'q' failed: Binder Error"),
        ("```sql q\nselect 1 as a,\n  from_nowhere\n```\n<KPI data='q' value='a'/>\n",
         r"p\.md:6: query 'q' failed"),
        ("```sql a\nselect * from ${b}\n```\n```sql b\nselect * from ${a}\n```\n",
         r"p\.md:\d+: queries refer to each other in a cycle: a -> b -> a"),
        ("```sql a\nselect * from ${zz}\n```\n", r"p\.md:4: query 'a' refers to \$\{zz\}"),
        ("```sql q\nselect * from mart_campaign_performance where false\n```\n"
         "<Table data='q'/>\n", r"p\.md:7: <Table>: query 'q' returned no rows"),
        ("```sql q\nselect 1 as a\n```\n<Table data='q' columns='a, b'/>\n",
         r"p\.md:7: <Table>: columns=\"b\": query 'q' has no column 'b'"),
        ("<Chart data='q'/>\n", r"p\.md:4: unknown component <Chart>"),
        ("```sql q\nselect 1 as a\n```\n<Table data='q' colour='red'/>\n",
         r"p\.md:7: <Table>: unknown attribute 'colour'"),
        ("```sql q\nselect 1 as a\n```\n<Table data='nope'/>\n",
         r"p\.md:7: <Table>: data=\"nope\" is not a query"),
        ("See [the campaigns](campaigns.md).\n", r"p\.md:4: broken link 'campaigns.md'"),
        ("[x](javascript:alert(1))\n", r"p\.md:4: link 'javascript:alert\(1\)'"),
        ("```sql q\nselect * from int_holdout_cells\n```\n",
         r"p\.md:5: query 'q' failed: Catalog Error"),
        ("```sql q\nselect * from fct_orders\n```\n", r"query 'q' failed: Catalog Error"),
    ],
)
def test_strict_build_errors(warehouse: tuple[Path, dict], tmp_path: Path, page: str,
                             expected: str) -> None:
    message = _build_error(warehouse[0], tmp_path, {
        "index.md": INDEX, "p.md": "---\ntitle: P\n---\n" + page})
    assert re.search(expected, message), message


def test_all_page_errors_are_reported_together(warehouse: tuple[Path, dict],
                                               tmp_path: Path) -> None:
    bad = "---\ntitle: B\n---\n```sql q\nselect nope\n```\n"
    message = _build_error(warehouse[0], tmp_path, {"index.md": INDEX, "a.md": bad,
                                                    "b.md": bad})
    assert "2 error(s)" in message and "a.md:5" in message and "b.md:5" in message


def test_templated_page_key_errors(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    page = ("---\ntitle: '{campaign}'\npages: c\n---\n```sql c\n"
            "select 'x' as campaign union all select 'x'\n```\n")
    message = _build_error(warehouse[0], tmp_path, {"index.md": INDEX, "c/[campaign].md": page})
    assert "c/[campaign].md:5: pages query 'c' repeats a campaign" in message


def test_new_page_needs_no_python(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    folder = write_pages(tmp_path / "pages", {
        "index.md": INDEX,
        "brands.md": """---
title: Brands
---
```sql brands
select * from mart_brand_performance order by brand
```

```sql top
select * from ${brands} order by attributed_revenue desc limit 1
```

The top brand is <Value data="top" column="brand"/>.

<BarChart data="brands" x="brand" y="attributed_revenue, spend"/>
<Table data="brands" columns="brand, attributed_revenue, spend, roas"/>
""",
    })
    result = render_site(warehouse[0], tmp_path / "site", pages_dir=folder)
    text = (result.out_dir / "brands.html").read_text(encoding="utf-8")
    assert "The top brand is <span class=\"value\">MuscleBlaze</span>" in text
    nav = [a.get("href") for t, a in tags_of(result.index_path) if t == "a"]
    assert "brands.html" in nav  # the sidebar comes from the folder tree


# -- the fixture site ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(warehouse: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    messages: list[str] = []
    result = render_site(warehouse[0], tmp_path_factory.mktemp("site"), progress=messages.append)
    assert messages, "progress callback never called"
    return result


def test_site_pages(site: SiteResult, warehouse: tuple[Path, dict]) -> None:
    assert site.index_path == site.out_dir / "index.html"
    assert site.pages == len(html_pages(site.out_dir))
    con = duckdb.connect(str(warehouse[0]), read_only=True)
    ids = [r[0] for r in con.execute("select influencer_id from dim_influencers").fetchall()]
    con.close()
    pages = {p.name for p in (site.out_dir / "influencers").glob("*.html")}
    assert pages == {f"{i}.html" for i in ids} | {"index.html"}
    for name in ("campaigns/index.html", "personas.html", "engagement.html", "payouts.html",
                 "incrementality.html", "data-quality.html", "print.html"):
        assert (site.out_dir / name).is_file(), name
    # One page per campaign, file names from slugs, never from the raw names.
    campaign_pages = sorted(p.name for p in (site.out_dir / "campaigns").glob("*.html"))
    assert len(campaign_pages) == 5
    assert all(re.fullmatch(r"[a-z0-9-]+\.html", n) for n in campaign_pages)
    assert not (site.out_dir.parent / "etc").exists()


def test_no_path_outside_the_site(site: SiteResult) -> None:
    root = site.out_dir.resolve()
    manifest = (site.out_dir / ".site-manifest").read_text().split()
    for rel in manifest:
        assert root in (site.out_dir / rel).resolve().parents, rel
    assert sorted(str(p.relative_to(site.out_dir)) for p in site.out_dir.rglob("*")
                  if p.is_file() and p.name != ".site-manifest") == sorted(manifest)


def test_breadcrumbs_and_sidebar(site: SiteResult) -> None:
    page = site.out_dir / "influencers" / f"{HOSTILE_ID}.html"
    text = page.read_text(encoding="utf-8")
    crumbs = text.split('class="crumbs"')[1].split("</nav>")[0]
    assert 'href="../index.html"' in crumbs and 'href="index.html"' in crumbs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in crumbs
    nav = text.split('class="nav"')[1].split("</nav>")[0]
    titles = re.findall(r">([^<>]+)</a>", nav)
    assert titles == ["Programme overview", "Campaigns", "Influencers", "Personas", "Engagement",
                      "Payouts", "Incrementality", "Plan", "Data quality"]


def test_hostile_strings_are_inert_in_html(site: SiteResult) -> None:
    for page in html_pages(site.out_dir):
        text = page.read_text(encoding="utf-8")
        lowered = text.lower()
        assert "<script>alert" not in lowered, page
        assert "<img src=x" not in lowered, page
        assert "<b>monsoon" not in lowered, page
        for tag, attrs in tags_of(page):
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name)  # no inline handlers
                if name in ("href", "src", "action", "formaction"):
                    assert "javascript:" not in unquote(value or "").lower().replace(" ", "")
            if tag == "script":  # only external files and JSON data blocks
                assert attrs.get("src") or attrs.get("type") == "application/json", page
    # Embedded JSON never carries a raw '<', '>' or '&' (no way out of the script element).
    for path in [*html_pages(site.out_dir), *(site.out_dir / "assets" / "data").rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S) \
            if path.suffix == ".html" else [text]
        for block in blocks:
            assert "<" not in block and ">" not in block and "&" not in block, path
    data = (site.out_dir / "assets" / "data" / "templates.js").read_text(encoding="utf-8")
    assert "alert(" not in data  # template bodies hold no data


def test_only_relative_links_and_local_assets(site: SiteResult) -> None:
    for page in html_pages(site.out_dir):
        for tag, attrs in tags_of(page):
            for name in ("href", "src"):
                value = attrs.get(name)
                if value is None or (tag == "link" and value == "data:,"):
                    continue
                parts = urlsplit(value)
                assert not parts.scheme and not parts.netloc, (page, tag, value)
                assert not value.startswith("/"), (page, value)
                if parts.path:
                    target = (page.parent / unquote(parts.path)).resolve()
                    assert target.is_file(), (page, value)
                    assert site.out_dir.resolve() in target.parents, (page, value)


def test_assets_and_csp(site: SiteResult) -> None:
    assets = site.out_dir / "assets"
    assert (assets / "plotly.min.js").stat().st_size > 1_000_000
    assert len(list(site.out_dir.rglob("plotly*.js"))) == 1  # shipped once
    for page in html_pages(site.out_dir):
        metas = [a for t, a in tags_of(page)
                 if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
        assert len(metas) == 1 and metas[0]["content"] == CSP, page
        for tag, attrs in tags_of(page):
            if tag in ("script", "link"):
                ref = attrs.get("src") or attrs.get("href") or ""
                assert not urlsplit(ref).scheme or ref == "data:,", (page, ref)
    assert "default-src 'none'" in CSP and "connect-src" not in CSP or "'none'" in CSP
    script_src = next(d for d in CSP.split(";") if d.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    css = (assets / "style.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "prefers-color-scheme: dark" in css and '[data-theme="dark"]' in css
    app = (assets / "app.js").read_text(encoding="utf-8")
    assert "fetch(" not in app and "XMLHttpRequest" not in app and "eval(" not in app


def test_kpi_first_paint_matches_the_mart(site: SiteResult, warehouse: tuple[Path, dict]) -> None:
    programme = warehouse[1]
    fmt = Formatter("₹")
    text = html.unescape(site.index_path.read_text(encoding="utf-8"))
    for value in (fmt.ratio(programme["roas"]), fmt.num(programme["attributed_orders"]),
                  fmt.money(programme["cpa"]), fmt.ratio(programme["iroas"])):
        assert value in text, value


def test_build_time_comes_from_the_marts(site: SiteResult) -> None:
    model = (site.out_dir / "assets" / "data" / "model.js").read_text(encoding="utf-8")
    assert '"builtAt":"2024-12-01T00:00:00Z"' in model
    dq = html.unescape((site.out_dir / "data-quality.html").read_text(encoding="utf-8"))
    assert "1 Dec 2024 00:00 UTC" in dq


def test_render_is_byte_identical(warehouse: tuple[Path, dict], site: SiteResult,
                                  tmp_path: Path) -> None:
    again = render_site(warehouse[0], tmp_path / "again")

    def digests(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert digests(site.out_dir) == digests(again.out_dir)


def test_render_does_not_read_orders(tmp_path: Path) -> None:
    """Size and output do not depend on fct_orders (which grows with orders)."""
    small, big = tmp_path / "small.duckdb", tmp_path / "big.duckdb"
    make_warehouse(small, orders_copies=1)
    make_warehouse(big, orders_copies=5000)
    a = render_site(small, tmp_path / "a")
    b = render_site(big, tmp_path / "b")
    for page in html_pages(a.out_dir):
        rel = page.relative_to(a.out_dir)
        assert page.read_bytes() == (b.out_dir / rel).read_bytes(), rel


def test_rerender_removes_stale_pages_only(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "influencers").mkdir(parents=True)
    (out / "influencers" / "999999.html").write_text("old")
    (out / "keep.txt").write_text("user file")
    (out / ".site-manifest").write_text("influencers/999999.html\n../outside.txt\n")
    (tmp_path / "outside.txt").write_text("never touched")
    render_site(warehouse[0], out)
    assert not (out / "influencers" / "999999.html").exists()
    assert (out / "keep.txt").exists() and (tmp_path / "outside.txt").exists()


def test_missing_warehouse_raises(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="nope.duckdb"):
        render_site(tmp_path / "nope.duckdb", tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_warehouse_open_read_write_in_process(warehouse: tuple[Path, dict],
                                              tmp_path: Path) -> None:
    copy = tmp_path / "busy.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    holder = duckdb.connect(str(copy))
    try:
        with pytest.raises(ReportError, match="busy.duckdb.*close that connection"):
            render_site(copy, tmp_path / "site")
    finally:
        holder.close()


@pytest.mark.parametrize("table", ["mart_daily_performance", "mart_incrementality_cells"])
def test_missing_mart_raises(warehouse: tuple[Path, dict], tmp_path: Path, table: str) -> None:
    copy = tmp_path / "partial.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    con = duckdb.connect(str(copy))
    con.execute(f"drop table {table}")
    con.close()
    with pytest.raises(ReportError, match=table):
        render_site(copy, tmp_path / "site")


def test_missing_issue3_column_names_page_and_line(warehouse: tuple[Path, dict],
                                                   tmp_path: Path) -> None:
    copy = tmp_path / "old.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("alter table mart_influencer_performance drop column assumed_iroas_low")
    con.close()
    with pytest.raises(ReportError, match=r"incrementality\.md:\d+: query 'influencers' failed"):
        render_site(copy, tmp_path / "site")


def test_other_currency(warehouse: tuple[Path, dict], tmp_path: Path) -> None:
    result = render_site(warehouse[0], tmp_path / "usd", currency="$")
    text = html.unescape(result.index_path.read_text(encoding="utf-8"))
    assert Formatter("$").money(warehouse[1]["cpa"]) in text
    assert "₹" not in text
    model = (result.out_dir / "assets" / "data" / "model.js").read_text(encoding="utf-8")
    assert '"currency":"$","indian":false' in model


def test_hostile_data_in_embedded_json_round_trips(site: SiteResult) -> None:
    page = (site.out_dir / "influencers" / f"{HOSTILE_ID}.html").read_text(encoding="utf-8")
    block = re.search(r'class="page-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    captions = data["queries"]["posts"]["v"]["caption"]
    assert XSS_CAPTION in json.dumps(captions, ensure_ascii=False)
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    model = (site.out_dir / "assets" / "data" / "model.js").read_text(encoding="utf-8")
    assert json.dumps(FORMULA_NAME, ensure_ascii=False).translate(
        {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}) in model
    assert QUOTED_NAME.replace('"', '\\"') in model
    assert all(u not in page for u in BAD_URLS if "<" in u)  # only escaped in JSON


def test_render_time_500_influencers(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "big.duckdb"
    make_warehouse(path, n_influencers=500, seed=11)
    started = time.perf_counter()
    result = render_site(path, tmp_path / "site")
    elapsed = time.perf_counter() - started
    # influencers and their list, 4 campaigns and their list, 7 plain pages and print.html
    assert result.pages == 500 + 1 + 5 + 8
    with capsys.disabled():
        print(f"\n[report] rendered {result.pages} pages for 500 influencers in {elapsed:.2f} s")
    # speed is measured and judged in benchmarks/report_bench.py, not asserted here
