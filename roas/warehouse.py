"""The DuckDB warehouse file: checking it before a run, sealing and swapping in the new one.

A run never writes the published warehouse in place. dbt builds a new file in the
build folder beside it (`<warehouse>.build/building.duckdb`); only after `dbt build` passed is that
file checkpointed (no pending `.wal`) and moved onto the published path with
os.replace, one atomic rename. Readers holding the old file open keep reading
the old version; new readers get the new one.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import duckdb

from roas.errors import BuildFailed, OutputRefused, WarehouseLocked
from roas.publish import fsync_dir

DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def describe_lock_holder(message: str) -> str:
    """DuckDB names the process holding the lock ("(PID 1234)"); keep that for the user."""
    match = re.search(r"PID (\d+)", message)
    return f"process {match.group(1)}" if match else "another process"


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def is_duckdb_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head[8:12] == DUCKDB_MAGIC


def ensure_writable(warehouse: Path) -> None:
    """Fail fast, before any work, if the published warehouse must not be replaced.

    Refused: a folder or a file that is not a DuckDB database (never overwrite
    someone's file), and a warehouse another process holds open for writing.
    Read-only readers (SQL clients) are no obstacle: the run replaces the file
    by a rename and they keep the version they opened.
    """
    if not warehouse.exists() and not warehouse.is_symlink():
        return
    if warehouse.is_dir():
        raise OutputRefused(
            f"--warehouse {warehouse} is a folder; give the path of a .duckdb file instead"
        )
    if not warehouse.exists():  # dangling symlink
        raise OutputRefused(f"--warehouse {warehouse} is a broken symbolic link; remove it")
    if warehouse.stat().st_size == 0:
        return
    if not is_duckdb_file(warehouse):
        raise OutputRefused(
            f"--warehouse {warehouse} exists and is not a DuckDB database; roas would replace "
            "it. Choose another path (e.g. build/roas.duckdb) or remove that file."
        )
    try:
        duckdb.connect(str(warehouse), read_only=True).close()
    except duckdb.Error as error:
        if "lock" in str(error).lower():
            raise WarehouseLocked(
                f"{warehouse} is open for writing by {describe_lock_holder(str(error))}; "
                "wait for that run to finish or close that client, then try again"
            ) from None
        # an unreadable old database (other DuckDB version, damaged): rebuilt from scratch


def referenced_text(warehouse: Path) -> str:
    """The SQL of the warehouse's views (they name the validated folder they read); '' if none."""
    if not warehouse.is_file():
        return ""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute("select sql from duckdb_views() where not internal").fetchall()
    except duckdb.Error:
        return ""
    return "\n".join(r[0] or "" for r in rows)


def seal(database: Path) -> None:
    """Checkpoint a freshly built file so that it is complete without its write-ahead log."""
    try:
        with duckdb.connect(str(database)) as con:
            con.execute("CHECKPOINT")
    except duckdb.Error as error:
        raise BuildFailed(f"the new warehouse {database} cannot be opened: {error}") from None
    if wal_path(database).exists():
        raise BuildFailed(f"the new warehouse {database} still has a pending write-ahead log")
    with open(database, "rb+") as fh:
        os.fsync(fh.fileno())


def publish_warehouse(new: Path, warehouse: Path) -> None:
    """Atomically replace `warehouse` by the sealed file `new`."""
    # a WAL next to the published file belongs to the old database (a client that
    # crashed while writing it): it must never be replayed onto the new one
    with contextlib.suppress(FileNotFoundError):
        wal_path(warehouse).unlink()
    os.replace(new, warehouse)
    fsync_dir(warehouse.parent)


def remove_database(database: Path) -> None:
    for path in (database, wal_path(database)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
