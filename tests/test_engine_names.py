"""The report engine knows no table or column of the project (issue 12).

What a mart or a column is, and how the browser filters and sums it, is declared in
the dbt project's YAML (docs/meaning.md); pages name what they show. The engine
(reports/*.py and the browser code) names none of them, not even in a comment. A
word of the engine's own vocabulary that a mart happens to use as a column name too
is listed below with the reason.
"""

from __future__ import annotations

import re

import yaml
from conftest import REPO

ENGINE = [*sorted((REPO / "reports").glob("*.py")),
          *sorted((REPO / "reports" / "static" / "app").glob("*.js"))]

# The engine's own words that are also column names somewhere in the project.
OWN_WORDS = {
    "date": "the date range filter and the `date` format",
    "name": "names of pages, queries, components and attributes",
    "k": "a loop variable",
    "meaning": "the declarations themselves (column_meanings.meaning)",
    "method": "the ForestPlot attribute naming an estimate's method column",
    "url": "the `url` format",
    "rate": "English, in a docstring of the formats",
    "caption": "the HTML element",
    "success": "the Alert component's kind",
    "category": "plotly's category axis",
    "roas": "the command's name (`roas run`) and the theme's storage key",
}
# The declarations' table: the engine's interface to the project, not a mart it knows.
INTERFACE = {"column_meanings", "model_name", "model_meta", "column_name", "column_position"}


def project_names() -> set[str]:
    """Every model and every column (and declared metric) of the dbt project."""
    names = {path.stem for path in (REPO / "models").rglob("*.sql")}
    for path in (REPO / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            names.add(model["name"])
            names.update(c["name"] for c in model.get("columns", []))
            meta = (model.get("config") or {}).get("meta") or {}
            names.update(meta.get("metrics", {}))
    return names


def test_the_project_has_the_names_the_check_looks_for():
    names = project_names()
    assert {"mart_daily_performance", "fct_posts", "attributed_revenue", "spend", "iroas",
            "influencer_id", "campaign", "gaps_flagged"} <= names
    assert len(ENGINE) >= 15


def test_the_engine_names_no_mart_or_column():
    names = project_names() - set(OWN_WORDS) - INTERFACE
    found = {}
    for path in ENGINE:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line):
                if word in names:
                    found.setdefault(word, []).append(f"{path.relative_to(REPO)}:{number}")
    assert not found, f"the engine names the project's marts or columns: {found}"


def test_the_check_catches_a_name():
    names = project_names()
    line = "  if (row.influencer_id) { total += row.spend; }"
    assert {"influencer_id", "spend"} <= {w for w in re.findall(r"[A-Za-z_]\w*", line)
                                          if w in names}
