"""RFC 4180 CSV writing: the csv module for small files, pyarrow for the big one."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

STRUCTURAL = (",", '"', "\n", "\r")


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write with minimal quoting (only fields holding , " or a newline); None is empty."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        out.writerow(header)
        for row in rows:
            out.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def needs_quoting(values: Iterable[str]) -> bool:
    return any(ch in v for v in values for ch in STRUCTURAL)


def write_batches(path: Path, schema: pa.Schema, batches: Iterable[pa.RecordBatch],
                  quote: bool) -> int:
    """Stream record batches to CSV, so memory stays bounded by one batch.

    pyarrow's 'needed' style quotes every string; 'none' writes bare values and
    refuses any value that would need quotes, so it is safe when `quote` is False.
    The header is written here because pyarrow always quotes it.
    """
    options = pacsv.WriteOptions(include_header=False,
                                 quoting_style="needed" if quote else "none")
    count = 0
    with path.open("wb") as fh:
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(schema.names)
        fh.write(header.getvalue().encode("utf-8"))
        with pacsv.CSVWriter(fh, schema, write_options=options) as out:
            for batch in batches:
                out.write_batch(batch)
                count += batch.num_rows
    return count


def money_from_paise(paise: np.ndarray) -> pa.Array:
    """Exact decimal(18, 2) column from integer paise: written as e.g. 1899.00."""
    paise = np.ascontiguousarray(paise, dtype=np.int64)
    words = np.empty(2 * len(paise), dtype=np.int64)
    words[0::2] = paise  # decimal128 is a little-endian 128-bit unscaled integer
    words[1::2] = np.where(paise < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(paise), [None, pa.py_buffer(words)])


def money(x: float) -> str:
    return f"{x:.2f}"
