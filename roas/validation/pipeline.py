"""validate_folder: raw folder -> GX suites batch by batch -> validated Parquet files.

Per batch: raw strings -> trimmed columns + parsed helper columns -> one GX
suite run -> failing line numbers per rule -> rejected rows (all reasons of a
row joined) and typed good rows appended to Parquet. Only the foreign-key id
set and the seen unique keys are kept across batches.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import importlib
import io
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import parsing
from .background import Prefetch
from .errors import InputRefused
from .first_seen import FirstSeen
from .reader import RawBatch, RawFile, open_raw
from .report import FileStats, ValidationReport
from .spec import (
    ARROW_TYPES,
    AUDIENCES,
    FILES,
    INFLUENCERS,
    LOAD_AUDIT_SCHEMA,
    REJECTED_SCHEMA,
    RESULTS_SCHEMA,
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
from .writer import REJECTED, OutputWriter

if TYPE_CHECKING:
    from .outcome import Outcome
    from .sqlrules import SqlRunner
    from .suites import GxRunner

# 'sql': the suites compiled to DuckDB SQL (fast, the default); 'gx': GX's own pandas engine
ENGINES = ("sql", "gx")
ENGINE_ENV = "ROAS_VALIDATION_ENGINE"

Progress = Callable[[str], None]


def validate_folder(
    data_dir: Path,
    out_dir: Path | None,
    progress: Progress | None = None,
    max_reject_share: float | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """Validate the raw files in data_dir; write the validated folder to out_dir unless None.

    Raises InputRefused for a file that cannot be used at all, or (with
    max_reject_share) whose share of rejected rows is above the limit. engine
    picks who evaluates the suites ('sql' or 'gx'; default $ROAS_VALIDATION_ENGINE
    or 'sql'): both give the same outputs.
    """
    engine = engine or os.environ.get(ENGINE_ENV, "").strip() or "sql"
    if engine not in ENGINES:
        raise ValueError(f"validation engine {engine!r}: expected one of {', '.join(ENGINES)}")
    data_dir = Path(data_dir)
    say = progress or (lambda _message: None)
    if not data_dir.is_dir():
        raise InputRefused(
            f"{data_dir}: the data folder does not exist or is not a folder. Pass the folder "
            "holding influencers.csv, posts.csv, tracking_data.csv and payouts.csv."
        )
    if engine == "gx" or not _stored_suites_current():
        # GX takes seconds to import: let it load while the headers are checked and read
        threading.Thread(target=_import_suites, name="import suites", daemon=True).start()
    # every header is checked before any row is: a bad file is refused at once
    raws = {spec.name: open_raw(data_dir, spec) for spec in FILES}
    runner = _runner(engine)
    validated_at = _validated_at()
    writer = OutputWriter(Path(out_dir)) if out_dir is not None else None
    # every file is read one batch ahead, in its own thread, while earlier ones are checked
    feeds = {
        name: Prefetch(raw.batches, depth=1, name=name)
        for name, raw in raws.items()
        if raw is not None
    }
    try:
        stats: dict[str, FileStats] = {}
        results: list[dict] = []
        valid_ids = np.zeros(0, dtype=np.int64)
        for spec in FILES:
            raw = raws[spec.name]
            if raw is None:
                stats[spec.name] = FileStats(spec.name, spec.csv_name, file_present=False)
                continue
            say(f"Validating {raw.source_file}")
            fv = _FileValidator(spec, raw, runner, valid_ids, writer, say)
            stats[spec.name] = st = fv.run(feeds[spec.name])
            results += fv.result_rows()
            if spec is INFLUENCERS:
                _check_influencers(st)
                valid_ids = fv.loaded_ids()
            _check_share(st, max_reject_share)
            say(
                f"{st.source_file}: {st.rows_read:,} rows read, {st.rows_loaded:,} loaded, "
                f"{st.rows_rejected:,} rejected, {st.rows_flagged:,} flagged"
            )
        tracking = raws[TRACKING.name]
        report = ValidationReport(
            files=stats,
            has_audiences=stats[AUDIENCES.name].rows_loaded > 0,
            tracking_has_group=tracking is not None and "group" in tracking.header.names,
            validated_at=validated_at,
            out_dir=Path(out_dir) if out_dir is not None else None,
        )
        if writer is not None:
            writer.finish(report, _audit_table(stats, validated_at), _results_table(results))
            say(f"Validated files written to {out_dir}")
        return report
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        for feed in feeds.values():
            feed.close()


def _stored_suites_current() -> bool:
    from .stored_suites import load_suite

    return load_suite(INFLUENCERS, INFLUENCERS.required_columns) is not None


def _import_suites() -> None:
    with contextlib.suppress(Exception):  # a failing import fails again, loudly, when used
        importlib.import_module("roas.validation.suites")


def _runner(engine: str) -> GxRunner | SqlRunner:
    # importing GX takes seconds; only pay it when validating
    if engine == "gx":
        from .suites import GxRunner

        return GxRunner()
    from .sqlrules import SqlRunner

    return SqlRunner()


def _validated_at() -> str:
    """ISO UTC; SOURCE_DATE_EPOCH makes the output reproducible byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        moment = dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_influencers(st: FileStats) -> None:
    if st.rows_read == 0:
        raise InputRefused(
            f"{st.source_file}: the file has a header but no data rows. At least one "
            "influencer is needed to build anything; add the influencer rows.",
            source_file=st.source_file,
        )
    if st.rows_loaded == 0:
        raise InputRefused(
            f"{st.source_file}: none of its {st.rows_read:,} rows is valid, so nothing can be "
            f"built. Top reasons: {st.top_reasons()}. Fix these rows and run again.",
            source_file=st.source_file,
        )


