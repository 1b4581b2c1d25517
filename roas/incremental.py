"""Whether a run may build on the published warehouse (incremental) or must rebuild it.

An incremental run starts the temporary warehouse from a copy of the published one,
so that dbt's incremental model fct_orders finds the previous build's rows and
replaces only the orders that changed (docs/incremental.md). What the data changed
is found by dbt itself (fct_orders' pre-hook compares the new order lines with its
previous rows); what dbt cannot see is recorded here: the fingerprint of
the dbt project (models, macros, tests, seeds, dbt and DuckDB versions) and of the
run's dbt vars, stored in the warehouse it built (table roas_build_state, written
before the warehouse is sealed, so it is published with it or not at all). A
different fingerprint, no state, or --full-refresh: the run rebuilds in full and
says why.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from roas.paths import project_dir
from roas.warehouse import is_duckdb_file, wal_path

STATE_TABLE = "roas_build_state"
# what the dbt build reads besides the data; a change in any of them rebuilds in full
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
PROJECT_FOLDERS = ("models", "macros", "tests/dbt")
SEED_FOLDER = "seeds"
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


@dataclass(frozen=True)
class BuildState:
    """What a warehouse was built with, apart from the data."""

    project: str
    seeds: str
    dbt_vars: str
    # the vars themselves (not compared): `roas plan` rebuilds the plan with the same ones
    dbt_vars_json: str = "{}"

    def as_dict(self) -> dict[str, str]:
        return {"project": self.project, "seeds": self.seeds, "dbt_vars": self.dbt_vars}


@dataclass(frozen=True)
class BuildPlan:
    incremental: bool
    reason: str  # shown in the dbt build stage line


def _digest_files(root: Path, names: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(names):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _files_under(root: Path, folder: str) -> list[Path]:
    base = root / folder
    return [p for p in base.rglob("*") if p.is_file()] if base.is_dir() else []


def _package_versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}==?")
    return ",".join(found)


def current_state(dbt_vars: dict[str, object], root: Path | None = None) -> BuildState:
    root = root or project_dir()
    code = [root / name for name in PROJECT_FILES if (root / name).is_file()]
    for folder in PROJECT_FOLDERS:
        code += _files_under(root, folder)
    project = hashlib.sha256(
        (_digest_files(root, code) + _package_versions()).encode()
    ).hexdigest()
    seeds = _digest_files(root, _files_under(root, SEED_FOLDER))
    text = json.dumps(dbt_vars, sort_keys=True)
    variables = hashlib.sha256(text.encode()).hexdigest()
    return BuildState(project, seeds, variables, text)


def read_state(warehouse: Path) -> BuildState | None:
    """The state recorded in a published warehouse; None when it has none or is unreadable."""
    if not is_duckdb_file(warehouse):
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute(f"select project, seeds, dbt_vars from main.{STATE_TABLE}").fetchall()
    except duckdb.Error:
        return None
    return BuildState(*row[0]) if len(row) == 1 else None


def plan_build(warehouse: Path, state: BuildState, full_refresh: bool) -> BuildPlan:
    if full_refresh:
        return BuildPlan(False, "full refresh (--full-refresh)")
    if not warehouse.is_file():
        return BuildPlan(False, "full build (no previous warehouse)")
    if wal_path(warehouse).exists():
        # a client wrote the published file after it was sealed: its state is unknown
        return BuildPlan(
            False, "full refresh (the previous warehouse has a pending write-ahead log)"
        )
    previous = read_state(warehouse)
    if previous is None:
        return BuildPlan(False, "full refresh (the previous warehouse has no build state)")
    changed = [
        label
        for label, old, new in (
            ("the dbt project or its packages", previous.project, state.project),
            ("the seeds", previous.seeds, state.seeds),
            ("the dbt vars (run options)", previous.dbt_vars, state.dbt_vars),
        )
        if old != new
    ]
    if changed:
        what = " and ".join(changed)
        return BuildPlan(False, f"full refresh ({what} changed since the last build)")
    return BuildPlan(True, "incremental on the previous build")


def start_from(warehouse: Path, new: Path) -> None:
    """The temporary warehouse begins as a copy of the published (sealed) one."""
    shutil.copyfile(warehouse, new)


def record_state(database: Path, state: BuildState) -> None:
    """Store the build state in the new warehouse (before it is sealed and published)."""
    with duckdb.connect(str(database)) as con:
        con.execute(
            f"create or replace table main.{STATE_TABLE} "
            "(project varchar, seeds varchar, dbt_vars varchar, dbt_vars_json varchar)"
        )
        con.execute(
            f"insert into main.{STATE_TABLE} values (?, ?, ?, ?)",
            [state.project, state.seeds, state.dbt_vars, state.dbt_vars_json],
        )


def read_vars(warehouse: Path) -> dict[str, object] | None:
    """The dbt vars the published warehouse was built with; None when not recorded."""
    if not is_duckdb_file(warehouse):
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(f"select dbt_vars_json from main.{STATE_TABLE}").fetchall()
    except duckdb.Error:
        return None
    return json.loads(rows[0][0]) if len(rows) == 1 and rows[0][0] else None
