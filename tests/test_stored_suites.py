"""suites.json is exactly what GX builds from suites.py, for every column set, and a
stale or missing store falls back to building the suites with GX."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from roas.validation import stored_suites, validate_folder
from roas.validation.spec import FILES, TRACKING
from roas.validation.sqlrules import SqlRunner
from roas.validation.suites import build_suite


def test_store_is_current():
    stored = json.loads(stored_suites.STORE.read_text(encoding="utf-8"))
    assert stored["fingerprint"] == stored_suites.fingerprint(), (
        "suites.py, spec.py or parsing.py changed: regenerate the store with "
        "`.venv/bin/python -m roas.validation.stored_suites`"
    )


@pytest.mark.parametrize("spec", FILES, ids=[f.name for f in FILES])
def test_every_column_set_is_stored_as_gx_builds_it(spec):
    sets = list(stored_suites.column_sets(spec))
    assert len(sets) == 2 ** sum(c.optional for c in spec.columns)
    for cols in sets:
        suite = stored_suites.load_suite(spec, list(reversed(cols)))  # file order is free
        assert suite is not None, cols
        live = build_suite(spec, cols).to_json_dict()["expectations"]
        stored = [{"type": e.type, "kwargs": e.kwargs, "meta": e.meta} for e in
                  suite.expectations]  # fmt: skip
        assert stored == [{k: e[k] for k in ("type", "kwargs", "meta")} for e in live], cols


def test_stale_store_falls_back_to_gx(monkeypatch):
    monkeypatch.setattr(stored_suites, "fingerprint", lambda: "something else")
    cols = TRACKING.required_columns
    assert stored_suites.load_suite(TRACKING, cols) is None
    suite = SqlRunner.suite_for(TRACKING, cols)
    assert type(suite).__module__.startswith("great_expectations")


def test_sql_engine_does_not_import_gx(tmp_path):
    from conftest import HAND_FIXTURE

    code = (
        "import sys; from pathlib import Path; from roas.validation import validate_folder; "
        f"validate_folder(Path({str(HAND_FIXTURE)!r}), None, engine='sql'); "
        "print('great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.strip() == "False"
    assert validate_folder(HAND_FIXTURE, None).files["tracking_data"].rows_rejected == 2
