"""The rules on raw values, stated once, as Great Expectations suites.

Each expectation carries meta:
  reason     plain-language rule: the rejection reason and the `rule` column
             of validation_results
  column     the raw column it is about (helpers like revenue__num report 'revenue')
  row_reason optional per-row wording, formatted with {value} and {first_line}
  flag       True: failing rows are kept and counted as flagged, not rejected
"""

from __future__ import annotations

import os

# Before importing gx: no usage statistics leave the machine.
os.environ["GX_ANALYTICS_ENABLED"] = "false"

import datetime as dt  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from great_expectations.expectations.row_conditions import Column as Where  # noqa: E402

from .outcome import Outcome  # noqa: E402
from .parsing import DATE_RE, DEC_RE, INT_RE  # noqa: E402
from .spec import (  # noqa: E402
    AUDIENCES,
    INFLUENCERS,
    PAYOUTS,
    POSTS,
    TRACKING,
    VALID_IDS,
    FileSpec,
    h_date,
    h_first,
    h_int,
    h_iso,
    h_norm,
    h_num,
)

DATE_MIN = dt.datetime(2000, 1, 1)
DATE_MAX = dt.datetime(2099, 12, 31)


def _ensure_context() -> None:
    """GX only builds a suite inside a data context; an ephemeral one writes nothing."""
    from great_expectations.data_context.data_context.context_factory import project_manager

    try:
        project_manager.get_current_project()
    except gx.exceptions.DataContextRequiredError:
        gx.get_context(mode="ephemeral")


class _Builder:
    """Adds expectations for the columns the file actually has."""

    def __init__(self, spec: FileSpec, present: Sequence[str]) -> None:
        self.spec = spec
        self.present = set(present)
        self.suite = gx.ExpectationSuite(name=spec.name)

    def _add(self, exp: gxe.Expectation) -> None:
        # GX does not promise to return results in suite order; meta.order restores it
        exp.meta["order"] = len(self.suite.expectations)
        self.suite.add_expectation(exp)

    @staticmethod
    def _meta(col: str, reason: str, row_reason: str | None = None, flag: bool = False) -> dict:
        meta: dict = {"column": col, "reason": reason}
        if row_reason:
            meta["row_reason"] = row_reason
        if flag:
            meta["flag"] = True
        return meta

    def required(self, *cols: str, when: Where | None = None, why: str = "") -> None:
        for col in cols:
            if col in self.present:
                self._add(
                    gxe.ExpectColumnValuesToNotBeNull(
                        column=col,
                        row_condition=when,
                        meta=self._meta(col, f"{col} is required (the value is empty){why}"),
                    )
                )

    def integer(
        self, col: str, *, minimum: int | None, strict: bool = False, when: Where | None = None
    ) -> None:
        if col not in self.present:
            return
        self._add(
            gxe.ExpectColumnValuesToMatchRegex(
                column=col,
                regex=INT_RE,
                row_condition=when,
                meta=self._meta(
                    col, f"{col} must be a whole number such as 12 (no separators or units)"
                ),
            )
        )
        if minimum is not None:
            bound = f"> {minimum}" if strict else f">= {minimum}"
            reason = f"{col} must be {bound}"
            if col == "orders" and minimum == 1:
                reason = "orders must be >= 1 (an order of zero units is not an order)"
            self._add(
                gxe.ExpectColumnValuesToBeBetween(
                    column=h_int(col),
                    min_value=minimum,
                    strict_min=strict,
                    row_condition=when,
                    meta=self._meta(col, reason),
                )
            )

    def decimal(self, col: str, *, minimum: float) -> None:
        if col not in self.present:
            return
        self._add(
            gxe.ExpectColumnValuesToMatchRegex(
                column=col,
                regex=DEC_RE,
                meta=self._meta(
                    col,
                    f"{col} must be a plain number such as 1234.50 "
                    "(no currency symbols or thousands separators)",
                ),
            )
        )
        self._add(
            gxe.ExpectColumnValuesToBeBetween(
                column=h_num(col),
                min_value=minimum,
                meta=self._meta(col, f"{col} must be >= {minimum:g}"),
            )
        )

    def date(self, col: str) -> None:
        if col not in self.present:
            return
        self._add(
            gxe.ExpectColumnValuesToMatchRegex(
                column=col,
                regex=DATE_RE,
                meta=self._meta(col, f"{col} must be an ISO date (YYYY-MM-DD) or ISO timestamp"),
            )
        )
        self._add(
            gxe.ExpectColumnValuesToNotBeNull(
                column=h_date(col),
                row_condition=Where(h_iso(col)) == True,  # noqa: E712 (a GX condition, not a test)
                meta=self._meta(col, f"{col} is not a real calendar date"),
            )
        )
        self._add(
            gxe.ExpectColumnValuesToBeBetween(
                column=h_date(col),
                min_value=DATE_MIN,
                max_value=DATE_MAX,
                meta=self._meta(
                    col, f"out-of-range date: {col} must be between 2000-01-01 and 2099-12-31"
                ),
            )
        )

    def one_of(self, col: str, *, note: str = "") -> None:
        if col not in self.present:
            return
        values = self.spec.col(col).values
        self._add(
            gxe.ExpectColumnValuesToBeInSet(
                column=h_norm(col),
                value_set=list(values),
                meta=self._meta(col, f"{col} must be one of {', '.join(values)}{note}"),
            )
        )

    def in_set(self, col: str, values: list[int], reason: str) -> None:
        if col in self.present:
            self._add(
                gxe.ExpectColumnValuesToBeInSet(
                    column=h_int(col), value_set=values, meta=self._meta(col, reason)
                )
            )

    def foreign_key(self, col: str) -> None:
        if col in self.present:
            self._add(
                gxe.ExpectColumnValuesToBeInSet(
                    column=h_int(col),
                    # the set of valid influencer ids is supplied at validation time
                    value_set={"$PARAMETER": VALID_IDS},
                    meta=self._meta(
                        col,
                        f"{col} must be the id of a valid row of influencers.csv",
                        row_reason=f"unknown influencer: {col} {{value}} is not in influencers.csv"
                        " (or its row there was rejected)",
                    ),
                )
            )

    def unique(self) -> None:
        col = self.spec.unique_key
        if col and col in self.present:
            self._add(
                gxe.ExpectColumnValuesToBeNull(
                    column=h_first(col),
                    meta=self._meta(
                        col,
                        f"{col} must be unique (the first occurrence is kept)",
                        row_reason=f"duplicate {col} {{value}} (first on line {{first_line}})",
                    ),
                )
            )

    def not_above(self, col: str, limit: str) -> None:
        if col in self.present and limit in self.present:
            self._add(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=h_int(limit),
                    column_B=h_int(col),
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta=self._meta(
                        col,
                        f"{col} above {limit} (kept and flagged: platforms estimate {limit})",
                        flag=True,
                    ),
                )
            )


