"""The stages of a run, in the one direction data flows: validate -> dbt build -> report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roas.config import RunConfig
from roas.dbt_docs import ship_docs
from roas.dbt_runner import run_dbt
from roas.outputs import outputs_stage
from roas.paths import BuildPaths, build_paths
from roas.progress import StageLog
from roas.warehouse import ensure_writable


@dataclass(frozen=True)
class RunResult:
    paths: BuildPaths
    index_path: Path
    pdf_path: Path | None
    stages: StageLog


def validate_stage(log: StageLog, data_dir: Path, out_dir: Path | None):
    from roas.validation import validate_folder

    with log.stage("validate") as stage:
        report = validate_folder(data_dir, out_dir, progress=stage.update)
        read = sum(f.rows_read for f in report.files.values())
        rejected = sum(f.rows_rejected for f in report.files.values())
        stage.detail = f"{read:,} rows read, {read - rejected:,} loaded, {rejected:,} rejected"
    return report


def build_stage(log: StageLog, paths: BuildPaths, dbt_vars: dict[str, object]) -> None:
    with log.stage("dbt build") as stage:
        outcome = run_dbt("build", paths, dbt_vars, on_node=stage.update)
        stage.detail = f"{outcome.models} models and seeds, {outcome.tests} tests passed"
        if outcome.warnings:
            stage.detail += f", {len(outcome.warnings)} warning(s): " + "; ".join(outcome.warnings)


def report_stage(
    log: StageLog, warehouse: Path, site_dir: Path, currency: str, pdf: bool
) -> tuple[Path, Path | None]:
    from reports import render_site

    with log.stage("report") as stage:
        site = render_site(warehouse, site_dir, currency=currency, progress=stage.update)
        ship_docs(warehouse, site_dir)  # dbt's lineage and column docs at docs/dbt/index.html
        stage.detail = f"{site.pages} pages"
    pdf_path = None
    if pdf:
        from reports.pdf import render_pdf

        with log.stage("pdf") as stage:
            pdf_path = render_pdf(site.index_path, site_dir / "report.pdf")
            stage.detail = str(pdf_path)
    return site.index_path, pdf_path


def run_pipeline(
    data_dir: Path, site_dir: Path, warehouse: Path, config: RunConfig, pdf: bool = False
) -> RunResult:
    paths = build_paths(warehouse)
    ensure_writable(paths.warehouse)
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    log = StageLog()
    report = validate_stage(log, data_dir, paths.validated_dir)
    dbt_vars = config.dbt_vars(
        has_audiences=report.has_audiences, tracking_has_group=report.tracking_has_group
    )
    build_stage(log, paths, dbt_vars)
    outputs_stage(log, paths, dbt_vars)  # dbt docs + marts as Parquet (roas/outputs.py)
    index_path, pdf_path = report_stage(log, paths.warehouse, site_dir, config.currency, pdf)
    return RunResult(paths, index_path, pdf_path, log)
