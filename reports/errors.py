"""Errors raised by the report."""


class ReportError(Exception):
    """The report cannot be rendered (missing warehouse, table or column)."""