def build_suite(spec: FileSpec, present: Sequence[str]) -> gx.ExpectationSuite:
    """The suite for one raw file; `present` are its normalised column names."""
    _ensure_context()
    b = _Builder(spec, present)
    if spec is INFLUENCERS:
        b.required("id", "name", "platform", "category", "gender", "follower_count")
        b.integer("id", minimum=0, strict=True)
        b.unique()
        b.one_of("gender", note=" (any case)")
        b.integer("follower_count", minimum=0)
        b.one_of("influencer_type", note=" (any case), or empty to derive it from follower_count")
    elif spec is POSTS:
        b.unique()
        b.required("influencer_id", "platform", "date", "url", "reach", "likes", "comments")
        b.integer("influencer_id", minimum=None)
        b.foreign_key("influencer_id")
        b.date("date")
        for col in ("reach", "likes", "comments"):
            b.integer(col, minimum=0)
        b.not_above("likes", "reach")
        b.not_above("comments", "reach")
    elif spec is TRACKING:
        b.unique()
        b.required("source", "campaign", "influencer_id", "user_id", "product", "date")
        b.required("orders", "revenue", "group")
        b.integer("influencer_id", minimum=None)
        b.foreign_key("influencer_id")
        b.date("date")
        b.integer("orders", minimum=1)
        b.decimal("revenue", minimum=0)
        b.integer("group", minimum=None)
        b.in_set("group", [0, 1], "group must be 1 (exposed) or 0 (held-out control)")
    elif spec is PAYOUTS:
        by_order = Where(h_norm("basis")) == "order"
        b.required("influencer_id", "basis", "rate", "total_payout")
        b.integer("influencer_id", minimum=None)
        b.foreign_key("influencer_id")
        b.one_of("basis", note=" (any case)")
        b.decimal("rate", minimum=0)
        # orders only matters for basis = order: for post it is ignored, never a reason
        b.required("orders", when=by_order, why=" when basis is order")
        b.integer("orders", minimum=0, when=by_order)
        b.decimal("total_payout", minimum=0)
        b.one_of("status", note=" (any case), or empty")
    elif spec is AUDIENCES:
        b.required("campaign", "influencer_id", "group", "users")
        b.integer("influencer_id", minimum=None)
        b.integer("group", minimum=None)
        b.in_set("group", [0, 1], "group must be 1 (exposed) or 0 (held-out control)")
        b.integer("users", minimum=0, strict=True)
    else:  # pragma: no cover - FILES is closed
        raise ValueError(spec.name)
    return b.suite


