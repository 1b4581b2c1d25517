"""The public marts as Parquet files beside the warehouse, for any SQL client.

For `--warehouse PATH/NAME.duckdb` a run writes `PATH/NAME.marts/`:

    NAME.marts/<mart>.parquet     one file per public mart (all its rows and columns)
    NAME.marts/_manifest.json     {mart: {"file", "rows", "columns": [{"name", "type"}]}}

Column types in the manifest are the warehouse's (DuckDB) type names: BIGINT,
DOUBLE, VARCHAR, DATE, BOOLEAN. The folder is replaced as a whole: the new
files are written into a sibling temporary folder that is then renamed into
place, so a reader never sees a half-written set (between the two renames the
folder is briefly absent).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from roas.publish import leftovers, pid_alive, remove_tree

MANIFEST = "_manifest.json"
# What the dbt project declares public (access: public), written by the build itself
MEANINGS_TABLE = "column_meanings"


def marts_dir(warehouse: Path) -> Path:
    """`PATH/NAME.duckdb` -> `PATH/NAME.marts`."""
    return warehouse.with_name(warehouse.stem + ".marts")


def public_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of the warehouse (schema main) the dbt project declares public, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' "
        "and table_type = 'BASE TABLE' "
        f"and table_name in (select model_name from main.{MEANINGS_TABLE}) "
        "order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    manifest: dict[str, dict]

    @property
    def rows(self) -> int:
        return sum(entry["rows"] for entry in self.manifest.values())


def _remove_dead_stagings(folder: Path) -> None:
    """Staging folders of exports killed midway (SIGKILL: no cleanup ran), named as
    roas.publish names temporaries, after the hidden `.<folder>`; a live process's stays."""
    for path, kind, pid in leftovers(folder.with_name(f".{folder.name}")):
        if kind == "tmp" and not pid_alive(pid):
            remove_tree(path)


def export_marts(warehouse: Path, folder: Path | None = None) -> ExportResult:
    """Write every public mart of `warehouse` as Parquet plus `_manifest.json` into `folder`."""
    warehouse = Path(warehouse)
    folder = Path(folder) if folder else marts_dir(warehouse)
    staging = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    manifest: dict[str, dict] = {}
    try:  # created inside: a signal the moment it appears still removes it
        _remove_dead_stagings(folder)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            for name in public_marts(con):
                file = f"{name}.parquet"
                columns = con.execute(f"describe select * from main.{_quote(name)}").fetchall()
                (rows,) = con.execute(f"select count(*) from main.{_quote(name)}").fetchone()
                con.execute(
                    f"copy (select * from main.{_quote(name)}) "
                    f"to {_sql_text(str(staging / file))} (format parquet, compression zstd)"
                )
                manifest[name] = {
                    "file": file,
                    "rows": rows,
                    "columns": [{"name": column[0], "type": column[1]} for column in columns],
                }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(folder, manifest)


def _swap_into_place(staging: Path, folder: Path) -> None:
    """Replace `folder` by `staging` with renames (the old set is removed afterwards)."""
    retired = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)


def read_manifest(folder: Path) -> dict[str, dict]:
    return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
