"""The `roas` command: generate, validate, run, plan, report, summary.

Exit codes: 0 success, 1 input refused or build failed, 2 usage error.
A failure is one clear message on stderr, never a traceback (set ROAS_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from roas.config import RunConfig, check_plan_options
from roas.errors import RoasError, UsageError
from roas.progress import StageLog, console


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more, got {value}")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _share(text: str) -> float:
    value = _number(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


MAX_REJECT_SHARE_HELP = (
    "refuse the run when more than this share of a file's rows is rejected "
    "(default 0.05 = 5%%; 1 never refuses)"
)


def _lift_range(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH (e.g. 0.10,0.50), got {text!r}")
    low, high = (_number(part.strip()) for part in parts)
    if not -1.0 < low <= high:
        raise argparse.ArgumentTypeError(f"expected -1 < LOW <= HIGH, got {text!r}")
    return low, high


def version_text() -> str:
    """`roas --version`: this package and the engines it runs, as installed."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for label, package in (("roas", "influencer-roas"), ("dbt-core", "dbt-core"),
                           ("dbt-duckdb", "dbt-duckdb"), ("duckdb", "duckdb")):
        try:
            found.append(f"{label} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{label} (not installed)")
    return ", ".join(found)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roas",
        description="Measure influencer marketing: ROAS, incremental ROAS, personas, payouts.",
    )
    parser.add_argument("--version", action="version", version=version_text(),
                        help="show the versions of roas, dbt and DuckDB, and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="write a simulated programme's raw files")
    generate.add_argument("--out", type=Path, required=True, help="folder for the raw files")
    generate.add_argument("--seed", type=_non_negative_int, default=42)
    generate.add_argument("--orders", type=_positive_int, default=None,
                          help="about this many tracking rows (default: demo size, ~15,000)")
    generate.add_argument("--influencers", type=_positive_int, default=500)
    generate.add_argument("--end-date", type=_date, default=None, metavar="YYYY-MM-DD",
                          help="move the programme so that its last campaign ends that day "
                               "(default: the generator's fixed calendar)")
    generate.add_argument("--truth-dir", type=Path, default=None,
                          help="where the planted truth goes (default: <out>_truth, beside --out)")

    validate = commands.add_parser("validate", help="check the raw files against the contract")
    validate.add_argument("--data", type=Path, required=True, help="folder of raw files")
    validate.add_argument("--max-reject-share", type=_share, default=RunConfig.max_reject_share,
                          metavar="S", help=MAX_REJECT_SHARE_HELP)

    run = commands.add_parser("run", help="validate, build the warehouse and render the report")
    inputs = run.add_argument_group("inputs")
    inputs.add_argument("--data", type=Path, required=True, help="folder of raw files")
    inputs.add_argument("--max-reject-share", type=_share, default=RunConfig.max_reject_share,
                        metavar="S", help=MAX_REJECT_SHARE_HELP)
    inputs.add_argument("--full-refresh", action="store_true",
                        help="rebuild the warehouse from scratch instead of updating the "
                             "previous build with what changed (docs/incremental.md)")
    metrics = run.add_argument_group("configuration of the metrics")
    metrics.add_argument("--holdout-share", type=_number, default=RunConfig.holdout_share,
                         help="control share when audiences.csv is absent (default %(default)s)")
    metrics.add_argument("--assumed-lift", type=_number, default=RunConfig.assumed_lift,
                         help="lift assumed for cells without a control arm (default %(default)s)")
    metrics.add_argument("--lift-range", type=_lift_range, default=RunConfig.lift_range,
                         metavar="LOW,HIGH",
                         help="band of assumed lifts shown for cells without a control arm "
                              f"(default {RunConfig.lift_range[0]},{RunConfig.lift_range[1]})")
    metrics.add_argument("--breakeven", type=_number, default=RunConfig.breakeven,
                         help="iROAS break-even for verdicts (default %(default)s)")
    metrics.add_argument("--poor-roi-below", type=_number, default=RunConfig.poor_roi_below,
                         help="ROAS below which an influencer is flagged poor ROI "
                              "(default %(default)s)")
    _plan_options(run.add_argument_group("the next period's plan"))
    outputs = run.add_argument_group("outputs")
    outputs.add_argument("--warehouse", type=Path, required=True, help="DuckDB file to build")
    outputs.add_argument("--out", type=Path, required=True, help="folder for the static site")
    _report_options(outputs)
    _summary_options(outputs)

    plan = commands.add_parser(
        "plan", help="print the next period's plan; with plan options, rebuild it first")
    plan.add_argument("--warehouse", type=Path, required=True, help="a warehouse built by roas run")
    _plan_options(plan, defaults=False)
    plan.add_argument("--all", action="store_true",
                      help="print every influencer (default: the 40 largest planned changes)")

    report = commands.add_parser("report", help="render the static site from a built warehouse")
    report.add_argument("--warehouse", type=Path, required=True)
    report.add_argument("--out", type=Path, required=True, help="folder for the static site")
    _report_options(report)
    _freshness_options(report)

    summary = commands.add_parser(
        "summary", help="write the one-file HTML summary (KPIs, influencers, the plan) to mail")
    summary.add_argument("--warehouse", type=Path, required=True,
                         help="a warehouse built by roas run")
    summary.add_argument("--out", type=Path, required=True, metavar="FILE.html",
                         help="the summary's file (the only file written)")
    summary.add_argument("--currency", default=RunConfig.currency,
                         help="currency symbol (default %(default)s)")
    summary.add_argument("--pages", type=Path, default=None, metavar="DIR",
                         help="folder of report pages whose _summary.yml defines the summary")
    summary.add_argument("--site-url", type=_url, default=None, metavar="URL",
                         help="where the full report is published (the summary links to it)")
    _freshness_options(summary)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _url(text: str) -> str:
    import re

    if not re.match(r"https?://[^\s\"'<>]+\Z", text):
        raise argparse.ArgumentTypeError(f"expected an http(s) address, got {text!r}")
    return text


def _freshness_options(command) -> None:
    command.add_argument("--stale-after", type=_non_negative_int, default=7, metavar="DAYS",
                         help="warn when the latest order date is more than DAYS days old "
                              "(default %(default)s)")
    command.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                         help="judge staleness on this day (default: when the report is "
                              "opened; today for the run's own warning)")


