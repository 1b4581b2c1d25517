"""Benchmark of the static report: render time, site size, page load and filter updates.

    .venv/bin/python benchmarks/report_bench.py                      # the demo warehouse
    .venv/bin/python benchmarks/report_bench.py --warehouse W.duckdb --runs 5
    .venv/bin/python benchmarks/report_bench.py --scaling            # + orders vs influencers

Measures, and prints as a table:
* render: `render_site` of the warehouse, every page included (median of --runs);
* size: the site's bytes (sum of file sizes; and on disk, in 4 KiB blocks);
* index load in headless Chromium (Debian's, file://): when the KPI tiles and tables are
  shown, and when every chart is drawn (ms since navigation start; median of fresh tabs);
* filter update: from a filter change to the page fully updated (performance.now() in
  the page), per filter, median and max over --runs;
* --scaling: the pipeline on generated data with 4x the orders, and with 2x the
  influencers: site size and render time follow influencers and days, not orders.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reports import render_site  # noqa: E402
from reports.pdf import CHROMIUM_ARGS, chromium_path  # noqa: E402

BUDGETS = {"render_s": 10.0, "size_mb": 12.0, "index_ms": 1500.0, "update_ms": 200.0}


def site_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    apparent = sum(p.stat().st_size for p in files)
    on_disk = sum(p.stat().st_blocks * 512 for p in files)
    return apparent, on_disk


def bench_render(warehouse: Path, runs: int) -> tuple[list[float], Path, int]:
    times = []
    out = Path(tempfile.mkdtemp(prefix="report-bench-"))
    result = None
    for n in range(runs):
        target = out / f"site{n}"
        started = time.perf_counter()
        result = render_site(warehouse, target)
        times.append(time.perf_counter() - started)
    assert result is not None
    return times, result.out_dir, result.pages


FILTERS_JS = """async (filters) => {
  const out = {};
  for (const [name, change] of filters) {
    await window.ROAS.reset();
    await window.ROAS.setFilters(change);
    out[name] = window.ROAS.lastUpdateMs;
  }
  await window.ROAS.reset();
  return out;
}"""


def bench_browser(site: Path, warehouse: Path, runs: int) -> dict:
    import duckdb
    from playwright.sync_api import sync_playwright

    con = duckdb.connect(str(warehouse), read_only=True)
    pick = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    first, last = con.execute("select min(date), max(date) from mart_daily_performance"
                              ).fetchone()
    span = (last - first).days
    filters = [
        ("campaign", {"campaign": [pick("select campaign from mart_campaign_performance "
                                        "order by attributed_revenue desc limit 1")]}),
        ("platform", {"platform": [pick("select platform from mart_influencer_performance "
                                        "group by 1 order by count(*) desc limit 1")]}),
        ("influencer type", {"influencer_type": ["micro"]}),
        ("brand", {"brand": [pick("select brand from mart_daily_performance group by 1 "
                                  "order by sum(attributed_revenue) desc limit 1")]}),
        ("product", {"product": [pick("select product from mart_daily_performance group by 1 "
                                      "order by sum(attributed_revenue) desc limit 1")]}),
        ("date range", {"from": str(first.fromordinal(first.toordinal() + span // 3)),
                        "to": str(first.fromordinal(first.toordinal() + 2 * span // 3))}),
    ]
    con.close()
    loads: dict[str, list[float]] = {"content": [], "charts": []}
    updates: dict[str, list[float]] = {name: [] for name, _ in filters}
    pages: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto((site / "index.html").resolve().as_uri())
            page.wait_for_selector("html[data-ready]", timeout=60_000)
            content, charts = page.evaluate("() => [window.ROAS.contentAt, window.ROAS.readyAt]")
            loads["content"].append(content)
            loads["charts"].append(charts)
            for name, ms in page.evaluate(FILTERS_JS, filters).items():
                updates[name].append(ms)
            page.close()
        for rel in ("campaigns/index.html", "influencers/index.html", "influencers/1.html",
                    "personas.html", "engagement.html", "payouts.html", "incrementality.html"):
            if not (site / rel).is_file():
                continue
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto((site / rel).resolve().as_uri())
            page.wait_for_selector("html[data-ready]", timeout=60_000)
            pages[rel] = page.evaluate("() => [window.ROAS.contentAt, window.ROAS.readyAt]")
            page.close()
        browser.close()
    return {"loads": loads, "updates": updates, "pages": pages}


def run(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(REPO / ".venv" / "bin" / "roas"), *args], check=True, cwd=REPO,
                   capture_output=True, env={**os.environ, **(env or {})})


def bench_scaling(runs: int) -> list[tuple[str, int, int, int, float, int]]:
    """The pipeline on generated programmes of different orders and influencers."""
    rows = []
    root = Path(tempfile.mkdtemp(prefix="report-scaling-"))
    for label, orders, influencers in (("demo", 15_000, 500), ("4x orders", 60_000, 500),
                                       ("2x influencers", 15_000, 1000)):
        data = root / label.replace(" ", "-") / "raw"
        run("generate", "--out", str(data), "--seed", "42", "--orders", str(orders),
            "--influencers", str(influencers))
        warehouse = data.parent / "w.duckdb"
        run("run", "--data", str(data), "--out", str(data.parent / "site"), "--warehouse",
            str(warehouse))
        times, site, pages = bench_render(warehouse, runs)
        import duckdb

        con = duckdb.connect(str(warehouse), read_only=True)
        n_orders = con.execute("select count(*) from fct_orders").fetchone()[0]
        con.close()
        rows.append((label, n_orders, influencers, pages, statistics.median(times),
                     site_size(site)[0]))
    shutil.rmtree(root, ignore_errors=True)
    return rows


def table(rows: list[tuple[str, str, str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, default=REPO / "build/demo/roas.duckdb")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the measures as JSON")
    args = parser.parse_args()
    if not args.warehouse.is_file():
        print(f"no warehouse at {args.warehouse}: run `make demo` first", file=sys.stderr)
        return 2
    times, site, pages = bench_render(args.warehouse, args.runs)
    apparent, on_disk = site_size(site)
    browser = bench_browser(site, args.warehouse, args.runs)
    med = statistics.median
    rows = [("measure", "value", "budget"),
            ("render, all pages", f"{med(times):.2f} s ({pages} pages; min {min(times):.2f})",
             f"< {BUDGETS['render_s']:.0f} s"),
            ("site size", f"{apparent / 2**20:.2f} MB ({on_disk / 2**20:.2f} MB on disk)",
             f"< {BUDGETS['size_mb']:.0f} MB"),
            ("index: tiles and tables", f"{med(browser['loads']['content']):.0f} ms",
             f"< {BUDGETS['index_ms']:.0f} ms"),
            ("index: all charts drawn", f"{med(browser['loads']['charts']):.0f} ms", "")]
    for name, values in browser["updates"].items():
        rows.append((f"filter update: {name}",
                     f"{med(values):.0f} ms (max {max(values):.0f})",
                     f"< {BUDGETS['update_ms']:.0f} ms"))
    for rel, (content, charts) in browser["pages"].items():
        rows.append((f"page {rel}", f"{content:.0f} ms tiles, {charts:.0f} ms charts", ""))
    print(f"warehouse {args.warehouse}; site {site}; CPUs {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}")
    print(table(rows))
    result = {"render_s": times, "pages": pages, "size_bytes": apparent,
              "size_on_disk": on_disk, **browser}
    if args.scaling:
        scaling = bench_scaling(args.runs)
        print()
        print(table([("programme", "orders / influencers / pages", "render, size")] + [
            (label, f"{orders:,} / {inf:,} / {n}", f"{t:.2f} s, {size / 2**20:.2f} MB")
            for label, orders, inf, n, t, size in scaling]))
        result["scaling"] = scaling
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    shutil.rmtree(site.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
