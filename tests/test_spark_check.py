"""The engine equality check of `make spark` (roas/spark_check.py), without Spark.

Spark's tables are stood in for by Parquet files laid out as Spark's managed tables
(<spark dir>/warehouse/roas.db/<name>/part-*.parquet); the real run is `make spark`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from roas.spark_check import compare_engines, print_comparison, rel_diff, spark_table_dir

ROWS = [(1, "A", 100.0, "2025-01-01"), (2, "B", 0.1 + 0.2, "2025-01-02"), (3, None, None, None)]


def make_warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create table mart_x (id bigint, name varchar, revenue double, day date)")
        con.executemany("insert into mart_x values (?, ?, ?, ?)", ROWS)
        con.execute("create table stg_ignored (id bigint)")  # not public: not compared
        # what the project declares public (written by the dbt build)
        con.execute("create table column_meanings as select 'mart_x' as model_name")
    return path


def write_spark_table(spark_dir: Path, name: str, rows, ddl: str = "") -> None:
    folder = spark_table_dir(spark_dir, name)
    folder.mkdir(parents=True)
    ddl = ddl or "id bigint, name varchar, revenue double, day date"
    with duckdb.connect() as con:
        con.execute(f"create table t ({ddl})")
        if rows:
            con.executemany(f"insert into t values ({', '.join('?' * len(rows[0]))})", rows)
        con.execute(f"copy t to '{folder / 'part-00000.snappy.parquet'}' (format parquet)")


def test_rel_diff():
    assert rel_diff(1.0, 1.0) == 0.0
    assert rel_diff(100.0, 100.0 * (1 + 1e-12)) == pytest.approx(1e-12, rel=1e-3)
    assert rel_diff(0.0, 1e-300) == 1.0


def test_equal_marts_pass_within_the_tolerance(tmp_path, capsys):
    warehouse = make_warehouse(tmp_path / "w.duckdb")
    # Spark's rows in another order and with float noise far below 1e-9
    spark_rows = [ROWS[2], (2, "B", 0.3, "2025-01-02"), (1, "A", 100.0 * (1 + 1e-13), "2025-01-01")]
    write_spark_table(tmp_path / "spark", "mart_x", spark_rows)
    results = compare_engines(warehouse, tmp_path / "spark")
    assert [r.name for r in results] == ["mart_x"]
    assert results[0].equal and 0 < results[0].max_rel_diff < 1e-9
    assert print_comparison(results) is True
    out = capsys.readouterr().out
    assert "mart_x" in out and "1 of 1 marts equal" in out


@pytest.mark.parametrize(
    ("spark_rows", "ddl", "problem"),
    [
        ([ROWS[0], (2, "B", 0.3 * (1 + 1e-6), "2025-01-02"), ROWS[2]], "", "revenue"),
        ([ROWS[0], (2, "C", 0.1 + 0.2, "2025-01-02"), ROWS[2]], "", "name"),
        (ROWS[:2], "", "row counts differ"),
        ([r[:3] for r in ROWS], "id bigint, name varchar, revenue double", "columns differ"),
        (ROWS, "id integer, name varchar, revenue double, day date", "columns differ"),
    ],
)
def test_differences_fail(tmp_path, capsys, spark_rows, ddl, problem):
    warehouse = make_warehouse(tmp_path / "w.duckdb")
    write_spark_table(tmp_path / "spark", "mart_x", spark_rows, ddl)
    (result,) = compare_engines(warehouse, tmp_path / "spark")
    assert not result.equal
    assert problem in " ".join(result.problems)
    assert print_comparison([result]) is False
    assert "FAILED" in capsys.readouterr().out


def test_a_mart_missing_on_spark_fails(tmp_path):
    warehouse = make_warehouse(tmp_path / "w.duckdb")
    (result,) = compare_engines(warehouse, tmp_path / "spark")
    assert not result.equal and "no Spark table" in result.problems[0]
