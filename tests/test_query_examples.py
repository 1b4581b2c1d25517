"""The README's "Query the marts" examples, run as written against a freshly built warehouse.

Every fenced block after a `<!-- example: KIND -->` comment is extracted, its
`build/demo/roas.duckdb` / `build/demo/roas.marts` paths pointed at the hand build,
and run: python blocks with this venv's Python, duckdb-cli blocks with a DuckDB CLI
when one is installed (`duckdb` on PATH or ROAS_DUCKDB_CLI), polars blocks when
polars is installed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from roas.export import marts_dir

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"<!-- example: ([\w-]+) -->\s*```(\w+)\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    found = [(kind, code) for kind, _lang, code in EXAMPLE.findall(README.read_text())]
    assert {kind for kind, _ in found} >= {
        "python", "python-polars", "duckdb-cli-warehouse", "duckdb-cli-parquet"}
    return found


def localise(code: str, build) -> str:
    return code.replace("build/demo/roas.marts", str(marts_dir(build.warehouse))).replace(
        "build/demo/roas.duckdb", str(build.warehouse))


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{code}\n{result.stderr}"
    assert result.stdout.strip(), code
    return result.stdout


@pytest.mark.parametrize("index", range(len(examples())))
def test_readme_example(hand_build, index):
    kind, code = examples()[index]
    code = localise(code, hand_build)
    if kind == "python":
        out = run_python(code)
        assert "Whey Summer" in out  # a campaign of the hand fixture
    elif kind == "python-polars":
        pytest.importorskip("polars", reason="polars is not in the main install")
        run_python(code)
    elif kind.startswith("duckdb-cli"):
        # PyPI's duckdb-cli (test extras) installs `duckdb` beside this Python
        beside = Path(sys.executable).with_name("duckdb")
        cli = (os.environ.get("ROAS_DUCKDB_CLI") or (str(beside) if beside.is_file() else None)
               or shutil.which("duckdb"))
        if not cli:
            pytest.skip("no DuckDB CLI installed (duckdb on PATH or ROAS_DUCKDB_CLI)")
        if kind == "duckdb-cli-warehouse":
            version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
            cli_major = int(re.search(r"v?(\d+)\.", version).group(1))
            if cli_major < int(duckdb.__version__.split(".")[0]):
                pytest.skip(f"CLI {version.strip()} cannot open a DuckDB {duckdb.__version__} file")
        for line in code.strip().splitlines():
            args = shlex.split(line)
            assert args[0] == "duckdb"
            result = subprocess.run([cli, *args[1:]], capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
            assert "Whey Summer" in result.stdout
    else:
        pytest.fail(f"unknown example kind {kind}")
