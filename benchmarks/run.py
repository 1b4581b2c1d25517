"""Benchmark: the pipeline at 1M and 10M tracking rows, beside two baselines (make bench).

Per size, on the project's generated data:
* `roas generate`;
* `roas run` end to end on the CSV files (with its stage times), the site's size;
* `roas run` on the same data as Parquet files (the contract's columns);
* incremental: `roas run` on the data without its last day, then the day appended to
  tracking_data.csv and `roas run` again; its marts are compared with the full build's;
* the baselines on the same files (benchmarks/baselines.py): the DuckDB floor and the
  seeds' pandas way.

Each measured step runs in its own child process, so wall time and peak memory (ru_maxrss
of the child and of the children it waited for, from os.wait4) belong to that step alone.
Results go to benchmarks/results/ as Markdown and JSON, with the targets of the scale
issue judged on the largest size.

    python benchmarks/run.py                                   # 1M and 10M rows
    python benchmarks/run.py --sizes 100000 --out /tmp/bench   # the smoke run of make test
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[1]
BASELINES = Path(__file__).resolve().parent / "baselines.py"
# validated_at pinned, so that runs on identical data give identical marts
FIXED_EPOCH = "1767225600"
STAGE_LINE = re.compile(r"✓ (?P<stage>[\w ]+?)\s+(?P<seconds>[\d.]+) s\s+(?P<detail>.*)")
RAW_FILES = ("influencers", "posts", "tracking_data", "payouts", "audiences")


@dataclass
class Step:
    """One measured child process."""

    seconds: float
    peak_mb: float
    stages: dict[str, float] = field(default_factory=dict)
    detail: str = ""
    build_plan: str = ""  # the dbt build stage line's first words: full or incremental, and why


@dataclass
class SizeResult:
    rows: int
    steps: dict[str, Step] = field(default_factory=dict)
    site_mb: float = 0.0
    marts_identical: dict[str, str] = field(default_factory=dict)


def run_measured(command: list[str]) -> Step:
    """Run a child process; fail loudly with its output if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=REPO, env={**os.environ, "NO_COLOR": "1",
                                                      "SOURCE_DATE_EPOCH": FIXED_EPOCH})
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{output[-3000:]}")
    matches = list(STAGE_LINE.finditer(output))
    stages = {m["stage"].strip(): float(m["seconds"]) for m in matches}
    plan = next((m["detail"].split(":")[0] for m in matches if m["stage"].strip() == "dbt build"),
                "")
    lines = output.strip().splitlines()
    return Step(seconds, usage.ru_maxrss / 1024, stages, lines[-1] if lines else "", plan)


def in_child(function: Callable[..., Any], *args: Any) -> Any:
    """Run a helper (file conversion, mart comparison) in a fresh process.

    A forked child inherits the parent's peak RSS, so if this process grew (DuckDB
    comparing 10M-row marts), every later step would report at least that peak.
    """
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def quiet_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory connection without DuckDB's progress bar (it would fill the log)."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    return con


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = names[0] if names else cpu
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_gb, 1),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "os": platform.platform()}


def to_parquet(raw: Path, out: Path) -> None:
    """The raw CSVs as Parquet files with the same columns (typed as a user's export would be)."""
    out.mkdir(parents=True, exist_ok=True)
    con = quiet_duckdb()
    for name in RAW_FILES:
        source = raw / f"{name}.csv"
        if source.exists():
            con.execute(f"copy (select * from read_csv('{source}')) "
                        f"to '{out / f'{name}.parquet'}' (format parquet)")


