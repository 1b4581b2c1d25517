"""Component tags: what each accepts, how it is checked, what the browser receives.

Each tag becomes an HTML placeholder (titles escaped here) plus a JSON spec that
`assets/app.js` draws from the page's query results. Everything a tag names is
checked at build time, with the page file and line in the error: the tag and its
attributes, the query, every column, and that the query returned rows (unless the
tag says what to show when it is empty, with `empty="..."`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from reports.authoring import Component, PageSource
from reports.bundle import plotly_bundle
from reports.formatting import FORMATS, Formatter
from reports.meanings import TIME_GRAINS, Meanings
from reports.queries import Result

COMMON = ("title", "id", "empty", "note")

# Built-in datasets the browser assembles from the shared model files (no SQL, not
# embedded in the page): `@<grain>` lists the rows of each further facts grain the dbt
# project declares (Meanings.dataset).
VIRTUAL_PREFIX = "@"


def _sample_of(fmt: str) -> Any:
    """A value of the format, for the checks of a dataset without rows at build time."""
    if fmt in ("ratio", "pct", "percent", "share", "number"):
        return 1.0
    return 1 if fmt in ("count", "id", "money") else None


@dataclass(frozen=True)
class Kind:
    """What a component tag accepts."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # attributes naming one column
    column_lists: tuple[str, ...] = ()  # attributes naming comma-separated columns
    container: bool = False
    inline: bool = False
    needs_rows: bool = True
    doc: str = ""
    # plotly.js trace types app.js draws for it: the vendored bundle must register them
    traces: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    "KPI": Kind(("data", "value"), ("fmt", "sub", "trend", "invert", "interval", "sum",
                                    *COMMON),
                columns=("value",),
                doc="A big number from the first row (sum: the sum over the rows shown), "
                    "with a sparkline and the change against the previous period"),
    "Table": Kind(("data",), ("columns", "sort", "limit", "where", "link", "link_column",
                              "flag", "flag_label", "search", "page_size", "totals", "formats",
                              "download", *COMMON),
                  doc="Sortable, searchable, paginated table with a totals row and CSV"),
    "BarChart": Kind(("data", "x", "y"), ("names", "horizontal", "stacked", "sort", "limit",
                                          "where", "crossfilter", "fmt", "height", "color",
                                          "reference", "sum", *COMMON),
                     columns=("x", "color"), column_lists=("y",),
                     doc="Bars per category (sum: rows with the same x summed); clicking "
                         "a bar filters the page",
                     traces=("bar",)),
    "LineChart": Kind(("data", "x", "y"), ("series", "names", "fmt", "height", "cumulative",
                                           "where", "area", "reference", *COMMON),
                      columns=("x", "series"), column_lists=("y",),
                      doc="Lines over time, optionally one per series",
                      traces=("scatter",)),
    "ScatterChart": Kind(("data", "x", "y"), ("color", "size", "label", "xfmt", "yfmt",
                                              "reference", "crossfilter", "where", "height",
                                              *COMMON),
                         columns=("x", "y", "color", "size", "label"),
                         doc="Points, coloured by a value; reference='diagonal' draws y = x",
                         traces=("scatter",)),
    "Heatmap": Kind(("data", "x", "y", "value"), ("fmt", "crossfilter", "height", "midpoint",
                                                  "where", *COMMON),
                    columns=("x", "y", "value"),
                    doc="A value per (x, y) pair; clicking a cell filters both",
                    traces=("heatmap",)),
    "Treemap": Kind(("data", "path", "value"), ("color", "fmt", "crossfilter", "height",
                                                "where", *COMMON),
                    columns=("value", "color"), column_lists=("path",),
                    doc="Nested rectangles sized by a value", traces=("treemap",)),
    "ForestPlot": Kind(("data", "label", "estimate", "low", "high"),
                       ("verdict", "band_low", "band_high", "method", "reference", "sort",
                        "where", "limit", "height", "key", *COMMON),
                       columns=("label", "estimate", "low", "high", "verdict", "band_low",
                                "band_high", "method", "key"),
                       doc="Intervals against a reference line; assumed bands are labelled",
                       traces=("scatter", "bar")),
    "Alert": Kind((), ("kind", "data", "where", "title", "id"), container=True,
                  needs_rows=False,
                  doc="A callout; with data=, shown only while the query has rows ({count})"),
    "Grid": Kind((), ("cols",), container=True, needs_rows=False,
                 doc="Lays its children out in columns"),
    "Value": Kind(("data", "column"), ("fmt", "row"), inline=True, columns=("column",),
                  needs_rows=True, doc="One value inside a sentence"),
}

