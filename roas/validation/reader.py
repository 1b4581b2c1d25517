"""Find, sniff and stream one raw file as batches of raw strings with physical line numbers.

Every way a file can fail to be read becomes InputRefused; rows with the wrong
number of fields are not failures of the file, they come out as BadRecords.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .errors import InputRefused
from .parsing import as_string, newline_counts
from .spec import FILES, FileSpec

# Big blocks: one Arrow block becomes one validation batch (~1M typical rows).
# Module-level so tests can shrink it to exercise several batches.
BLOCK_SIZE = 64 << 20
PARQUET_BATCH_ROWS = 1_000_000
_HEAD_BYTES = 1 << 20
_SCAN_BYTES = 16 << 20


@dataclass
class Header:
    original: list[str]  # as written in the file (BOM removed); keys of original_values
    names: list[str]  # normalised: trimmed, lower-case
    lines: int = 1  # physical lines the header spans


@dataclass
class BadRecord:
    line_number: int
    text: str
    n_fields: int


@dataclass
class RawBatch:
    columns: list[pa.Array]  # raw strings, one per header position, never NULL
    line_numbers: np.ndarray  # int64, ascending
    bad_records: list[BadRecord] = field(default_factory=list)
    # Parquet only: the typed column behind each string column (None for text), so
    # numbers and dates need not be parsed back from the strings they were cast to
    native: list[pa.Array | None] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return len(self.line_numbers)


@dataclass
class RawFile:
    spec: FileSpec
    path: Path
    fmt: str  # 'csv' | 'parquet'
    header: Header
    encoding: str | None = None  # csv only: 'utf-8', 'cp1252' or 'latin-1'
    # csv only: the file has a double quote somewhere. Without one no value can hold a
    # line break, and Arrow parses faster when told so (same records, same lines).
    quoted: bool = True

    @property
    def source_file(self) -> str:
        return self.path.name

    def batches(self) -> Iterator[RawBatch]:
        """Yield at least one batch (possibly empty) so every suite runs once."""
        gen = self._csv_batches() if self.fmt == "csv" else self._parquet_batches()
        yielded = False
        for batch in gen:
            yielded = True
            yield batch
        if not yielded:
            empty = [pa.array([], pa.string()) for _ in self.header.names]
            yield RawBatch(empty, np.zeros(0, dtype=np.int64))

    # -- CSV ---------------------------------------------------------------
    def _csv_batches(self) -> Iterator[RawBatch]:
        n_cols = len(self.header.names)
        names = [f"c{i}" for i in range(n_cols)]
        bad: list[tuple[int, str, int]] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            bad.append((row.number, row.text, row.actual_columns))
            return "skip"

        placer = _LinePlacer(self.header.lines)
        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    skip_rows_after_names=1,
                    # threads would lose the row numbers of invalid rows
                    use_threads=False,
                    block_size=BLOCK_SIZE,
                    encoding="utf8" if self.encoding == "utf-8" else self.encoding,
                ),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=self.quoted,
                    # keep blank lines as (all-empty) records so line numbers stay exact
                    ignore_empty_lines=False,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                ),
            )
            for record_batch in reader:
                columns = [record_batch.column(i) for i in range(n_cols)]
                nl = (
                    newline_counts(columns, record_batch.num_rows)
                    if self.quoted
                    else np.zeros(record_batch.num_rows, dtype=np.int64)
                )
                lines, resolved = placer.place(nl, bad)
                bad.clear()
                yield RawBatch(columns, lines, resolved)
            _, resolved = placer.place(np.zeros(0, dtype=np.int64), bad, final=True)
            if resolved:
                empty = [pa.array([], pa.string()) for _ in names]
                yield RawBatch(empty, np.zeros(0, dtype=np.int64), resolved)
        except (pa.ArrowException, OSError, UnicodeError, ValueError) as exc:
            raise InputRefused(
                f"{self.source_file}: could not be parsed as CSV ({_short(exc)}). "
                "Check that it is a comma-separated text file with balanced double quotes.",
                source_file=self.source_file,
            ) from None

    # -- Parquet -----------------------------------------------------------
    def _parquet_batches(self) -> Iterator[RawBatch]:
        try:
            pf = pq.ParquetFile(self.path)
            start = 2  # line_number = row index + 2, as if the file were a CSV with a header
            for record_batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                columns, native = [], []
                for i, name in enumerate(self.header.original):
                    col = record_batch.column(i)
                    if not _flat(col.type):
                        raise InputRefused(
                            f"{self.source_file}: column '{name}' has type {col.type}; "
                            "Parquet inputs must have flat columns (text, numbers, dates).",
                            source_file=self.source_file,
                        )
                    columns.append(pc.fill_null(as_string(col), ""))
                    native.append(None if pa.types.is_string(col.type) else col)
                n = record_batch.num_rows
                yield RawBatch(columns, np.arange(start, start + n, dtype=np.int64),
                               native=native)
                start += n
        except InputRefused:
            raise
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InputRefused(
                f"{self.source_file}: could not be read as Parquet ({_short(exc)}). "
                "Write it again, or provide the CSV instead.",
                source_file=self.source_file,
            ) from None


class _LinePlacer:
    """Physical line of every record, vectorised.

    Arrow reports invalid rows by *logical* record number (header = 1) and gives
    valid rows no number at all. Valid rows fill the logical numbers the invalid
    ones do not take; a record starts on line = its logical number + the newlines
    embedded in all records before it.
    """

    def __init__(self, header_lines: int) -> None:
        self.next_logical = 2
        self.nl_before = header_lines - 1
        self.pending: list[tuple[int, str, int]] = []

    def place(
        self, nl_valid: np.ndarray, new_bad: list[tuple[int, str, int]], final: bool = False
    ) -> tuple[np.ndarray, list[BadRecord]]:
        self.pending.extend(new_bad)
        n = len(nl_valid)
        start = self.next_logical
        inv_num = np.fromiter((p[0] for p in self.pending), dtype=np.int64, count=len(self.pending))
        inv_nl = np.fromiter(
            (p[1].count("\n") for p in self.pending), dtype=np.int64, count=len(self.pending)
        )
        # valid rows before invalid row j (they are in file order)
        gaps = inv_num - start - np.arange(len(inv_num))
        logical = start + np.arange(n) + np.searchsorted(gaps, np.arange(n), side="right")
        take = np.ones(len(inv_num), bool) if final else gaps <= n
        all_num = np.concatenate([logical, inv_num[take]])
        all_nl = np.concatenate([nl_valid, inv_nl[take]])
        order = np.argsort(all_num, kind="stable")
        nl_sorted = all_nl[order]
        physical = np.empty_like(all_num)
        physical[order] = all_num[order] + self.nl_before + np.cumsum(nl_sorted) - nl_sorted
        if len(all_num):
            self.next_logical = int(all_num.max()) + 1
            self.nl_before += int(all_nl.sum())
        placed = [p for p, t in zip(self.pending, take, strict=True) if t]
        resolved = [
            BadRecord(int(line), text, n_fields)
            for line, (_, text, n_fields) in zip(physical[n:], placed, strict=True)
        ]
        self.pending = [p for p, t in zip(self.pending, take, strict=True) if not t]
        return physical[:n], resolved


# -- opening and sniffing ---------------------------------------------------


def open_raw(data_dir: Path, spec: FileSpec) -> RawFile | None:
    """The raw file for spec, header checked; None when an optional file is absent."""
    csv_path = data_dir / f"{spec.name}.csv"
    pq_path = data_dir / f"{spec.name}.parquet"
    # the CSV wins when both exist: it is the documented format
    path = csv_path if csv_path.exists() else pq_path if pq_path.exists() else None
    if path is None:
        if not spec.required:
            return None
        raise InputRefused(_missing_file_message(data_dir, spec), source_file=spec.csv_name)
    if not path.is_file():
        raise InputRefused(
            f"{path.name}: is not a regular file. Replace it with the exported CSV.",
            source_file=path.name,
        )
    if path.suffix == ".parquet":
        return RawFile(spec, path, "parquet", _parquet_header(path, spec))
    encoding, quoted = _sniff_csv(path)
    return RawFile(spec, path, "csv", _csv_header(path, spec, encoding), encoding, quoted)


def _missing_file_message(data_dir: Path, spec: FileSpec) -> str:
    required = [f.csv_name for f in FILES if f.required]
    msg = (
        f"{spec.csv_name}: required file is missing from {data_dir}. Add it: the folder must "
        f"hold {', '.join(required[:-1])} and {required[-1]} (audiences.csv is optional); "
        f"{spec.name}.parquet with the same columns is accepted instead of the CSV."
    )
    try:
        near = sorted(
            p.name
            for p in data_dir.iterdir()
            if p.name.lower() in (f"{spec.name}.csv", f"{spec.name}.parquet")
        )
    except OSError:
        near = []
    if near:
        msg += f" Found {near[0]}: file names are exact and lower-case, rename it."
    return msg


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise InputRefused(
            f"{path.name}: cannot be read ({exc.strerror or exc}). Check that the file exists "
            "and that you have permission to read it.",
            source_file=path.name,
        ) from None


def _sniff_csv(path: Path) -> tuple[str, bool]:
    """Refuse what is clearly not a CSV text file; return the text encoding and whether
    the file has any double quote."""
    name = path.name
    head = _read_head(path)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputRefused(
            f"{name}: the file is empty (no header line). Export it again with a header "
            "row naming the columns.",
            source_file=name,
        )
    kinds = [
        (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx); export the sheet as CSV"),
        (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls); export the sheet as CSV"),
        (b"\x1f\x8b", "gzip-compressed; decompress it first"),
        (b"PAR1", f"a Parquet file; name it {path.stem}.parquet"),
        (b"\xff\xfe", "UTF-16 text; save it as UTF-8 CSV"),
        (b"\xfe\xff", "UTF-16 text; save it as UTF-8 CSV"),
    ]
    for magic, what in kinds:
        if head.startswith(magic):
            raise InputRefused(
                f"{name}: this is not a CSV text file: it is {what}.", source_file=name
            )
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if b"\x00" in head or controls > max(2, len(head) // 100):
        raise InputRefused(
            f"{name}: this is not a CSV text file (binary content in the first bytes). "
            "Export the data as a comma-separated UTF-8 text file.",
            source_file=name,
        )
    return _detect_encoding(path)


def _detect_encoding(path: Path) -> tuple[str, bool]:
    """UTF-8 if the whole file decodes as UTF-8, else cp1252, else latin-1 (never fails);
    and whether any byte is a double quote (0x22 in all three, never inside a UTF-8
    multi-byte character)."""
    quoted = False
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_SCAN_BYTES):
                    quoted = quoted or b'"' in chunk
                    # ASCII is valid in all three encodings: only other bytes need decoding
                    if not (chunk.isascii() and not decoder.getstate()[0]):
                        decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding, quoted
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise InputRefused(
                f"{path.name}: cannot be read ({exc.strerror or exc}).", source_file=path.name
            ) from None
    return "latin-1", True  # neither pass read to the end: assume quotes


def _csv_header(path: Path, spec: FileSpec, encoding: str) -> Header:
    name = path.name
    head = _read_head(path)
    # a UTF-8 BOM can precede text that is otherwise cp1252: drop it in either case
    head = head.removeprefix(b"\xef\xbb\xbf")
    text = head.decode(encoding, errors="replace")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip(" \t\r,"):
        raise InputRefused(
            f"{name}: line 1 is empty; the header row naming the columns must be on line 1. "
            "Remove the empty lines above the header.",
            source_file=name,
        )
    if "\n" not in text and "\r" not in text and len(head) == _HEAD_BYTES:
        raise InputRefused(
            f"{name}: no line break in the first MB; this does not look like a CSV file. "
            "Export it again as a CSV with one row per line and a header row of column names.",
            source_file=name,
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        fields = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise InputRefused(
            f"{name}: the header line cannot be parsed ({exc}). Check its quotes.",
            source_file=name,
        ) from None
    header = Header(fields, [f.strip().lower() for f in fields], reader.line_num)
    if len(fields) == 1:
        for delim, label in ((";", "semicolons (;)"), ("\t", "tabs"), ("|", "pipes (|)")):
            if delim in fields[0]:
                raise InputRefused(
                    f"{name}: the header is a single field containing {label}: the file "
                    f"seems to use {label} as the delimiter. Save it with commas (,) "
                    "between fields.",
                    source_file=name,
                )
    _check_columns(name, spec, header)
    return header


def _parquet_header(path: Path, spec: FileSpec) -> Header:
    head = _read_head(path)
    if not head:
        raise InputRefused(f"{path.name}: the file is empty.", source_file=path.name)
    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputRefused(
            f"{path.name}: could not be read as Parquet ({_short(exc)}). Write it again, "
            "or provide the CSV instead.",
            source_file=path.name,
        ) from None
    header = Header(list(names), [n.strip().lower() for n in names])
    _check_columns(path.name, spec, header)
    return header


def _check_columns(name: str, spec: FileSpec, header: Header) -> None:
    seen: dict[str, int] = {}
    for pos, col in enumerate(header.names):
        if col and col in seen:
            raise InputRefused(
                f"{name}: column '{col}' appears twice in the header (columns {seen[col] + 1} "
                f"and {pos + 1}; headers are matched ignoring case and surrounding spaces). "
                "Remove or rename one of them.",
                source_file=name,
            )
        seen[col] = pos
    missing = [c for c in spec.required_columns if c not in seen]
    if missing:
        found = ", ".join(c for c in header.names if c) or "no named columns"
        what = (
            f"required column '{missing[0]}' is missing"
            if len(missing) == 1
            else "required columns " + ", ".join(f"'{m}'" for m in missing) + " are missing"
        )
        raise InputRefused(
            f"{name}: {what} (found: {found}). Add the column or rename it; headers are "
            "matched case-insensitively.",
            source_file=name,
        )


def _flat(t: pa.DataType) -> bool:
    return not (pa.types.is_nested(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
