"""Runs dbt in a child process, with live progress and clear failures.

A child process, not dbtRunner in-process: dbt-duckdb keeps its connection to the
warehouse open for the life of the process, which would stop the report stage from
opening the file read-only, and a child keeps dbt's threads and globals out of ours.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from roas.errors import BuildFailed
from roas.paths import BuildPaths, project_dir
from roas.publish import replace_file
from roas.warehouse import publish_warehouse, seal

FAILED_STATUSES = {"error", "fail", "runtime error"}
DBT_ENTRY = "from dbt.cli.main import cli; cli()"


@dataclass(frozen=True)
class DbtOutcome:
    models: int
    tests: int
    warnings: list[str]
    results: list[dict]  # one per node run: unique_id, node_path, status, message


def dbt_args(command: str, paths: BuildPaths, dbt_vars: dict[str, object]) -> list[str]:
    project = str(project_dir())
    return [
        *command.split(),
        "--project-dir", project,
        "--profiles-dir", project,
        "--target-path", str(paths.dbt_target_dir),
        "--log-path", str(paths.dbt_log_dir),
        "--vars", json.dumps(dbt_vars, sort_keys=True),
        "--log-format", "json",
        # the node results are read from the file log's debug events: whatever the
        # user's DBT_LOG_* settings, it is kept as JSON at debug level
        "--log-format-file", "json",
        "--log-level-file", "debug",
        "--no-use-colors",
    ]


def stable_profile(paths: BuildPaths, warehouse: Path | None) -> bool:
    """Whether dbt's profile reads the same as every other run's: the warehouse it builds
    lies in the build folder, where dbt runs, so the profile names it relatively."""
    return Path(warehouse or paths.warehouse).parent == paths.build_dir


def dbt_environment(
    paths: BuildPaths, warehouse: Path | None = None, validated_dir: Path | None = None
) -> dict[str, str]:
    """profiles.yml and the sources read these; a run points them at its temporary files.

    dbt runs in the build folder, and the warehouse it builds there is named relative to
    it: the profile then reads the same for every run and warehouse, which lets dbt parse
    the project partially (a changed profile makes it parse everything again).
    """
    target = Path(warehouse or paths.warehouse)
    relative = target.name if stable_profile(paths, warehouse) else str(target)
    return {
        **os.environ,
        "ROAS_WAREHOUSE": relative,
        "ROAS_VALIDATED_DIR": str(validated_dir or paths.validated_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _prctl():
    """libc's prctl, looked up in the parent: nothing may be loaded between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: dbt is killed with its parent (`roas` killed with SIGKILL leaves no orphan)."""
    with contextlib.suppress(Exception):
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL))


def _json_event(line: str) -> dict | None:
    """One event of dbt's JSON log, or None for any other line."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _node_line(line: str) -> str | None:
    """One progress line for a finished node, from dbt's JSON log on stdout (the
    info-level result events: NodeFinished itself is logged at debug level only)."""
    event = _json_event(line) or {}
    name = event.get("info", {}).get("name", "")
    if not (name.startswith("Log") and name.endswith("Result")):
        return None
    node = event.get("data", {}).get("node_info") or {}
    if not node.get("node_name"):
        return None
    return f"{node.get('resource_type')} {node.get('node_name')}: {node.get('node_status')}"


def _messages(lines: list[str], level: str) -> list[str]:
    """The messages of dbt's log events of one level, in order."""
    infos = ((_json_event(line) or {}).get("info", {}) for line in lines)
    return [info["msg"].strip() for info in infos
            if info.get("level") == level and info.get("msg")]


def _error_lines(lines: list[str]) -> list[str]:
    """dbt's own error messages (e.g. a parse error), when it failed before running nodes."""
    return _messages(lines, "error")


def _warning_lines(lines: list[str]) -> list[str]:
    """dbt's warnings (deprecations, config problems), their first lines: a clean build
    has none."""
    return [message.splitlines()[0] for message in _messages(lines, "warn")]