def _summary_options(command) -> None:
    command.add_argument("--summary", type=Path, default=None, metavar="FILE.html",
                         help="also write the one-file HTML summary to this file")
    command.add_argument("--site-url", type=_url, default=None, metavar="URL",
                         help="where the site is published (the summary links to it)")
    _freshness_options(command)


def _report_options(command) -> None:
    command.add_argument("--pdf", action="store_true", help="also write report.pdf into the site")
    command.add_argument("--currency", default=RunConfig.currency,
                         help="currency symbol (default %(default)s)")
    command.add_argument("--pages", type=Path, default=None, metavar="DIR",
                         help="folder of report pages (Markdown) to render instead of the "
                              "built-in ones (docs/report.md)")


def _plan_options(command, defaults: bool = True) -> None:
    """The plan's options; `roas plan` keeps the warehouse's values for those not given."""
    command.add_argument(
        "--budget", type=_number, default=None,
        help="next period's budget B (default: the current total spend)")
    command.add_argument(
        "--max-scale", type=_number, default=RunConfig.max_scale if defaults else None,
        help="cap each influencer's planned spend at S x its current spend "
             f"(default {RunConfig.max_scale})")
    command.add_argument(
        "--target-mde", type=_number, default=RunConfig.target_mde if defaults else None,
        help="the iROAS difference a test should detect at 80%% power "
             f"(default {RunConfig.target_mde})")


def cmd_generate(args: argparse.Namespace) -> None:
    from generator import generate

    log = StageLog()
    with log.stage("generate") as stage:
        try:
            summary = generate(
                args.out, seed=args.seed, orders=args.orders, influencers=args.influencers,
                truth_dir=args.truth_dir, progress=stage.update, end_date=args.end_date,
            )
        except ValueError as error:  # the generator's own limits, e.g. too few influencers
            raise UsageError(str(error)) from None
        stage.detail = ", ".join(f"{name}: {rows:,}" for name, rows in summary.rows.items())
    print(f"Raw files: {Path(summary.out_dir).resolve()}")
    print(f"Planted truth: {Path(summary.truth_dir).resolve()}")


def cmd_validate(args: argparse.Namespace) -> None:
    from roas.pipeline import validate_stage

    report = validate_stage(StageLog(), args.data, None, args.max_reject_share)
    print(report.summary())


