"""Issue 5, failures mid-run and concurrent runs: nothing published is ever half-built.

The end-to-end tests share one folder holding a previous good build (the session's hand
fixture build, copied). Runs are then refused, killed with SIGKILL at several stages and
raced against; after each, the previous warehouse and site must be byte-for-byte intact
and readable, and in the end a new run cleans up what the killed ones left and succeeds.
Unit tests cover the swap itself, including the states a kill between two renames leaves.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import HAND_FIXTURE, HAND_MAX_REJECT_SHARE, REPO, ROAS, dead_pid

from roas import publish
from roas.errors import OutputRefused, RunInProgress, WarehouseLocked
from roas.lock import RunLock
from roas.paths import build_paths
from roas.warehouse import ensure_writable, publish_warehouse, wal_path

ENV = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "SOURCE_DATE_EPOCH": "1767225600"}
SUMMARY = "select attributed_revenue, spend, incremental_revenue from mart_programme_summary"


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under folder (symlinks by their target)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


class Workspace:
    """A data folder, a published site and warehouse, and what they must stay equal to."""

    def __init__(self, root: Path, hand_build) -> None:
        self.root = root
        self.data = root / "raw"
        self.site = root / "site"
        self.warehouse = root / "wh" / "roas.duckdb"
        shutil.copytree(HAND_FIXTURE, self.data)
        self.warehouse.parent.mkdir()
        shutil.copy2(hand_build.warehouse, self.warehouse)
        shutil.copytree(hand_build.site, self.site)
        self.site_files = snapshot(self.site)
        self.warehouse_hash = hashlib.sha256(self.warehouse.read_bytes()).hexdigest()
        self.summary = query(self.warehouse, SUMMARY)

    def run_args(self, *extra: str) -> list[str]:
        return ["run", "--data", str(self.data), "--out", str(self.site),
                "--warehouse", str(self.warehouse), *extra]  # fmt: skip

    def assert_previous_intact(self) -> None:
        assert snapshot(self.site) == self.site_files, "the published site changed"
        assert (self.site / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
        assert hashlib.sha256(self.warehouse.read_bytes()).hexdigest() == self.warehouse_hash
        assert not wal_path(self.warehouse).exists()
        assert query(self.warehouse, SUMMARY) == self.summary  # readable, same numbers


@pytest.fixture(scope="module")
def ws(tmp_path_factory, hand_build) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("failures"), hand_build)


def roas(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ROAS, *args], capture_output=True, text=True, env=ENV, cwd=REPO)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*ROAS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV, cwd=REPO, start_new_session=True)


def wait_for(condition: Callable[[], object], process: subprocess.Popen, what: str,
             timeout: float = 180) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended (exit {process.returncode}) before {what}:\n{err}")
        time.sleep(0.005)
    process.kill()
    pytest.fail(f"timed out waiting for {what}")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def sigkill(process: subprocess.Popen) -> None:
    """SIGKILL the `roas` process alone (as the OOM killer would), then reap it."""
    kids = children(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10  # its dbt child dies with it (PR_SET_PDEATHSIG)
    while any(Path(f"/proc/{k}").exists() and _alive(k) for k in kids):
        assert time.monotonic() < deadline, f"children {kids} outlived the killed run"
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):  # what is left of the session we started
        os.killpg(process.pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def new_entries(folder: Path, pattern: str, before: set[Path]) -> list[Path]:
    return [p for p in folder.glob(pattern) if p not in before] if folder.is_dir() else []


# -- end to end: refused, killed, raced ----------------------------------------------------


@pytest.mark.slow
def test_refused_run_leaves_the_previous_build_alone(ws):
    """Default --max-reject-share (5%) refuses the hand fixture's 10.5% rejected tracking rows."""
    result = roas(*ws.run_args())
    assert result.returncode == 1, result.stderr
    assert "tracking_data.csv: 10.5% of its rows were rejected" in result.stderr
    assert "--max-reject-share" in result.stderr and "Traceback" not in result.stderr
    ws.assert_previous_intact()
    build = build_paths(ws.warehouse).build_dir
    assert not list(build.glob("validated.*")) if build.exists() else True
    assert not list(ws.root.glob("**/*.tmp-*"))


@pytest.mark.slow
def test_sigkill_during_validation(ws):
    build = build_paths(ws.warehouse).build_dir
    before = set(build.glob("validated.*")) if build.exists() else set()
    process = start(*ws.run_args(*HAND_MAX_REJECT_SHARE))
    wait_for(lambda: [p for d in new_entries(build, "validated.*", before)
                      for p in d.glob(".validating-*")], process, "validation writing")
    sigkill(process)
    ws.assert_previous_intact()


