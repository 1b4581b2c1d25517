"""Shared, session-wide builds: the real `roas` command on the hand fixture and the demo."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
HAND_FIXTURE = REPO / "tests" / "fixtures" / "hand"
# The hand fixture rejects 2 of its 19 tracking rows on purpose (10.5%), above the default
# --max-reject-share of 5%: every command run on it states a limit that lets it through.
HAND_MAX_REJECT_SHARE = ("--max-reject-share", "0.2")
ROAS = [sys.executable, "-m", "roas.cli"]


def run_roas(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a child process, as a user would."""
    full_env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "SOURCE_DATE_EPOCH": "1767225600"}
    full_env.update(env or {})
    return subprocess.run(
        [*ROAS, *map(str, args)], capture_output=True, text=True, env=full_env, cwd=REPO
    )


@dataclass(frozen=True)
class Build:
    data: Path
    site: Path
    warehouse: Path
    result: subprocess.CompletedProcess

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list | None = None) -> dict:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        assert len(rows) == 1, f"expected one row, got {len(rows)} for {sql}"
        return dict(zip(names, rows[0], strict=True))


def build_from(data: Path, root: Path, *extra: str) -> Build:
    site, warehouse = root / "site", root / "warehouse.duckdb"
    result = run_roas("run", "--data", data, "--out", site, "--warehouse", warehouse, *extra)
    assert result.returncode == 0, f"roas run failed:\n{result.stdout}\n{result.stderr}"
    return Build(data, site, warehouse, result)


@pytest.fixture(scope="session")
def hand_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("hand")
    data = root / "raw"
    shutil.copytree(HAND_FIXTURE, data)
    return build_from(data, root, *HAND_MAX_REJECT_SHARE)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("demo")
    # as `make demo` does: the programme ends today, so the demo is not stale
    generated = run_roas("generate", "--out", root / "raw", "--seed", "42",
                         "--end-date", dt.date.today().isoformat())
    assert generated.returncode == 0, generated.stderr
    return build_from(root / "raw", root)


# the planted-truth programmes (tests/planted.py), shared by the modules that score them
from planted import programmes  # noqa: E402,F401
