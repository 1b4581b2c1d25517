"""The warehouse as the report sees it, and the execution of a page's named queries.

The report reads public models only: page SQL runs in an in-memory DuckDB database
in which the warehouse file is attached read-only, and only the tables the project
declares public in `column_meanings` (reports/meanings.py) are visible by name, less
those declared `report: false` (a table that grows with the rows behind the marts: render
time and site size grow with the keys of the marts, not with those rows).

Queries of a page may refer to each other with `${name}`; each runs once, in
dependency order, into a temporary table its dependents read. A cycle, an unknown
reference or a failing query raises PageError with the page file and line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from reports.authoring import PageSource, QueryDef, query_refs
from reports.errors import ReportError
from reports.meanings import TABLE as MEANINGS_TABLE
from reports.meanings import Meanings

Row = dict[str, Any]

_CATALOG = "__warehouse"


def clean(value: Any) -> Any:
    """Warehouse values as JSON-ready Python: NaN/inf as None, DECIMAL as float,
    dates and timestamps as ISO text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass
class Result:
    """Rows of one query: column names, DuckDB type names and cleaned values."""

    name: str
    columns: list[str]
    types: list[str]
    rows: list[tuple]

    def __len__(self) -> int:
        return len(self.rows)

    def index(self, column: str) -> int:
        return self.columns.index(column)

    def values(self, column: str) -> list[Any]:
        i = self.columns.index(column)
        return [row[i] for row in self.rows]

    def dicts(self) -> list[Row]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def first(self) -> Row | None:
        return dict(zip(self.columns, self.rows[0], strict=True)) if self.rows else None

    def subset(self, rows: list[tuple]) -> Result:
        return Result(self.name, self.columns, self.types, rows)

    def type_of(self, column: str) -> str:
        return self.types[self.columns.index(column)]


class Warehouse:
    """The warehouse file attached read-only; public tables visible under their names."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise ReportError(f"warehouse file not found: {path}")
        self.path = path
        # One thread: parallel float sums change in the last digits from run to run.
        self._con = duckdb.connect(config={"threads": 1})
        try:
            self._con.execute(f"attach '{_sql_text(str(path))}' as {_CATALOG} (read_only)")
        except duckdb.Error as exc:
            self._con.close()
            hint = ""
            if "already attached" in str(exc) or "different configuration" in str(exc):
                # e.g. dbt-duckdb run in-process keeps its read-write connection open
                hint = " (it is still open read-write in this process: close that connection first)"
            raise ReportError(f"cannot open warehouse {path} read-only: {exc}{hint}") from exc
        self.tables: dict[str, list[str]] = {}
        for table, column in self._con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_catalog = ? and table_schema = 'main' "
            "order by table_name, ordinal_position", [_CATALOG]
        ).fetchall():
            self.tables.setdefault(table, []).append(column)
        self.meanings = Meanings.load(self._con, f'{_CATALOG}.main."{MEANINGS_TABLE}"',
                                      str(path))
        for table in self.meanings.report_tables():
            if table in self.tables:
                self._con.execute(f'create view main."{table}" as '
                                  f'select * from {_CATALOG}.main."{table}"')
        self._temp = 0

    # -- schema --------------------------------------------------------------------

    def has(self, table: str, *columns: str) -> bool:
        return table in self.tables and all(c in self.tables[table] for c in columns)

    def require(self, table: str, columns: Iterable[str], why: str) -> None:
        """ReportError naming the table and the missing columns."""
        if table not in self.tables:
            raise ReportError(f"table main.{table} is missing from warehouse {self.path} "
                              f"({why}; run the dbt build first)")
        missing = [c for c in columns if c not in self.tables[table]]
        if missing:
            raise ReportError(f"table main.{table} in warehouse {self.path} lacks column(s): "
                              + ", ".join(missing) + f" ({why})")

    # -- plain queries (the site model) ------------------------------------------------

    def result(self, sql: str, name: str = "query", params: list | None = None) -> Result:
        try:
            cursor = self._con.execute(sql, params or [])
        except duckdb.Error as exc:
            raise ReportError(f"query {name!r} failed on {self.path}: {exc}") from exc
        columns = [d[0] for d in cursor.description]
        types = [str(d[1]) for d in cursor.description]
        rows = [tuple(clean(v) for v in row) for row in cursor.fetchall()]
        return Result(name, columns, types, rows)

    # -- page queries ---------------------------------------------------------------

    def run_page(self, page: PageSource) -> dict[str, Result]:
        """Run every query of the page once, in dependency order."""
        order = dependency_order(page)
        tables: dict[str, str] = {}
        results: dict[str, Result] = {}
        try:
            for query in order:
                self._temp += 1
                table = f"__page_query_{self._temp}"
                sql = _substitute(query, tables)
                wrapped = f'create temp table "{table}" as (\n{sql}\n)'
                try:
                    self._con.execute(wrapped)
                except duckdb.Error as exc:
                    raise page.error(_error_line(query, exc), f"query {query.name!r} failed: "
                                     f"{_first_lines(str(exc))}") from None
                tables[query.name] = table
                results[query.name] = self.result(f'select * from "{table}"', query.name)
        finally:
            for table in tables.values():
                self._con.execute(f'drop table if exists "{table}"')
        return {q: results[q] for q in page.queries}

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _first_lines(message: str, limit: int = 6) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return "\n  ".join(lines[:limit])


def _error_line(query: QueryDef, exc: Exception) -> int:
    """The page line of a DuckDB error: its 'LINE n:' counts from the wrapper line."""
    match = re.search(r"LINE (\d+):", str(exc))
    if match:
        n = int(match.group(1))
        if n >= 2:
            return query.line + n - 1
    return query.line


def _substitute(query: QueryDef, tables: dict[str, str]) -> str:
    sql = query.sql.strip()
    while sql.endswith(";"):
        sql = sql[:-1].rstrip()

    def ref(match: re.Match) -> str:
        return f'"{tables[match.group(1)]}"'

    return re.sub(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}", ref, sql)


def dependency_order(page: PageSource) -> list[QueryDef]:
    """Queries ordered so that each comes after those it refers to; PageError on a cycle."""
    order: list[QueryDef] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        query = page.queries[name]
        if state.get(name) == "active":
            cycle = " -> ".join([*path[path.index(name):], name])
            raise page.error(query.line, f"queries refer to each other in a cycle: {cycle}")
        state[name] = "active"
        for ref in query_refs(query.sql):
            if ref not in page.queries:
                known = ", ".join(sorted(page.queries)) or "none"
                raise page.error(query.line, f"query {name!r} refers to ${{{ref}}}, which is "
                                             f"not a query of this page (queries: {known})")
            visit(ref, [*path, name])
        state[name] = "done"
        order.append(query)

    for name in page.queries:
        visit(name, [])
    return order


def partition(result: Result, column: str) -> dict[Any, Result]:
    """The result split by one column's value, rows keeping their order."""
    i = result.index(column)
    groups: dict[Any, list[tuple]] = {}
    for row in result.rows:
        groups.setdefault(row[i], []).append(row)
    return {key: result.subset(rows) for key, rows in groups.items()}
