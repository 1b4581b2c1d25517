"""Benchmark: the pipeline's stages at 1M and 10M tracking rows, beside two baselines.

Each measured step runs in its own child process, so wall time and peak memory
(ru_maxrss of the child and the children it waited for, from os.wait4) belong to
that step alone. Results go to benchmarks/results/ as Markdown and JSON.

    python benchmarks/run.py                      # 1M and 10M rows (make bench)
    python benchmarks/run.py --sizes 100000 --out /tmp/bench   # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINES = Path(__file__).resolve().parent / "baselines.py"
STAGE_LINE = re.compile(r"✓ (?P<stage>[\w ]+?)\s+(?P<seconds>[\d.]+) s")


@dataclass
class Measurement:
    rows: int
    step: str
    seconds: float
    peak_mb: float
    detail: str = ""


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a child process; return (wall seconds, peak RSS in MB, combined output)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(env or {})}, cwd=REPO,
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{output[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, output


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = names[0] if names else cpu
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_gb, 1),
            "python": platform.python_version(), "os": platform.platform()}


def bench_size(rows: int, work: Path, roas: list[str]) -> list[Measurement]:
    root = work / f"rows_{rows}"
    shutil.rmtree(root, ignore_errors=True)
    raw, site, warehouse = root / "raw", root / "site", root / "warehouse.duckdb"
    results = []

    seconds, peak, _ = run_measured([*roas, "generate", "--out", str(raw), "--orders", str(rows)])
    results.append(Measurement(rows, "roas generate", seconds, peak))

    seconds, peak, output = run_measured(
        [*roas, "run", "--data", str(raw), "--out", str(site), "--warehouse", str(warehouse)]
    )
    for match in STAGE_LINE.finditer(output):
        results.append(Measurement(rows, f"  stage: {match['stage'].strip()}",
                                   float(match["seconds"]), float("nan")))
    results.append(Measurement(rows, "roas run (end to end)", seconds, peak))

    site_bytes = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    results.append(Measurement(rows, "site size (MB)", float("nan"), float("nan"),
                               f"{site_bytes / 2**20:.1f} MB"))

    for baseline in ("floor", "pandas"):
        seconds, peak, output = run_measured([sys.executable, str(BASELINES), baseline, str(raw)])
        results.append(Measurement(rows, f"baseline: {baseline}", seconds, peak,
                                   output.strip().splitlines()[-1] if output.strip() else ""))
    return results


def to_markdown(results: list[Measurement], info: dict[str, object]) -> str:
    def cell(value: float, unit: str) -> str:
        return "" if value != value else f"{value:,.1f} {unit}"  # NaN -> blank

    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, "
        f"Python {info['python']}",
        "",
        "| rows | step | wall time | peak memory | detail |",
        "|---:|---|---:|---:|---|",
    ]
    for m in results:
        lines.append(f"| {m.rows:,} | {m.step} | {cell(m.seconds, 's')} | "
                     f"{cell(m.peak_mb, 'MB')} | {m.detail} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench")
    args = parser.parse_args()

    roas = [str(Path(sys.executable).with_name("roas"))]
    info = machine()
    results: list[Measurement] = []
    for rows in args.sizes:
        print(f"benchmarking {rows:,} tracking rows …", flush=True)
        results.extend(bench_size(rows, args.work, roas))
    markdown = to_markdown(results, info)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.md").write_text(markdown)
    (args.out / "latest.json").write_text(json.dumps(
        {"machine": info, "results": [asdict(m) for m in results]}, indent=2, default=str
    ) + "\n")
    print(markdown)


if __name__ == "__main__":
    main()
