"""dbt's documentation site (lineage graph, models, columns, tests), shipped inside the report.

`dbt docs generate --static` writes one self-contained page, `static_index.html`,
into the build folder's dbt target; the report stage copies it to
`<site>/docs/dbt/index.html`. The copy gets a Content-Security-Policy that allows
no network request at all (the page needs none: manifest and catalog are inline),
so it opens from a folder offline like the rest of the site. dbt's own page only
loads its usage tracker when the manifest says `send_anonymous_usage_stats`, which
the runner turns off; the policy makes that hold whatever the manifest says.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from roas.dbt_runner import run_dbt
from roas.paths import BuildPaths, build_paths

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


def generate_docs(
    paths: BuildPaths,
    dbt_vars: dict[str, object],
    *,
    warehouse: Path | None = None,
    validated_dir: Path | None = None,
) -> Path:
    """Run `dbt docs generate --static` for the built warehouse; return the page.

    --no-compile: the build just compiled and ran everything; lineage and the
    column documentation come from the parse and the warehouse's catalog.
    """
    run_dbt("docs generate --static --no-compile", paths, dbt_vars,
            warehouse=warehouse, validated_dir=validated_dir)
    return paths.dbt_target_dir / STATIC_PAGE


def with_csp(html: str) -> str:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return re.sub(r"<head>", "<head>" + meta, html, count=1, flags=re.IGNORECASE)


# dbt stamps every generation with ids and times; pinned so the site stays byte-identical
# for identical inputs (the build time shown comes from the warehouse's load audit).
VOLATILE = re.compile(
    r'("(?:generated_at|invocation_id|invocation_started_at)"\s*:\s*)"[^"]*"'
)


def docs_html(warehouse: Path) -> str:
    """The warehouse's dbt docs page, offline-safe and reproducible (a placeholder if none)."""
    source = build_paths(Path(warehouse)).dbt_target_dir / STATIC_PAGE
    if not source.is_file():
        return PLACEHOLDER
    return with_csp(VOLATILE.sub(r'\1"pinned"', source.read_text(encoding="utf-8")))


def ship_docs(warehouse: Path, site_dir: Path) -> Path:
    """Copy the warehouse's dbt docs page into a site folder (the report renders it itself)."""
    target = Path(site_dir) / SITE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".tmp")
    staging.write_text(docs_html(warehouse), encoding="utf-8")
    shutil.move(staging, target)
    return target
