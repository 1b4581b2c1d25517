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
        for model, model_meta, column, meaning in rows:
            models.setdefault(model, json.loads(model_meta or "{}"))
            # one meaning per name: a dbt test of the project checks it
            columns.setdefault(column, json.loads(meaning or "{}"))
        return cls(models, columns)

    def with_site(self, site: dict[str, Any]) -> Meanings:
        return Meanings(self.models, self.columns, site)

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
        """The declared title, else the name's words: 'gaps_flagged' -> 'Gaps flagged'."""
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

    def browser(self) -> dict[str, Any]:
        """The vocabulary as JSON for the browser (assets/data/model.js)."""
        filters = self.site.get("filters", [])
        labels = {f["name"]: f["label"] for f in filters}
        if self.site.get("dates"):
            labels["date"] = self.site["dates"]["label"]
        return {
            "filters": [f["name"] for f in filters],
            "barFilters": [f["name"] for f in filters if f.get("menu")],
            "filterLabels": labels,
            "dimensionColumns": self.dimension_columns(),
            "influencerAttributes": self._names(lambda m: m.get("attribute_of")),
            "dateColumns": self.date_columns(),
            "timeGrains": list(TIME_GRAINS),
            "ordersMeasures": self.measures("orders"),
            "postsMeasures": self.measures("posts"),
            "ratios": self.ratios(),
            "flags": {name: m["flag"] for name, m in self.columns.items() if m.get("flag")},
            "incrementality": self._names(lambda m: m.get("unit")),
            "attributes": self._names(lambda m: m.get("attribute")),
        }
