"""The packages read one way: generator, roas (the orchestrator) and reports (the engine)
never import each other, except the orchestrator calling the engine; all share the leaf
`roas_errors`. Checked on the source, statically, so a lazy import inside a function counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("generator", "roas", "reports", "roas_errors")
# who may import whom (besides itself)
ALLOWED = {
    "generator": {"roas_errors"},
    "reports": {"roas_errors"},
    "roas": {"roas_errors", "reports", "generator"},
    "roas_errors": set(),
}


def imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def test_packages_import_one_way():
    offending = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for other in imported_packages(path) - {package} - ALLOWED[package]:
                offending.append(f"{path.relative_to(ROOT)} imports {other}")
    assert offending == []


def test_the_checker_sees_a_lazy_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from roas.errors import UsageError\n", encoding="utf-8")
    assert imported_packages(module) == {"roas"}