def _check_share(st: FileStats, limit: float | None) -> None:
    """Refuse numbers built on a fraction of a file (the limit is per file)."""
    if limit is not None and st.rows_read and st.rejected_share > limit:
        examples = "; ".join(f"line {line}: {reason}" for line, reason in st.examples[:3])
        raise InputRefused(
            f"{st.source_file}: {st.rejected_share:.1%} of its rows were rejected "
            f"({st.rows_rejected:,} of {st.rows_read:,}), above the limit of {limit:.1%}, so "
            f"the run is refused rather than built on part of the file. Top reasons: "
            f"{st.top_reasons()}. First rejected rows: {examples}. Fix these rows in "
            f"{st.source_file}, or raise the limit with --max-reject-share.",
            source_file=st.source_file,
        )


@dataclass
class _Result:
    """One validation_results row, summed over batches."""

    expectation: str
    column_name: str | None
    rule: str
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0


class _FileValidator:
    def __init__(
        self,
        spec: FileSpec,
        raw: RawFile,
        runner: GxRunner | SqlRunner,
        valid_ids: np.ndarray,
        writer: OutputWriter | None,
        say: Progress,
    ) -> None:
        self.spec, self.raw, self.runner, self.writer, self.say = spec, raw, runner, writer, say
        names = raw.header.names
        known = {c.name for c in spec.columns}
        self.positions = {name: i for i, name in enumerate(names) if name in known}
        self.extra_positions = [i for i, name in enumerate(names) if name not in known]
        # empty header names get a positional key so JSON keys stay unique
        self.extra_keys = [names[i] or f"column_{i + 1}" for i in self.extra_positions]
        self.original_keys = [
            h if h.strip() else f"column_{i + 1}" for i, h in enumerate(raw.header.original)
        ]
        self.suite = runner.suite_for(spec, list(self.positions))
        self.valid_ids = valid_ids
        # GX hashes every column it is given: hand it only what the rules look at
        self.rule_columns = {
            getattr(e, attr)
            for e in self.suite.expectations
            for attr in ("column", "column_A", "column_B")
            if getattr(e, attr, None)
        }
        col_rank = {c.name: i for i, c in enumerate(spec.columns)}
        self.rank = {
            e.meta["order"]: (col_rank[e.meta["column"]], e.meta["order"])
            for e in self.suite.expectations
        }
        self.first_seen = FirstSeen()
        self.results: dict[int, _Result] = {}
        self.ids: list[np.ndarray] = []
        self.stats = FileStats(
            spec.name,
            raw.source_file,
            file_present=True,
            fmt=raw.fmt,
            encoding=raw.encoding,
            columns_present=[n for n in names if n],
            extra_columns=self.extra_keys,
        )
        self.bad_field_rows = 0

    # -- driving -------------------------------------------------------------
    def run(self, batches: Iterator[RawBatch] | None = None) -> FileStats:
        for batch in batches if batches is not None else self.raw.batches():
            self._batch(batch)
            if batch.num_rows:
                self.say(f"{self.raw.source_file}: {self.stats.rows_read:,} rows read")
        return self.stats

    def loaded_ids(self) -> np.ndarray:
        """Sorted distinct ids of the loaded rows (influencers.csv): the foreign-key set."""
        if not self.ids:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(self.ids))

    def result_rows(self) -> list[dict]:
        """validation_results rows: the parse-level checks, then one per expectation."""
        results: list[_Result] = []
        if self.raw.fmt == "csv":
            results.append(
                _Result(
                    "csv_row_field_count",
                    None,
                    "every row has as many fields as the header",
                    success=self.bad_field_rows == 0,
                    element_count=self.stats.rows_read,
                    unexpected_count=self.bad_field_rows,
                )
            )
            if self.raw.encoding != "utf-8":
                results.append(
                    _Result(
                        "file_encoding",
                        None,
                        f"the file is not valid UTF-8; it was decoded as {self.raw.encoding}: "
                        "check accented characters",
                        success=False,
                        element_count=self.stats.rows_read,
                    )
                )
        results += [self.results[order] for order in sorted(self.results)]
        return [{"source_file": self.raw.source_file, **asdict(r)} for r in results]

    # -- one batch -------------------------------------------------------------
    def _batch(self, rb: RawBatch) -> None:
        rejected = [self._bad_records_table(rb)]
        raw_cols, lines = rb.columns, rb.line_numbers
        native = rb.native or [None] * len(raw_cols)
        clean = [parsing.trimmed(c) for c in raw_cols]
        if len(lines) and clean:
            # empty lines and all-empty records (',,,,' at the end of spreadsheet exports)
            # are not rows: skip them without counting them as read
            blank = functools.reduce(pc.and_, [pc.is_null(c) for c in clean])
            n_blank = pc.sum(blank).as_py() or 0
            if n_blank:
                keep = pc.invert(blank)
                raw_cols = [c.filter(keep) for c in raw_cols]
                clean = [c.filter(keep) for c in clean]
                native = [None if c is None else c.filter(keep) for c in native]
                lines = lines[keep.to_numpy(zero_copy_only=False)]
                self.stats.blank_rows_skipped += n_blank
        n = len(lines)
        self.stats.rows_read += n

        cols = {name: clean[pos] for name, pos in self.positions.items()}
        natives = {name: native[pos] for name, pos in self.positions.items()}
        helpers, typed = self._helpers(cols, lines, natives)
        table = _rule_table(
            lines, {k: v for k, v in cols.items() if k in self.rule_columns}, helpers
        )
        outcomes = self.runner.validate(
            self.spec.name, table, self.suite, self._parameters(helpers)
        )
        outcomes.sort(key=lambda o: self.rank[o.order])
        self._record_results(outcomes)

        reject = np.zeros(n, dtype=bool)
        flagged = np.zeros(n, dtype=bool)
        failing: list[tuple[Outcome, np.ndarray]] = []
        for o in outcomes:
            if not len(o.lines):
                continue
            pos = np.searchsorted(lines, o.lines)
            (flagged if o.flag else reject)[pos] = True
            if not o.flag:
                failing.append((o, pos))
                self.stats.reasons[o.rule] += len(pos)
        rejected.append(self._rejected_table(failing, reject, lines, raw_cols, cols, helpers))
        keep = ~reject
        self.stats.rows_loaded += int(keep.sum())
        self.stats.rows_flagged += int((flagged & keep).sum())

        table = pa.concat_tables(rejected)
        table = table.take(pc.sort_indices(table, [("line_number", "ascending")]))
        self.stats.rows_rejected += table.num_rows
        if len(self.stats.examples) < 5:
            head = table.slice(0, 5).to_pylist()
            for r in head:
                self.stats.note_rejected(r["line_number"], r["reason"])
        if self.spec is INFLUENCERS and n:
            ids = helpers[h_int("id")].to_numpy(zero_copy_only=False)
            self.ids.append(ids[keep].astype(np.int64))
        if self.writer is not None:
            good = self._good_table(keep, lines, typed, raw_cols)
            self.writer.append(f"{self.spec.name}.parquet", good)
            self.writer.append(REJECTED, table)

    def _helpers(
        self,
        cols: dict[str, pa.Array],
        lines: np.ndarray,
        natives: dict[str, pa.Array | None] | None = None,
    ) -> tuple[dict[str, pa.Array], dict[str, pa.Array]]:
        """Parsed helper columns for the rules, and the typed output columns.

        A typed Parquet column gives its values directly when they equal what parsing
        its text gives (parsing.native_*); otherwise the text is parsed, as for CSV.
        """
        helpers: dict[str, pa.Array] = {}
        typed: dict[str, pa.Array] = {}
        natives = natives or {}
        for c in self.spec.columns:
            if c.name not in cols:
                continue
            values, native = cols[c.name], natives.get(c.name)
            if c.kind == "int":
                parsed = parsing.native_int(native)
                helpers[h_int(c.name)] = typed[c.name] = (
                    parsed if parsed is not None else parsing.parse_int(values)
                )
            elif c.kind == "decimal":
                parsed = parsing.native_decimal(native)
                helpers[h_num(c.name)] = typed[c.name] = (
                    parsed if parsed is not None else parsing.parse_decimal(values)
                )
            elif c.kind == "date":
                iso, ts = parsing.native_date(native) or parsing.parse_date(values)
                helpers[h_iso(c.name)] = iso
                helpers[h_date(c.name)] = parsing.for_pandas_datetime(ts)
                typed[c.name] = pc.cast(ts, pa.date32())
            elif c.kind == "enum":
                helpers[h_norm(c.name)] = typed[c.name] = parsing.normalise_enum(values, c.values)
            else:
                typed[c.name] = values
        key = self.spec.unique_key
        if key and key in cols:
            keys = helpers[h_int(key)] if self.spec.col(key).kind == "int" else cols[key]
            helpers[h_first(key)] = self.first_seen.first_lines(keys, lines)
        return helpers, typed

    def _parameters(self, helpers: dict[str, pa.Array]) -> dict:
        """The valid influencer ids, narrowed to those this batch mentions.

        Same verdict as the full set (an id absent from the batch cannot matter),
        but GX copies a value_set many times per run, so its size is the cost.
        """
        ids = helpers.get(h_int("influencer_id"))
        if ids is None or self.spec is AUDIENCES:
            return {}
        seen = pc.unique(ids.drop_null()).to_numpy()
        return {VALID_IDS: seen[np.isin(seen, self.valid_ids)].tolist()}

    def _record_results(self, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            r = self.results.setdefault(o.order, _Result(o.expectation, o.column, o.rule))
            r.success = r.success and o.success
            r.element_count += o.element_count
            r.unexpected_count += o.unexpected_count

    def _rejected_table(
        self,
        failing: list[tuple[Outcome, np.ndarray]],
        reject: np.ndarray,
        lines: np.ndarray,
        raw_cols: list[pa.Array],
        cols: dict[str, pa.Array],
        helpers: dict[str, pa.Array],
    ) -> pa.Table:
        """One row per rejected record: every failed rule, in rule order, joined by '; '."""
        rows = np.flatnonzero(reject)
        reason = np.full(len(rows), "", dtype=object)
        first_col = np.full(len(rows), None, dtype=object)
        for o, pos in failing:
            at = np.searchsorted(rows, pos)
            if o.row_reason:  # per-row wording (duplicates, unknown ids): usually few rows
                idx = pa.array(pos)
                values = cols[o.column].take(idx).to_pylist()
                firsts = (
                    helpers[h_first(o.column)].take(idx).to_pylist()
                    if h_first(o.column) in helpers
                    else [None] * len(pos)
                )
                text = np.array(
                    [
                        o.row_reason.format(value=v, first_line=f)
                        for v, f in zip(values, firsts, strict=True)
                    ],
                    dtype=object,
                )
            else:
                text = np.full(len(pos), o.rule, dtype=object)
            before = reason[at]
            reason[at] = np.where(before == "", text, before + "; " + text)
            first_col[at] = np.where(first_col[at] == None, o.column, first_col[at])  # noqa: E711
        take = pa.array(rows, pa.int64())
        return pa.table(
            {
                "source_file": pa.array([self.raw.source_file] * len(rows), pa.string()),
                "line_number": pa.array(lines[rows], pa.int64()),
                "column_name": pa.array(first_col.tolist(), pa.string()),
                "reason": pa.array(reason.tolist(), pa.string()),
                "original_values": parsing.json_objects(
                    self.original_keys, [c.take(take) for c in raw_cols], len(rows)
                ),
            },
            schema=REJECTED_SCHEMA,
        )

    def _bad_records_table(self, rb: RawBatch) -> pa.Table:
        """Records with the wrong number of fields (blank lines are skipped, not rows)."""
        out = []
        expected = len(self.raw.header.names)
        for bad in rb.bad_records:
            if not bad.text.strip():
                self.stats.blank_rows_skipped += 1
                continue
            self.stats.rows_read += 1
            self.bad_field_rows += 1
            self.stats.reasons["wrong number of fields"] += 1
            out.append(
                {
                    "source_file": self.raw.source_file,
                    "line_number": bad.line_number,
                    "column_name": None,
                    "reason": self._field_count_reason(bad, expected),
                    "original_values": self._bad_record_json(bad.text),
                }
            )
        return pa.Table.from_pylist(out, schema=REJECTED_SCHEMA)

    @staticmethod
    def _field_count_reason(bad, expected: int) -> str:
        reason = f"has {bad.n_fields} fields, expected {expected}"
        spans = bad.text.count("\n")
        if spans:
            # an unbalanced quote swallows the lines after it into one record: say so,
            # or the rows it swallowed would go unnoticed
            reason += (
                f"; the record runs from line {bad.line_number} to line "
                f"{bad.line_number + spans}: check for an unbalanced double quote"
            )
        return reason

    def _bad_record_json(self, text: str) -> str:
        """The record's fields under the header names; surplus fields as field_<n>."""
        try:
            fields = next(csv.reader(io.StringIO(text, newline="")), [])
        except csv.Error:
            fields = [text]
        keys = self.original_keys
        original = {
            (keys[i] if i < len(keys) else f"field_{i + 1}"): value
            for i, value in enumerate(fields)
        }
        # compact separators: the same form as the vectorised original_values
        return json.dumps(original, ensure_ascii=False, separators=(",", ":"))

    def _good_table(
        self,
        keep: np.ndarray,
        lines: np.ndarray,
        typed: dict[str, pa.Array],
        raw_cols: list[pa.Array],
    ) -> pa.Table:
        mask = pa.array(keep)
        n = int(keep.sum())
        arrays = [pa.array(lines[keep], pa.int64())]
        for c in self.spec.columns:
            arr = typed.get(c.name)
            arrays.append(arr.filter(mask) if arr is not None else pa.nulls(n, ARROW_TYPES[c.kind]))
        extras = [raw_cols[i].filter(mask) for i in self.extra_positions]
        arrays.append(parsing.json_objects(self.extra_keys, extras, n))
        return pa.Table.from_arrays(arrays, schema=self.spec.output_schema())


def _rule_table(
    lines: np.ndarray, cols: dict[str, pa.Array], helpers: dict[str, pa.Array]
) -> pa.Table:
    """What the rules see: line_number, trimmed raw columns and helpers."""
    return pa.table({"line_number": pa.array(lines, pa.int64()), **cols, **helpers})


def _audit_table(stats: dict[str, FileStats], validated_at: str) -> pa.Table:
    rows = [
        {
            "source_file": s.source_file,
            "file_present": s.file_present,
            "rows_read": s.rows_read,
            "rows_loaded": s.rows_loaded,
            "rows_rejected": s.rows_rejected,
            "rows_flagged": s.rows_flagged,
            "columns_present": ",".join(s.columns_present) if s.file_present else None,
            "validated_at": validated_at,
        }
        for s in stats.values()
    ]
    return pa.Table.from_pylist(rows, schema=LOAD_AUDIT_SCHEMA)


def _results_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=RESULTS_SCHEMA)
