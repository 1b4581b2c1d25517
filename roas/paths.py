"""Where the dbt project lives and where a run writes its intermediate files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def project_dir() -> Path:
    """The dbt project root (holds dbt_project.yml); overridable for installed copies."""
    override = os.environ.get("ROAS_PROJECT_DIR")
    root = Path(override) if override else Path(__file__).resolve().parents[1]
    if not (root / "dbt_project.yml").is_file():
        raise FileNotFoundError(
            f"dbt project not found at {root}; set ROAS_PROJECT_DIR to the repository root"
        )
    return root


NEW_WAREHOUSE = "building.duckdb"


@dataclass(frozen=True)
class BuildPaths:
    """Files of one warehouse: the DuckDB file and its build folder beside it."""

    warehouse: Path

    @property
    def build_dir(self) -> Path:
        return self.warehouse.with_name(self.warehouse.stem + ".build")

    @property
    def validated_dir(self) -> Path:
        """Stable name of the published validated folder (a symlink to the run's folder)."""
        return self.build_dir / "validated"

    def validated_run_dir(self, run_id: str) -> Path:
        """The validated folder of one run; the warehouse built from it reads it in place."""
        return self.build_dir / f"validated.{run_id}"

    @property
    def lock_file(self) -> Path:
        """Held by the run building this warehouse (roas.lock)."""
        return self.warehouse.with_name(self.warehouse.name + ".lock")

    @property
    def new_warehouse(self) -> Path:
        """Where dbt builds; moved onto `warehouse` only after dbt build passed.

        One fixed name in the build folder (one run per warehouse holds the lock): dbt runs
        in the build folder and opens it by this relative name, so its profile is the same
        text for every warehouse and run, and dbt can parse the project partially.
        """
        return self.build_dir / NEW_WAREHOUSE

    @property
    def tmp_warehouse_glob(self) -> str:
        return f"{self.warehouse.name}.tmp-*"

    @property
    def dbt_target_dir(self) -> Path:
        return self.build_dir / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.build_dir / "dbt" / "logs"


def build_paths(warehouse: Path) -> BuildPaths:
    return BuildPaths(warehouse.expanduser().resolve())
