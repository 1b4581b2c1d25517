"""The one-file summary: a single self-contained HTML file to mail, chat or print.

What it shows is content (`pages/_summary.yml`: named queries over the public marts and
a list of sections); this module only knows the section kinds:

* `kpis`: big numbers from a query's first row, each with an optional detail line
  whose `{column}` placeholders are filled with that row's formatted values;
* `bars`: a horizontal bar per row (static SVG, no script), value and extra value shown;
* `table`: the rows, formatted;
* `note`: one text value.

Every value is formatted as the dbt project declares its column (reports/meanings.py),
so the numbers equal the site's. Everything is inside the file: styles, the SVG charts
and the one small script (the staleness check when the file is opened), all allowed by
hash in a Content-Security-Policy that denies every request. With scripts blocked, as
many mail clients do, every number is still there; only the check against the reader's
today needs the script, and `--as-of` makes it static.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from reports.errors import ReportError
from reports.formatting import NUMERIC_FORMATS, Formatter
from reports.meanings import Meanings
from reports.queries import Result, Warehouse

SUMMARY_FILE = "_summary.yml"
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Shown when the data are older than --stale-after days (judged by the script in the
# reader's browser, or here against --as-of).
STALE_SCRIPT = """(function () {
  var box = document.getElementById("freshness");
  var last = Date.parse(box.getAttribute("data-last") + "T00:00:00Z");
  var days = Math.floor((Date.now() - last) / 86400000);
  if (days > Number(box.getAttribute("data-stale-after"))) {
    var warn = document.getElementById("stale");
    warn.textContent = warn.getAttribute("data-text").replace("{days}", String(days));
    warn.hidden = false;
  }
})();"""


@dataclass(frozen=True)
class SummaryResult:
    path: Path
    bytes: int
    stale: bool | None  # None: judged when the file is opened


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def load_spec(pages_dir: Path) -> dict[str, Any]:
    path = pages_dir / SUMMARY_FILE
    if not path.is_file():
        raise ReportError(f"no summary defined: {path} is missing")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ReportError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(spec.get("queries"), dict) or not isinstance(spec.get("sections"), list):
        raise ReportError(f"{path}: needs `queries` (name: SQL) and `sections` (a list)")
    return spec


class _Values:
    """Formats the values of query results as the project declares their columns."""

    def __init__(self, meanings: Meanings, fmt: Formatter, results: dict[str, Result]):
        self.meanings, self.fmt, self.results = meanings, fmt, results

    def result(self, name: str) -> Result:
        if name not in self.results:
            raise ReportError(f"summary: no query named {name!r} (queries: "
                              f"{', '.join(sorted(self.results))})")
        return self.results[name]

    def need(self, result: Result, columns: list[str], what: str) -> None:
        missing = [c for c in columns if c not in result.columns]
        if missing:
            raise ReportError(f"summary {what}: query {result.name!r} has no column "
                              + ", ".join(missing))

    def text(self, column: str, value: Any) -> str:
        return self.fmt.format(value, self.meanings.format_of(column, value))

    def fill(self, template: str, row: dict[str, Any]) -> str:
        def one(match: re.Match) -> str:
            column = match.group(1)
            if column not in row:
                raise ReportError(f"summary: {{{column}}} is not a column of the row")
            return self.text(column, row[column])

        return _PLACEHOLDER.sub(one, template)


def _kpis(section: dict, values: _Values) -> dict[str, Any]:
    result = values.result(section["data"])
    values.need(result, [item["value"] for item in section["values"]], "kpis")
    row = result.first() or {}
    tiles = []
    for item in section["values"]:
        column = item["value"]
        tiles.append({
            "title": item.get("title") or values.meanings.title_of(column),
            "value": values.text(column, row.get(column)),
            "detail": values.fill(item["detail"], row) if item.get("detail") else "",
        })
    return {"kind": "kpis", "title": section.get("title", ""), "tiles": tiles}


def _bars(section: dict, values: _Values) -> dict[str, Any]:
    result = values.result(section["data"])
    label, value, extra = section["label"], section["value"], section.get("extra")
    values.need(result, [label, value, *([extra] if extra else [])], "bars")
    rows = result.dicts()
    numbers = [float(r[value] or 0) for r in rows]
    top = max(numbers, default=0) or 1.0
    bars = []
    for i, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        bars.append({
            "y": 8 + i * 30, "width": round(300 * max(number, 0) / top, 1),
            "label": values.text(label, row[label]), "value": values.text(value, row[value]),
            "extra": (f"{values.meanings.title_of(extra).lower()} "
                      f"{values.text(extra, row[extra])}") if extra else "",
        })
    return {"kind": "bars", "title": section.get("title", ""), "bars": bars,
            "height": 16 + 30 * len(bars),
            "caption": values.meanings.title_of(value)}


def _table(section: dict, values: _Values) -> dict[str, Any]:
    result = values.result(section["data"])
    columns = section.get("columns") or result.columns
    values.need(result, columns, f"table {section.get('title', '')!r}")
    numeric = {c for c in columns if values.meanings.format_of(c) in NUMERIC_FORMATS}
    return {"kind": "table", "title": section.get("title", ""),
            "empty": section.get("empty", "No rows."),
            "head": [{"title": values.meanings.title_of(c), "numeric": c in numeric}
                     for c in columns],
            "rows": [[{"text": values.text(c, row[c]), "numeric": c in numeric}
                      for c in columns] for row in result.dicts()]}


def _note(section: dict, values: _Values) -> dict[str, Any]:
    row = values.result(section["data"]).first() or {}
    return {"kind": "note", "text": str(row.get(section["value"]) or "")}


SECTIONS = {"kpis": _kpis, "bars": _bars, "table": _table, "note": _note}


def render_summary(
    warehouse: Path,
    out_file: Path,
    pages_dir: Path,
    *,
    currency: str = "₹",
    site_url: str | None = None,
    stale_after: int = 7,
    as_of: dt.date | None = None,
) -> SummaryResult:
    """Write the summary of `warehouse` to `out_file`: one file, nothing beside it."""
    spec = load_spec(pages_dir)
    fmt = Formatter(currency)
    if site_url is not None and not re.match(r"https?://[^\s\"'<>]+\Z", site_url):
        raise ReportError(f"--site-url must be an http(s) address, got {site_url!r}")
    with Warehouse(warehouse) as wh:
        results = {name: wh.result(sql, f"summary: {name}")
                   for name, sql in spec["queries"].items()}
        values = _Values(wh.meanings, fmt, results)
        sections = []
        for section in spec["sections"]:
            if not isinstance(section, dict) or len(section) != 1:
                raise ReportError(f"summary: each section is one `kind: {{...}}`, got {section!r}")
            (kind, body), = section.items()
            if kind not in SECTIONS:
                raise ReportError(f"summary: unknown section {kind!r} "
                                  f"(one of {', '.join(SECTIONS)})")
            sections.append(SECTIONS[kind](body, values))
        fresh = spec.get("freshness") or {}
        row = values.result(fresh["data"]).first() or {} if fresh else {}
        last = row.get(fresh.get("date")) if fresh else None
        since = row.get(fresh.get("since")) if fresh else None
        built_spec = fresh.get("built") or {}
        built = ((values.result(built_spec["data"]).first() or {}).get(built_spec["value"])
                 if built_spec else None)
    stale: bool | None = None
    age = None
    if last and as_of is not None:
        age = (as_of - dt.date.fromisoformat(str(last)[:10])).days
        stale = age > stale_after
    style = resources.files("reports").joinpath("templates/summary.css").read_text("utf-8")
    csp = "; ".join([
        "default-src 'none'", f"style-src {_csp_hash(style)}",
        f"script-src {_csp_hash(STALE_SCRIPT)}", "img-src 'none'", "base-uri 'none'",
        "form-action 'none'"])
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    html = env.get_template("summary.html").render(
        title=spec.get("title", "Summary"), csp=Markup(csp), style=Markup(style),
        script=Markup(STALE_SCRIPT), sections=sections, site_url=site_url,
        last=str(last)[:10] if last else None, since=str(since)[:10] if since else None,
        last_text=fmt.format(last, "date") if last else "—",
        since_text=fmt.format(since, "date") if since else "—",
        built_text=fmt.format(built, "datetime") if built else "—",
        stale_after=stale_after, stale=stale, age=age,
        as_of_text=fmt.format(as_of.isoformat(), "date") if as_of else None)
    _write_one_file(Path(out_file), html)
    return SummaryResult(Path(out_file), len(html.encode()), stale)


def _write_one_file(target: Path, html: str) -> None:
    """Replace `target` at once; the hidden staging file beside it never survives."""
    if target.is_dir():
        raise ReportError(f"--out {target} is a folder; give the summary's file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        staging.write_text(html, encoding="utf-8")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