class GxRunner:
    """One ephemeral GX context for a whole run; one batch definition per file."""

    def __init__(self) -> None:
        self.context = gx.get_context(mode="ephemeral")
        # GX draws tqdm bars by default; the CLI has its own progress output
        self.context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        self.datasource = self.context.data_sources.add_pandas("raw_files")
        self._definitions: dict[str, object] = {}

    @staticmethod
    def suite_for(spec: FileSpec, present: Sequence[str]) -> gx.ExpectationSuite:
        return build_suite(spec, present)

    def validate(
        self,
        name: str,
        table: pa.Table,
        suite: gx.ExpectationSuite,
        parameters: dict | None = None,
    ) -> list[Outcome]:
        """table: line_number, the trimmed rule columns and the helper columns of one batch."""
        frame = _frame(table)
        if name not in self._definitions:
            asset = self.datasource.add_dataframe_asset(name)
            self._definitions[name] = asset.add_batch_definition_whole_dataframe("whole")
        batch = self._definitions[name].get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            suite,
            result_format={
                "result_format": "COMPLETE",
                # line_number is the frame's named index: GX then lists the failing
                # line numbers in one go instead of looking each row up
                "unexpected_index_column_names": ["line_number"],
                "exclude_unexpected_values": True,
            },
            expectation_parameters=parameters or {},
        )
        outcomes = []
        for r in result.results:
            cfg = r.expectation_config
            if r.exception_info.get("raised_exception"):
                # a bug in a rule, not a property of the data: do not hide it as passing
                raise RuntimeError(
                    f"GX expectation {cfg.type} on {cfg.kwargs.get('column')} failed to run: "
                    f"{r.exception_info.get('exception_message')}"
                )
            res = r.result
            lines = _failing_lines(res.get("unexpected_index_list"))
            outcomes.append(
                Outcome(
                    order=int(cfg.meta["order"]),
                    expectation=cfg.type,
                    column=cfg.meta["column"],
                    rule=cfg.meta["reason"],
                    row_reason=cfg.meta.get("row_reason"),
                    flag=bool(cfg.meta.get("flag")),
                    success=bool(r.success),
                    element_count=int(res.get("element_count") or 0),
                    unexpected_count=int(res.get("unexpected_count") or 0),
                    lines=lines,
                )
            )
        return sorted(outcomes, key=lambda o: o.order)


def _failing_lines(index_list: list | None) -> np.ndarray:
    """[{'line_number': [3, 7]}] (the named-index form) -> array([3, 7])."""
    lines: list[int] = []
    for entry in index_list or []:
        value = entry["line_number"] if isinstance(entry, dict) else entry
        if isinstance(value, list):
            lines.extend(value)
        else:
            lines.append(value)
    return np.asarray(lines, dtype=np.int64)


def _frame(table: pa.Table) -> pd.DataFrame:
    """The DataFrame GX sees: trimmed raw columns and helpers, indexed by line_number."""
    lines = table.column("line_number").to_numpy()
    frame = table.drop_columns(["line_number"]).to_pandas(
        types_mapper=lambda t: pd.Int64Dtype() if t == pa.int64() else None,
        split_blocks=True,
    )
    frame.index = pd.Index(lines, name="line_number")
    return frame
