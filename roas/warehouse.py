"""Opening the DuckDB warehouse, and turning its lock conflicts into clear messages."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from roas.errors import WarehouseLocked


def describe_lock_holder(message: str) -> str:
    """DuckDB names the process holding the lock ("(PID 1234)"); keep that for the user."""
    match = re.search(r"PID (\d+)", message)
    return f"process {match.group(1)}" if match else "another process"


def ensure_writable(warehouse: Path) -> None:
    """Fail fast, before any work, when another run or client writes this warehouse."""
    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise WarehouseLocked(
            f"{warehouse} is open for writing by {describe_lock_holder(str(error))}; "
            "wait for that run to finish or close that client, then try again"
        ) from None