PARSE_STATE = "partial_parse.msgpack"


PARSE_STATES_KEPT = 8  # one per set of vars recently built with (tests use several)


def project_cache() -> Path:
    """This project's cache folder (dbt's parse states, the unit tests' record, the docs
    page), shared by every warehouse built from it."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(project_dir()).encode()).hexdigest()[:16]
    return base / "influencer-roas" / key


def _parse_state_file(dbt_vars: dict[str, object]) -> Path:
    """dbt's parse state of this project for these vars. dbt parses in full whenever the
    vars differ from its last parse's, so each set of vars keeps its own: a run with
    other options (or inputs without audiences) no longer costs the next run a full
    parse."""
    key = hashlib.sha256(json.dumps(dbt_vars, sort_keys=True).encode()).hexdigest()[:16]
    return project_cache() / f"partial_parse-{key}.msgpack"


def _restore_parse_state(paths: BuildPaths, dbt_vars: dict[str, object]) -> None:
    """Start from the project's last parse with these vars (dbt checks it is current:
    same project files, vars, profile and dbt version, else it parses in full)."""
    target = paths.dbt_target_dir / PARSE_STATE
    with contextlib.suppress(OSError):
        cached = _parse_state_file(dbt_vars)
        if cached.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_file(target, cached.read_bytes())


def _save_parse_state(paths: BuildPaths, dbt_vars: dict[str, object]) -> None:
    source = paths.dbt_target_dir / PARSE_STATE
    with contextlib.suppress(OSError):
        if source.is_file():
            # whole or not at all: a parallel run may be reading it
            replace_file(_parse_state_file(dbt_vars), source.read_bytes())
            states = sorted(project_cache().glob("partial_parse-*.msgpack"),
                            key=lambda path: path.stat().st_mtime_ns, reverse=True)
            for stale in states[PARSE_STATES_KEPT:]:
                stale.unlink(missing_ok=True)


UNIT_TESTS_PASSED = "unit_tests_passed"


def unit_tests_passed(project_fingerprint: str) -> bool:
    """Whether dbt's unit tests passed for this exact project on this machine."""
    try:
        passed = (project_cache() / UNIT_TESTS_PASSED).read_text(encoding="utf-8")
    except OSError:
        return False
    return project_fingerprint in passed.split()


def record_unit_tests_passed(project_fingerprint: str) -> None:
    target = project_cache() / UNIT_TESTS_PASSED
    with contextlib.suppress(OSError):
        known = target.read_text(encoding="utf-8").split() if target.is_file() else []
        replace_file(target, "\n".join([*known[-20:], project_fingerprint]) + "\n")


def _node_results(paths: BuildPaths, lines: list[str]) -> list[dict]:
    """Each node's result (dbt's NodeFinished events of this invocation, in its debug log
    file), rather than run_results.json: a build runs with --no-write-json, which spares
    it writing the whole manifest twice."""
    invocation = next((event["info"]["invocation_id"] for event in map(_json_event, lines)
                       if event and event.get("info", {}).get("invocation_id")), None)
    if invocation is None:
        return []
    results = []
    for log in sorted(paths.dbt_log_dir.glob("dbt.log*")):  # a rotated log too
        with log.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if '"NodeFinished"' not in line or invocation not in line:
                    continue
                event = _json_event(line)
                if not event or event["info"].get("invocation_id") != invocation:
                    continue
                node, result = event["data"]["node_info"], event["data"]["run_result"]
                results.append({"unique_id": node["unique_id"],
                                "node_path": node.get("node_path"),
                                "status": result["status"], "message": result.get("message")})
    return results


