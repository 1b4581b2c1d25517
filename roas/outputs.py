"""What a run publishes besides the warehouse: dbt's docs and the marts as Parquet.

Called by roas.pipeline, one stage each:
  dbt docs  -> <build>/dbt/target/static_index.html, generated against the warehouse
               being built (before it is published); the report stage ships it in the site
  export    -> <warehouse dir>/<warehouse stem>.marts/*.parquet + _manifest.json, from the
               published warehouse; in a run, beside the report (export_beside)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from roas.dbt_docs import generate_docs
from roas.export import ExportResult, export_marts
from roas.incremental import BuildState
from roas.paths import BuildPaths
from roas.progress import StageLog


def docs_stage(
    log: StageLog,
    paths: BuildPaths,
    dbt_vars: dict[str, object],
    state: BuildState,
    *,
    warehouse: Path | None = None,
    validated_dir: Path | None = None,
) -> None:
    with log.stage("dbt docs") as stage:
        page, regenerated = generate_docs(paths, dbt_vars, state, warehouse=warehouse,
                                          validated_dir=validated_dir)
        stage.detail = (str(page.name) if regenerated else
                        f"{page.name} reused (same project, vars and schema)")


def export_stage(log: StageLog, warehouse: Path) -> None:
    with log.stage("export") as stage:
        stage.detail = _described(export_marts(warehouse))


def _described(result: ExportResult) -> str:
    return f"{len(result.manifest)} marts, {result.rows:,} rows -> {result.folder.name}/"


def _timed_export(warehouse: Path) -> tuple[ExportResult, float]:
    started = time.perf_counter()
    return export_marts(warehouse), time.perf_counter() - started


@contextmanager
def export_beside(log: StageLog, warehouse: Path) -> Iterator[None]:
    """Export the public marts in a thread while the block runs (the report stage): the
    export is DuckDB's COPY, which leaves the GIL, so the two share the cores instead of
    taking turns (seconds at 10M orders). Its stage line follows the block's. An error of
    the block wins; the export's own is raised after a block that succeeded. An interrupt
    waits for the export to end first, so that its staging folder is removed with it."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roas-export")
    try:  # submitted inside: an interrupt right after still waits for the export
        future = pool.submit(_timed_export, warehouse)
        yield
    finally:
        interrupted = False
        while True:
            try:
                pool.shutdown(wait=True)
                break
            except KeyboardInterrupt:
                interrupted = True
        if interrupted:
            raise KeyboardInterrupt
    result, seconds = future.result()  # the export's own error, if any
    log.record("export", seconds, _described(result))