@pytest.mark.slow
def test_sigkill_during_dbt_build_with_a_second_run_and_a_reader(ws):
    process = start(*ws.run_args(*HAND_MAX_REJECT_SHARE))
    new_warehouse = build_paths(ws.warehouse).new_warehouse
    wait_for(new_warehouse.exists, process, "dbt creating the new warehouse")
    # readers open the last good warehouse while the run writes its own file
    assert query(ws.warehouse, SUMMARY) == ws.summary
    # a second run on the same warehouse stops at once, naming the first
    started = time.monotonic()
    second = roas(*ws.run_args(*HAND_MAX_REJECT_SHARE))
    assert second.returncode == 1, second.stderr
    assert f"warehouse {ws.warehouse} is being built by `roas run` (pid {process.pid}, started" in (
        second.stderr
    )
    assert "wait for it to finish" in second.stderr and "Traceback" not in second.stderr
    assert time.monotonic() - started < 30  # no waiting for the lock (python start-up only)
    assert process.poll() is None, "the first run must still be running"
    sigkill(process)
    ws.assert_previous_intact()


@pytest.mark.slow
def test_sigkill_during_report_render(ws):
    process = start("report", "--warehouse", str(ws.warehouse), "--out", str(ws.site))
    staging = ws.site.with_name(f"{ws.site.name}.tmp-{process.pid}")
    wait_for(staging.is_dir, process, "the report staging folder")
    sigkill(process)
    assert staging.exists(), "expected the killed report's staging folder to be left over"
    ws.assert_previous_intact()