def split_last_day(raw: Path, before: Path) -> bytes:
    """Copy raw to before/ without the last day's orders; return that day's CSV lines.

    The generator writes tracking rows in date order, so the last day is the file's tail;
    every tail line is checked to carry the last date (and none before it does).
    """
    before.mkdir(parents=True, exist_ok=True)
    for item in raw.iterdir():
        if item.is_file() and item.name != "tracking_data.csv":
            shutil.copy2(item, before / item.name)
    tracking = raw / "tracking_data.csv"
    last_date, day_rows = quiet_duckdb().execute(
        f"select max(date)::varchar, count(*) filter (where date = (select max(date) "
        f"from read_csv('{tracking}'))) from read_csv('{tracking}')"
    ).fetchall()[0]
    size = tracking.stat().st_size
    with tracking.open("rb") as handle:
        chunk, start = b"", size
        while chunk.count(b"\n") <= day_rows + 1 and start > 0:  # +1: the final newline
            start = max(0, start - (1 << 22))
            handle.seek(start)
            chunk = handle.read(size - start)
    lines = chunk.splitlines(keepends=True)
    tail, head_last = lines[-day_rows:], lines[-day_rows - 1]
    header = tracking.open(encoding="utf-8").readline()
    date_at = next(csv.reader([header])).index("date")
    tail_dates = {row[date_at] for row in csv.reader(io.StringIO(b"".join(tail).decode()))}
    before_date = next(csv.reader([head_last.decode()]))[date_at]
    if tail_dates != {last_date} or before_date >= last_date:
        raise SystemExit(f"{tracking}: the last day is not the file's tail; cannot split it")
    day = b"".join(tail)
    with tracking.open("rb") as source, (before / tracking.name).open("wb") as target:
        remaining = size - len(day)
        while remaining:
            block = source.read(min(remaining, 1 << 24))
            target.write(block)
            remaining -= len(block)
    return day


def marts_identical(a: Path, b: Path, same_input: bool = True) -> str:
    """Compare the exported public marts (Parquet) of two warehouses, row for row.

    Across input formats (same_input=False) the data-quality marts (file names, formats,
    the checks each format needs) and line numbers (a CSV's physical lines, a Parquet
    file's rows) legitimately differ.
    """
    con = quiet_duckdb()
    differing = []
    names = sorted(p.name for p in a.glob("*.parquet"))
    for name in names:
        if not same_input and name in ("mart_data_quality.parquet",
                                        "validation_results.parquet"):
            continue
        columns = "* exclude (line_number)" if not same_input and "line_number" in {
            row[0] for row in con.execute(f"describe select * from '{a / name}'").fetchall()
        } else "*"
        left, right = (f"select {columns} from '{path / name}'" for path in (a, b))
        diff = con.execute(
            f"select (select count(*) from ({left} except all {right})) "
            f"+ (select count(*) from ({right} except all {left}))"
        ).fetchall()[0][0]
        if diff:
            differing.append(f"{name.removesuffix('.parquet')} ({diff:,} rows)")
    return "identical" if not differing else "differ: " + ", ".join(differing)


def site_mb(site: Path) -> float:
    return sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 2**20


def bench_size(rows: int, work: Path, roas: str) -> SizeResult:
    root = work / f"rows_{rows}"
    shutil.rmtree(root, ignore_errors=True)
    raw, result = root / "raw", SizeResult(rows)

    def run(label: str, data: Path, name: str) -> Step:
        step = run_measured([roas, "run", "--data", str(data), "--out", str(root / name / "site"),
                             "--warehouse", str(root / name / "roas.duckdb")])
        result.steps[label] = step
        return step

    print(f"  generate {rows:,} rows", flush=True)
    result.steps["roas generate"] = run_measured([roas, "generate", "--out", str(raw),
                                                  "--orders", str(rows)])
    print("  roas run (CSV)", flush=True)
    run("roas run", raw, "full")
    result.site_mb = site_mb(root / "full" / "site")

    print("  roas run (Parquet input)", flush=True)
    in_child(to_parquet, raw, root / "raw_parquet")
    run("roas run, Parquet input", root / "raw_parquet", "parquet")
    result.marts_identical["Parquet input vs CSV"] = in_child(
        marts_identical, root / "full" / "roas.marts", root / "parquet" / "roas.marts", False)

    print("  incremental: all but the last day, then the day appended", flush=True)
    day = in_child(split_last_day, raw, root / "raw_incremental")
    run("roas run, all but the last day", root / "raw_incremental", "incremental")
    with (root / "raw_incremental" / "tracking_data.csv").open("ab") as handle:
        handle.write(day)
    run("roas run after appending a day", root / "raw_incremental", "incremental")
    result.marts_identical["appended day vs full build"] = in_child(
        marts_identical, root / "full" / "roas.marts", root / "incremental" / "roas.marts")

    for baseline in ("floor", "pandas"):
        print(f"  baseline: {baseline}", flush=True)
        result.steps[f"baseline: {baseline}"] = run_measured(
            [sys.executable, str(BASELINES), baseline, str(raw),
             "--dump", str(root / f"baseline_{baseline}.csv")])
    return result


