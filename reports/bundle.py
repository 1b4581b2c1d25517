"""The vendored plotly.js partial bundle: its version and the trace types it registers.

`static/plotly.min.js` is built by `reports/vendor/plotly/build.mjs` (npm, once, by a
developer; never at install or run time) with only the trace types the report draws.
Its header names them; a page whose charts need another trace type fails the strict
build (plotly would otherwise leave the chart blank in the browser). Which traces each
chart component draws is the `traces` of its `Kind` in `components.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

FILE = "plotly.min.js"
_VERSION = re.compile(r"^\* plotly\.js \(roas partial bundle - minified\) v(\d+\.\d+\.\d+)$",
                      re.MULTILINE)
_TRACES = re.compile(r"^\* traces: ([a-z0-9, ]+)$", re.MULTILINE)


@dataclass(frozen=True)
class PlotlyBundle:
    version: str
    traces: frozenset[str]
    source: bytes


def parse_header(source: bytes) -> tuple[str, frozenset[str]]:
    """Version and trace types from the bundle's licence header (its first comment)."""
    head = source[:1024].decode("utf-8", "replace")
    head = head[: head.find("*/")] if "*/" in head else ""
    version, traces = _VERSION.search(head), _TRACES.search(head)
    if not version or not traces:
        raise ValueError("not a plotly.js bundle built by reports/vendor/plotly/build.mjs "
                         "(its header names the version and the trace types)")
    return version.group(1), frozenset(t.strip() for t in traces.group(1).split(","))


@cache
def plotly_bundle() -> PlotlyBundle:
    source = (resources.files("reports") / "static" / FILE).read_bytes()
    version, traces = parse_header(source)
    return PlotlyBundle(version, traces, source)
