"""Shared, session-wide builds: the real `roas` command on the hand fixture and the demo."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
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


def stage_line(output: str, stage: str, until: str | None = None) -> str:
    """A stage's line of a run's output, joined up as a narrow terminal may wrap it: up to
    the stage `until` when given, else its first 120 characters."""
    text = " ".join(output.split())
    start = text.index(stage)
    return text[start:text.index(until, start)] if until else text[start:start + 120]


def build_from(data: Path, root: Path, *extra: str, env: dict[str, str] | None = None) -> Build:
    site, warehouse = root / "site", root / "warehouse.duckdb"
    result = run_roas("run", "--data", data, "--out", site, "--warehouse", warehouse, *extra,
                      env=env)
    assert result.returncode == 0, f"roas run failed:\n{result.stdout}\n{result.stderr}"
    return Build(data, site, warehouse, result)


def shared_build(factory: pytest.TempPathFactory, name: str,
                 make: Callable[[Path], Build]) -> Build:
    """A build made once for the whole test session: by whichever pytest-xdist worker asks
    first, while the others wait on a lock, then read it (the builds are only read, and a
    test that changes one works on its own copy). A worker that failed midway left no
    record, so the next one builds it again and fails with its own message."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder the session's workers share
    root, record = base / f"shared-{name}", base / f"shared-{name}.json"
    with (base / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if not record.is_file():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            build = make(root)
            result = build.result
            record.write_text(json.dumps({
                "data": str(build.data), "site": str(build.site),
                "warehouse": str(build.warehouse), "args": [str(a) for a in result.args],
                "returncode": result.returncode, "stdout": result.stdout,
                "stderr": result.stderr,
            }))
            return build
    saved = json.loads(record.read_text())
    result = subprocess.CompletedProcess(saved["args"], saved["returncode"], saved["stdout"],
                                         saved["stderr"])
    return Build(Path(saved["data"]), Path(saved["site"]), Path(saved["warehouse"]), result)


def _hand(root: Path) -> Build:
    data = root / "raw"
    shutil.copytree(HAND_FIXTURE, data)
    return build_from(data, root, *HAND_MAX_REJECT_SHARE)


def _demo(root: Path) -> Build:
    # as `make demo` does: the programme ends today, so the demo is not stale
    generated = run_roas("generate", "--out", root / "raw", "--seed", "42",
                         "--end-date", dt.date.today().isoformat())
    assert generated.returncode == 0, generated.stderr
    return build_from(root / "raw", root)


@pytest.fixture(scope="session")
def hand_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return shared_build(tmp_path_factory, "hand", _hand)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return shared_build(tmp_path_factory, "demo", _demo)


# the planted-truth programmes (tests/planted.py), shared by the modules that score them
from planted import programmes  # noqa: E402,F401

# -- running on several workers (`make test`: pytest-xdist, --dist loadfile) -------------
# A worker builds each session fixture it needs itself (but the demo and hand builds,
# shared above), so the modules that score the planted programmes (the costliest fixture)
# go to one worker together; every other module is a unit of its own, which keeps its
# module fixtures built once. The longest units go first, so that the workers finish
# together instead of one waiting on the last.
SHARED_UNITS = {"test_decisions.py": "planted", "test_incrementality.py": "planted"}
LONGEST_FIRST = ("test_plan.py", "test_incremental_build.py", "planted", "test_bench_smoke.py",
                 "test_sql_rules.py", "test_site_demo.py", "test_rerun.py", "test_failures.py",
                 "test_determinism.py", "test_valid_variations.py", "test_site_browser.py",
                 "test_declared_metric.py", "test_first_seen.py", "test_dbt_project.py",
                 "test_summary.py", "test_report.py")  # measured, longest first


def work_unit(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return SHARED_UNITS.get(module, module)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        unit = work_unit(item.nodeid)
        return LONGEST_FIRST.index(unit) if unit in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within a module is unchanged


@pytest.hookimpl(optionalhook=True)  # a run without xdist knows no such hook
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN201 - xdist's type
    """--dist loadfile, with the shared units above (xdist's loadgroup reads no marks
    under pytest 9 here: each test went its own way)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    # xdist would otherwise hand out the units with the most tests first, not this order
    config.option.loadscopereorder = False

    class ModuleUnits(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return ModuleUnits(config, log)


def dead_pid() -> int:
    """The pid of a process that has ended: a killed run's, as its leftovers name it."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
