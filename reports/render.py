"""Render the static site: Markdown pages + named SQL + component tags -> HTML files.

Pages are the `*.md` files under `reports/pages/` (or `pages_dir`); the folder tree
is the site's tree and its navigation. A file named `[column].md` is a templated
page: its front matter `pages: <query>` names a query returning one row per page,
and the page's queries are run once and split by `column`. Output file names come
from the key (an integer id as is, text as an ASCII slug plus a hash), never from
raw names. Everything is written inside `out_dir`; a strict build fails on any
page error (all errors are reported together, each with file and line).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from reports.authoring import QUERY_NAME, Body, PageError, PageSource, parse_page
from reports.bundle import FILE as PLOTLY_FILE
from reports.bundle import plotly_bundle
from reports.components import Compiler, PageData, Site
from reports.errors import ReportError
from reports.formatting import Formatter
from reports.markdown import Renderer, relative_url, slug
from reports.model import as_script, build_grain, build_model, encode_values, to_json
from reports.queries import Result, Warehouse, partition

ASSETS_DIR = "assets"
STATIC_FILES = ("style.css",)
APP_SECTIONS = "app"  # static/app/*.js, concatenated in name order into assets/app.js
MANIFEST = ".site-manifest"
PRINT_PAGE = "print.html"

# Scripts only from the site's own files (no inline script, no eval), no network
# at all: default-src 'none' also denies connect (fetch, XHR, beacons), fonts,
# frames, objects and workers. 'unsafe-inline' styles are needed by plotly.js, which
# sets style attributes and injects a <style> element; data: and blob: images are its
# chart exports. Checked under file:// in Chromium.
CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "base-uri 'none'",
    "form-action 'none'",
])


@dataclass(frozen=True)
class SiteResult:
    """What render_site wrote: the folder, its entry page, how many HTML pages."""

    out_dir: Path
    index_path: Path
    pages: int


def default_pages_dir() -> Path:
    return Path(str(resources.files("reports") / "pages"))


# -- page files --------------------------------------------------------------------


@dataclass
class PageFile:
    source: PageSource
    route: str  # 'index', 'guide', 'topics/index', 'topics/[topic]'
    key: str | None  # templated: the key column

    @property
    def title(self) -> str:
        return str(self.source.front.get("title", ""))

    @property
    def out_path(self) -> str:
        return f"{self.route}.html"

    @property
    def nav_order(self) -> tuple[float, str]:
        order = self.source.front.get("nav", 50)
        return (float(order) if isinstance(order, int | float) else 50.0, self.title.lower())


SITE_CONFIG = "_site.yml"


def site_config(pages_dir: Path) -> dict[str, Any]:
    """The pages' site-wide settings (`_site.yml`: the filter bar), or none."""
    path = pages_dir / SITE_CONFIG
    if not path.is_file():
        return {}
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ReportError(f"{path} is not valid YAML: {exc}") from exc
    filters = config.get("filters", [])
    if not isinstance(config, dict) or not isinstance(filters, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str)
            and isinstance(f.get("label"), str) for f in filters):
        raise ReportError(f"{path}: `filters` must be a list of {{name, label, menu}}")
    return config


def discover(pages_dir: Path) -> list[PageFile]:
    """Every page file under pages_dir (files and folders starting with _ or . are skipped)."""
    if not pages_dir.is_dir():
        raise ReportError(f"pages folder not found: {pages_dir}")
    files: list[PageFile] = []
    templated_dirs: dict[str, str] = {}
    for path in sorted(pages_dir.rglob("*.md")):
        rel = path.relative_to(pages_dir)
        if any(part.startswith(("_", ".")) for part in rel.parts):
            continue
        source = parse_page(path)
        route = rel.with_suffix("").as_posix()
        key = None
        if path.stem.startswith("[") and path.stem.endswith("]"):
            key = path.stem[1:-1]
            if not QUERY_NAME.match(key):
                raise source.error(1, f"templated page name {path.name!r} must be [column].md "
                                      "with a lower-case column name")
            folder = rel.parent.as_posix()
            if folder in templated_dirs:
                raise source.error(1, f"folder {folder!r} already has templated page "
                                      f"{templated_dirs[folder]}")
            templated_dirs[folder] = path.name
            pages_query = source.front.get("pages")
            if not isinstance(pages_query, str) or pages_query not in source.queries:
                raise source.error(1, "a templated page needs front matter 'pages: <query>' "
                                      "naming one of its queries (one row per page)")
        elif "pages" in source.front:
            raise source.error(1, "'pages:' is for templated pages named [column].md")
        title = source.front.get("title")
        if not isinstance(title, str) or not title.strip():
            raise source.error(1, "front matter needs a title: 'title: My page'")
        files.append(PageFile(source, route, key))
    if not any(f.route == "index" for f in files):
        raise ReportError(f"{pages_dir} has no index.md (the site's entry page)")
    return files


