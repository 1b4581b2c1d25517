"""Whether the data are stale: the latest order date against today (or --as-of).

The site and the summary judge it again when they are opened (so that the same inputs
still give byte-identical files); the run itself warns on its console and exits 0.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb


def latest_order_date(warehouse: Path) -> dt.date | None:
    """The last day with orders (the programme summary's last_date), if the warehouse has it."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute("select max(last_date) from main.mart_programme_summary").fetchone()
    except duckdb.Error:
        return None
    value = row[0] if row else None
    return value if isinstance(value, dt.date) else None


def stale_warning(warehouse: Path, stale_after: int, as_of: dt.date | None) -> str | None:
    """A warning when the data are more than `stale_after` days old, else None."""
    last = latest_order_date(warehouse)
    if last is None:
        return None
    today = as_of or dt.date.today()
    age = (today - last).days
    if age <= stale_after:
        return None
    return (f"warning: the data end on {last.isoformat()}, {age} days before "
            f"{'--as-of ' if as_of else 'today, '}{today.isoformat()} "
            f"(more than --stale-after {stale_after}): the report and summary say so")
