"""Runs `dbt build` in-process against the project, with progress and clear failures."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from roas.errors import BuildFailed
from roas.paths import BuildPaths, project_dir

FAILED_STATUSES = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class DbtOutcome:
    models: int
    tests: int
    warnings: list[str]


def dbt_args(command: str, paths: BuildPaths, dbt_vars: dict[str, object]) -> list[str]:
    project = str(project_dir())
    return [
        command,
        "--project-dir", project,
        "--profiles-dir", project,
        "--target-path", str(paths.dbt_target_dir),
        "--log-path", str(paths.dbt_log_dir),
        "--vars", json.dumps(dbt_vars, sort_keys=True),
        "--quiet",
        "--no-use-colors",
    ]


def _set_environment(paths: BuildPaths) -> None:
    # profiles.yml and the sources read these; set them for this process and its threads.
    os.environ["ROAS_WAREHOUSE"] = str(paths.warehouse)
    os.environ["ROAS_VALIDATED_DIR"] = str(paths.validated_dir)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def run_dbt(
    command: str,
    paths: BuildPaths,
    dbt_vars: dict[str, object],
    on_node: Callable[[str], None] | None = None,
) -> DbtOutcome:
    """Run a dbt command (build, docs generate ...) and raise BuildFailed with the failing nodes."""
    from dbt.cli.main import dbtRunner  # heavy import, only when dbt is needed

    _set_environment(paths)
    paths.dbt_log_dir.mkdir(parents=True, exist_ok=True)

    def callback(event) -> None:  # dbt's EventMsg
        if on_node is not None and event.info.name == "NodeFinished":
            node = event.data.node_info
            on_node(f"{node.resource_type} {node.node_name}: {node.node_status}")

    result = dbtRunner(callbacks=[callback]).invoke(dbt_args(command, paths, dbt_vars))
    if result.exception is not None:
        raise BuildFailed(f"dbt {command} could not run: {result.exception}")
    node_results = list(getattr(result.result, "results", None) or [])
    failures = [r for r in node_results if str(r.status) in FAILED_STATUSES]
    if failures or not result.success:
        lines = [f"  - {r.node.resource_type} {r.node.name}: {r.message}" for r in failures[:10]]
        more = f"\n  … and {len(failures) - 10} more" if len(failures) > 10 else ""
        log_file = Path(paths.dbt_log_dir) / "dbt.log"
        raise BuildFailed(
            f"dbt {command} failed ({len(failures)} node(s)); see {log_file}\n"
            + "\n".join(lines)
            + more
        )
    return DbtOutcome(
        models=sum(1 for r in node_results if r.node.resource_type in ("model", "seed")),
        tests=sum(1 for r in node_results if r.node.resource_type in ("test", "unit_test")),
        warnings=[f"{r.node.name}: {r.message}" for r in node_results if str(r.status) == "warn"],
    )
