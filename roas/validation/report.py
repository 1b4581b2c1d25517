"""What validation found, per file, for the CLI to print and for inputs.json."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_EXAMPLES = 5


@dataclass
class FileStats:
    name: str  # logical name: 'tracking_data'
    source_file: str  # the file read: 'tracking_data.csv' (or .parquet); the CSV name if absent
    file_present: bool
    fmt: str | None = None  # 'csv' | 'parquet'
    encoding: str | None = None  # csv only; anything but utf-8 is noted in validation_results
    columns_present: list[str] = field(default_factory=list)  # normalised, file order
    extra_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    blank_rows_skipped: int = 0  # empty lines / all-empty records: not rows
    reasons: Counter[str] = field(default_factory=Counter)  # rule -> rows failing it
    examples: list[tuple[int, str]] = field(default_factory=list)  # first rejected (line, reason)

    @property
    def rejected_share(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0

    def note_rejected(self, line: int, reason: str) -> None:
        if len(self.examples) < _EXAMPLES:
            self.examples.append((line, reason))

    def top_reasons(self, k: int = 3) -> str:
        return "; ".join(f"{rule} ({n:,} rows)" for rule, n in self.reasons.most_common(k))

    def as_dict(self) -> dict:
        return {
            "source_file": self.source_file,
            "file_present": self.file_present,
            "format": self.fmt,
            "encoding": self.encoding,
            "columns_present": self.columns_present,
            "extra_columns": self.extra_columns,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_flagged": self.rows_flagged,
            "blank_rows_skipped": self.blank_rows_skipped,
        }


@dataclass
class ValidationReport:
    files: dict[str, FileStats]  # by logical name, in validation order
    has_audiences: bool  # audiences file present with at least one valid row
    tracking_has_group: bool  # tracking file has a `group` column
    validated_at: str
    out_dir: Path | None = None

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.files.values())

    @property
    def rows_flagged(self) -> int:
        return sum(s.rows_flagged for s in self.files.values())

    def as_dict(self) -> dict:
        """The content of inputs.json."""
        return {
            "has_audiences": self.has_audiences,
            "tracking_has_group": self.tracking_has_group,
            "validated_at": self.validated_at,
            "files": {name: s.as_dict() for name, s in self.files.items()},
        }

    def summary(self) -> str:
        """Plain text table for the terminal."""
        lines = [
            f"{'file':<24}{'read':>12}{'loaded':>12}{'rejected':>10}{'flagged':>10}",
        ]
        for s in self.files.values():
            if not s.file_present:
                lines.append(f"{s.source_file:<24}{'absent (optional)':>22}")
                continue
            lines.append(
                f"{s.source_file:<24}{s.rows_read:>12,}{s.rows_loaded:>12,}"
                f"{s.rows_rejected:>10,}{s.rows_flagged:>10,}"
            )
        for s in self.files.values():
            if s.encoding not in (None, "utf-8"):
                lines.append(f"note: {s.source_file} is not UTF-8; it was read as {s.encoding}.")
            for line, reason in s.examples:
                lines.append(f"rejected {s.source_file} line {line}: {reason}")
            if s.rows_rejected > len(s.examples):
                lines.append(f"  ... {s.rows_rejected - len(s.examples):,} more in {s.source_file}")
        total = self.rows_rejected
        where = f" (see {self.out_dir / 'rejected_rows.parquet'})" if self.out_dir else ""
        lines.append(
            f"{total:,} row{'s' if total != 1 else ''} rejected{where}; "
            f"{self.rows_flagged:,} flagged but kept. "
            f"audiences: {'yes' if self.has_audiences else 'no'}; "
            f"tracking group column: {'yes' if self.tracking_has_group else 'no'}."
        )
        return "\n".join(lines)