def page_file_name(value: Any) -> str:
    """A safe file name for a templated page's key: digits for integers, else slug-hash."""
    if isinstance(value, bool):
        value = str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    name = slug(text, 48)
    return f"{name}-{digest}" if name else f"page-{digest}"


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def fill(template: str, row: dict[str, Any] | None, page: PageSource, fmt: Formatter) -> str:
    """'{name}' placeholders of a templated page's title from its row."""
    if row is None:
        return template

    def value(match: re.Match) -> str:
        column = match.group(1)
        if column not in row:
            raise page.error(1, f"title placeholder {{{column}}}: the pages query has no "
                                f"column {column!r}")
        v = row[column]
        return "—" if v is None else str(v)

    return _PLACEHOLDER.sub(value, template)


# -- rendering ---------------------------------------------------------------------


@dataclass
class Instance:
    """One HTML page to write."""

    file: PageFile
    out_path: str
    title: str
    results: dict[str, Result]
    key_value: Any = None
    row: dict[str, Any] | None = None
    full_results: dict[str, Result] | None = None


@dataclass
class Built:
    html: Markup
    data: PageData
    queries: dict[str, Any] = field(default_factory=dict)


def encode_result(result: Result, columns: list[str]) -> dict[str, Any]:
    """Columnar JSON of a query result."""
    return {"n": len(result.rows), "columns": columns,
            "v": {c: encode_values(result.values(c)) for c in columns}}


def data_file(route: str) -> str:
    """assets/data/pages/<name>.js for a plain page's components and query results."""
    name = slug(route.replace("/", "-"), 60) or "page"
    return f"{ASSETS_DIR}/data/pages/{name}-{hashlib.sha256(route.encode()).hexdigest()[:6]}.js"


