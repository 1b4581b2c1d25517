"""What a run publishes besides the warehouse: dbt's docs and the marts as Parquet.

Called by roas.pipeline right after the dbt build (one stage each):
  dbt docs  -> <build>/dbt/target/static_index.html (shipped into the site by the report stage)
  export    -> <warehouse dir>/<warehouse stem>.marts/*.parquet + _manifest.json
"""

from __future__ import annotations

from roas.dbt_docs import generate_docs
from roas.export import export_marts
from roas.paths import BuildPaths
from roas.progress import StageLog


def outputs_stage(log: StageLog, paths: BuildPaths, dbt_vars: dict[str, object]) -> None:
    with log.stage("dbt docs") as stage:
        page = generate_docs(paths, dbt_vars)
        stage.detail = str(page.name)
    with log.stage("export") as stage:
        result = export_marts(paths.warehouse)
        marts, rows = len(result.manifest), result.rows
        stage.detail = f"{marts} marts, {rows:,} rows -> {result.folder.name}/"