BOOL_ATTRS = {"horizontal", "stacked", "crossfilter", "search", "totals", "download", "sum",
              "cumulative", "invert", "area", "interval"}
INT_ATTRS = {"limit", "page_size", "height", "cols", "row"}
ALERT_KINDS = ("info", "warning", "danger", "success")
_COND = re.compile(r"^\s*(not\s+)?([a-z_][a-z0-9_]*)\s*(?:(=|==|!=|<>|<=|>=|<|>)\s*(.+?))?\s*$")


@dataclass
class Site:
    """What the compiler needs to know about the site: templated routes and their keys,
    and what the warehouse's columns mean."""

    routes: dict[str, str] = field(default_factory=dict)  # route -> key column
    meanings: Meanings = field(default_factory=lambda: Meanings({}, {}))


@dataclass
class Compiled:
    """A compiled component: its HTML placeholder and its spec for the browser."""

    html: Markup
    spec: dict[str, Any] | None


@dataclass
class PageData:
    """What a page instance embeds: component specs and the columns of each query used."""

    specs: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, list[str]] = field(default_factory=dict)
    grains: set[str] = field(default_factory=set)  # further facts grains it needs

    def use(self, query: str, columns: list[str]) -> None:
        have = self.columns.setdefault(query, [])
        for column in columns:
            if column not in have:
                have.append(column)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _bool(page: PageSource, c: Component, key: str) -> bool:
    value = c.attrs[key].strip().lower()
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    raise page.error(c.line, f"<{c.name}> {key}=\"{c.attrs[key]}\" must be true or false")


def _int(page: PageSource, c: Component, key: str) -> int:
    try:
        value = int(c.attrs[key])
    except ValueError:
        raise page.error(c.line, f"<{c.name}> {key}=\"{c.attrs[key]}\" must be a whole "
                                 "number") from None
    if value < 0:
        raise page.error(c.line, f"<{c.name}> {key} must not be negative")
    return value


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number, 'text', true, false or null") from None


def parse_where(text: str) -> list[list[dict[str, Any]]]:
    """`a and not b or ratio < 1` -> groups of conditions: any group whose conditions
    all hold (`and` binds tighter than `or`)."""
    return [_conjunction(part) for part in re.split(r"\s+or\s+", text.strip())]


def _conjunction(text: str) -> list[dict[str, Any]]:
    conditions = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _COND.match(part)
        if not match:
            raise ValueError(f"cannot read condition {part!r} (use: column, not column, "
                             "column < 1, column = 'text', joined by 'and')")
        negate, column, op, literal = match.groups()
        if op and negate:
            raise ValueError(f"'not' goes with a plain column, not with {part!r}")
        if op:
            op = {"==": "=", "<>": "!="}.get(op, op)
            conditions.append({"col": column, "op": op, "value": _literal(literal)})
        else:
            conditions.append({"col": column, "op": "falsy" if negate else "truthy"})
    return conditions


def parse_sort(text: str) -> list[dict[str, Any]]:
    keys = []
    for part in split_list(text):
        words = part.split()
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise ValueError(f"cannot read sort key {part!r} (use: column [asc|desc])")
        keys.append({"col": words[0], "desc": len(words) == 2 and words[1].lower() == "desc"})
    return keys


