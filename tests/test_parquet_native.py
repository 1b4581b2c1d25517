"""Typed Parquet columns skip the round trip through text only when it changes nothing.

parsing.native_* must give exactly what parsing the column's text gives (the text a
Parquet column is cast to before the rules see it), or None so the text is parsed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.core import generate
from roas.validation import parsing, validate_folder


def as_text(native: pa.Array) -> pa.Array:
    """What the reader hands the rules: the column cast to text, empty for NULL, trimmed."""
    return parsing.trimmed(pc.fill_null(parsing.as_string(native), ""))


def same(a: pa.Array, b: pa.Array) -> bool:
    return a.type == b.type and a.null_count == b.null_count and a.equals(b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=40))
def test_native_int_equals_parsed_text(values: list[int | None]) -> None:
    native = pa.array(values, pa.int64())
    fast = parsing.native_int(native)
    if fast is not None:
        assert same(fast, parsing.parse_int(as_text(native)))
    else:  # only refused when some value has more digits than INT_RE takes
        assert any(v is not None and abs(v) > 10**18 - 1 for v in values)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
                max_size=40))
def test_native_decimal_equals_parsed_text(values: list[float | None]) -> None:
    native = pa.array(values, pa.float64())
    fast = parsing.native_decimal(native)
    if fast is not None:
        assert same(fast, parsing.parse_decimal(as_text(native)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**60), 2**60)), max_size=40))
def test_native_decimal_from_integers_equals_parsed_text(values: list[int | None]) -> None:
    native = pa.array(values, pa.int64())
    fast = parsing.native_decimal(native)
    if fast is not None:
        assert same(fast, parsing.parse_decimal(as_text(native)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
                max_size=40))
def test_native_date_equals_parsed_text(values: list[dt.date | None]) -> None:
    native = pa.array(values, pa.date32())
    fast = parsing.native_date(native)
    slow = parsing.parse_date(as_text(native))
    if fast is not None:
        assert same(fast[0], slow[0]) and same(fast[1], slow[1])
    else:
        assert any(v is not None and v.year < 1000 for v in values)


def test_common_values_take_the_fast_path() -> None:
    """The shortcut is used for ordinary exports (else it would save nothing)."""
    assert parsing.native_int(pa.array([1, None, -3])) is not None
    assert parsing.native_decimal(pa.array([4998.0, 2374.05, None, 0.0])) is not None
    assert parsing.native_date(pa.array([dt.date(2025, 1, 1), None])) is not None
    assert parsing.native_decimal(pa.array([1.0, float("nan")])) is None
    assert parsing.native_decimal(pa.array([1.5], pa.float32())) is None
    assert parsing.native_int(pa.array(["1"])) is None


def test_typed_parquet_validates_like_its_csv(tmp_path: Path) -> None:
    """Generated tracking rows, plus the hand fixture's bad ones, as typed Parquet:
    the same rows are loaded, with the same values, and the same rows are rejected."""
    as_csv, as_parquet = tmp_path / "csv", tmp_path / "parquet"
    generate(as_csv, seed=7, orders=3000, influencers=40, truth_dir=tmp_path / "truth")
    shutil.copytree(as_csv, as_parquet)
    con = duckdb.connect()
    typed = f"read_csv('{as_csv / 'tracking_data.csv'}')"
    schema = dict(con.execute(
        f"select column_name, column_type from (describe select * from {typed})").fetchall())
    assert (schema["influencer_id"], schema["revenue"], schema["date"]) == (
        "BIGINT", "DOUBLE", "DATE")
    # rows a typed file can still carry wrongly: an unknown influencer, a negative revenue,
    # zero units, a duplicate order id, a far-away date
    con.execute(f"""
        copy (
            select * from {typed}
            union all (select * replace (999999 as influencer_id) from {typed} limit 2)
            union all (select * replace (-5.5 as revenue) from {typed} limit 2)
            union all (select * replace (0 as orders) from {typed} limit 2)
            union all (select * from {typed} limit 2)
            union all (select * replace (date '1990-01-01' as date) from {typed} limit 2)
        ) to '{as_parquet / "tracking_data.parquet"}' (format parquet)""")
    con.execute(f"""
        copy (select * from read_parquet('{as_parquet / "tracking_data.parquet"}'))
        to '{as_csv / "tracking_data.csv"}' (header, dateformat '%Y-%m-%d')""")
    (as_parquet / "tracking_data.csv").unlink()
    reports = {
        name: validate_folder(folder, tmp_path / f"out_{name}", max_reject_share=1.0)
        for name, folder in (("csv", as_csv), ("parquet", as_parquet))
    }
    csv_stats, pq_stats = (reports[n].files["tracking_data"] for n in ("csv", "parquet"))
    assert (csv_stats.fmt, pq_stats.fmt) == ("csv", "parquet")
    assert pq_stats.rows_rejected >= 10
    assert (pq_stats.rows_read, pq_stats.rows_loaded, pq_stats.rows_rejected) == (
        csv_stats.rows_read, csv_stats.rows_loaded, csv_stats.rows_rejected)
    out = {n: tmp_path / f"out_{n}" for n in ("csv", "parquet")}
    loaded = {n: pq.read_table(out[n] / "tracking_data.parquet") for n in out}
    assert loaded["csv"].equals(loaded["parquet"])
    reasons = {n: pq.read_table(out[n] / "rejected_rows.parquet").select(
        ["line_number", "reason"]).to_pylist() for n in out}
    assert reasons["csv"] == reasons["parquet"]
