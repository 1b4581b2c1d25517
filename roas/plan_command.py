"""`roas plan`: print the stored plan; with plan options, rebuild it in dbt first.

The rebuild runs the same dbt models as `roas run` (mart_influencer_plan and
mart_programme_plan, with their tests), never a Python copy of the allocation, under
the run lock and with the run's publishing discipline: a copy of the warehouse is
built, sealed and swapped in whole (roas.pipeline). The other dbt vars are the ones the
warehouse was built with (roas_build_state), so only the plan's options change.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from roas import rerun
from roas.config import RunConfig, plan_vars
from roas.dbt_runner import run_dbt
from roas.errors import RoasError
from roas.incremental import current_state, read_vars, record_state, start_from
from roas.outputs import export_stage
from roas.paths import build_paths
from roas.progress import StageLog
from roas.warehouse import ensure_writable, publish_warehouse, remove_database, seal

PLAN_MODELS = ("mart_influencer_plan", "mart_programme_plan")
DEFAULT_ROWS = 40


def rebuild_plan(warehouse: Path, budget: float | None, max_scale: float | None,
                 target_mde: float | None) -> None:
    """Rebuild the plan models with new plan vars; keep every other var of the build."""
    from roas.lock import RunLock

    paths = build_paths(warehouse)
    previous = read_vars(paths.warehouse)
    if previous is None:
        raise RoasError(
            f"{warehouse} does not record the options it was built with (built by an older "
            "roas?); rebuild it with `roas run` and the plan options"
        )
    merged = {key: value for key, value in previous.items() if key != "plan_budget"}

    def kept(given: float | None, name: str, default: float) -> float:
        return given if given is not None else float(previous.get(name, default))  # type: ignore[arg-type]

    if budget is None and "plan_budget" in previous:
        budget = kept(None, "plan_budget", 0.0)
    merged.update(plan_vars(budget, kept(max_scale, "plan_max_scale", RunConfig.max_scale),
                            kept(target_mde, "plan_target_mde", RunConfig.target_mde)))
    log = StageLog()
    with RunLock(paths.lock_file, "roas plan", paths.warehouse):
        ensure_writable(paths.warehouse)
        new_warehouse = paths.new_warehouse
        new_warehouse.parent.mkdir(parents=True, exist_ok=True)
        remove_database(new_warehouse)  # a killed run left it
        rerun.forget(paths)  # the warehouse changes: the next run rebuilds
        try:
            start_from(paths.warehouse, new_warehouse)
            with log.stage("dbt build") as stage:
                outcome = run_dbt(
                    "build --select " + " ".join(PLAN_MODELS), paths, merged,
                    on_node=stage.update, warehouse=new_warehouse,
                    validated_dir=paths.validated_dir.resolve(),
                )
                stage.detail = f"plan only: {outcome.models} models, {outcome.tests} tests passed"
            record_state(new_warehouse, current_state(merged))
            seal(new_warehouse)
            publish_warehouse(new_warehouse, paths.warehouse)
        except BaseException:
            remove_database(new_warehouse)
            raise
        export_stage(log, paths.warehouse)


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def print_plan(warehouse: Path, console: Console, everyone: bool = False) -> None:
    """The programme line and the influencers' plan as rich tables (stdout)."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            programme = con.execute("select * from mart_programme_plan").fetchone()
            names = [d[0] for d in con.description]
            rows = con.execute(
                "select influencer_id, name, recommendation, spend, planned_spend, "
                "posterior_iroas, posterior_iroas_low, posterior_iroas_high, p_profitable, "
                "breakeven_rate, test_holdout_share, test_mde_iroas "
                "from mart_influencer_plan "
                "order by abs(planned_spend - coalesce(spend, 0)) desc, influencer_id"
            ).fetchall()
    except duckdb.Error as error:
        raise RoasError(
            f"{warehouse} has no plan ({error.__class__.__name__}); "
            "rebuild it with `roas run`"
        ) from None
    # a pipe or a CI log gets the full width the table needs, not rich's 80 columns
    out = Console(highlight=False, width=None if console.is_terminal else 160)
    summary = dict(zip(names, programme, strict=True))
    head = Table(title="Next period's plan", show_header=True)
    for column in ("", "spend", "expected incremental revenue (90%)", "expected net return"):
        head.add_column(column, justify="right")
    # the plan's columns and the status quo's, both under the same headings
    for label, spend, prefix in (("plan", "planned_spend", "expected_"),
                                 ("status quo", "status_quo_spend", "status_quo_")):
        revenue = prefix + "incremental_revenue"
        head.add_row(
            label, _money(summary[spend]),
            f"{_money(summary[revenue])} ({_money(summary[revenue + '_low'])} – "
            f"{_money(summary[revenue + '_high'])})",
            _money(summary[prefix + "net_return"]),
        )
    out.print(head)
    out.print(
        f"budget {_money(summary['budget'])}, unspent {_money(summary['unspent_budget'])}, "
        f"max scale {summary['max_scale']:g}x, break-even {summary['breakeven']:g}; "
        f"scale {summary['influencers_scale']}, keep {summary['influencers_keep']}, "
        f"test {summary['influencers_test']}, cut {summary['influencers_cut']}"
    )
    out.print(summary["plan_note"], markup=False)
    table = Table(title=None if everyone else f"the {DEFAULT_ROWS} largest changes")
    for column in ("id", "name", "action", "spend", "planned", "posterior iROAS (90%)",
                   "p(profitable)", "break-even rate", "test holdout", "test MDE"):
        table.add_column(column, justify="left" if column in ("name", "action") else "right")
    for row in rows if everyone else rows[:DEFAULT_ROWS]:
        (influencer_id, name, action, spend, planned, post, low, high, p, rate, share,
         mde) = row
        table.add_row(
            str(influencer_id), Text(name or ""), action, _money(spend), _money(planned),
            "" if post is None else f"{post:.2f} [{low:.2f}, {high:.2f}]",
            "" if p is None else f"{p:.0%}", _ratio(rate),
            "" if share is None else f"{share:.0%}", _ratio(mde),
        )
    out.print(table)
