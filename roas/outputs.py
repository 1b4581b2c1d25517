"""What a run publishes besides the warehouse: dbt's docs and the marts as Parquet.

Called by roas.pipeline, one stage each:
  dbt docs  -> <build>/dbt/target/static_index.html, generated against the warehouse
               being built (before it is published); the report stage ships it in the site
  export    -> <warehouse dir>/<warehouse stem>.marts/*.parquet + _manifest.json, from the
               published warehouse
"""

from __future__ import annotations

from pathlib import Path

from roas.dbt_docs import generate_docs
from roas.export import export_marts
from roas.incremental import BuildState
from roas.paths import BuildPaths
from roas.progress import StageLog


def docs_stage(
    log: StageLog,
    paths: BuildPaths,
    dbt_vars: dict[str, object],
    state: BuildState,
    *,
    warehouse: Path | None = None,
    validated_dir: Path | None = None,
) -> None:
    with log.stage("dbt docs") as stage:
        page, regenerated = generate_docs(paths, dbt_vars, state, warehouse=warehouse,
                                          validated_dir=validated_dir)
        stage.detail = (str(page.name) if regenerated else
                        f"{page.name} reused (same project, vars and schema)")


def export_stage(log: StageLog, warehouse: Path) -> None:
    with log.stage("export") as stage:
        result = export_marts(warehouse)
        stage.detail = (
            f"{len(result.manifest)} marts, {result.rows:,} rows -> {result.folder.name}/"
        )