def cmd_run(args: argparse.Namespace) -> None:
    from roas.pipeline import ReportOptions, run_pipeline

    config = RunConfig(
        holdout_share=args.holdout_share, assumed_lift=args.assumed_lift,
        breakeven=args.breakeven, poor_roi_below=args.poor_roi_below, currency=args.currency,
        lift_range=args.lift_range,
        max_reject_share=args.max_reject_share,
        budget=args.budget, max_scale=args.max_scale, target_mde=args.target_mde,
    )
    options = ReportOptions(
        currency=args.currency, pdf=args.pdf, pages_dir=args.pages, summary=args.summary,
        site_url=args.site_url, stale_after=args.stale_after, as_of=args.as_of)
    started = time.perf_counter()
    result = run_pipeline(args.data, args.out, args.warehouse, config, options,
                          full_refresh=args.full_refresh)
    total = time.perf_counter() - started  # one clock: the export overlaps the report
    console.print(f"[bold]done[/bold] in {total:.1f} s")
    print(f"Warehouse: {result.paths.warehouse}")
    if result.pdf_path:
        print(f"PDF: {result.pdf_path.resolve()}")
    print(f"Report: {result.index_path.resolve()}")
    if args.summary:
        print(f"Summary: {args.summary.resolve()}")
    _warn_if_stale(result.paths.warehouse, args)


def _warn_if_stale(warehouse: Path, args: argparse.Namespace) -> None:
    from roas.freshness import stale_warning

    warning = stale_warning(warehouse, args.stale_after, args.as_of)
    if warning:
        console.print(f"[yellow]{warning}[/yellow]")


def cmd_report(args: argparse.Namespace) -> None:
    from roas.pipeline import ReportOptions, report_stage

    if not args.warehouse.is_file():
        raise UsageError(f"warehouse {args.warehouse} does not exist; run `roas run` first")
    options = ReportOptions(currency=args.currency, pdf=args.pdf, pages_dir=args.pages,
                            stale_after=args.stale_after, as_of=args.as_of)
    index_path, pdf_path = report_stage(StageLog(), args.warehouse.resolve(), args.out, options)
    if pdf_path:
        print(f"PDF: {pdf_path.resolve()}")
    print(f"Report: {index_path.resolve()}")
    _warn_if_stale(args.warehouse, args)


def cmd_summary(args: argparse.Namespace) -> None:
    from roas.pipeline import ReportOptions, summary_stage

    if not args.warehouse.is_file():
        raise UsageError(f"warehouse {args.warehouse} does not exist; run `roas run` first")
    if args.out.is_dir():
        raise UsageError(f"--out {args.out} is a folder; give the summary's file name")
    options = ReportOptions(currency=args.currency, pages_dir=args.pages, summary=args.out,
                            site_url=args.site_url, stale_after=args.stale_after,
                            as_of=args.as_of)
    summary_stage(StageLog(), args.warehouse.resolve(), options)
    print(f"Summary: {args.out.resolve()}")
    _warn_if_stale(args.warehouse, args)


def cmd_plan(args: argparse.Namespace) -> None:
    from roas.plan_command import print_plan, rebuild_plan

    if not args.warehouse.is_file():
        raise UsageError(f"warehouse {args.warehouse} does not exist; run `roas run` first")
    check_plan_options(args.budget, args.max_scale, args.target_mde)
    if args.budget is not None or args.max_scale is not None or args.target_mde is not None:
        rebuild_plan(args.warehouse.resolve(), args.budget, args.max_scale, args.target_mde)
    print_plan(args.warehouse.resolve(), console, everyone=args.all)


COMMANDS = {"generate": cmd_generate, "validate": cmd_validate, "run": cmd_run,
            "plan": cmd_plan, "report": cmd_report, "summary": cmd_summary}


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so a stopped run removes its temporary files."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    args = build_parser().parse_args(argv)  # exits 2 on a usage error
    previous_sigterm = None
    if threading.current_thread() is threading.main_thread():
        previous_sigterm = signal.signal(signal.SIGTERM, _terminated)
    try:
        COMMANDS[args.command](args)
    except RoasError as error:
        print(f"roas: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("roas: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours: still one line, the traceback on demand
        if os.environ.get("ROAS_DEBUG"):
            traceback.print_exc()
        print(
            f"roas: unexpected error: {type(error).__name__}: {error} "
            "(set ROAS_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1
    finally:
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
