"""The Great Expectations suites compiled to DuckDB SQL, evaluated over Arrow batches.

GX on a pandas frame costs seconds per million rows; the same rules as SQL
predicates cost a fraction of that and use every core. The suites in suites.py
stay the single statement of the rules: every expectation is compiled from its
own configuration (type, kwargs, row_condition, meta), and an expectation type,
keyword or condition this compiler does not know raises UnknownExpectation, so a
rule can never be skipped silently. tests/test_sql_rules.py proves the compiled
rules and GX's own engine agree row for row.

Semantics followed (GX 1.x, pandas engine, result_format COMPLETE):
  * the domain of an expectation is its batch, narrowed by row_condition;
    element_count is the number of rows in the domain;
  * column map expectations leave NULL values out of the check (they are
    "missing"), except expect_column_values_to_(not_)be_null, which test for them;
  * pair expectations with ignore_row_if="either_value_is_missing" leave out rows
    where either value is NULL;
  * match_regex is a search (pandas str.contains): the suites anchor their regexes.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .outcome import Outcome

NULL = "expect_column_values_to_be_null"
NOT_NULL = "expect_column_values_to_not_be_null"
REGEX = "expect_column_values_to_match_regex"
BETWEEN = "expect_column_values_to_be_between"
IN_SET = "expect_column_values_to_be_in_set"
PAIR_GT = "expect_column_pair_values_a_to_be_greater_than_b"

# keywords each type may carry; anything else (mostly, parse_strings_as_datetimes,
# catch_exceptions=False ...) changes the meaning and is refused
_COMMON = {"row_condition", "condition_parser", "result_format", "catch_exceptions", "meta"}
_KWARGS = {
    NULL: {"column"},
    NOT_NULL: {"column"},
    REGEX: {"column", "regex"},
    BETWEEN: {"column", "min_value", "max_value", "strict_min", "strict_max"},
    IN_SET: {"column", "value_set"},
    PAIR_GT: {"column_A", "column_B", "or_equal", "ignore_row_if"},
}


class UnknownExpectation(ValueError):
    """An expectation the compiler cannot state in SQL: refuse rather than skip it."""


@dataclass(frozen=True)
class CompiledRule:
    order: int  # meta.order: position in the suite
    expectation: str  # GX expectation type
    column: str  # meta.column: the raw column
    rule: str  # meta.reason
    row_reason: str | None
    flag: bool
    domain: str | None  # SQL: the row is in the domain (row_condition); None: every row
    unexpected: str  # SQL: TRUE when a row of the domain fails the expectation
    value_set_param: str | None = None  # name of a suite parameter holding a value set
    value_set_table: str | None = None  # the relation the SQL reads that set from


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal for a kwarg value; unknown types are refused, never str()-ed."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnknownExpectation(f"non-finite bound {value!r}")
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"TIMESTAMP '{value.isoformat()} 00:00:00'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise UnknownExpectation(f"cannot state {value!r} ({type(value).__name__}) in SQL")


def _bound(value: Any, column_type: pa.DataType | None) -> str:
    """A between bound; a datetime column compares with timestamps (GX parses ISO strings)."""
    if column_type is not None and pa.types.is_timestamp(column_type):
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.date):
            raise UnknownExpectation(f"bound {value!r} for a date column")
        return literal(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnknownExpectation(f"bound {value!r} for a numeric column")
    return literal(value)


def _condition(cond: Any) -> str:
    """GX 1.x row_condition (serialised form) -> SQL; only what the suites use."""
    if hasattr(cond, "to_dict"):
        cond = cond.to_dict()
    elif hasattr(cond, "model_dump"):
        cond = cond.model_dump()
    if not isinstance(cond, Mapping) or cond.get("type") != "comparison":
        raise UnknownExpectation(f"row_condition {cond!r} is not a comparison")
    column = cond.get("column")
    name = column.get("name") if isinstance(column, Mapping) else None
    if not name or cond.get("operator") != "==":
        raise UnknownExpectation(f"row_condition {cond!r}: only column == value is compiled")
    # pandas compares NULL as not equal: the row is outside the domain, as with SQL's NULL
    return f"({ident(name)} = {literal(cond.get('parameter'))})"


def compile_expectation(
    exp_type: str,
    kwargs: Mapping[str, Any],
    meta: Mapping[str, Any],
    types: Mapping[str, pa.DataType] | None = None,
) -> CompiledRule:
    """One expectation configuration -> CompiledRule; `types` are the batch column types."""
    types = types or {}
    allowed = _KWARGS.get(exp_type)
    if allowed is None:
        raise UnknownExpectation(f"expectation type {exp_type} has no SQL form")
    extra = {
        k for k, v in kwargs.items() if k not in allowed and k not in _COMMON and v is not None
    }
    if extra:
        raise UnknownExpectation(f"{exp_type}: keyword(s) {sorted(extra)} have no SQL form")
    if kwargs.get("condition_parser") not in (None, "great_expectations"):
        raise UnknownExpectation(f"{exp_type}: condition_parser {kwargs['condition_parser']}")
    rc = kwargs.get("row_condition")
    domain = _condition(rc) if rc not in (None, "", {}) else None
    value_param = None
    col = kwargs.get("column")
    c = ident(col) if col else ""
    if exp_type == NOT_NULL:
        unexpected = f"{c} IS NULL"
    elif exp_type == NULL:
        unexpected = f"{c} IS NOT NULL"
    elif exp_type == REGEX:
        regex = kwargs.get("regex")
        if not isinstance(regex, str):
            raise UnknownExpectation(f"{exp_type}: regex {regex!r}")
        # regexp_matches searches, like pandas str.contains; RE2 runs in both Arrow and here
        unexpected = f"{c} IS NOT NULL AND NOT regexp_matches({c}, {literal(regex)})"
    elif exp_type == BETWEEN:
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        if lo is None and hi is None:
            raise UnknownExpectation(f"{exp_type} on {col}: neither bound is given")
        checks = []
        if lo is not None:
            op = ">" if kwargs.get("strict_min") else ">="
            checks.append(f"{c} {op} {_bound(lo, types.get(col))}")
        if hi is not None:
            op = "<" if kwargs.get("strict_max") else "<="
            checks.append(f"{c} {op} {_bound(hi, types.get(col))}")
        unexpected = f"{c} IS NOT NULL AND NOT ({' AND '.join(checks)})"
    elif exp_type == IN_SET:
        values = kwargs.get("value_set")
        if isinstance(values, Mapping) and set(values) == {"$PARAMETER"}:
            value_param = str(values["$PARAMETER"])
            source = f"(SELECT v FROM {ident('vs_' + value_param)})"
        elif isinstance(values, Sequence) and not isinstance(values, str):
            if any(v is None for v in values):
                raise UnknownExpectation(f"{exp_type} on {col}: NULL in the value set")
            source = "(" + ", ".join(literal(v) for v in values) + ")" if values else None
        else:
            raise UnknownExpectation(f"{exp_type} on {col}: value_set {values!r}")
        unexpected = f"{c} IS NOT NULL" + (f" AND {c} NOT IN {source}" if source else "")
    elif exp_type == PAIR_GT:
        a, b = ident(kwargs["column_A"]), ident(kwargs["column_B"])
        if kwargs.get("ignore_row_if", "both_values_are_missing") != "either_value_is_missing":
            raise UnknownExpectation(f"{exp_type}: ignore_row_if {kwargs.get('ignore_row_if')}")
        op = ">=" if kwargs.get("or_equal") else ">"
        unexpected = f"{a} IS NOT NULL AND {b} IS NOT NULL AND NOT ({a} {op} {b})"
    else:  # pragma: no cover - _KWARGS is the list of known types
        raise UnknownExpectation(exp_type)
    for key in ("column", "reason", "order"):
        if key not in meta:
            raise UnknownExpectation(f"{exp_type}: meta.{key} is missing")
    return CompiledRule(
        order=int(meta["order"]),
        expectation=exp_type,
        column=str(meta["column"]),
        rule=str(meta["reason"]),
        row_reason=meta.get("row_reason"),
        flag=bool(meta.get("flag")),
        domain=domain,
        unexpected=unexpected,
        value_set_param=value_param,
        value_set_table=f"vs_{value_param}" if value_param else None,
    )


def compile_suite(suite: Any, types: Mapping[str, pa.DataType] | None = None) -> list[CompiledRule]:
    """Every expectation of a GX ExpectationSuite, in suite order."""
    rules = []
    for exp in suite.expectations:
        cfg = exp.configuration
        rules.append(compile_expectation(cfg.type, dict(cfg.kwargs), dict(cfg.meta or {}), types))
    return rules


def failing_lines_query(rules: Sequence[CompiledRule]) -> str:
    """line_number and one boolean per rule, for the rows failing at least one rule."""
    cols = []
    for i, r in enumerate(rules):
        test = f"({r.unexpected})" if r.domain is None else f"({r.domain} AND {r.unexpected})"
        cols.append(f"coalesce({test}, FALSE) AS u{i}")
    if not cols:
        return "SELECT line_number FROM batch WHERE FALSE"
    inner = ", ".join(cols)
    where = " OR ".join(f"u{i}" for i in range(len(rules)))
    return f"SELECT * FROM (SELECT line_number, {inner} FROM batch) WHERE {where}"


def domain_count_query(rules: Sequence[CompiledRule]) -> str | None:
    """Rows in the domain of each rule that has a row_condition (element_count)."""
    parts = [
        f"count(*) FILTER (WHERE coalesce({r.domain}, FALSE)) AS d{i}"
        for i, r in enumerate(rules)
        if r.domain is not None
    ]
    return f"SELECT {', '.join(parts)} FROM batch" if parts else None


def lines_of(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    arr = column.to_numpy() if isinstance(column, pa.ChunkedArray) else column.to_numpy()
    return np.asarray(arr, dtype=np.int64)


# DuckDB scans an Arrow table in parallel by record batch: cut batches this size
_SCAN_CHUNK = 1 << 17


class SqlRunner:
    """One DuckDB connection for a whole run; the compiled suite is cached per file."""

    def __init__(self, threads: int | None = None, memory_limit: str = "2GB") -> None:
        import duckdb

        threads = threads or max(1, min(os.cpu_count() or 1, 8))
        # memory stays bounded: a batch is in Arrow already, DuckDB only filters it
        self.con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
        self._compiled: dict[tuple[str, int], tuple[list[CompiledRule], str, str | None]] = {}

    @staticmethod
    def suite_for(spec: Any, present: Sequence[str]) -> Any:
        """The suite as stored from GX's build (no GX import), else built by GX now."""
        from .stored_suites import load_suite

        stored = load_suite(spec, present)
        if stored is not None:
            return stored
        from .suites import build_suite

        return build_suite(spec, present)

    def compiled(self, name: str, suite: Any, table: pa.Table) -> list[CompiledRule]:
        return self._plan(name, suite, table)[0]

    def _plan(
        self, name: str, suite: Any, table: pa.Table
    ) -> tuple[list[CompiledRule], str, str | None]:
        key = (name, id(suite))
        if key not in self._compiled:
            types = {f.name: f.type for f in table.schema}
            rules = compile_suite(suite, types)
            self._compiled[key] = (rules, failing_lines_query(rules), domain_count_query(rules))
        return self._compiled[key]

    def validate(
        self,
        name: str,
        table: pa.Table,
        suite: Any,
        parameters: Mapping[str, Any] | None = None,
    ) -> list[Outcome]:
        """table: line_number, the trimmed rule columns and the helper columns of one batch."""
        rules, failing_sql, domain_sql = self._plan(name, suite, table)
        parameters = parameters or {}
        n = table.num_rows
        if n > _SCAN_CHUNK:
            table = pa.Table.from_batches(table.to_batches(max_chunksize=_SCAN_CHUNK))
        con = self.con
        con.register("batch", table)
        try:
            for r in rules:
                if r.value_set_param is not None:
                    if r.value_set_param not in parameters:
                        raise UnknownExpectation(
                            f"{r.expectation} on {r.column}: suite parameter "
                            f"{r.value_set_param} was not supplied"
                        )
                    values = pa.table({"v": pa.array(parameters[r.value_set_param])})
                    con.register(r.value_set_table, values)
            failing = con.sql(failing_sql).to_arrow_table()
            domains = con.execute(domain_sql).fetchall()[0] if domain_sql else ()
        finally:
            con.unregister("batch")
            for r in rules:
                if r.value_set_table is not None:
                    con.unregister(r.value_set_table)
        lines = lines_of(failing.column("line_number"))
        # threads return rows in any order: sort, so output never depends on scheduling
        order = np.argsort(lines, kind="stable")
        lines = lines[order]
        counts = iter(domains)
        outcomes = []
        for i, r in enumerate(rules):
            hit = failing.column(f"u{i}").to_numpy(zero_copy_only=False)[order]
            bad = lines[hit]
            element_count = int(next(counts)) if r.domain is not None else n
            outcomes.append(
                Outcome(
                    order=r.order,
                    expectation=r.expectation,
                    column=r.column,
                    rule=r.rule,
                    row_reason=r.row_reason,
                    flag=r.flag,
                    success=len(bad) == 0,
                    element_count=element_count,
                    unexpected_count=len(bad),
                    lines=bad,
                )
            )
        return sorted(outcomes, key=lambda o: o.order)
