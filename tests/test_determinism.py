"""Issue 5, determinism: the same inputs and configuration give identical marts and a
byte-identical site, wherever the folders are.

The only clock a build reads is SOURCE_DATE_EPOCH (run_roas pins it): it is the
`validated_at` of the load audit, and nothing else in the warehouse or the site may
depend on the time, the process or the paths of a run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import HAND_FIXTURE, HAND_MAX_REJECT_SHARE, Build, build_from, run_roas


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of the warehouse (marts, dimensions, facts, quality), rows sorted."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()]  # fmt: skip
        return {n: sorted(con.execute(f'select * from "{n}"').fetchall(), key=repr) for n in names}


@pytest.fixture(scope="module")
def again(tmp_path_factory) -> Build:
    """The hand fixture built a second time, from and into other folders."""
    root = tmp_path_factory.mktemp("determinism") / "elsewhere"
    shutil.copytree(HAND_FIXTURE, root / "input files")
    return build_from(root / "input files", root, *HAND_MAX_REJECT_SHARE)


@pytest.mark.slow
def test_marts_are_identical(hand_build, again):
    first, second = tables(hand_build.warehouse), tables(again.warehouse)
    assert sorted(first) == sorted(second)
    assert {"mart_influencer_performance", "mart_programme_summary", "rejected_rows"} <= set(first)
    for name in first:
        assert first[name] == second[name], f"{name} differs between two identical runs"


@pytest.mark.slow
def test_site_is_byte_identical(hand_build, again):
    first, second = snapshot(hand_build.site), snapshot(again.site)
    differing = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    assert not differing, f"site files differ between two identical runs: {differing}"
    assert "index.html" in first


def test_the_build_time_is_source_date_epoch(hand_build):
    (validated_at,) = {r[0] for r in hand_build.query("select validated_at from mart_data_quality")}
    assert validated_at == dt.datetime.fromtimestamp(1767225600, dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_rendering_the_same_warehouse_again_gives_the_same_site(hand_build, tmp_path):
    result = run_roas("report", "--warehouse", hand_build.warehouse, "--out", tmp_path / "site",
                      env={"SOURCE_DATE_EPOCH": "1"})  # another clock: the site cannot tell
    assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path / "site") == snapshot(hand_build.site)
