"""`make spark`: the same dbt project built and tested on Spark, then compared with DuckDB.

Steps (docs/spark.md):
  1. generate the demo data (seed 42) into OUT/raw, unless --data is given;
  2. `roas run` with DuckDB into OUT/roas.duckdb (validates the raw files into
     OUT/roas.build/validated/, the typed Parquet files both engines read);
  3. `dbt build --target spark` with the Spark venv's Python: an in-process
     SparkSession (dbt-spark `method: session`, local[2]) whose warehouse and Hive
     metastore live in OUT/roas.build/spark/ (rebuilt from scratch every time);
  4. every public mart of the DuckDB warehouse is compared with Spark's table
     (Spark's managed Parquet files, read with DuckDB): same columns and types, same
     rows, numbers equal within 1e-9 relative. Exits 1 on any difference.

Run it with the main venv's Python; only step 3 uses the Spark venv
(`python -m roas.spark_check --spark-python .venv-spark/bin/python`). The
comparison alone: `python -m roas.spark_check compare --duckdb F --spark-dir D`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from roas.config import RunConfig
from roas.dbt_runner import DBT_ENTRY
from roas.export import public_marts
from roas.paths import build_paths, project_dir

REL_TOL = 1e-9
SPARK_SCHEMA = "roas"  # profiles.yml, target spark
DEFAULT_JAVA_HOME = Path("/usr/lib/jvm/java-17-openjdk-amd64")
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
# dbt's info events worth a line: node results, the hook, the final statistics
PROGRESS_EVENTS = ("Result", "HookEndLine", "FinishedRunningStats")


# -- comparison ----------------------------------------------------------------------


@dataclass
class MartComparison:
    name: str
    duckdb_rows: int
    spark_rows: int | None
    columns: int
    max_rel_diff: float
    problems: list[str]

    @property
    def equal(self) -> bool:
        return not self.problems


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def spark_table_dir(spark_dir: Path, name: str) -> Path:
    """Where Spark keeps a managed table of schema `roas`: <warehouse>/roas.db/<name>/."""
    return Path(spark_dir) / "warehouse" / f"{SPARK_SCHEMA}.db" / name


def rel_diff(a: float, b: float) -> float:
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def _ordered_rows(con: duckdb.DuckDBPyConnection, relation: str, columns) -> list[tuple]:
    """All rows, sorted by the exact columns first and the floating-point ones last,
    so that tiny float differences cannot change the order of otherwise equal keys."""
    exact = [_quote(c) for c, t in columns if t not in FLOAT_TYPES]
    floats = [_quote(c) for c, t in columns if t in FLOAT_TYPES]
    order = ", ".join(f"{c} nulls first" for c in exact + floats)
    return con.execute(f"select * from {relation} order by {order}").fetchall()


def compare_mart(con: duckdb.DuckDBPyConnection, name: str, spark_dir: Path) -> MartComparison:
    duck = f"wh.main.{_quote(name)}"
    duck_columns = [(r[0], r[1]) for r in con.execute(f"describe select * from {duck}").fetchall()]
    (duck_count,) = con.execute(f"select count(*) from {duck}").fetchone()
    result = MartComparison(name, duck_count, None, len(duck_columns), 0.0, [])
    folder = spark_table_dir(spark_dir, name)
    if not any(folder.glob("*.parquet")):
        result.problems.append(f"no Spark table at {folder}")
        return result
    spark = f"read_parquet({_text(str(folder / '*.parquet'))})"
    described = con.execute(f"describe select * from {spark}").fetchall()
    spark_columns = [(r[0], r[1]) for r in described]
    (result.spark_rows,) = con.execute(f"select count(*) from {spark}").fetchone()
    if spark_columns != duck_columns:
        result.problems.append(f"columns differ: duckdb {duck_columns} vs spark {spark_columns}")
        return result
    if result.spark_rows != duck_count:
        result.problems.append(
            f"row counts differ: duckdb {duck_count} vs spark {result.spark_rows}")
        return result
    names = [c for c, _ in duck_columns]
    is_float = [t in FLOAT_TYPES for _, t in duck_columns]
    duck_rows = _ordered_rows(con, duck, duck_columns)
    spark_rows = _ordered_rows(con, spark, duck_columns)
    for number, (d_row, s_row) in enumerate(zip(duck_rows, spark_rows, strict=True), start=1):
        for column, floating, d, s in zip(names, is_float, d_row, s_row, strict=True):
            if floating and d is not None and s is not None:
                diff = rel_diff(d, s)
                if math.isnan(diff) or diff > REL_TOL:
                    result.problems.append(f"row {number} {column}: duckdb {d!r} vs spark {s!r}")
                elif diff > result.max_rel_diff:
                    result.max_rel_diff = diff
            elif d != s:
                result.problems.append(f"row {number} {column}: duckdb {d!r} vs spark {s!r}")
        if len(result.problems) >= 5:
            break
    return result


def compare_engines(warehouse: Path, spark_dir: Path) -> list[MartComparison]:
    """Compare every public mart of the DuckDB `warehouse` with Spark's table in `spark_dir`."""
    con = duckdb.connect()
    try:
        con.execute(f"attach {_text(str(warehouse))} as wh (read_only)")
        con.execute("use wh")
        names = public_marts(con)
        con.execute("use memory")
        return [compare_mart(con, name, spark_dir) for name in names]
    finally:
        con.close()


