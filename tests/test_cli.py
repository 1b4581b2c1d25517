"""The command line's exit codes and messages: 0 ok, 1 input refused, 2 usage error."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from conftest import HAND_FIXTURE, HAND_MAX_REJECT_SHARE, run_roas


def copy_fixture(tmp_path: Path) -> Path:
    data = tmp_path / "raw"
    shutil.copytree(HAND_FIXTURE, data)
    return data


def assert_clean_failure(result, code: int, *needles: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in {result.stderr!r}"


def test_no_command_is_a_usage_error():
    assert_clean_failure(run_roas(), 2, "usage")


def test_missing_required_option_is_a_usage_error():
    assert_clean_failure(run_roas("run", "--data", "x"), 2, "--out")


def test_bad_option_values_are_usage_errors(tmp_path):
    assert_clean_failure(run_roas("generate", "--out", tmp_path, "--orders", "many"), 2, "many")
    result = run_roas("run", "--data", tmp_path, "--out", tmp_path / "s",
                      "--warehouse", tmp_path / "w.duckdb", "--holdout-share", "1.5")
    assert_clean_failure(result, 2, "--holdout-share")


def test_validate_ok_prints_counts():
    result = run_roas("validate", "--data", HAND_FIXTURE, *HAND_MAX_REJECT_SHARE)
    assert result.returncode == 0, result.stderr
    assert "tracking_data.csv" in result.stdout
    assert "rejected" in result.stdout


def test_missing_folder_is_refused(tmp_path):
    assert_clean_failure(run_roas("validate", "--data", tmp_path / "nowhere"), 1, "nowhere")


def test_missing_file_is_refused(tmp_path):
    data = copy_fixture(tmp_path)
    (data / "payouts.csv").unlink()
    assert_clean_failure(run_roas("validate", "--data", data), 1, "payouts.csv")


def test_missing_required_column_refuses_the_run(tmp_path):
    data = copy_fixture(tmp_path)
    lines = (data / "tracking_data.csv").read_text().splitlines()
    lines[0] = lines[0].replace(",revenue,", ",amount,")
    (data / "tracking_data.csv").write_text("\n".join(lines) + "\n")
    result = run_roas("run", "--data", data, "--out", tmp_path / "site",
                      "--warehouse", tmp_path / "w.duckdb")
    assert_clean_failure(result, 1, "tracking_data.csv", "revenue")
    assert not (tmp_path / "site" / "index.html").exists()


def test_report_without_warehouse_is_a_usage_error(tmp_path):
    result = run_roas("report", "--warehouse", tmp_path / "none.duckdb", "--out", tmp_path / "s")
    assert_clean_failure(result, 2, "none.duckdb")


def test_locked_warehouse_is_refused_with_the_holder(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    holder = duckdb.connect(str(warehouse))  # this test process holds the write lock
    try:
        result = run_roas("run", "--data", copy_fixture(tmp_path), "--out", tmp_path / "site",
                          "--warehouse", warehouse)
    finally:
        holder.close()
    assert_clean_failure(result, 1, "open for writing", "process")


def test_run_prints_the_report_path(hand_build):
    assert hand_build.result.returncode == 0
    last = hand_build.result.stdout.strip().splitlines()[-1]
    assert last.startswith("Report: ") and last.endswith("index.html")
    assert Path(last.removeprefix("Report: ")).is_file()
    assert "dbt build" in hand_build.result.stderr  # per-stage progress lines with timings


def test_version_names_the_package_dbt_and_duckdb():
    from importlib.metadata import version

    result = run_roas("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"roas {version('influencer-roas')}, dbt-core {version('dbt-core')}, "
        f"dbt-duckdb {version('dbt-duckdb')}, duckdb {version('duckdb')}")


def test_run_help_is_grouped_by_purpose():
    result = run_roas("run", "--help", env={"COLUMNS": "200"})
    assert result.returncode == 0
    headings = [line for line in result.stdout.splitlines() if line.endswith(":")]
    assert headings[-4:] == ["inputs:", "configuration of the metrics:",
                             "the next period's plan:", "outputs:"]
    # defaults come from the one place they are written (dbt_project.yml)
    assert "(default 0.1)" in result.stdout and "(default 2.0)" in result.stdout
