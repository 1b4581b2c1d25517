"""dbt's documentation site (lineage graph, models, columns, tests), shipped inside the report.

`dbt docs generate --static` writes one self-contained page, `static_index.html`,
into the build folder's dbt target; the report stage hands it to the renderer for
`<site>/docs/dbt/index.html`. The copy gets a Content-Security-Policy that allows
no network request at all (the page needs none: manifest and catalog are inline),
so it opens from a folder offline like the rest of the site. dbt's own page only
loads its usage tracker when the manifest says `send_anonymous_usage_stats`, which
the runner turns off; the policy makes that hold whatever the manifest says.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import re
from pathlib import Path

import duckdb

from roas.dbt_runner import project_cache, run_dbt
from roas.incremental import BuildState
from roas.paths import BuildPaths, build_paths
from roas.publish import replace_file

SITE_PATH = Path("docs") / "dbt" / "index.html"
STATIC_PAGE = "static_index.html"
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'"
)
PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>dbt docs not available</title></head>
<body style="font-family: sans-serif; margin: 2rem">
<h1>dbt documentation not available</h1>
<p>This warehouse was not built by <code>roas run</code>, so there is no dbt documentation
beside it. Run <code>roas run</code> to generate the lineage and column documentation.</p>
</body></html>
"""


DOCS_KEY = "static_index.key"
# The project keeps the pages it generated, as it keeps its parse state: a new warehouse
# of the same project, vars and schema reuses one. Pages are 2-4 MB: the newest few stay.
DOCS_CACHE_KEEP = 6
BUILD_DIR_TOKEN = "@@roas-build-dir@@"  # the build folder's path, which dbt writes in it


def docs_key(state: BuildState, warehouse: Path) -> str:
    """What dbt's docs page is made of: the project and seeds, the vars (the build's
    state), and the warehouse's schema (its catalog: tables, columns and types)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schema = con.execute(
            "select table_schema, table_name, column_name, data_type, ordinal_position "
            "from information_schema.columns "
            # the run's own bookkeeping (roas_build_state, roas_order_changes) is not dbt's
            r"where table_name not like 'roas\_%' escape '\' order by all").fetchall()
    text = json.dumps([state.project, state.seeds, state.dbt_vars, schema], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def generate_docs(
    paths: BuildPaths,
    dbt_vars: dict[str, object],
    state: BuildState,
    *,
    warehouse: Path | None = None,
    validated_dir: Path | None = None,
) -> tuple[Path, bool]:
    """Run `dbt docs generate --static` for the built warehouse, unless the page of the
    last build was made of the same project, vars and schema; (the page, regenerated?).

    It compiles the project (the build wrote no manifest: it runs with --no-write-json),
    so the page carries every model's compiled SQL beside its lineage and the columns of
    the warehouse's catalog. This runs only when the page cannot be reused.
    """
    page = paths.dbt_target_dir / STATIC_PAGE
    key_file = paths.dbt_target_dir / DOCS_KEY
    built = Path(warehouse or paths.warehouse)
    key = docs_key(state, built)
    with contextlib.suppress(OSError):
        if page.is_file() and key_file.read_text(encoding="utf-8") == key:
            return page, False
    key_file.unlink(missing_ok=True)
    cached = _cached_page(key, built)
    with contextlib.suppress(OSError):
        if cached.is_file():
            html = cached.read_text(encoding="utf-8")
            replace_file(page, html.replace(BUILD_DIR_TOKEN, str(paths.build_dir)))
            key_file.write_text(key, encoding="utf-8")
            return page, False
    run_dbt("docs generate --static", paths, dbt_vars,
            warehouse=warehouse, validated_dir=validated_dir)
    key_file.write_text(key, encoding="utf-8")
    _keep_page(cached, page.read_text(encoding="utf-8").replace(str(paths.build_dir),
                                                                BUILD_DIR_TOKEN))
    return page, True


def _cached_page(key: str, warehouse: Path) -> Path:
    """The project's copy of the page for this key and warehouse name (the database name
    dbt records is the file's)."""
    dbt_version = importlib.metadata.version("dbt-core")  # its page template
    name = hashlib.sha256(f"{key}\n{warehouse.name}\n{dbt_version}".encode()).hexdigest()[:32]
    return project_cache() / "docs" / f"{name}.html"