def bench_demo(work: Path, roas: str) -> SizeResult:
    """The demo (seed 42): a first run into a new warehouse and site, then an unchanged
    rerun, beside the pandas script as a whole process."""
    root = work / "demo"
    shutil.rmtree(root, ignore_errors=True)
    raw, result = root / "raw", SizeResult(0)
    print("benchmarking the demo …", flush=True)
    result.steps["roas generate"] = run_measured([roas, "generate", "--out", str(raw),
                                                  "--seed", "42"])
    for label in ("roas run, first", "roas run, unchanged rerun"):
        print(f"  {label}", flush=True)
        result.steps[label] = run_measured([
            roas, "run", "--data", str(raw), "--out", str(root / "site"),
            "--warehouse", str(root / "roas.duckdb")])
    result.site_mb = site_mb(root / "site")
    print("  baseline: pandas", flush=True)
    result.steps["baseline: pandas"] = run_measured(
        [sys.executable, str(BASELINES), "pandas", str(raw)])
    return result


def demo_targets(demo: SizeResult) -> list[tuple[str, str, str]]:
    s = demo.steps
    pandas = s["baseline: pandas"].seconds
    first, again = s["roas run, first"].seconds, s["roas run, unchanged rerun"].seconds
    return [
        ("demo: first roas run ≤ 12× pandas", f"{first:.1f} s vs {pandas:.2f} s "
         f"({first / pandas:.1f}×)", verdict(first, 12 * pandas)),
        ("demo: unchanged rerun ≤ 4× pandas", f"{again:.2f} s vs {pandas:.2f} s "
         f"({again / pandas:.1f}×)", verdict(again, 4 * pandas)),
    ]


def verdict(value: float, limit: float, unit: str = "s") -> str:
    if value <= limit:
        return "met"
    return f"missed by {value - limit:,.1f} {unit} ({value / limit:.1f}×)"