def print_comparison(results: list[MartComparison]) -> bool:
    print(f"\nSpark vs DuckDB: {len(results)} public marts "
          f"(same columns, types and rows; numbers within {REL_TOL:g} relative)")
    print(f"  {'mart':<30} {'duckdb rows':>11} {'spark rows':>10} {'columns':>7} "
          f"{'max rel diff':>12}  result")
    for r in results:
        spark_rows = "-" if r.spark_rows is None else f"{r.spark_rows:,}"
        verdict = "equal" if r.equal else "DIFFERENT"
        print(f"  {r.name:<30} {r.duckdb_rows:>11,} {spark_rows:>10} {r.columns:>7} "
              f"{r.max_rel_diff:>12.1e}  {verdict}")
        for problem in r.problems[:5]:
            print(f"      {problem[:300]}")
    equal = sum(r.equal for r in results)
    ok = bool(results) and equal == len(results)
    print(f"{equal} of {len(results)} marts equal" + ("" if ok else " -- FAILED"))
    return ok


# -- the Spark build -------------------------------------------------------------------


def spark_environment(spark_dir: Path, validated_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ROAS_SPARK_DIR": str(spark_dir),
        "ROAS_VALIDATED_DIR": str(validated_dir),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
        "SPARK_CONF_DIR": str(project_dir() / "conf" / "spark"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",  # live progress through the pipe
    }
    if "JAVA_HOME" not in env and DEFAULT_JAVA_HOME.is_dir():
        env["JAVA_HOME"] = str(DEFAULT_JAVA_HOME)
    return env


def build_on_spark(spark_python: Path, warehouse: Path, dbt_vars: dict[str, object]) -> float:
    """dbt build --target spark into a fresh <build>/spark/; returns the seconds it took."""
    paths = build_paths(warehouse)
    spark_dir = paths.build_dir / "spark"
    shutil.rmtree(spark_dir, ignore_errors=True)
    spark_dir.mkdir(parents=True)
    target_dir, log_dir = spark_dir / "dbt" / "target", spark_dir / "dbt" / "logs"
    project = str(project_dir())
    args = [
        "build", "--target", "spark",
        "--project-dir", project, "--profiles-dir", project,
        "--target-path", str(target_dir), "--log-path", str(log_dir),
        "--vars", json.dumps(dbt_vars, sort_keys=True),
        "--log-format", "json", "--no-use-colors",
    ]
    started = time.perf_counter()
    # cwd: Spark's Derby metastore writes derby.log into the working directory
    process = subprocess.Popen(
        [str(spark_python), "-c", DBT_ENTRY, *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=spark_environment(spark_dir, paths.validated_dir), cwd=spark_dir,
    )
    assert process.stdout is not None
    errors: list[str] = []
    for line in process.stdout:
        try:
            info = json.loads(line).get("info", {})
        except ValueError:
            if line.strip():
                print(f"  {line.rstrip()}", flush=True)  # Spark / JVM output (errors only)
            continue
        msg = (info.get("msg") or "").strip()
        if info.get("level") in ("warn", "error") and msg:
            errors.append(msg)
            print(f"  {info['level']}: {msg}", flush=True)
        elif info.get("name", "").endswith(PROGRESS_EVENTS) and msg:
            print(f"  {msg}", flush=True)  # "12 of 208 OK created sql table model ..."
    returncode = process.wait()
    seconds = time.perf_counter() - started
    results_file = target_dir / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.is_file() else []
    failed = [r["unique_id"] for r in results if r["status"] in ("error", "fail", "runtime error")]
    if returncode != 0 or failed or not results:
        raise SystemExit(
            f"dbt build on Spark failed (exit {returncode}); log: {log_dir / 'dbt.log'}\n  "
            + "\n  ".join((failed or errors)[:10])
        )
    kinds = [r["unique_id"].split(".")[0] for r in results]
    print(f"dbt build on Spark: {sum(k in ('model', 'seed') for k in kinds)} models and seeds, "
          f"{sum(k in ('test', 'unit_test') for k in kinds)} tests passed in {seconds:.0f} s")
    return seconds


def _run(*command: str | Path) -> None:
    print("$ " + " ".join(map(str, command)), flush=True)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    subprocess.run([str(c) for c in command], check=True, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m roas.spark_check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    compare = sub.add_parser("compare", help="only compare a DuckDB warehouse with a Spark build")
    compare.add_argument("--duckdb", type=Path, required=True, help="the DuckDB warehouse file")
    compare.add_argument("--spark-dir", type=Path, required=True,
                         help="the Spark build folder (<warehouse>.build/spark)")
    parser.add_argument("--spark-python", type=Path, default=Path(".venv-spark/bin/python"))
    parser.add_argument("--out", type=Path, default=Path("build/spark"))
    parser.add_argument("--data", type=Path, help="raw files to use instead of the demo data")
    args = parser.parse_args(argv)

    if args.command == "compare":
        return 0 if print_comparison(compare_engines(args.duckdb, args.spark_dir)) else 1

    if not args.spark_python.is_file():
        parser.error(f"{args.spark_python} not found: run `make spark` (it creates .venv-spark)")
    java_home = os.environ.get("JAVA_HOME") or (
        str(DEFAULT_JAVA_HOME) if DEFAULT_JAVA_HOME.is_dir() else None)
    if java_home is None and shutil.which("java") is None:
        parser.error("Spark needs Java 17 or later: install it (Debian: openjdk-17-jre-headless) "
                     "or set JAVA_HOME")
    started = time.perf_counter()
    out = args.out.resolve()
    warehouse = out / "roas.duckdb"
    roas = [sys.executable, "-m", "roas.cli"]
    data = args.data
    if data is None:
        data = out / "raw"
        shutil.rmtree(data, ignore_errors=True)
        _run(*roas, "generate", "--out", data, "--seed", "42")
    _run(*roas, "run", "--data", data, "--out", out / "site", "--warehouse", warehouse)

    paths = build_paths(warehouse)
    inputs = json.loads((paths.validated_dir / "inputs.json").read_text())
    dbt_vars = RunConfig().dbt_vars(
        has_audiences=inputs["has_audiences"], tracking_has_group=inputs["tracking_has_group"]
    )
    print(f"\ndbt build --target spark (local[2]) into {paths.build_dir / 'spark'}", flush=True)
    # absolute, not resolved: the venv's python is a symlink that must stay the venv's
    spark_seconds = build_on_spark(args.spark_python.absolute(), warehouse, dbt_vars)
    ok = print_comparison(compare_engines(warehouse, paths.build_dir / "spark"))
    total = time.perf_counter() - started
    print(f"Spark dbt build {spark_seconds:.0f} s; whole check {total:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