class SiteBuilder:
    def __init__(self, wh: Warehouse, pages_dir: Path, fmt: Formatter,
                 say: Callable[[str], None], links: Sequence[tuple[str, str]] = ()) -> None:
        self.wh, self.pages_dir, self.fmt, self.say = wh, pages_dir, fmt, say
        self.links = [{"path": path, "title": title} for path, title in links]
        self.files = discover(pages_dir)
        self.renderer = Renderer()
        self.env = Environment(loader=PackageLoader("reports", "templates"), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.site = Site({f.route: f.key for f in self.files if f.key},
                         wh.meanings.with_site(site_config(pages_dir)))
        self.routes: dict[str, dict[str, str]] = {}
        self.out_paths: dict[str, str] = {f.route: f.out_path for f in self.files if not f.key}
        self.errors: list[str] = []

    # -- instances -----------------------------------------------------------------

    def instances(self, file: PageFile) -> list[Instance]:
        page = file.source
        results = self.wh.run_page(page)
        if not file.key:
            return [Instance(file, file.out_path, fill(file.title, None, page, self.fmt),
                             results)]
        listing = results[page.front["pages"]]
        if file.key not in listing.columns:
            raise page.error(page.queries[listing.name].line,
                             f"pages query {listing.name!r} has no column {file.key!r} "
                             f"(the key of {page.path.name})")
        keys = listing.values(file.key)
        if any(k is None for k in keys):
            raise page.error(page.queries[listing.name].line,
                             f"pages query {listing.name!r} has a NULL {file.key}")
        if len(set(keys)) != len(keys):
            raise page.error(page.queries[listing.name].line,
                             f"pages query {listing.name!r} repeats a {file.key}: one row "
                             "per page")
        parts = {name: partition(r, file.key) for name, r in results.items()
                 if file.key in r.columns}
        folder = posixpath.dirname(file.route)
        out: list[Instance] = []
        names: dict[str, Any] = {}
        route_map = self.routes.setdefault(file.route, {})
        # Key order, not the database's row order: the site must be byte-identical per input.
        ordered = sorted(zip(listing.dicts(), keys, strict=True),
                         key=lambda pair: (isinstance(pair[1], str), pair[1]))
        for row, key in ordered:
            name = page_file_name(key)
            if name in names or name == "index":
                raise page.error(1, f"keys {names.get(name)!r} and {key!r} give the same "
                                    f"file name {name}.html")
            names[name] = key
            own = {q: (parts[q].get(key) or r.subset([])) if q in parts else r
                   for q, r in results.items()}
            out_path = posixpath.join(folder, f"{name}.html") if folder else f"{name}.html"
            route_map[str(key)] = out_path
            title = fill(file.title, row, page, self.fmt)
            out.append(Instance(file, out_path, title, own, key, row, results))
        return out

    def resolve(self, route: str) -> str | None:
        return self.out_paths.get(route)

    # -- one page --------------------------------------------------------------------

    def _compiler(self, inst: Instance, template: bool = False) -> Compiler:
        where = f" (page for {inst.file.key} = {inst.key_value!r})" if inst.file.key else ""
        return Compiler(inst.file.source, inst.results, self.site, self.fmt, "", where,
                        inst.full_results, template)

    def check(self, inst: Instance) -> PageData:
        """Compile every component of a page instance (all checks, no HTML)."""
        compiler = self._compiler(inst)
        for comp in inst.file.source.body.walk():
            compiler.compile(comp)
        return compiler.data

    def build(self, inst: Instance, out_path: str, heading_ids: dict[str, int] | None = None,
              template: bool = False) -> Built:
        page = inst.file.source
        compiler = self._compiler(inst, template)
        renderer = self.renderer

        def body_html(body: Body) -> Markup:
            parts: dict[int, Markup] = {}
            inline: set[int] = set()
            for comp in body.components:
                compiled = compiler.compile(comp)
                html = compiled.html
                if comp.inline:
                    inline.add(comp.index)
                if comp.body is not None:
                    inner = body_html(comp.body)
                    if comp.name == "Grid":
                        cols = max(1, min(int(comp.attrs.get("cols", "2")), 4))
                        html = Markup(f'<div class="grid grid-{cols}">{inner}</div>')
                    else:
                        html = self._alert(comp, compiled.spec or {}, inner, inst, template)
                parts[comp.index] = html
            return renderer.render(body, page, inst.file.route, out_path, self.resolve,
                                   parts, inline, heading_ids)

        html = body_html(page.body)
        data = compiler.data
        return Built(html, data, self.queries(inst, data))

    def queries(self, inst: Instance, data: PageData) -> dict[str, Any]:
        return {name: encode_result(inst.results[name], columns)
                for name, columns in data.columns.items()}

    def _alert(self, comp, spec: dict[str, Any], inner: Markup, inst: Instance,
               template: bool) -> Markup:
        hidden = ""
        count_html = '<span class="alert-count"></span>'
        if "data" in spec and not template:
            result = inst.results[spec["data"]]
            rows = result.dicts()
            if "where" in spec:
                rows = [r for r in rows if _matches(r, spec["where"])]
            count_html = f'<span class="alert-count">{escape(self.fmt.num(len(rows)))}</span>'
            hidden = "" if rows else " hidden"
        title = comp.attrs.get("title")
        inner = Markup(str(inner).replace("{count}", count_html))
        heading = f'<p class="alert-title">{escape(title)}</p>' if title else ""
        cmp = f' data-cmp="{spec["id"]}"' if "data" in spec else ""
        return Markup(f'<div class="alert alert-{escape(spec.get("kind", "info"))}" '
                      f'role="note"{cmp}{hidden}>{heading}{inner}</div>')

    # -- whole site ------------------------------------------------------------------

    def nav(self) -> list[dict[str, Any]]:
        """Sidebar entries from the folder tree: top-level pages, folders' pages under them."""
        plain = [f for f in self.files if not f.key]
        entries = []
        for f in sorted(plain, key=lambda f: f.nav_order):
            if f.source.front.get("nav") is False:
                continue
            depth = f.route.count("/") - (1 if f.route.endswith("/index") else 0)
            if depth == 0:
                children = [c for c in sorted(plain, key=lambda c: c.nav_order)
                            if f.route.endswith("/index") and c is not f
                            and posixpath.dirname(c.route) == posixpath.dirname(f.route)
                            and c.source.front.get("nav") is not False]
                entries.append({"title": f.title, "path": f.out_path, "route": f.route,
                                "children": [{"title": c.title, "path": c.out_path,
                                              "route": c.route} for c in children]})
        return entries

    def crumbs(self, inst: Instance) -> list[dict[str, str]]:
        """Overview / folder index / ... / this page."""
        route = inst.file.route
        parts = route.split("/")
        trail = []
        if route != "index":
            trail.append({"title": self._title_of("index"), "path": "index.html"})
        for depth in range(1, len(parts)):
            folder_index = "/".join(parts[:depth]) + "/index"
            if folder_index != route and folder_index in self.out_paths:
                trail.append({"title": self._title_of(folder_index),
                              "path": self.out_paths[folder_index]})
        return trail

    def _title_of(self, route: str) -> str:
        return next(f.title for f in self.files if f.route == route)

    def page_html(self, parts: list[tuple[Instance, Built | None]], out_path: str,
                  title: str, print_page: bool = False) -> str:
        """One HTML file: a page, or (print) several pages one after the other."""
        root = "../" * out_path.count("/")
        sections, scripts = [], []
        templated = False
        grains: set[str] = set()
        for inst, built in parts:
            data: dict[str, Any] = {"root": root, "title": inst.title,
                                    "filters": inst.file.source.front.get("filters", True)
                                    is not False}
            if inst.file.key:
                templated = True
                data["template"] = inst.file.route
                # the filter the page's key column carries (as the project declares it)
                key = inst.file.key
                data["fixed"] = [self.site.meanings.meaning(key).get("filter", key)]
                data["queries"] = built.queries if built else {}
                grains |= built.data.grains if built else set()
                html = Markup('<div data-template-body></div>')
            else:
                data["ref"] = inst.file.route
                scripts.append(data_file(inst.file.route))
                grains |= built.data.grains if built else set()
                html = built.html if built else Markup("")
            sections.append({
                "title": inst.title,
                "description": fill(str(inst.file.source.front.get("description", "")),
                                    inst.row, inst.file.source, self.fmt),
                "html": html,
                "data": Markup(to_json(data)),
                "crumbs": [] if print_page else self.crumbs(inst),
            })
        template = self.env.get_template("page.html")
        return template.render(
            csp=Markup(CSP), root=root, title=title, sections=sections, nav=self.nav(),
            current=out_path, current_top=out_path.split("/")[0],
            rel=lambda p: relative_url(p, out_path), scripts=scripts, grains=sorted(grains),
            templated=templated, print_page=print_page, currency=self.fmt.currency,
            links=self.links,
        )


def _matches(row: dict[str, Any], groups: list[list[dict[str, Any]]]) -> bool:
    return any(_all(row, group) for group in groups)


def _all(row: dict[str, Any], conditions: list[dict[str, Any]]) -> bool:
    for cond in conditions:
        value = row.get(cond["col"])
        op = cond["op"]
        if op == "truthy":
            ok = bool(value)
        elif op == "falsy":
            ok = not value
        else:
            target = cond["value"]
            if op in ("=", "!="):
                ok = (value == target) == (op == "=")
            elif value is None or target is None:
                ok = False
            else:
                try:
                    ok = {"<": value < target, "<=": value <= target, ">": value > target,
                          ">=": value >= target}[op]
                except TypeError:
                    ok = False
        if not ok:
            return False
    return True


# -- files -------------------------------------------------------------------------


class Writer:
    """Writes files inside out_dir only, and remembers them for the manifest."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = out_dir.resolve()
        self.written: list[str] = []

    def path(self, rel: str) -> Path:
        if rel.startswith(("/", "\\")) or ".." in Path(rel).parts or "\\" in rel:
            raise ReportError(f"refusing to write {rel!r}: not a plain path inside the site")
        target = self.out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        resolved = target.resolve()
        if self.root != resolved and self.root not in resolved.parents:
            raise ReportError(f"refusing to write {target}: it resolves outside {self.out_dir}")
        return target

    def write(self, rel: str, content: str | bytes) -> None:
        target = self.path(rel)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
        self.written.append(rel)


def _remove_previous(out_dir: Path) -> None:
    """Delete the files a previous render listed in its manifest (and nothing else)."""
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        return
    root = out_dir.resolve()
    for line in manifest.read_text(encoding="utf-8").splitlines():
        rel = line.strip()
        if not rel or rel.startswith("/") or ".." in Path(rel).parts:
            continue
        target = out_dir / rel
        resolved = target.resolve()
        if root in resolved.parents and target.is_file() and not target.is_symlink():
            target.unlink()
    for folder in sorted((p for p in out_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


_HREF = re.compile(r'\s(?:href|src)="([^"]*)"')


@dataclass(frozen=True)
class Attachment:
    """A finished page the caller hands to the site (dbt's docs page, say): written as
    given at `path`, linked from every page's sidebar under `title`, not scanned."""

    path: str
    title: str
    html: str


def check_links(out_dir: Path, written: list[str], verbatim: frozenset[str] = frozenset()) -> None:
    """Every relative href/src in the written HTML points at a written file."""
    files = set(written)
    broken = []
    for rel in written:
        if not rel.endswith(".html") or rel in verbatim:
            continue  # an attachment is the caller's page: a link target, not scanned
        text = (out_dir / rel).read_text(encoding="utf-8")
        for url in _HREF.findall(text):
            if not url or url.startswith(("#", "data:", "http://", "https://")):
                continue
            path = url.split("#", 1)[0].split("?", 1)[0]
            if not path:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
            if target not in files:
                broken.append(f"{rel}: {url}")
    if broken:
        raise ReportError("broken internal link(s): " + "; ".join(broken[:10]))


def app_source() -> bytes:
    """assets/app.js: the scripts of static/app/ in name order (each a whole script that
    shares the namespace window.ROAS_APP with the others)."""
    folder = resources.files("reports") / "static" / APP_SECTIONS
    sections = sorted((f for f in folder.iterdir() if f.name.endswith(".js")),
                      key=lambda f: f.name)
    return b"".join(f.read_bytes() for f in sections)


def _write_assets(writer: Writer) -> None:
    static = resources.files("reports") / "static"
    writer.write(f"{ASSETS_DIR}/app.js", app_source())
    for name in STATIC_FILES:
        writer.write(f"{ASSETS_DIR}/{name}", (static / name).read_bytes())
    # The vendored partial plotly.js (only the report's trace types): shipped once,
    # never fetched; the components were checked against its trace types.
    writer.write(f"{ASSETS_DIR}/{PLOTLY_FILE}", plotly_bundle().source)


def render_site(
    warehouse: Path,
    out_dir: Path,
    currency: str = "₹",
    progress: Callable[[str], None] | None = None,
    pages_dir: Path | None = None,
    attachments: Sequence[Attachment] = (),
    stale_after: int = 7,
    as_of: dt.date | None = None,
) -> SiteResult:
    """Render the report for `warehouse` into `out_dir`; raise ReportError when it cannot.

    `attachments` are finished pages written beside the report and linked from its
    sidebar (the orchestrator hands dbt's docs page this way)."""
    say = progress or (lambda _message: None)
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    fmt = Formatter(currency)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"output path exists and is not a folder: {out_dir}")
    say(f"reading marts from {warehouse}")
    with Warehouse(warehouse) as wh:
        builder = SiteBuilder(wh, Path(pages_dir) if pages_dir else default_pages_dir(), fmt, say,
                              links=[(a.path, a.title) for a in attachments])
        model = build_model(wh, fmt.currency, fmt.indian, builder.site.meanings)
        # staleness is judged in the browser, against the viewer's today or a fixed day
        model["staleAfter"] = stale_after
        model["asOf"] = as_of.isoformat() if as_of else None
        # Templated pages first: their routes are needed by the links of the others;
        # pages may ask to come last with `build: <number>` (default 0).
        order = sorted(builder.files, key=lambda f: (
            not f.key, f.source.front.get("build", 0), f.route))
        instances: dict[str, list[Instance]] = {}
        for file in order:
            say(f"querying {file.route}.md")
            try:
                instances[file.route] = builder.instances(file)
            except PageError as error:
                builder.errors.append(str(error))
        plain: list[tuple[Instance, Built]] = []
        templated: list[tuple[Instance, Built]] = []
        templates: dict[str, dict[str, Any]] = {}
        grains: set[str] = set()
        for file in order:
            if file.route not in instances:
                continue
            pages = instances[file.route]
            try:
                if not file.key:
                    built = builder.build(pages[0], pages[0].out_path)
                    plain.append((pages[0], built))
                    grains |= built.data.grains
                    continue
                say(f"rendering {len(pages)} pages of {file.route}.md")
                if not pages:
                    continue
                # The body and specs once for the template; every page is checked.
                first = builder.build(pages[0], pages[0].out_path, template=True)
                templates[file.route] = {"body": str(first.html), "components": first.data.specs}
                grains |= first.data.grains
                for inst in pages:
                    data = builder.check(inst)
                    templated.append((inst, Built(Markup(""), data, builder.queries(inst, data))))
            except PageError as error:
                builder.errors.append(str(error))
        if builder.errors:
            raise ReportError(f"the report has {len(builder.errors)} error(s):\n"
                              + "\n".join(builder.errors))
        # pairs, not an object: a key such as "__proto__" is no property name in a JS literal
        model["routes"] = {route: [[key, path] for key, path in pages.items()]
                           for route, pages in builder.routes.items()}
        further = {grain: build_grain(wh, model, builder.site.meanings, grain)
                   for grain in sorted(grains)}

    say("writing pages")
    _remove_previous(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = Writer(out_dir)
    for inst, built in plain:
        writer.write(inst.out_path, builder.page_html([(inst, built)], inst.out_path,
                                                      inst.title))
        writer.write(data_file(inst.file.route), as_script_entry(
            "ROAS_PAGES", inst.file.route,
            {"components": built.data.specs, "queries": built.queries}))
    for inst, built in templated:
        writer.write(inst.out_path, builder.page_html([(inst, built)], inst.out_path,
                                                      inst.title))
    # The print version: every plain page in navigation order, sharing their data files.
    in_nav = sorted((pair for pair in plain if pair[0].file.source.front.get("nav") is not False
                     or pair[0].file.route == "index"), key=lambda pair: pair[0].file.nav_order)
    print_parts = []
    headings: dict[str, int] = {}
    for inst, _built in in_nav:
        print_parts.append((inst, builder.build(inst, PRINT_PAGE, headings)))
    writer.write(PRINT_PAGE, builder.page_html(print_parts, PRINT_PAGE, "Influencer ROAS report",
                                               print_page=True))
    say("writing data and assets")
    writer.write(f"{ASSETS_DIR}/data/model.js", as_script("ROAS_MODEL", model))
    if templates:
        writer.write(f"{ASSETS_DIR}/data/templates.js", as_script("ROAS_TEMPLATES", templates))
    for grain, data in further.items():
        writer.write(f"{ASSETS_DIR}/data/{grain}.js", as_script_entry("ROAS_GRAINS", grain, data))
    _write_assets(writer)
    for attachment in attachments:
        writer.write(attachment.path, attachment.html)
    verbatim = frozenset(a.path for a in attachments)
    check_links(out_dir, writer.written, verbatim)
    writer.write(MANIFEST, "\n".join(sorted(writer.written)) + "\n")
    pages = sum(1 for rel in writer.written if rel.endswith(".html") and rel not in verbatim)
    say(f"wrote {pages} pages to {out_dir}")
    return SiteResult(out_dir=out_dir, index_path=out_dir / "index.html", pages=pages)


def as_script_entry(variable: str, key: str, value: Any) -> str:
    """A JS file adding one entry to a global map (several files share the map)."""
    return (f"(window.{variable}=window.{variable}||{{}})[{to_json(key)}]="
            f"{to_json(value)};\n")


__all__ = ["CSP", "Attachment", "SiteResult", "render_site"]