def parse_pairs(text: str) -> list[tuple[str, str | None]]:
    """'a, b: Title B' -> [('a', None), ('b', 'Title B')]."""
    pairs = []
    for part in split_list(text):
        name, _, title = part.partition(":")
        pairs.append((name.strip(), title.strip() or None))
    return pairs


def _sample(result: Result, column: str) -> Any:
    i = result.index(column)
    return next((row[i] for row in result.rows if row[i] is not None), None)


def formats_of(result: Result, overrides: dict[str, str], meanings: Meanings) -> dict[str, str]:
    """Formats of every column (declared, else by a sample value), computed once per result."""
    cache = result.__dict__.setdefault("_formats", None)
    if cache is None:
        cache = {c: meanings.format_of(c, _sample(result, c)) for c in result.columns}
        result.__dict__["_formats"] = cache
    return {c: overrides.get(c) or cache[c] for c in result.columns}


def companions(result: Result, columns: list[str], meanings: Meanings,
               inputs: bool = True) -> list[str]:
    """Columns the browser needs beside those shown: filter dimensions, dates, ratio
    inputs, and the declared companions (interval ends and verdicts of a unit value)."""
    present = set(result.columns)
    extra: list[str] = []

    def add(name: str) -> None:
        if name in present and name not in extra and name not in columns:
            extra.append(name)

    for column in [*meanings.dimension_columns().values(), *meanings.date_columns(),
                   *TIME_GRAINS]:
        add(column)
    for column in list(columns):
        ratio = meanings.ratio(column)
        if ratio and not inputs:
            continue  # recomputed from the grain: its inputs are not needed
        for term in ([*ratio["numerator"], ratio["denominator"]] if ratio else []):
            add(term.lstrip("-"))
        for name in meanings.companions_of(column):
            add(name)
    return extra