def _failed_checks(result: dict, paths: BuildPaths, warehouse: Path) -> str:
    """What a failing one-node test found (rows_satisfy): its rows name the broken checks
    and their counts, which dbt's message ("Got 2 results") does not."""
    compiled = next(paths.dbt_target_dir.glob(f"compiled/**/{result['node_path']}"), None)
    sql = compiled.read_text(encoding="utf-8") if compiled else ""
    if "failed_check" not in sql:
        return ""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(sql).fetchall()
    except Exception:  # best effort: the failure is reported either way
        return ""
    return " (" + "; ".join(f"{check}: {count:,}" for check, count in sorted(rows)[:5]) + ")"


def run_dbt(
    command: str,
    paths: BuildPaths,
    dbt_vars: dict[str, object],
    on_node: Callable[[str], None] | None = None,
    *,
    warehouse: Path | None = None,
    validated_dir: Path | None = None,
) -> DbtOutcome:
    """Run a dbt command (build, docs generate ...); raise BuildFailed naming failing nodes.

    `warehouse` / `validated_dir` override the published paths (a run builds a
    temporary warehouse from its own validated folder).
    """
    paths.dbt_log_dir.mkdir(parents=True, exist_ok=True)
    _restore_parse_state(paths, dbt_vars)
    # a build needs no JSON artefact (the results come from its log); docs generate does
    no_json = ["--no-write-json"] if command.split()[0] == "build" else []
    process = subprocess.Popen(
        [sys.executable, "-c", DBT_ENTRY, *dbt_args(command, paths, dbt_vars), *no_json],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dbt_environment(paths, warehouse, validated_dir), cwd=paths.build_dir,
        preexec_fn=_die_with_parent if _PRCTL is not None else None,
    )
    lines: list[str] = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            lines.append(line)
            progress = _node_line(line)
            if progress and on_node:
                on_node(progress)
        returncode = process.wait()
    finally:
        if process.poll() is None:  # interrupted (Ctrl-C, SIGTERM): dbt stops with us
            process.kill()
            process.wait()

    results = _node_results(paths, lines)
    failures = [r for r in results if r["status"] in FAILED_STATUSES]
    if returncode != 0 or failures:
        log_file = Path(paths.dbt_log_dir) / "dbt.log"
        built = Path(warehouse or paths.warehouse)
        details = [f"  - {r['unique_id']}: {(r.get('message') or '').strip()}"
                   f"{_failed_checks(r, paths, built)}" for r in failures]
        if not details:
            details = [f"  {message}" for message in _error_lines(lines)[-5:]]
        raise BuildFailed(
            f"dbt {command} failed (exit {returncode}); full log: {log_file}\n"
            + "\n".join(details[:10])
            + (f"\n  … and {len(details) - 10} more" if len(details) > 10 else "")
        )
    if stable_profile(paths, warehouse):
        # a parse with another profile (a warehouse elsewhere) would cost the next run a
        # full parse ("profile has changed"): only the runs' common profile is kept
        _save_parse_state(paths, dbt_vars)
    kinds = [r["unique_id"].split(".")[0] for r in results]
    return DbtOutcome(
        models=sum(kind in ("model", "seed") for kind in kinds),
        tests=sum(kind in ("test", "unit_test") for kind in kinds),
        warnings=[
            f"{r['unique_id']}: {r.get('message')}" for r in results if r["status"] == "warn"
        ]
        + _warning_lines(lines),
        results=results,
    )


def build_warehouse(command: str, paths: BuildPaths, dbt_vars: dict[str, object],
                    on_node: Callable[[str], None] | None = None, *,
                    validated_dir: Path | None = None) -> DbtOutcome:
    """Build `paths.warehouse` the way `roas run` does, without its other stages: dbt
    builds a new file in the build folder (the profile every run shares, so dbt parses
    the project partially), which is then sealed and moved into place."""
    outcome = run_dbt(command, paths, dbt_vars, on_node, warehouse=paths.new_warehouse,
                      validated_dir=validated_dir)
    seal(paths.new_warehouse)
    publish_warehouse(paths.new_warehouse, paths.warehouse)
    return outcome
