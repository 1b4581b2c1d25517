"""An unchanged rerun reuses the warehouse and site and says so (roas/rerun.py); any change
to an input, an option or the outputs rebuilds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import HAND_FIXTURE, HAND_MAX_REJECT_SHARE, run_roas

pytestmark = pytest.mark.slow

UNCHANGED = "unchanged since the last run: warehouse and site reused"


def run(data: Path, root: Path, *extra: str) -> str:
    result = run_roas("run", "--data", data, "--out", root / "site",
                      "--warehouse", root / "w.duckdb", *HAND_MAX_REJECT_SHARE, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_unchanged_rerun_is_detected_and_any_change_rebuilds(tmp_path: Path) -> None:
    data = tmp_path / "raw"
    shutil.copytree(HAND_FIXTURE, data)
    first = run(data, tmp_path)
    assert "changed: building" in first and "dbt build" in first
    warehouse = tmp_path / "w.duckdb"
    published = warehouse.stat().st_mtime_ns
    index = (tmp_path / "site" / "index.html").read_bytes()

    again = run(data, tmp_path)
    assert UNCHANGED in again and "dbt build" not in again and "validate" not in again
    assert warehouse.stat().st_mtime_ns == published  # reused, not rewritten
    assert (tmp_path / "site" / "index.html").read_bytes() == index

    # same size and modification time, other bytes: the content digest sees it
    payouts = data / "payouts.csv"
    stat = payouts.stat()
    text = payouts.read_text(encoding="utf-8")
    digit = next(i for i, ch in enumerate(text) if ch in "123456789" and i > text.index("\n"))
    swapped = "2" if text[digit] != "2" else "3"
    payouts.write_text(text[:digit] + swapped + text[digit + 1:], encoding="utf-8")
    os.utime(payouts, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "changed: building" in run(data, tmp_path)

    # another run option, or outputs no longer as published, rebuild too (and so does
    # --full-refresh: tests/test_incremental_build.py)
    assert "changed: building" in run(data, tmp_path, "--breakeven", "1.2")
    assert UNCHANGED in run(data, tmp_path, "--breakeven", "1.2")
    (tmp_path / "site" / "personas.html").unlink()
    assert "changed: building" in run(data, tmp_path, "--breakeven", "1.2")
    assert (tmp_path / "site" / "personas.html").is_file()
