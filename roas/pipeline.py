"""The stages of a run, in the one direction data flows: validate -> dbt build -> report.

Nothing published is ever half-written (docs/robustness.md):

* one run per warehouse: `<warehouse>.lock` (roas.lock), released by the OS even on SIGKILL;
* validation writes a folder of its own, `<build>/validated.<run id>/`;
* dbt builds `<build>/building.duckdb` from it (an incremental run starts that file
  as a copy of the published warehouse, roas.incremental); only after `dbt build` passed is that
  file sealed and renamed onto the warehouse (roas.warehouse), then `<build>/validated`
  (a symlink) is pointed at the run's folder and older folders are deleted;
* the site is rendered into `<site>.tmp-<pid>/` and swapped in complete (roas.publish).

A run killed at any point leaves the previous warehouse and site as they were; the
next run removes what the killed one left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

from roas import rerun
from roas.config import RunConfig
from roas.dbt_docs import SITE_PATH, docs_html
from roas.dbt_runner import record_unit_tests_passed, run_dbt, unit_tests_passed
from roas.errors import OutputRefused
from roas.incremental import (
    BuildPlan,
    BuildState,
    current_state,
    plan_build,
    record_state,
    start_from,
)
from roas.outputs import docs_stage, export_beside
from roas.paths import BuildPaths, build_paths
from roas.progress import StageLog
from roas.publish import (
    clean_leftovers,
    make_staging,
    publish_site,
    remove_tree,
    site_target,
    staging_path,
)
from roas.warehouse import (
    ensure_writable,
    publish_warehouse,
    referenced_text,
    remove_database,
    seal,
)


@dataclass(frozen=True)
class RunResult:
    paths: BuildPaths
    index_path: Path
    pdf_path: Path | None
    stages: StageLog


def validate_stage(
    log: StageLog, data_dir: Path, out_dir: Path | None, max_reject_share: float | None = None
):
    from roas.validation import validate_folder

    with log.stage("validate") as stage:
        report = validate_folder(
            data_dir, out_dir, progress=stage.update, max_reject_share=max_reject_share
        )
        read = sum(f.rows_read for f in report.files.values())
        rejected = sum(f.rows_rejected for f in report.files.values())
        stage.detail = f"{read:,} rows read, {read - rejected:,} loaded, {rejected:,} rejected"
    return report


def build_stage(
    log: StageLog,
    paths: BuildPaths,
    dbt_vars: dict[str, object],
    state: BuildState,
    *,
    warehouse: Path | None = None,
    validated_dir: Path | None = None,
    plan: BuildPlan | None = None,
) -> None:
    command = "build"
    project = state.project
    # The unit tests test the SQL with fixed inputs, not the data: once they passed for this
    # project (its fingerprint: models, macros, tests, dbt and DuckDB versions) on this
    # machine, or in the build an incremental one continues, they cannot fail again.
    units_passed = (plan is not None and plan.incremental) or unit_tests_passed(project)
    if units_passed:
        command = "build --exclude-resource-type unit_test"
    with log.stage("dbt build") as stage:
        outcome = run_dbt(
            command, paths, dbt_vars, on_node=stage.update,
            warehouse=warehouse, validated_dir=validated_dir,
        )
        if not units_passed:
            record_unit_tests_passed(project)
        stage.detail = f"{outcome.models} models and seeds, {outcome.tests} tests passed"
        if units_passed:
            stage.detail += " (unit tests passed before for this project)"
        if plan is not None:
            stage.detail = f"{plan.reason}: {stage.detail}"
        if outcome.warnings:
            stage.detail += f", {len(outcome.warnings)} warning(s): " + "; ".join(outcome.warnings)


@dataclass(frozen=True)
class ReportOptions:
    """How the outputs for readers are written: the site, its PDF, the one-file summary."""

    currency: str = RunConfig.currency
    pdf: bool = False
    pages_dir: Path | None = None
    summary: Path | None = None  # the one-file summary, when asked for
    site_url: str | None = None  # where the site is published (the summary links to it)
    stale_after: int = 7  # days after the latest order date when the data are stale
    as_of: dt.date | None = None  # judge staleness on this day instead of when viewed


def report_stage(
    log: StageLog, warehouse: Path, site_dir: Path, options: ReportOptions,
) -> tuple[Path, Path | None]:
    """Render the site into a temporary folder beside site_dir, then swap it in complete;
    then the summary file, when asked for."""
    currency, pdf, pages_dir = options.currency, options.pdf, options.pages_dir
    paths = build_paths(warehouse)
    rerun.forget(paths)  # the site changes: a later run must not take it as its own
    site = site_target(site_dir, keep_clear_of=[paths.warehouse, paths.build_dir])
    clean_leftovers(site)
    tmp = staging_path(site)
    try:
        make_staging(tmp)
        from reports import Attachment, render_site

        with log.stage("report") as stage:
            # dbt's own lineage and column docs page, handed over as dbt wrote it
            docs = Attachment(SITE_PATH.as_posix(), "Lineage & column docs (dbt)",
                              docs_html(paths.warehouse))
            rendered = render_site(paths.warehouse, tmp, currency=currency,
                                   progress=stage.update, pages_dir=pages_dir,
                                   attachments=[docs], stale_after=options.stale_after,
                                   as_of=options.as_of)
            stage.detail = f"{rendered.pages} pages"
        if pdf:
            from reports.pdf import render_pdf

            with log.stage("pdf") as stage:
                render_pdf(tmp / "index.html", tmp / "report.pdf")
                stage.detail = str(site / "report.pdf")
        publish_site(tmp, site)
    except BaseException:
        remove_tree(tmp)
        raise
    if options.summary is not None:
        summary_stage(log, paths.warehouse, options)
    return site / "index.html", (site / "report.pdf" if pdf else None)


def summary_stage(log: StageLog, warehouse: Path, options: ReportOptions) -> None:
    from reports.render import default_pages_dir
    from reports.summary import render_summary

    assert options.summary is not None
    with log.stage("summary") as stage:
        result = render_summary(
            warehouse, options.summary, options.pages_dir or default_pages_dir(),
            currency=options.currency, site_url=options.site_url,
            stale_after=options.stale_after, as_of=options.as_of)
        stage.detail = f"{result.path} ({result.bytes / 1024:,.0f} KB, one file)"


def run_pipeline(
    data_dir: Path, site_dir: Path, warehouse: Path, config: RunConfig,
    options: ReportOptions | None = None, full_refresh: bool = False,
) -> RunResult:
    options = options or ReportOptions(currency=config.currency)
    pdf, pages_dir = options.pdf, options.pages_dir
    paths = build_paths(warehouse)
    # refuse a bad --out before any work (and before taking the lock)
    site = site_target(site_dir, keep_clear_of=[data_dir, paths.warehouse, paths.build_dir])
    try:
        paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputRefused(
            f"--warehouse {warehouse}: cannot create its folder ({exc.strerror or exc}); "
            "choose a path in a folder you can write"
        ) from None
    from roas.lock import RunLock

    log = StageLog()
    with RunLock(paths.lock_file, "roas run", paths.warehouse):
        ensure_writable(paths.warehouse)
        clean_build_leftovers(paths)
        paths.build_dir.mkdir(parents=True, exist_ok=True)
        with log.stage("inputs") as stage:
            digest = rerun.fingerprint(data_dir, site, paths.warehouse, config,
                                       pages_dir=pages_dir, options=repr(options))
            reuse = not full_refresh and rerun.unchanged(paths, site, digest, options.summary)
            stage.detail = ("unchanged since the last run: warehouse and site reused "
                            "(--full-refresh rebuilds)" if reuse else "changed: building")
        if reuse:
            pdf_path = site / "report.pdf" if pdf else None
            return RunResult(paths, site / "index.html", pdf_path, log)
        rerun.forget(paths)
        run_dir = paths.validated_run_dir(f"{os.getpid()}-{time.time_ns():x}")
        new_warehouse = paths.new_warehouse
        remove_database(new_warehouse)  # a killed run left it
        published = False
        try:
            report = validate_stage(log, data_dir, run_dir, config.max_reject_share)
            dbt_vars = config.dbt_vars(
                has_audiences=report.has_audiences, tracking_has_group=report.tracking_has_group
            )
            state = current_state(dbt_vars)
            plan = plan_build(paths.warehouse, state, full_refresh)
            if plan.incremental:
                start_from(paths.warehouse, new_warehouse)
            build_stage(log, paths, dbt_vars, state, warehouse=new_warehouse,
                        validated_dir=run_dir, plan=plan)
            docs_stage(log, paths, dbt_vars, state, warehouse=new_warehouse,
                       validated_dir=run_dir)
            record_state(new_warehouse, state)
            seal(new_warehouse)
            publish_warehouse(new_warehouse, paths.warehouse)
            published = True
            point_validated(paths, run_dir)
        except BaseException:
            remove_database(new_warehouse)
            if not published:
                remove_tree(run_dir)
            raise
        # the public marts as Parquet, for any SQL client, exported beside the report
        with export_beside(log, paths.warehouse):
            index_path, pdf_path = report_stage(log, paths.warehouse, site, options)
        rerun.record(paths, site, digest, options.summary)
    return RunResult(paths, index_path, pdf_path, log)


def clean_build_leftovers(paths: BuildPaths) -> None:
    """What killed runs left: temporary warehouses, validated folders nothing reads.

    Called with the run lock held, so no other run of this warehouse is alive.
    A validated folder is kept when the published warehouse's views read it or
    `validated` points at it.
    """
    clean_leftovers(paths.warehouse)
    if not paths.build_dir.is_dir():
        return
    keep = {_link_target(paths.validated_dir)}
    views = referenced_text(paths.warehouse)
    for folder in paths.build_dir.glob("validated.*"):
        if folder.name in keep or f"{folder.name}/" in views:
            continue
        remove_tree(folder)


def point_validated(paths: BuildPaths, run_dir: Path) -> None:
    """`<build>/validated` -> the published run's folder; delete the folders before it."""
    link = paths.validated_dir
    tmp_link = link.with_name(f"validated.link-{os.getpid()}")
    with contextlib.suppress(OSError):  # no symlinks here: the run folder is still complete
        remove_tree(tmp_link)
        os.symlink(run_dir.name, tmp_link)
        if link.exists() and not link.is_symlink():
            remove_tree(link)  # a real folder written by an older version of roas
        os.replace(tmp_link, link)
    for folder in paths.build_dir.glob("validated.*"):
        if folder != run_dir:
            remove_tree(folder)


def _link_target(link: Path) -> str | None:
    try:
        return os.readlink(link)
    except OSError:
        return None
