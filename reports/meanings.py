"""What the warehouse's columns mean, read from the warehouse itself.

The dbt project declares the meaning of every column of every public model in its
YAML (`meta`: title, format and role) and writes it into the warehouse as the table
`column_meanings` (docs/meaning.md). The engine reads that table and nothing else
about metrics: it knows no mart or column name. Roles it understands:

* `filter`: a dimension the report filters on (the filter's name);
* `attribute_of`: an attribute of the key of another filter (a row carrying that key
  can be filtered on it);
* `date`: a date the date range applies to;
* `measure`: an additive measure, summed at a grain of the site model;
* `summed_as`: summed over a grain, the column is the measure of another name;
* `ratio`: a ratio of sums (numerator terms, `-` to subtract; denominator; scale);
* `flag`: true when a ratio is below a configured threshold;
* `unit`: a value of a whole unit (an interval, a verdict), never re-derived;
* `attribute`: carried unchanged when a row is re-aggregated;
* `companions`: columns shipped with it, so the browser can show it whole.

A name the project does not declare (a page's own alias) is formatted by its value's
type and titled from its words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from reports.errors import ReportError

TABLE = "column_meanings"
# Time grains a query may group by (date_trunc('month', date) as month): SQL's units.
TIME_GRAINS = ("week", "month")


@dataclass(frozen=True)
class Meanings:
    """Models (name -> model meta) and columns (name -> meaning) the project declares."""

    models: dict[str, dict[str, Any]]
    columns: dict[str, dict[str, Any]]
    site: dict[str, Any] = field(default_factory=dict)
    columns_by_model: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, relation: str, source: str) -> Meanings:
        """Read the declarations from `relation` (the warehouse's column_meanings)."""
        try:
            rows = con.execute(f"select model_name, model_meta, column_name, meaning "
                               f"from {relation} "
                               f"order by model_name, column_position nulls last, column_name"
                               ).fetchall()
        except duckdb.Error as exc:
            raise ReportError(f"warehouse {source} has no readable table {TABLE} (what its "
                              f"columns mean; rebuild it with `roas run`): {exc}") from exc
        models: dict[str, dict[str, Any]] = {}
        columns: dict[str, dict[str, Any]] = {}
        by_model: dict[str, list[str]] = {}
        for model, model_meta, column, meaning in rows:
            models.setdefault(model, json.loads(model_meta or "{}"))
            by_model.setdefault(model, []).append(column)
            # one meaning per name: a dbt test of the project checks it
            columns.setdefault(column, json.loads(meaning or "{}"))
        # a column summed under another name: that name is formatted as the column
        for meaning in list(columns.values()):
            summed = meaning.get("summed_as") or {}
            if summed.get("measure") and summed["measure"] not in columns:
                columns[summed["measure"]] = {"format": meaning.get("format", "number")}
        return cls(models, columns, columns_by_model=by_model)

    def with_site(self, site: dict[str, Any]) -> Meanings:
        return Meanings(self.models, self.columns, site, self.columns_by_model)

    # -- tables --------------------------------------------------------------------

    def report_tables(self) -> list[str]:
        """Public models that pages may read (not those declared `report: false`)."""
        return [m for m, meta in self.models.items() if meta.get("report") is not False]

    # -- one column ----------------------------------------------------------------

    def meaning(self, name: str) -> dict[str, Any]:
        return self.columns.get(name, {})

    def format_of(self, name: str, sample: Any = None) -> str:
        """The declared format, else one from the type of a sample value."""
        declared = self.meaning(name).get("format")
        if declared:
            return declared
        if isinstance(sample, bool):
            return "bool"
        if isinstance(sample, int):
            return "count"
        if isinstance(sample, float):
            return "number"
        return "text"

    def title_of(self, name: str) -> str:
        """The declared title, else the name's words: 'rows_seen' -> 'Rows seen'."""
        return self.meaning(name).get("title") or name.replace("_", " ").capitalize()

    def ratio(self, name: str) -> dict[str, Any] | None:
        return self.meaning(name).get("ratio")

    def companions_of(self, name: str) -> list[str]:
        return list(self.meaning(name).get("companions", ()))

    # -- the vocabulary of the browser ---------------------------------------------

    def _names(self, test) -> list[str]:
        return [name for name, meaning in self.columns.items() if test(meaning)]

    def dimension_columns(self) -> dict[str, str]:
        """filter name -> the column that carries it, in the order of the filter bar."""
        found = {m["filter"]: name for name, m in self.columns.items() if m.get("filter")}
        order = [f["name"] for f in self.site.get("filters", [])]
        return dict(sorted(found.items(), key=lambda item: (
            order.index(item[0]) if item[0] in order else len(order), item[0])))

    def date_columns(self) -> list[str]:
        return self._names(lambda m: m.get("date"))

    def measures(self, grain: str) -> list[str]:
        """Additive measures summed at `grain`, declared directly or through summed_as."""
        direct = self._names(lambda m: m.get("measure") == grain)
        summed = [m["summed_as"]["measure"] for m in self.columns.values()
                  if (m.get("summed_as") or {}).get("grain") == grain]
        return [*direct, *(s for s in summed if s not in direct)]

    def ratios(self) -> dict[str, dict[str, Any]]:
        return {name: {"num": m["ratio"]["numerator"], "den": m["ratio"]["denominator"],
                       "scale": m["ratio"]["scale"]}
                for name, m in self.columns.items() if m.get("ratio")}

    def uses_grain(self, columns: list[str], grain: str) -> bool:
        """Whether showing `columns` needs the measures of `grain` (directly or in a ratio)."""
        measures = set(self.measures(grain))
        for column in columns:
            ratio = self.ratio(column)
            terms = [*ratio["numerator"], ratio["denominator"]] if ratio else [column]
            if any(term.lstrip("-") in measures for term in terms):
                return True
        return False

    # -- the site model: which tables feed the browser, at which grain --------------

    def site_models(self, role: str) -> list[tuple[str, dict[str, Any]]]:
        """(model, its `site_model` declaration) of every model with this role, in the
        declared order (then by name)."""
        found = [(model, meta["site_model"]) for model, meta in self.models.items()
                 if (meta.get("site_model") or {}).get("role") == role]
        return sorted(found, key=lambda item: (item[1].get("order", 0), item[0]))

    def site_model(self, role: str) -> tuple[str, dict[str, Any]] | None:
        """The one model of a role (the cells, the built-at table), or None."""
        found = self.site_models(role)
        return found[0] if found else None

    def dimension_of(self, column: str) -> str | None:
        """The filter a column carries (its key), or None."""
        return self.meaning(column).get("filter")

    def grain_measures(self, model: str, grain: str) -> dict[str, str]:
        """measure name -> column, for the measures `model` has at `grain` (declared
        `measure`, or summed under another name with `summed_as`)."""
        out: dict[str, str] = {}
        for column in self.model_columns(model):
            meaning = self.meaning(column)
            if meaning.get("measure") == grain:
                out[column] = column
            summed = meaning.get("summed_as") or {}
            if summed.get("grain") == grain:
                out[summed["measure"]] = column
        return out

    def model_columns(self, model: str) -> list[str]:
        return list(self.columns_by_model.get(model, ()))

    def sequences(self) -> list[str]:
        """Units with a declared order (a KPI can trend over them)."""
        return [d["unit"] for _m, d in self.site_models("unit") if d.get("sequence")]

    def names_a_row(self, column: str) -> bool:
        """A column whose text names its row (a label, or declared `link_text`)."""
        meaning = self.meaning(column)
        return bool(meaning.get("label_of") or meaning.get("link_text"))

    def further_grains(self) -> list[str]:
        """The facts grains other than the primary (each shipped in its own file)."""
        return [d["grain"] for _m, d in self.site_models("facts") if not d.get("primary")]

    def dataset(self, grain: str) -> list[str]:
        """The columns of the rows of a further grain (the page dataset `@<grain>`): its
        keys, the label and attributes of a keyed dimension, its measures, and the ratios
        of its measures."""
        decl = next(d for _m, d in self.site_models("facts") if d["grain"] == grain)
        if decl.get("dataset"):
            return list(decl["dataset"])
        columns = list(decl["keys"])
        filters = self.dimension_columns()
        for dim in (self.dimension_of(k) for k in decl["keys"]):
            columns += [n for n, m in self.columns.items() if dim and m.get("label_of") == dim]
            columns += [filters[f] for f, m in self.attribute_dims().items()
                        if m == dim and f in filters]
        measures = [m for m in self.measures(grain) if m != decl.get("count")]
        columns += measures
        columns += [name for name, r in self.ratios().items()
                    if all(t.lstrip("-") in measures for t in [*r["num"], r["den"]])]
        return list(dict.fromkeys(columns))

    def attribute_dims(self) -> dict[str, str]:
        """Filter -> the filter it is an attribute of (a member's region ...)."""
        return {m["filter"]: m["attribute_of"] for m in self.columns.values()
                if m.get("attribute_of") and m.get("filter")}

    def browser(self) -> dict[str, Any]:
        """The vocabulary as JSON for the browser (assets/data/model.js)."""
        filters = self.site.get("filters", [])
        labels = {f["name"]: f["label"] for f in filters}
        if self.site.get("dates"):
            labels["date"] = self.site["dates"]["label"]
        cells = self.site_model("cells")
        cell_decl = cells[1] if cells else {}
        dimension = next((d["dimension"] for _m, d in self.site_models("unit")
                          if d.get("dimension")), None)
        grains = {}
        notes = dict(cell_decl.get("notes", {}))
        for _model, decl in self.site_models("facts"):
            grains[decl["grain"]] = {
                "primary": bool(decl.get("primary")),
                "measures": self.measures(decl["grain"]),
                "count": decl.get("count"),
                "distinct": decl.get("distinct", {}),
                "dims": [self.dimension_of(k) or "date" for k in decl["keys"]],
                "notes": decl.get("notes", {}),
                "columns": [] if decl.get("primary") else self.dataset(decl["grain"]),
            }
        return {
            "filters": [f["name"] for f in filters],
            "barFilters": [f["name"] for f in filters if f.get("menu")],
            "filterLabels": labels,
            "dimensionColumns": self.dimension_columns(),
            "attributeOf": self.attribute_dims(),
            "labelColumns": {name: m["label_of"] for name, m in self.columns.items()
                             if m.get("label_of")},
            "dimension": dimension,
            "dateColumns": self.date_columns(),
            "timeGrains": list(TIME_GRAINS),
            "grains": grains,
            "cellMeasures": list(cell_decl.get("measures", [])),
            "cellFormats": {m: self.format_of(m) for m in cell_decl.get("measures", [])},
            "unitValues": list(cell_decl.get("unit_values", [])),
            "unitLink": self.site.get("unit_link"),
            "plurals": {f["name"]: f.get("plural") or f["label"].lower() + "s" for f in filters},
            "cellNotes": notes,
            "aliases": dict(cell_decl.get("aliases", {})),
            "ratios": self.ratios(),
            "flags": {name: m["flag"] for name, m in self.columns.items() if m.get("flag")},
            "incrementality": self._names(lambda m: m.get("unit")),
            "attributes": self._names(lambda m: m.get("attribute")),
            "additive": [*self._names(lambda m: bool(m.get("measure") or m.get("additive"))),
                         *(m["summed_as"]["measure"] for m in self.columns.values()
                           if m.get("summed_as"))],
            "estimates": {name: m["estimate"] for name, m in self.columns.items()
                          if m.get("estimate")},
            "trends": {name: m["trend"] for name, m in self.columns.items() if m.get("trend")},
            "shortTitles": {name: m["short_title"] for name, m in self.columns.items()
                            if m.get("short_title")},
        }
