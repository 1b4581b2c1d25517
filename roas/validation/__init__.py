"""Validation stage: raw files -> Great Expectations suites -> validated Parquet files.

    from roas.validation import validate_folder, InputRefused
    report = validate_folder(data_dir, out_dir, progress=print, max_reject_share=None)

Great Expectations is imported only when validate_folder runs (it takes seconds).
"""

from .errors import InputRefused
from .pipeline import validate_folder
from .report import FileStats, ValidationReport

__all__ = ["FileStats", "InputRefused", "ValidationReport", "validate_folder"]