def targets(results: list[SizeResult]) -> list[tuple[str, str, str]]:
    """The scale issue's targets, judged on the largest size."""
    big = results[-1]
    s = big.steps
    gen, run, floor, pandas = (s["roas generate"], s["roas run"], s["baseline: floor"],
                               s["baseline: pandas"])
    full_dbt = run.stages.get("dbt build", float("nan"))
    inc_dbt = s["roas run after appending a day"].stages.get("dbt build", float("nan"))
    csv_validate = run.stages.get("validate", float("nan"))
    pq_validate = s["roas run, Parquet input"].stages.get("validate", float("nan"))
    rows = [
        ("generate < 45 s", f"{gen.seconds:.1f} s", verdict(gen.seconds, 45)),
        ("generate < 2 GB peak", f"{gen.peak_mb / 1024:.2f} GB",
         verdict(gen.peak_mb / 1024, 2, "GB")),
        ("roas run < 60 s", f"{run.seconds:.1f} s", verdict(run.seconds, 60)),
        ("roas run ≤ 2.0× pandas baseline", f"{run.seconds:.1f} s vs {pandas.seconds:.1f} s "
         f"({run.seconds / pandas.seconds:.1f}×)", verdict(run.seconds, 2 * pandas.seconds)),
        ("roas run ≤ 6× DuckDB floor", f"{run.seconds:.1f} s vs {floor.seconds:.1f} s "
         f"({run.seconds / floor.seconds:.1f}×)", verdict(run.seconds, 6 * floor.seconds)),
        ("roas run ≤ 4 GB peak", f"{run.peak_mb / 1024:.2f} GB",
         verdict(run.peak_mb / 1024, 4, "GB")),
        ("site ≤ 12 MB", f"{big.site_mb:.1f} MB", verdict(big.site_mb, 12, "MB")),
        ("appended day: dbt build < 25% of full", f"{inc_dbt:.1f} s vs {full_dbt:.1f} s "
         f"({inc_dbt / full_dbt:.0%})", verdict(inc_dbt, 0.25 * full_dbt)),
        ("appended day: marts identical to full build",
         big.marts_identical["appended day vs full build"],
         "met" if big.marts_identical["appended day vs full build"] == "identical" else "missed"),
        ("Parquet input validates faster than CSV", f"{pq_validate:.1f} s vs {csv_validate:.1f} s",
         verdict(pq_validate, csv_validate)),
    ]
    if len(results) > 1:
        small = results[0]
        render = [r.steps["roas run"].stages.get("report", float("nan")) for r in results]
        size_growth, render_growth = big.site_mb / small.site_mb - 1, render[-1] / render[0] - 1
        rows.append((
            "report size and render time do not grow with orders",
            f"{small.site_mb:.1f} → {big.site_mb:.1f} MB ({size_growth:+.0%}), "
            f"{render[0]:.1f} → {render[-1]:.1f} s ({render_growth:+.0%}) for "
            f"{big.rows / small.rows:.0f}× the orders",
            "met" if size_growth <= 0.05 and render_growth <= 0.25 else
            f"missed: size {size_growth:+.0%}, render {render_growth:+.0%}",
        ))
    return rows


def to_markdown(results: list[SizeResult], info: dict[str, object],
                demo: SizeResult | None = None) -> str:
    def mb(step: Step) -> str:
        return f"{step.peak_mb:,.0f} MB"

    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, "
        f"Python {info['python']}, DuckDB {info['duckdb']}",
        "",
        "| rows | step | wall time | peak memory | stages / detail |",
        "|---:|---|---:|---:|---|",
    ]
    for result in ([demo] if demo else []) + results:
        for label, step in result.steps.items():
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in step.stages.items())
            if step.build_plan:
                stages += f" ({step.build_plan})"
            rows = f"{result.rows:,}" if result.rows else "demo"
            lines.append(f"| {rows} | {label} | {step.seconds:,.2f} s | {mb(step)} | "
                         f"{stages or step.detail} |")
        rows = f"{result.rows:,}" if result.rows else "demo"
        lines.append(f"| {rows} | site size | | | {result.site_mb:.1f} MB |")
        for label, outcome in result.marts_identical.items():
            lines.append(f"| {result.rows:,} | marts: {label} | | | {outcome} |")
    lines += ["", f"Targets at {results[-1].rows:,} tracking rows:", "",
              "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {name} | {measured} | {verdict_} |"
              for name, measured, verdict_ in [*(demo_targets(demo) if demo else []),
                                               *targets(results)]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench")
    parser.add_argument("--no-demo", action="store_true",
                        help="skip the demo's first run and unchanged rerun")
    args = parser.parse_args()

    roas = str(Path(sys.executable).with_name("roas"))
    info = machine()
    demo = None if args.no_demo else bench_demo(args.work.resolve(), roas)
    results = []
    for rows in args.sizes:
        print(f"benchmarking {rows:,} tracking rows …", flush=True)
        results.append(bench_size(rows, args.work.resolve(), roas))
    markdown = to_markdown(results, info, demo)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.md").write_text(markdown)
    (args.out / "latest.json").write_text(json.dumps(
        {"machine": info, "demo": asdict(demo) if demo else None,
         "results": [asdict(r) for r in results],
         "targets": [dict(zip(("target", "measured", "verdict"), t, strict=True))
                     for t in [*(demo_targets(demo) if demo else []), *targets(results)]]},
        indent=2, default=str) + "\n")
    print(markdown)


if __name__ == "__main__":
    main()
