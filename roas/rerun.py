"""An unchanged rerun: the same inputs, configuration and code as the last run.

After a run publishes, it records a fingerprint of everything its outputs depend on in
`<build>/last_run.json`, with what it published (the warehouse's size and time, the
site's file list). A later run with the same fingerprint, whose outputs are still as
published, reuses them and says so instead of rebuilding. `--full-refresh` always
rebuilds.

The fingerprint covers: every file of the data folder (name, size, modification time
and a BLAKE2 digest of the content: a file rewritten with the same bytes still matches,
an edit that keeps size and time does not), the run options, the dbt project and seeds
(roas.incremental's fingerprints), the report pages and the code of the report engine
and the pipeline, and where the outputs go.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from roas.config import RunConfig
from roas.incremental import current_state
from roas.paths import BuildPaths
from roas.publish import replace_file

RECORD = "last_run.json"
SITE_MANIFEST = ".site-manifest"  # written last by the report (reports.render)
_CODE = ("roas", "reports", "roas_errors")
_CHUNK = 1 << 20


def _file_digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()
                           and "__pycache__" not in p.parts):
            h.update(f"{path.relative_to(root)}\0{path.stat().st_size}\0".encode())
            h.update(_file_digest(path).encode())
    return h.hexdigest()


def fingerprint(data_dir: Path, site: Path, warehouse: Path, config: RunConfig, *,
                pages_dir: Path | None, options: str) -> str:
    """Everything the published warehouse and site depend on, as one digest."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(data_dir).iterdir() if p.is_file()):
        stat = path.stat()
        h.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        h.update(_file_digest(path).encode())
    h.update(json.dumps(asdict(config), sort_keys=True, default=str).encode())
    state = current_state({})
    h.update(f"{state.project}\0{state.seeds}\0{options}\0{site}\0{warehouse}".encode())
    code_root = Path(__file__).resolve().parents[1]
    for package in _CODE:
        h.update(_tree_digest(code_root / package).encode())
    if pages_dir is not None:
        h.update(_tree_digest(Path(pages_dir)).encode())
    return h.hexdigest()


def _outputs(paths: BuildPaths, site: Path, summary: Path | None) -> dict[str, object] | None:
    """What is published now: the warehouse's size and time, the site's files, the summary."""
    try:
        stat = paths.warehouse.stat()
        summary_size = summary.stat().st_size if summary is not None else None
        listed = (site / SITE_MANIFEST).read_text(encoding="utf-8").split()
    except OSError:
        return None
    files = [*listed, SITE_MANIFEST, *(["report.pdf"] if (site / "report.pdf").is_file() else [])]
    if not all((site / name).is_file() for name in files):
        return None
    sizes = hashlib.sha256()
    for name in files:
        sizes.update(f"{name}\0{(site / name).stat().st_size}\0".encode())
    return {"warehouse": [stat.st_size, stat.st_mtime_ns], "site": sizes.hexdigest(),
            "summary": summary_size}


def unchanged(paths: BuildPaths, site: Path, digest: str, summary: Path | None) -> bool:
    """The last run had this fingerprint and its outputs are still as it published them."""
    try:
        record = json.loads((paths.build_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (record.get("fingerprint") == digest
            and record.get("outputs") == _outputs(paths, site, summary))


def record(paths: BuildPaths, site: Path, digest: str, summary: Path | None) -> None:
    """Remember the run that just published (best effort: without it, the next run rebuilds)."""
    outputs = _outputs(paths, site, summary)
    with contextlib.suppress(OSError):
        replace_file(paths.build_dir / RECORD,
                     json.dumps({"fingerprint": digest, "outputs": outputs}))


def forget(paths: BuildPaths) -> None:
    """A run that changes the outputs first drops the record (a killed run leaves none)."""
    with contextlib.suppress(OSError):
        (paths.build_dir / RECORD).unlink()
