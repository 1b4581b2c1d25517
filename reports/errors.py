"""Errors raised by the report."""

from roas_errors import RoasError


class ReportError(RoasError):
    """The report cannot be rendered (missing warehouse, table or column)."""
