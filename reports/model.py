"""The site model: the data the browser filters and re-aggregates, written once per site.

`assets/data/model.js` assigns `window.ROAS_MODEL` (a script file, not fetched:
fetch() of a local file fails under file://). Columnar arrays, strings
dictionary-encoded, dates as day offsets. What goes in is declared by the dbt
project, in each model's `site_model` (docs/meaning.md, "The site model"):

* `facts`: the primary grain the filters work on, its keys as codes of the
  filters they carry and its additive measures;
* `cells`: the atoms of every unit: measures counted only for whole cells, and
  the values of the cell as a unit;
* `units`: the values of whole units (rows of a roll-up of cells, by their keys),
  shown when a selection is exactly one of them;
* dimensions (filter values), the labels and attributes of the dimension with its
  own table, the configuration, and the route of every templated page.

Each further grain (`facts` not primary) is written to `assets/data/<grain>.js`
(`window.ROAS_GRAINS`); pages load it only when a component needs it.

Sizes grow with the keys of the grains (days, cells and the values of the filters),
never with the rows behind the marts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from reports.errors import ReportError
from reports.meanings import Meanings
from reports.queries import Result, Warehouse


def _sort_key(order: list[Any]):
    """A declared order of values (the column's meta `order`) first, else natural order."""
    if order:
        return lambda v: (order.index(v) if v in order else len(order), str(v))
    return lambda v: (v is None, v if isinstance(v, int | float) else 0, str(v).lower(), str(v))


class _Dictionary:
    """Values of one dimension and their codes (position in the sorted list)."""

    def __init__(self, values, order: list[Any] | None = None) -> None:
        self.values = sorted({v for v in values if v is not None}, key=_sort_key(order or []))
        self.codes = {v: i for i, v in enumerate(self.values)}

    def encode(self, values) -> list[int]:
        return [-1 if v is None else self.codes[v] for v in values]


def _day(value: str | None, first: dt.date) -> int | None:
    return None if value is None else (dt.date.fromisoformat(value[:10]) - first).days


def _plain(value: Any) -> Any:
    """Integral floats as ints (shorter JSON; the browser has one number type)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def encode_values(values: list[Any]) -> Any:
    """A column as JSON: a constant, dates as day offsets, dictionary-encoded text, or the
    plain list."""
    n = len(values)
    if n >= 2 and all(v == values[0] and type(v) is type(values[0]) for v in values):
        return {"const": _plain(values[0])}
    if n >= 4 and all(isinstance(v, str) and _ISO_DAY.match(v) for v in values):
        days = [dt.date.fromisoformat(v) for v in values]
        base = min(days)
        return {"base": base.isoformat(), "days": [(d - base).days for d in days]}
    if n >= 4 and all(v is None or isinstance(v, str) for v in values):
        distinct = list(dict.fromkeys(v for v in values if v is not None))
        if len(distinct) <= n / 2:
            codes = {v: i for i, v in enumerate(distinct)}
            return {"dict": distinct, "codes": [-1 if v is None else codes[v] for v in values]}
    return [_plain(v) for v in values]


def _columnar(result: Result, columns: list[str]) -> dict[str, Any]:
    return {c: encode_values(result.values(c)) for c in columns}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(wh: Warehouse, model: str, columns: dict[str, str], order_by: list[str],
            what: str) -> Result:
    """`columns` (name shown -> column of the model), ordered by `order_by`."""
    targets = ", ".join(_quoted(column) if column == name else
                        f"{_quoted(column)} as {_quoted(name)}"
                        for name, column in columns.items())
    order = f" order by {', '.join(_quoted(c) for c in order_by)}" if order_by else ""
    return wh.result(f"select {targets} from main.{_quoted(model)}{order}", what)


def _key_dims(meanings: Meanings, model: str, keys: list[str]) -> dict[str, str]:
    """Key column -> the filter it carries (`date` for a declared date)."""
    out: dict[str, str] = {}
    for column in keys:
        dim = "date" if meanings.meaning(column).get("date") else meanings.dimension_of(column)
        if not dim:
            raise ReportError(f"{model}: site_model key {column!r} is neither a declared "
                              f"filter nor a date")
        out[column] = dim
    return out


def _unit_value_columns(wh: Warehouse, model: str, cells: dict[str, Any]) -> dict[str, str]:
    """The unit values `model` carries (name -> its column, through the declared aliases)."""
    present = wh.tables.get(model, [])
    aliases = cells.get("aliases", {})
    out: dict[str, str] = {}
    for name in cells.get("unit_values", []):
        if name in present:
            out[name] = name
        elif aliases.get(name) in present:
            out[name] = aliases[name]
    return out


class _Declared:
    """The site model's declarations, resolved against the warehouse."""

    def __init__(self, wh: Warehouse, meanings: Meanings) -> None:
        facts = meanings.site_models("facts")
        primary = [(m, d) for m, d in facts if d.get("primary")]
        cells = meanings.site_model("cells")
        if len(primary) != 1 or cells is None:
            raise ReportError("the warehouse's column_meanings declare no site model (one "
                              "primary `facts` grain and the `cells`, in the models' meta "
                              "`site_model`, docs/meaning.md): a warehouse built by an "
                              "earlier version of the project? Rebuild it with `roas run`")
        self.facts, self.cells = primary[0], cells
        self.further = [(m, d) for m, d in facts if not d.get("primary")]
        self.units = [(m, d) for m, d in meanings.site_models("unit") if m in wh.tables]
        self.span = next(((m, d) for m, d in self.units if d.get("span")), None)
        self.dimension = next(((m, d) for m, d in self.units if d.get("dimension")), None)
        self.built_at = meanings.site_model("built_at")


def build_model(wh: Warehouse, currency: str, indian: bool, meanings: Meanings) -> dict[str, Any]:
    """Everything the browser needs to filter, except routes (added by the renderer)."""
    declared = _Declared(wh, meanings)
    whole: dict[str, Any] = {}
    if declared.span:
        span_model, span = declared.span
        found = wh.result(f"select * from main.{_quoted(span_model)}", "model: span")
        if not found.rows:
            raise_empty(span_model)
        whole = found.first() or {}
    first_column, last_column = declared.span[1]["span"] if declared.span else (None, None)
    first_day = (dt.date.fromisoformat(str(whole[first_column])[:10])
                  if whole.get(first_column) else None)

    facts_model, facts = declared.facts
    facts_keys = _key_dims(meanings, facts_model, facts["keys"])
    facts_measures = meanings.grain_measures(facts_model, facts["grain"])
    rows = _select(wh, facts_model, {**{k: k for k in facts_keys}, **facts_measures},
                   list(facts_keys), "model: facts")
    cells_model, cells = declared.cells
    cell_keys = _key_dims(meanings, cells_model, cells["keys"])
    cell_attrs = {c: meanings.dimension_of(c) for c in cells.get("attributes", [])
                  if c in wh.tables.get(cells_model, [])}
    cell_values = _unit_value_columns(wh, cells_model, cells)
    cell_rows = _select(wh, cells_model, {**{k: k for k in cell_keys},
                                          **{m: m for m in cells.get("measures", [])},
                                          **{a: a for a in cell_attrs}, **cell_values},
                        list(cell_keys), "model: cells")
    unit_rows = []
    for model, unit in declared.units:
        keys = _key_dims(meanings, model, unit["keys"])
        values = _unit_value_columns(wh, model, cells)
        columns = {**{k: k for k in keys}, **values}
        if unit.get("sequence") in wh.tables.get(model, []):
            columns[unit["sequence"]] = unit["sequence"]
        if unit.get("dimension"):
            columns.update({c: c for c in meanings.model_columns(model)
                            if meanings.meaning(c).get("label_of") == unit["dimension"]
                            or meanings.meaning(c).get("attribute_of") == unit["dimension"]})
        unit_rows.append((model, unit, keys, _select(wh, model, columns, list(keys),
                                                     f"model: {unit['unit']}"), list(values)))

    date_key = next((k for k, d in facts_keys.items() if d == "date"), None)
    if first_day is None:
        dates = [d for d in rows.values(date_key) if d] if date_key else []
        first_day = dt.date.fromisoformat(min(dates)[:10]) if dates else dt.date(1970, 1, 1)
    last_day = whole.get(last_column) if last_column else None
    if not last_day and date_key and rows.rows:
        last_day = max(rows.values(date_key))

    dims, labels, attributes = _dimensions(meanings, declared, rows, facts_keys, cell_rows,
                                           cell_keys, unit_rows)
    # the run's settings, as the marts declare them (their defaults: dbt_project.yml)
    settings = next((meta["settings"] for meta in meanings.models.values()
                     if meta.get("settings")), []) if whole else []
    config = {key: whole[key] for key in settings if key in whole}
    built = None
    if declared.built_at:
        built_model, built_at = declared.built_at
        found = wh.result(f"select max({_quoted(built_at['column'])}) "
                          f"from main.{_quoted(built_model)}", "built")
        built = found.rows[0][0] if found.rows else None

    def coded(result: Result, keys: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column, dim in keys.items():
            if dim == "date":
                out[dim] = [_day(v, first_day) for v in result.values(column)]
            else:
                out[dim] = dims[dim].encode(result.values(column))
        return out

    facts_codes = coded(rows, facts_keys)
    units = []
    for _model, unit, keys, result, values in unit_rows:
        entry: dict[str, Any] = {"name": unit["unit"], "n": len(result),
                                 "keys": coded(result, keys), "values": _columnar(result, values)}
        if unit.get("sequence") in result.columns:
            entry["sequence"] = encode_values(result.values(unit["sequence"]))
            entry["sequenceLabel"] = unit.get("sequence_label")
        units.append(entry)
    return {
        "semantics": meanings.browser(),
        "currency": currency,
        "indian": indian,
        "config": config,
        "configFromMarts": sorted(k for k in settings if k in whole),
        "firstDate": first_day.isoformat(),
        "lastDate": last_day,
        "builtAt": built,
        "dims": {name: d.values for name, d in dims.items()},
        "labels": labels,
        "attributes": attributes,
        "facts": {"grain": facts["grain"], "n": len(rows), "keys": facts_codes,
                  "determined": _determined(facts_codes, set(cell_keys.values())),
                  "measures": {m: [_plain(v) for v in rows.values(m)] for m in facts_measures}},
        "cells": {"n": len(cell_rows), "keys": coded(cell_rows, cell_keys),
                  "measures": {m: [_plain(v) for v in cell_rows.values(m)]
                               for m in cells.get("measures", [])},
                  "attributes": {dim: [dims[dim].codes.get(v, -1) for v in cell_rows.values(c)]
                                 for c, dim in cell_attrs.items()},
                  "values": _columnar(cell_rows, list(cell_values))},
        "units": units,
        "routes": {},
    }


def _determined(keys: dict[str, list[int]], cell_dims: set[str]) -> dict[str, str]:
    """Filters of the rows (not fixed within a cell) whose value follows from another's in
    every row (the make of a model): grouping by both is grouping by the one."""
    row_dims = [d for d in keys if d != "date" and d not in cell_dims]
    found: dict[str, str] = {}
    for by in row_dims:
        for dim in row_dims:
            if dim == by or dim in found or by in found or found.get(dim) == by:
                continue
            seen: dict[int, int] = {}
            if all(seen.setdefault(b, a) == a for a, b in zip(keys[dim], keys[by], strict=True)):
                found[dim] = by
    return found


def _dimensions(meanings: Meanings, declared: _Declared, rows: Result,
                facts_keys: dict[str, str], cell_rows: Result, cell_keys: dict[str, str],
                unit_rows: list) -> tuple[dict[str, _Dictionary], dict[str, list], dict]:
    """The values of every filter; the labels and attributes of the dimension that has its
    own table (every key that refers to it must be in that table)."""
    columns = meanings.dimension_columns()
    found: dict[str, list[Any]] = {dim: [] for dim in columns}
    for result, keys in ((rows, facts_keys), (cell_rows, cell_keys),
                         *((r, k) for _m, _u, k, r, _v in unit_rows)):
        for column, dim in keys.items():
            if dim in found:
                found[dim].extend(result.values(column))
    labels: dict[str, list[Any]] = {}
    attribute_values: dict[str, tuple[str, list[Any]]] = {}
    own = next(((m, u, k, r) for m, u, k, r, _v in unit_rows if u.get("dimension")), None)
    if own:
        model, unit, keys, table = own
        dim = unit["dimension"]
        key_column = next(iter(keys))
        known = set(table.values(key_column))
        for result, referring, source in ((rows, facts_keys, declared.facts[0]),
                                          (cell_rows, cell_keys, declared.cells[0])):
            for column, key_dim in referring.items():
                unknown = sorted({v for v in result.values(column)
                                  if key_dim == dim and v not in known}, key=str)
                if unknown:
                    raise ReportError(f"{source} has {column}(s) missing from {model}: "
                                      f"{unknown[:5]}")
        found[dim] = table.values(key_column)
        for column in table.columns:
            meaning = meanings.meaning(column)
            if meaning.get("label_of") == dim:
                labels[dim] = table.values(column)
            elif meaning.get("attribute_of") == dim and meaning.get("filter") in found:
                found[meaning["filter"]] = table.values(column)
                attribute_values[meaning["filter"]] = (dim, table.values(column))
    dims = {dim: _Dictionary(values, meanings.meaning(columns[dim]).get("order"))
            for dim, values in found.items()}
    if own:
        key_codes = dims[own[1]["dimension"]].encode(own[3].values(next(iter(own[2]))))
        # the dimension's table is ordered by its key: its rows are the codes in order
        assert key_codes == list(range(len(key_codes)))
    attributes = {attr: {"of": of, "codes": dims[attr].encode(values)}
                  for attr, (of, values) in attribute_values.items()}
    return dims, labels, attributes


def build_grain(wh: Warehouse, model: dict[str, Any], meanings: Meanings,
                grain: str) -> dict[str, Any]:
    """A further facts grain (not the primary), coded against the model's dictionaries."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", grain):
        raise ReportError(f"grain name {grain!r}: lower-case letters, digits and _ only "
                          f"(it names a file of the site)")
    source, decl = next((m, d) for m, d in meanings.site_models("facts")
                        if d.get("grain") == grain)
    keys = _key_dims(meanings, source, decl["keys"])
    measures = meanings.grain_measures(source, grain)
    result = _select(wh, source, {**{k: k for k in keys}, **measures},
                     # every selected column: rows that tie are identical, so the order is stable
                     [*keys, *measures.values()], f"model: {grain}")
    first = dt.date.fromisoformat(model["firstDate"])
    codes = {dim: {v: i for i, v in enumerate(values)} for dim, values in model["dims"].items()}
    out: dict[str, Any] = {"n": len(result), "keys": {}, "measures": {}}
    for column, dim in keys.items():
        values = result.values(column)
        out["keys"][dim] = ([_day(v, first) for v in values] if dim == "date"
                            else [codes[dim].get(v, -1) for v in values])
    for name in measures:
        out["measures"][name] = [_plain(v) for v in result.values(name)]
    return out

def raise_empty(table: str) -> None:
    raise ReportError(f"table main.{table} is empty: the report needs its row")


_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                 0x2028: "\\u2028", 0x2029: "\\u2029"}


def to_json(value: Any) -> str:
    """Compact JSON, safe inside <script> elements and JS files (no <, >, &)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                      sort_keys=False).translate(_JSON_ESCAPES)


def as_script(variable: str, value: Any) -> str:
    """A JS file assigning the data to a global (loaded with <script src>, not fetched)."""
    return f"window.{variable}={to_json(value)};\n"