@pytest.mark.slow
def test_next_run_cleans_up_and_succeeds_writing_only_its_own_paths(ws):
    paths = build_paths(ws.warehouse)
    leftovers = [*ws.root.glob("site.tmp-*"), *ws.warehouse.parent.glob("roas.duckdb.tmp-*"),
                 *paths.build_dir.glob("validated.*")]  # fmt: skip
    assert leftovers, "the killed runs above left nothing to clean?"
    # the output folder's previous version holds a symlink to a folder outside it
    outside = ws.root / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("do not touch")
    (ws.site / "assets" / "link").symlink_to(outside, target_is_directory=True)
    before = {p: p.stat().st_mtime_ns for p in ws.root.rglob("*") if not p.is_symlink()}

    result = roas(*ws.run_args(*HAND_MAX_REJECT_SHARE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"Report: {ws.site / 'index.html'}"

    assert not [p for p in leftovers if p.exists()]
    assert sorted(p.name for p in ws.root.iterdir()) == ["outside", "raw", "site", "wh"]
    assert sorted(p.name for p in ws.warehouse.parent.iterdir()) == [
        "roas.build", "roas.duckdb", "roas.duckdb.lock", "roas.marts"
    ]
    validated = sorted(p.name for p in paths.build_dir.glob("validated*"))
    assert len(validated) == 2 and paths.validated_dir.is_symlink()  # the link and its folder
    assert (paths.validated_dir / "rejected_rows.parquet").is_file()
    assert snapshot(outside) == {"keep.txt": hashlib.sha256(b"do not touch").hexdigest()}
    assert snapshot(ws.data) == snapshot(HAND_FIXTURE)  # the input is never written
    changed = sorted(
        str(p.relative_to(ws.root)) for p in ws.root.rglob("*")
        if not p.is_symlink() and before.get(p) != p.stat().st_mtime_ns
    )  # fmt: skip
    assert all(c.split("/")[0] in ("site", "wh") for c in changed), changed
    assert query(ws.warehouse, SUMMARY) == ws.summary  # same input, same numbers
    # same site; dbt's docs page names the database after the warehouse file, and this
    # workspace's warehouse is named differently from the build the site was copied from
    def report_files(files: dict) -> dict:
        return {k: v for k, v in files.items() if not k.startswith("docs/dbt/")}

    assert report_files(snapshot(ws.site)) == report_files(ws.site_files)
    # the new warehouse's views read the published validated folder
    assert query(ws.warehouse, "select count(*) from stg_tracking_data") == [(17,)]


def test_sigterm_stops_a_run_and_removes_its_temporary_files(hand_build, tmp_path):
    site = tmp_path / "site"
    process = start("report", "--warehouse", str(hand_build.warehouse), "--out", str(site))
    staging = site.with_name(f"site.tmp-{process.pid}")
    wait_for(staging.is_dir, process, "the report staging folder")
    process.terminate()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "roas: interrupted" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == []



def test_a_signal_the_moment_a_staging_folder_appears_still_removes_it(
    hand_build, tmp_path, monkeypatch
):
    """The race a loaded CI machine once lost: SIGTERM delivered right after the staging
    folder's mkdir, before the code that removes it on failure had begun."""
    from roas.export import export_marts
    from roas.pipeline import ReportOptions, report_stage
    from roas.progress import StageLog

    real_mkdir = Path.mkdir

    def mkdir_then_interrupted(self: Path, *args: object, **kwargs: object) -> None:
        real_mkdir(self, *args, **kwargs)
        if ".tmp-" in self.name:
            raise KeyboardInterrupt  # what the SIGTERM handler raises

    monkeypatch.setattr(Path, "mkdir", mkdir_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        report_stage(StageLog(), hand_build.warehouse, tmp_path / "site", ReportOptions())
    with pytest.raises(KeyboardInterrupt):
        export_marts(hand_build.warehouse, tmp_path / "marts")
    assert sorted(p.name for p in tmp_path.iterdir()) == []

# -- the swap, and the states a kill leaves -------------------------------------------------


def make_site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / publish.MARKER).write_text(publish.MARKER_TEXT)
    return folder


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-aside"])
def test_publish_swaps_a_whole_folder(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(publish, "exchange", lambda a, b: False)
    site = make_site(tmp_path / "site", "old")
    (site / "influencers").mkdir()
    (site / "influencers" / "9.html").write_text("removed influencer")
    new = publish.staging_path(site)
    publish.make_staging(new)
    (new / "index.html").write_text("new")
    publish.publish_site(new, site)
    assert snapshot(site) == {"index.html": hashlib.sha256(b"new").hexdigest(),
                              publish.MARKER: hashlib.sha256(publish.MARKER_TEXT.encode())
                              .hexdigest()}  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_first_publish_creates_the_folder(tmp_path):
    site = publish.site_target(tmp_path / "new" / "site")
    tmp = publish.staging_path(site)
    publish.make_staging(tmp)
    (tmp / "index.html").write_text("x")
    publish.publish_site(tmp, site)
    assert (site / "index.html").read_text() == "x" and not tmp.exists()


def test_kill_after_the_swap_leaves_only_the_old_copy_to_delete(tmp_path):
    site = make_site(tmp_path / "site", "new")
    make_site(tmp_path / f"site.tmp-{dead_pid()}", "old")  # the exchange happened, then kill
    publish.clean_leftovers(site)
    assert (site / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_kill_between_the_two_fallback_renames_restores_the_previous_site(tmp_path):
    pid = dead_pid()
    make_site(tmp_path / f"site.old-{pid}", "previous")
    make_site(tmp_path / f"site.tmp-{pid}", "half-published")
    site = tmp_path / "site"  # missing: killed between the renames
    publish.clean_leftovers(site)
    assert (site / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_live_process_temporaries_are_not_touched(tmp_path):
    site = make_site(tmp_path / "site", "x")
    live = make_site(tmp_path / "site.tmp-1", "another process is rendering")  # pid 1 lives
    publish.clean_leftovers(site)
    assert live.exists()


def test_leftover_warehouse_files_of_dead_runs_are_removed(tmp_path):
    pid = dead_pid()
    warehouse = tmp_path / "roas.duckdb"
    for name in (f"roas.duckdb.tmp-{pid}.duckdb", f"roas.duckdb.tmp-{pid}.duckdb.wal"):
        (tmp_path / name).write_text("half built")
    publish.clean_leftovers(warehouse)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "site").mkdir() or (d / "site" / "notes.txt").write_text("mine"),
         "not a report written by roas"),
        (lambda d: (d / "site").write_text("a file"), "is a file, not a folder"),
        (lambda d: None, "overlaps"),
    ],
    ids=["foreign folder", "a file", "overlaps data"],
)  # fmt: skip
def test_output_folder_that_is_not_a_report_is_never_replaced(tmp_path, setup, message):
    setup(tmp_path)
    keep = tmp_path / "site" if message == "overlaps" else tmp_path / "raw"
    with pytest.raises(OutputRefused, match=message) as info:
        publish.site_target(tmp_path / "site", keep_clear_of=[keep])
    assert info.value.exit_code == 2


def test_output_refusals_through_the_cli(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_text("precious")
    data = tmp_path / "raw"
    shutil.copytree(HAND_FIXTURE, data)
    for out, warehouse in [(home, tmp_path / "w.duckdb"), (tmp_path, tmp_path / "w.duckdb"),
                           (data, tmp_path / "w.duckdb")]:  # fmt: skip
        result = roas("run", "--data", str(data), "--out", str(out), "--warehouse", str(warehouse))
        assert result.returncode == 2, result.stderr
        assert "--out" in result.stderr and "Traceback" not in result.stderr
    assert (home / "thesis.docx").read_text() == "precious"
    not_a_db = tmp_path / "notes.csv"
    not_a_db.write_text("a,b\n1,2\n")
    result = roas("run", "--data", str(data), "--out", str(tmp_path / "s"),
                  "--warehouse", str(not_a_db))  # fmt: skip
    assert result.returncode == 2 and "is not a DuckDB database" in result.stderr
    assert not_a_db.read_text() == "a,b\n1,2\n"


def test_a_report_from_before_the_marker_is_recognised(tmp_path):
    old = tmp_path / "site"
    (old / "assets").mkdir(parents=True)
    (old / "index.html").write_text("old report")
    (old / "influencers").mkdir()
    assert publish.site_target(old) == old.resolve()


def test_symlinked_output_folder_is_followed(tmp_path):
    real = make_site(tmp_path / "real", "old")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    assert publish.site_target(tmp_path / "link") == real.resolve()


# -- the run lock and the warehouse file ----------------------------------------------------


def test_second_lock_fails_at_once_naming_the_holder(tmp_path):
    path = tmp_path / "w.duckdb.lock"
    with RunLock(path, "roas run", tmp_path / "w.duckdb"):
        with pytest.raises(RunInProgress) as info:
            RunLock(path, "roas run", tmp_path / "w.duckdb").acquire()
        assert f"is being built by `roas run` (pid {os.getpid()}, started " in str(info.value)
    with RunLock(path, "roas run", tmp_path / "w.duckdb"):  # released: free again
        pass
    assert path.read_text() == ""  # no stale holder details


def test_lock_is_released_when_the_holder_is_killed(tmp_path):
    path = tmp_path / "w.duckdb.lock"
    code = (f"from roas.lock import RunLock; l = RunLock({str(path)!r}, 'roas run', 'w'); "
            "l.acquire(); print('held', flush=True); import time; time.sleep(60)")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=REPO)  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(RunInProgress, match=f"pid {holder.pid}"):
        RunLock(path, "roas run", tmp_path / "w").acquire()
    holder.kill()
    holder.wait()
    with RunLock(path, "roas run", tmp_path / "w"):
        pass


def test_lock_never_writes_through_a_symlink(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep")
    (tmp_path / "w.duckdb.lock").symlink_to(target)
    with pytest.raises(OutputRefused, match="symbolic link"):
        RunLock(tmp_path / "w.duckdb.lock", "roas run", tmp_path / "w.duckdb").acquire()
    assert target.read_text() == "keep"


def test_warehouse_checks(tmp_path):
    ensure_writable(tmp_path / "absent.duckdb")
    (tmp_path / "empty.duckdb").write_bytes(b"")
    ensure_writable(tmp_path / "empty.duckdb")
    (tmp_path / "dir.duckdb").mkdir()
    with pytest.raises(OutputRefused, match="is a folder"):
        ensure_writable(tmp_path / "dir.duckdb")
    (tmp_path / "data.csv").write_text("id\n1\n")
    with pytest.raises(OutputRefused, match="not a DuckDB database"):
        ensure_writable(tmp_path / "data.csv")
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    reader = duckdb.connect(str(db), read_only=True)
    try:
        ensure_writable(db)  # a read-only reader is no obstacle
    finally:
        reader.close()
    code = f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); " \
           "time.sleep(60)"
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ok"
        with pytest.raises(WarehouseLocked, match=f"open for writing by process {writer.pid}"):
            ensure_writable(db)
    finally:
        writer.kill()
        writer.wait()


def test_publish_warehouse_drops_a_stale_wal_and_keeps_readers_on_the_old_file(tmp_path):
    warehouse, new = tmp_path / "w.duckdb", tmp_path / "w.duckdb.tmp-1.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select 1 as v")
    with duckdb.connect(str(new)) as con:
        con.execute("create table t as select 2 as v")
    reader = duckdb.connect(str(warehouse), read_only=True)
    wal_path(warehouse).write_bytes(b"left by a client that crashed")
    publish_warehouse(new, warehouse)
    assert reader.execute("select v from t").fetchall() == [(1,)]  # still the old version
    reader.close()
    assert query(warehouse, "select v from t") == [(2,)]
    assert not wal_path(warehouse).exists() and not new.exists()
