"""The marts as Parquet for any SQL client (roas/export.py) and dbt's docs inside the site.

`roas run` writes FILE.marts/ beside FILE.duckdb: one Parquet file per public mart and a
_manifest.json of names, columns, types and row counts; and ships dbt's static docs
page (lineage, columns) at <site>/docs/dbt/index.html.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import dead_pid

from roas.dbt_docs import CSP, SITE_PATH, docs_html
from roas.export import MANIFEST, export_marts, marts_dir, public_marts, read_manifest

PUBLIC = {
    "dim_influencers", "fct_orders", "fct_posts", "fct_payouts", "rejected_rows",
    "mart_influencer_performance", "mart_campaign_performance", "mart_persona_performance",
    "mart_payout_tracking", "mart_daily_performance", "mart_programme_summary",
    "mart_incrementality_cells", "mart_data_quality",
}


def warehouse_tables(warehouse: Path) -> dict[str, tuple[list[dict], int]]:
    """name -> (columns as the manifest writes them, row count), for every public mart."""
    tables = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name in public_marts(con):
            columns = con.execute(f'describe select * from main."{name}"').fetchall()
            (rows,) = con.execute(f'select count(*) from main."{name}"').fetchone()
            tables[name] = ([{"name": c[0], "type": c[1]} for c in columns], rows)
    return tables


def test_run_exports_every_public_mart_with_a_manifest(hand_build):
    folder = marts_dir(hand_build.warehouse)
    assert folder == hand_build.warehouse.parent / "warehouse.marts"
    manifest = read_manifest(folder)
    expected = warehouse_tables(hand_build.warehouse)
    assert set(manifest) >= PUBLIC, PUBLIC - set(manifest)
    assert set(manifest) == set(expected)  # public marts only: no staging, seeds or views
    assert not any(name.startswith(("stg_", "int_", "sem_")) for name in manifest)
    for name, entry in manifest.items():
        columns, rows = expected[name]
        assert entry == {"file": f"{name}.parquet", "rows": rows, "columns": columns}, name
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [MANIFEST, *(entry["file"] for entry in manifest.values())]
    )
    assert "export" in hand_build.result.stderr  # its own stage line in the run summary


def test_pandas_reads_each_file_as_the_manifest_says(hand_build):
    pd = pytest.importorskip("pandas")
    folder = marts_dir(hand_build.warehouse)
    for name, entry in read_manifest(folder).items():
        frame = pd.read_parquet(folder / entry["file"])
        assert len(frame) == entry["rows"], name
        assert list(frame.columns) == [c["name"] for c in entry["columns"]], name
    programme = pd.read_parquet(folder / "mart_programme_summary.parquet")
    (spend,) = hand_build.query("select spend from mart_programme_summary")[0]
    assert programme["spend"].iloc[0] == spend


def test_polars_reads_each_file(hand_build):
    pl = pytest.importorskip("polars")  # optional: not in the main install
    folder = marts_dir(hand_build.warehouse)
    for name, entry in read_manifest(folder).items():
        assert pl.read_parquet(folder / entry["file"]).height == entry["rows"], name


def test_parquet_values_equal_the_warehouse(hand_build):
    folder = marts_dir(hand_build.warehouse)
    with duckdb.connect() as con:
        con.execute(f"attach '{hand_build.warehouse}' as wh (read_only)")
        for name in ("mart_incrementality_cells", "fct_orders", "mart_programme_summary"):
            different = con.execute(
                f"select count(*) from ((select * from wh.main.{name}) "
                f"except all (select * from read_parquet('{folder / (name + '.parquet')}')))"
            ).fetchone()[0]
            assert different == 0, name


def test_export_replaces_the_whole_folder(hand_build, tmp_path):
    folder = tmp_path / "marts"
    folder.mkdir()
    (folder / "mart_removed_long_ago.parquet").write_bytes(b"stale")
    result = export_marts(hand_build.warehouse, folder)
    assert not (folder / "mart_removed_long_ago.parquet").exists()
    assert json.loads((folder / MANIFEST).read_text()) == result.manifest
    assert [p.name for p in tmp_path.iterdir()] == ["marts"]  # no temporary folder left


def test_export_of_an_empty_mart_keeps_its_columns(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table rejected_rows (source_file varchar, line_number bigint)")
        con.execute("create table stg_hidden (x int)")
        con.execute("create view mart_view as select 1 as x")  # views are not exported
        # what the dbt build declares public; itself not declared here, so not exported
        con.execute("create table column_meanings as select * from (values "
                    "('rejected_rows'), ('stg_hidden_no'), ('mart_view')) as t(model_name)")
    result = export_marts(warehouse)
    assert result.manifest == {
        "rejected_rows": {
            "file": "rejected_rows.parquet",
            "rows": 0,
            "columns": [{"name": "source_file", "type": "VARCHAR"},
                        {"name": "line_number", "type": "BIGINT"}],
        }
    }
    with duckdb.connect() as con:
        described = con.execute(
            f"describe select * from '{result.folder / 'rejected_rows.parquet'}'"
        ).fetchall()
    assert [(c[0], c[1]) for c in described] == [("source_file", "VARCHAR"),
                                                 ("line_number", "BIGINT")]


# -- dbt docs inside the site ---------------------------------------------------------


def test_site_ships_dbt_docs_with_lineage_and_columns(hand_build):
    page = hand_build.site / SITE_PATH
    html = page.read_text(encoding="utf-8")
    assert CSP in html  # no network requests allowed
    assert "mart_campaign_performance" in html and "iroas_verdict" in html  # models, columns
    assert '"metricflow_time_spine"' in html or "metricflow_time_spine" in html
    assert "dbt docs" in hand_build.result.stderr


def test_report_without_dbt_docs_ships_a_placeholder(tmp_path):
    assert "not available" in docs_html(tmp_path / "elsewhere.duckdb")


def test_the_export_beside_the_report_finishes_and_reports_in_order(hand_build, tmp_path):
    """A run exports the marts in a thread while the report renders (roas.outputs)."""
    from roas.outputs import export_beside
    from roas.progress import StageLog

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(hand_build.warehouse, warehouse)
    log = StageLog()
    with export_beside(log, warehouse):
        log.record("report", 0.0)
    assert [name for name, _, _ in log.timings] == ["report", "export"]
    assert read_manifest(marts_dir(warehouse)).keys() == read_manifest(
        marts_dir(hand_build.warehouse)).keys()

    # the block's error wins, and the export still ends whole, leaving no staging folder
    shutil.rmtree(marts_dir(warehouse))
    with pytest.raises(ValueError, match="report failed"), export_beside(StageLog(), warehouse):
        raise ValueError("report failed")
    assert (marts_dir(warehouse) / MANIFEST).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb", "warehouse.marts"]

    # the export's own error follows a block that succeeded
    missing = tmp_path / "missing.duckdb"
    with pytest.raises(duckdb.Error), export_beside(StageLog(), missing):
        pass


def test_an_export_sweeps_the_staging_folders_of_killed_exports(hand_build, tmp_path):
    """A SIGKILL midway leaves `.<stem>.marts.tmp-<pid>`; the next export removes it, and
    leaves a live process's alone."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(hand_build.warehouse, warehouse)
    dead = tmp_path / f".warehouse.marts.tmp-{dead_pid()}"
    live = tmp_path / f".warehouse.marts.tmp-{os.getppid()}"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "fct_orders.parquet").write_bytes(b"half")
    export_marts(warehouse)
    assert not dead.exists() and live.is_dir()
