"""The CI recipes users copy (examples/ci/): valid against the official schemas, and the
`roas` commands they run are accepted by the real command line."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from roas.cli import build_parser

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "ci"
SCHEMAS = {"github-actions.yml": "vendor.github-workflows", "gitlab-ci.yml": "vendor.gitlab-ci"}
CHECK = Path(sys.executable).with_name("check-jsonschema")


def validate(path: Path, schema: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_recipe_matches_its_schema(name: str) -> None:
    result = validate(EXAMPLES / name, SCHEMAS[name])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (EXAMPLES / "github-actions.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: 42\n    bogus: x", 1),
                      encoding="utf-8")
    assert validate(broken, SCHEMAS["github-actions.yml"]).returncode != 0


def fill(variable: re.Match) -> str:
    """A CI variable's stand-in: an address for URLs, a day for the rest."""
    return "https://ci.example/" if "URL" in variable.group(0) else "2026-12-05"


def roas_commands(text: str) -> list[list[str]]:
    """`roas ...` command lines of a recipe, continuation lines joined, variables filled."""
    joined = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for match in re.finditer(r"(?:^|[;&|]\s*|then\s+|else\s+|-\s+)(roas\s[^\n;|]*)", joined,
                             re.MULTILINE):
        line = re.sub(r"\$\{\{[^}]*\}\}|\$\([^)]*\)|\$\{?\w+\}?", fill, match.group(1))
        commands.append(shlex.split(line, comments=True))
    return commands


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_roas_commands_it_runs_are_valid(name: str) -> None:
    commands = roas_commands((EXAMPLES / name).read_text(encoding="utf-8"))
    assert {c[1] for c in commands} >= {"generate", "run"}
    parser = build_parser()
    for command in commands:
        args = parser.parse_args(command[1:])  # exits (SystemExit 2) on a bad option
        if args.command == "run":
            assert args.summary is not None and args.stale_after == 7
