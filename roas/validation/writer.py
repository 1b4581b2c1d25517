"""Write the validated folder: stream Parquet into a staging folder, then move into place.

Staging means a refused input never leaves a half-written set of files behind:
either every output file is replaced, or none is.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .background import Worker
from .report import ValidationReport
from .spec import FILES, LOAD_AUDIT_SCHEMA, REJECTED_SCHEMA, RESULTS_SCHEMA

REJECTED = "rejected_rows.parquet"
LOAD_AUDIT = "load_audit.parquet"
RESULTS = "validation_results.parquet"
INPUTS = "inputs.json"
# the fixed set of files validation owns in out_dir
OUTPUT_FILES = [f"{f.name}.parquet" for f in FILES] + [REJECTED, LOAD_AUDIT, RESULTS, INPUTS]

_PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True}


class OutputWriter:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=".validating-", dir=out_dir))
        except OSError as exc:
            raise OSError(f"cannot create the validated folder {out_dir}: {exc}") from exc
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._worker = Worker(depth=2, name="parquet writer")
        self._schemas: dict[str, pa.Schema] = {
            f"{f.name}.parquet": f.output_schema() for f in FILES
        } | {REJECTED: REJECTED_SCHEMA}

    def append(self, file_name: str, table: pa.Table) -> None:
        """Append one batch as a row group, in a background thread (Parquet encoding
        releases the GIL). One thread, calls in order: row groups follow input batches."""
        self._worker.submit(lambda: self._append(file_name, table))

    def _append(self, file_name: str, table: pa.Table) -> None:
        schema = self._schemas[file_name]
        writer = self._writers.get(file_name)
        if writer is None:
            writer = pq.ParquetWriter(self.staging / file_name, schema, **_PARQUET_OPTIONS)
            self._writers[file_name] = writer
        if table.num_rows:
            writer.write_table(table.cast(schema))

    def finish(self, report: ValidationReport, audit: pa.Table, results: pa.Table) -> None:
        self._worker.drain()
        # every file always exists, empty with its schema when there was nothing to write
        for file_name in self._schemas:
            self._append(file_name, self._schemas[file_name].empty_table())
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        pq.write_table(audit.cast(LOAD_AUDIT_SCHEMA), self.staging / LOAD_AUDIT, **_PARQUET_OPTIONS)
        pq.write_table(results.cast(RESULTS_SCHEMA), self.staging / RESULTS, **_PARQUET_OPTIONS)
        (self.staging / INPUTS).write_text(
            json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        for file_name in OUTPUT_FILES:
            os.replace(self.staging / file_name, self.out_dir / file_name)
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._worker.drain()
        for writer in self._writers.values():
            with contextlib.suppress(OSError, pa.ArrowException):
                writer.close()
        self._writers.clear()
        shutil.rmtree(self.staging, ignore_errors=True)