def _keep_page(cached: Path, html: str) -> None:
    """Store a page whole (a parallel run reads it whole) and drop all but the newest."""
    with contextlib.suppress(OSError):
        replace_file(cached, html)
        pages = sorted(cached.parent.glob("*.html"), key=lambda p: p.stat().st_mtime,
                       reverse=True)
        for stale in pages[DOCS_CACHE_KEEP:]:
            stale.unlink(missing_ok=True)


def with_csp(html: str) -> str:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return re.sub(r"<head>", "<head>" + meta, html, count=1, flags=re.IGNORECASE)


PROJECT = "influencer_roas"
# Fields dbt stamps with times and ids on every run: pinned, so identical inputs give a
# byte-identical site (the build time the report shows comes from the load audit).
VOLATILE_KEYS = {
    "generated_at", "invocation_id", "invocation_started_at", "created_at", "run_started_at",
}
# Sources read the run's own validated folder (<warehouse>.build/validated.<run id>/).
# Anchored on the literal "<build>/" the build folder is first replaced with: an unanchored
# pattern backtracks quadratically over dbt's 2 MB of minified JavaScript.
VALIDATED_PATH = re.compile(r"<build>/validated(?:\.[^/'\"\s]+)?/")


def _pin(value: object) -> object:
    if isinstance(value, dict):
        return {k: (0 if k in VOLATILE_KEYS else _pin(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_pin(v) for v in value]
    return value


def _prune_manifest(manifest: dict) -> dict:
    """What lineage and column docs need: no dbt/adapter macros, no compiled SQL, no test SQL.

    dbt's page embeds the whole manifest (about 2 MB here, half of it dbt's own macros and
    the compiled SQL of every test); the site has a size budget.
    """
    manifest["macros"] = {key: macro for key, macro in manifest.get("macros", {}).items()
                          if macro.get("package_name") == PROJECT}
    manifest["docs"] = {key: doc for key, doc in manifest.get("docs", {}).items()
                        if doc.get("package_name") == PROJECT}
    for node in manifest.get("nodes", {}).values():
        node.pop("compiled_code", None)
        if node.get("resource_type") == "test":
            node.pop("raw_code", None)
    return manifest


def _rewrite_embedded(html: str, label: str, transform) -> str:
    """Replace the JSON object dbt inlines as `<label>:{...}` in its static page."""
    marker = f"{label}:{{"
    start = html.find(marker)
    if start < 0:
        return html
    start += len(label) + 1
    data, end = json.JSONDecoder().raw_decode(html, start)
    # sorted keys: dbt emits nodes in parse order, which varies between runs
    encoded = json.dumps(transform(data), separators=(",", ":"), sort_keys=True)
    return html[:start] + encoded + html[end:]


def docs_html(warehouse: Path) -> str:
    """The warehouse's dbt docs page, offline-safe, reproducible and lean (else a placeholder)."""
    source = build_paths(Path(warehouse)).dbt_target_dir / STATIC_PAGE
    if not source.is_file():
        return PLACEHOLDER
    html = source.read_text(encoding="utf-8")
    html = _rewrite_embedded(html, "manifest", lambda m: _pin(_prune_manifest(m)))
    html = _rewrite_embedded(html, "catalog", _pin)
    # dbt records absolute paths of the build folder (build_path, sources' locations)
    html = html.replace(str(build_paths(Path(warehouse)).build_dir), "<build>")
    html = VALIDATED_PATH.sub("<validated>/", html)
    return with_csp(html)
