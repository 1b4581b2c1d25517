"""Errors the CLI turns into one clear message and an exit code, never a traceback.

RoasError itself lives in the leaf module `roas_errors`, shared with the report engine.
"""

from roas_errors import RoasError


class UsageError(RoasError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


class BuildFailed(RoasError):
    """dbt could not build or test the warehouse."""


class WarehouseLocked(RoasError):
    """Another process holds the DuckDB file open for writing."""


class RunInProgress(RoasError):
    """Another `roas run` is building the same warehouse right now."""


class OutputRefused(UsageError):
    """--out or --warehouse points at something roas must not replace (exit 2)."""
