"""The suites of suites.py, built by GX for every possible column set, stored as JSON.

Importing Great Expectations takes seconds (a fifth of validating 10M rows). The SQL
engine only needs each expectation's configuration, so it reads them from suites.json,
which is nothing but GX's own serialisation of build_suite() for every combination of
optional columns. The file carries a fingerprint of the sources that define the rules
(suites.py, spec.py, parsing.py) and of the GX version; when it does not match, the
suites are built by GX at run time as before, so a stale file can never change a rule.
tests/test_stored_suites.py fails until the file is regenerated:

    .venv/bin/python -m roas.validation.stored_suites
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .spec import FILES, FileSpec

STORE = Path(__file__).with_name("suites.json")
SOURCES = ("suites.py", "spec.py", "parsing.py")


def fingerprint() -> str:
    digest = hashlib.sha256(importlib.metadata.version("great_expectations").encode())
    for name in SOURCES:
        digest.update(name.encode() + b"\0" + (Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def key(spec: FileSpec, present: Sequence[str]) -> str:
    known = {c.name for c in spec.columns}
    return spec.name + ":" + ",".join(sorted(set(present) & known))


def column_sets(spec: FileSpec) -> Iterator[list[str]]:
    """Every set of contract columns a readable file can have (required ones always)."""
    required = spec.required_columns
    optional = [c.name for c in spec.columns if c.optional]
    for r in range(len(optional) + 1):
        for extra in itertools.combinations(optional, r):
            yield required + list(extra)


def build_store() -> dict:
    """Build every suite with GX (imports it) and serialise it GX's way."""
    from .suites import build_suite

    suites = {}
    for spec in FILES:
        for cols in column_sets(spec):
            suites[key(spec, cols)] = build_suite(spec, cols).to_json_dict()["expectations"]
    return {"fingerprint": fingerprint(), "suites": suites}


class StoredExpectation:
    """The parts of a GX expectation the pipeline and the compiler read."""

    def __init__(self, stored: dict) -> None:
        self.type: str = stored["type"]
        self.kwargs: dict = stored["kwargs"]
        self.meta: dict = stored.get("meta") or {}

    @property
    def configuration(self) -> StoredExpectation:
        return self

    def __getattr__(self, name: str) -> Any:  # column, column_A, column_B, like GX's
        if name in ("column", "column_A", "column_B"):
            return self.kwargs.get(name)
        raise AttributeError(name)


class StoredSuite:
    def __init__(self, name: str, expectations: list[dict]) -> None:
        self.name = name
        self.expectations = [StoredExpectation(e) for e in expectations]


_loaded: dict | None = None


def load_suite(spec: FileSpec, present: Sequence[str]) -> StoredSuite | None:
    """The stored suite for these columns, or None when the store is missing or stale."""
    global _loaded
    if _loaded is None:
        try:
            _loaded = json.loads(STORE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _loaded = {}
    if _loaded.get("fingerprint") != fingerprint():
        return None
    expectations = _loaded.get("suites", {}).get(key(spec, present))
    return None if expectations is None else StoredSuite(spec.name, expectations)


def main() -> None:
    STORE.write_text(
        json.dumps(build_store(), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {STORE}")


if __name__ == "__main__":
    main()