class Compiler:
    """Compiles the components of one page instance."""

    def __init__(self, page: PageSource, results: dict[str, Result], site: Site,
                 fmt: Formatter, prefix: str, instance: str = "",
                 format_results: dict[str, Result] | None = None,
                 template: bool = False) -> None:
        self.page, self.results, self.site, self.fmt = page, results, site, fmt
        self.meanings = site.meanings
        self.prefix = prefix
        # Formats come from the whole result, so every page of a template gets the same
        # specs (they are shipped once per template).
        self.format_results = format_results or results
        # A templated page's body is written once for all its pages: no data in it.
        self.template = template
        self.instance = instance  # e.g. " (page for <key> = 7)" in errors
        self.data = PageData()

    def error(self, c: Component, message: str):
        return self.page.error(c.line, f"<{c.name}>: {message}{self.instance}")

    # -- checks ----------------------------------------------------------------------

    def check(self, c: Component) -> Kind:
        kind = KINDS.get(c.name)
        if kind is None:
            raise self.page.error(c.line, f"unknown component <{c.name}> (known: "
                                          + ", ".join(sorted(KINDS)) + ")")
        allowed = set(kind.required) | set(kind.optional)
        for key in c.attrs:
            if key not in allowed:
                raise self.error(c, f"unknown attribute {key!r} (allowed: "
                                    + ", ".join(sorted(allowed)) + ")")
        for key in kind.required:
            if key not in c.attrs or not c.attrs[key].strip():
                raise self.error(c, f"attribute {key!r} is required")
        if kind.container and c.body is None:
            raise self.error(c, f"needs a body: <{c.name}> ... </{c.name}>")
        if not kind.container and c.body is not None:
            raise self.error(c, f"takes no body: write <{c.name} ... />")
        if c.inline and not kind.inline:
            raise self.error(c, "must be on its own line")
        missing = sorted(set(kind.traces) - plotly_bundle().traces)
        if missing:
            raise self.error(c, "draws plotly trace type(s) " + ", ".join(missing)
                             + " that the vendored plotly.js bundle does not register (it has "
                             + ", ".join(sorted(plotly_bundle().traces)) + "): add them to "
                             "reports/vendor/plotly/build.mjs and rebuild it")
        for key in BOOL_ATTRS & c.attrs.keys():
            _bool(self.page, c, key)
        for key in INT_ATTRS & c.attrs.keys():
            _int(self.page, c, key)
        return kind

    def result(self, c: Component) -> Result:
        name = c.attrs["data"].strip()
        if name.startswith(VIRTUAL_PREFIX) and name[1:] in self.meanings.further_grains():
            columns = self.meanings.dataset(name[1:])
            sample = tuple(_sample_of(self.meanings.format_of(col)) for col in columns)
            return Result(name, columns, ["VIRTUAL"] * len(columns), [sample])
        if name not in self.results:
            known = ", ".join(sorted(self.results)) or "none"
            raise self.error(c, f"data=\"{name}\" is not a query of this page (queries: {known})")
        return self.results[name]

    def column(self, c: Component, result: Result, name: str, attr: str) -> str:
        if name not in result.columns:
            raise self.error(c, f"{attr}=\"{name}\": query {result.name!r} has no column "
                                f"{name!r} (columns: {', '.join(result.columns)})")
        return name

    # -- compile ---------------------------------------------------------------------

    def compile(self, c: Component) -> Compiled:
        kind = self.check(c)
        cid = f"{self.prefix}c{c.index}"
        if c.name == "Grid":
            return Compiled(Markup(""), None)  # laid out by the renderer
        result = self.result(c) if "data" in c.attrs else None
        spec: dict[str, Any] = {"id": cid, "type": c.name, "line": c.line}
        shown: list[str] = []
        if result is not None:
            spec["data"] = result.name
            for attr in kind.columns:
                if attr in c.attrs:
                    spec[attr] = self.column(c, result, c.attrs[attr].strip(), attr)
                    shown.append(spec[attr])
            for attr in kind.column_lists:
                if attr in c.attrs:
                    names = split_list(c.attrs[attr])
                    if not names:
                        raise self.error(c, f"{attr} names no column")
                    spec[attr] = [self.column(c, result, n, attr) for n in names]
                    shown += spec[attr]
            if "where" in c.attrs:
                try:
                    spec["where"] = parse_where(c.attrs["where"])
                except ValueError as exc:
                    raise self.error(c, f"where=: {exc}") from None
                for group in spec["where"]:
                    for cond in group:
                        self.column(c, result, cond["col"], "where")
                        shown.append(cond["col"])
            if "sort" in c.attrs:
                try:
                    spec["sort"] = parse_sort(c.attrs["sort"])
                except ValueError as exc:
                    raise self.error(c, f"sort=: {exc}") from None
                for key in spec["sort"]:
                    self.column(c, result, key["col"], "sort")
                    shown.append(key["col"])
            if kind.needs_rows and not result.rows and "empty" not in c.attrs:
                raise self.error(c, f"query {result.name!r} returned no rows (add "
                                    "empty=\"what to say instead\" if that can happen)")
        for key, value in c.attrs.items():
            if key in spec or key in ("data",):
                continue
            if key in BOOL_ATTRS:
                spec[key] = _bool(self.page, c, key)
            elif key in INT_ATTRS:
                spec[key] = _int(self.page, c, key)
            else:
                spec.setdefault(key, value)
        method = getattr(self, f"_{c.name.lower()}", None)
        html = method(c, spec, result, shown) if method else Markup("")
        if c.name == "Value":
            return Compiled(html, None)  # static text, nothing for the browser
        if result is not None:
            formats = self._formats(c, result)
            spec["formats"] = {k: v for k, v in formats.items() if k in shown}
            used = [*shown, *companions(result, shown, self.meanings,
                                                 inputs=c.name != "KPI")]
            if result.types and result.types[0] == "VIRTUAL":
                self.data.grains.add(result.name[len(VIRTUAL_PREFIX):])
            else:
                self.data.use(result.name, used)
            self.data.grains.update(g for g in self.meanings.further_grains()
                                    if self.meanings.uses_grain(used, g))
        self.data.specs.append(spec)
        return Compiled(html, spec)

    def _formats(self, c: Component, result: Result) -> dict[str, str]:
        overrides: dict[str, str] = {}
        if "formats" in c.attrs:
            for name, fmt in parse_pairs(c.attrs["formats"]):
                self.column(c, result, name, "formats")
                overrides[name] = self._fmt(c, fmt or "")
        for attr in ("fmt", "xfmt", "yfmt"):
            if attr in c.attrs:
                self._fmt(c, c.attrs[attr])
        return formats_of(self.format_results.get(result.name, result), overrides,
                          self.meanings)

    def _fmt(self, c: Component, fmt: str) -> str:
        if fmt not in FORMATS:
            raise self.error(c, f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        return fmt

    # -- per component ---------------------------------------------------------------

    def _title(self, c: Component, spec: dict[str, Any], default: str) -> str:
        title = c.attrs.get("title", default)
        spec["title"] = title
        return title

    def _kpi(self, c, spec, result: Result, shown) -> Markup:
        value = spec["value"]
        title = self._title(c, spec, self.meanings.title_of(value))
        full = self.format_results.get(result.name, result)
        fmt = self._fmt(c, c.attrs["fmt"]) if "fmt" in c.attrs else self.meanings.format_of(
            value, _sample(full, value))
        spec["fmt"] = fmt
        trends = ("time", *self.meanings.sequences(), "none")
        if "trend" in c.attrs and c.attrs["trend"] not in trends:
            raise self.error(c, f"trend must be one of {', '.join(trends)}")
        # A KPI's ratio is recomputed from the grain, not from its inputs: no inputs needed.
        shown.extend(companions(result, [value], self.meanings, inputs=False))
        first = result.first()
        if spec.get("sum") and first:
            first = {value: sum(v for v in (r.get(value) for r in result.dicts())
                                if isinstance(v, int | float) and not isinstance(v, bool))}
        initial = self.fmt.format(first[value], fmt) if first else "—"
        estimate = self.meanings.meaning(value).get("estimate")
        if first and estimate and first.get(estimate["method"]) == estimate["assumed_when"]:
            initial = "assumed"
        sub = c.attrs.get("sub")
        spec["sub"] = sub
        return Markup(
            f'<div class="kpi" data-cmp="{spec["id"]}">'
            f'<div class="kpi-label">{escape(title)}</div>'
            f'<div class="kpi-value">{escape("" if self.template else initial)}</div></div>')

    def _table(self, c, spec, result: Result, shown) -> Markup:
        if "columns" in c.attrs:
            pairs = parse_pairs(c.attrs["columns"])
            if not pairs:
                raise self.error(c, "columns names no column")
        else:
            pairs = [(name, None) for name in result.columns]
        spec["columns"] = []
        for name, title in pairs:
            self.column(c, result, name, "columns")
            spec["columns"].append({"name": name, "title": title or self.meanings.title_of(name)})
            shown.append(name)
        if "link" in c.attrs:
            spec["link"] = self._link(c, result, c.attrs["link"])
            shown.append(spec["link"]["key"])
            link_column = c.attrs.get("link_column") or next(
                (col["name"] for col in spec["columns"]
                 if col["name"] == "label" or self.meanings.names_a_row(col["name"])),
                spec["columns"][0]["name"])
            spec["link_column"] = self.column(c, result, link_column, "link_column")
        elif "link_column" in c.attrs:
            raise self.error(c, "link_column needs link=\"folder/[key]\"")
        if "flag" in c.attrs:
            try:
                spec["flag"] = parse_where(c.attrs["flag"])
            except ValueError as exc:
                raise self.error(c, f"flag=: {exc}") from None
            for group in spec["flag"]:
                for cond in group:
                    self.column(c, result, cond["col"], "flag")
                    shown.append(cond["col"])
        spec.setdefault("page_size", 10)
        title = self._title(c, spec, "")
        return Markup(
            f'<section class="cmp cmp-table" data-cmp="{spec["id"]}">'
            + (f'<h3 class="cmp-title">{escape(title)}</h3>' if title else "")
            + '</section>')

    def _link(self, c: Component, result: Result, route: str) -> dict[str, str]:
        route = route.strip().strip("/")
        if route not in self.site.routes:
            known = ", ".join(sorted(self.site.routes)) or "none"
            raise self.error(c, f"link=\"{route}\" is not a templated page (templated pages: "
                                f"{known})")
        key = self.site.routes[route]
        self.column(c, result, key, "link")
        return {"route": route, "key": key}

    def _chart(self, c, spec, result, shown, default_title: str) -> Markup:
        title = self._title(c, spec, default_title)
        return Markup(
            f'<figure class="cmp cmp-chart" data-cmp="{spec["id"]}">'
            f'<figcaption class="cmp-title">{escape(title)}</figcaption></figure>')

    def _barchart(self, c, spec, result, shown) -> Markup:
        if "names" in c.attrs and len(split_list(c.attrs["names"])) != len(spec["y"]):
            raise self.error(c, "names must give one name per y column")
        if "names" in c.attrs:
            spec["names"] = split_list(c.attrs["names"])
        return self._chart(c, spec, result, shown, " and ".join(
            self.meanings.title_of(y) for y in spec["y"])
            + " by " + self.meanings.title_of(spec["x"]).lower())

    def _linechart(self, c, spec, result, shown) -> Markup:
        if "names" in c.attrs:
            spec["names"] = split_list(c.attrs["names"])
            if len(spec["names"]) != len(spec["y"]):
                raise self.error(c, "names must give one name per y column")
        title = self.meanings.title_of
        return self._chart(c, spec, result, shown, ", ".join(title(y) for y in spec["y"])
                           + " over time")

    def _scatterchart(self, c, spec, result, shown) -> Markup:
        title = self.meanings.title_of
        return self._chart(c, spec, result, shown, f"{title(spec['y'])} vs {title(spec['x'])}")

    def _heatmap(self, c, spec, result, shown) -> Markup:
        return self._chart(c, spec, result, shown, f"{self.meanings.title_of(spec['value'])} by "
                           f"{self.meanings.title_of(spec['y']).lower()} and "
                           f"{self.meanings.title_of(spec['x']).lower()}")

    def _treemap(self, c, spec, result, shown) -> Markup:
        return self._chart(c, spec, result, shown, f"{self.meanings.title_of(spec['value'])} by "
                           + " and ".join(self.meanings.title_of(p).lower() for p in spec["path"]))

    def _forestplot(self, c, spec, result, shown) -> Markup:
        if "band_low" in spec and "band_high" not in spec:
            raise self.error(c, "band_low needs band_high")
        return self._chart(c, spec, result, shown,
                           f"{self.meanings.title_of(spec['estimate'])} with its interval")

    def _alert(self, c, spec, result, shown) -> Markup:
        kind = c.attrs.get("kind", "info")
        if kind not in ALERT_KINDS:
            raise self.error(c, f"kind must be one of {', '.join(ALERT_KINDS)}")
        spec["kind"] = kind
        return Markup("")  # the renderer wraps the body

    def _value(self, c, spec, result: Result, shown) -> Markup:
        if self.template:
            raise self.error(c, "<Value> is not available on templated pages: use {column} "
                                "in the title or description")
        row = spec.get("row", 0)
        if row >= len(result.rows):
            if "empty" in c.attrs:
                return Markup(f'<span class="value muted">{escape(c.attrs["empty"])}</span>')
            raise self.error(c, f"query {result.name!r} has no row {row}")
        value = result.rows[row][result.index(spec["column"])]
        fmt = self._fmt(c, c.attrs["fmt"]) if "fmt" in c.attrs else self.meanings.format_of(
            spec["column"], value)
        return Markup(f'<span class="value">{escape(self.fmt.format(value, fmt))}</span>')
