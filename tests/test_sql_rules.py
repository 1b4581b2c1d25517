"""The suites compiled to SQL (roas/validation/sqlrules.py) agree with GX's own engine.

Every batch of every case is evaluated by both engines: same failing line numbers per
expectation, same element and unexpected counts, same success. Cases: the hand fixture,
the bad-input corpus (one bad row per rule, tests/test_bad_inputs.py), its valid
variations, and random rows (the generator of tests/test_properties.py). The whole
validated folder written by either engine is then compared byte for byte.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from test_bad_inputs import (
    HAND_FIXTURE,
    NAMES,
    append,
    defect_line,
    defect_rows,
    hand_folder,
)
from test_properties import SETTINGS, gen_folder
from test_valid_variations import VARIATIONS, _to_parquet

from roas.validation import InputRefused, pipeline, validate_folder
from roas.validation.sqlrules import (
    BETWEEN,
    IN_SET,
    NOT_NULL,
    NULL,
    PAIR_GT,
    REGEX,
    SqlRunner,
    UnknownExpectation,
    compile_expectation,
    compile_suite,
)
from roas.validation.suites import GxRunner, build_suite


class DualRunner:
    """Evaluates every batch with GX and with the compiled SQL; fails on any difference."""

    def __init__(self) -> None:
        self.gx, self.sql = GxRunner(), SqlRunner()
        self.batches = 0
        self.failing_types: Counter[str] = Counter()  # expectation type -> rows failing

    @staticmethod
    def suite_for(spec, present):
        return build_suite(spec, present)  # GX's own suite object, for both engines

    def validate(self, name, table, suite, parameters=None):
        want = self.gx.validate(name, table, suite, parameters)
        got = self.sql.validate(name, table, suite, parameters)
        assert len(got) == len(want) == len(suite.expectations), name
        for g, w in zip(got, want, strict=True):
            where = f"{name}: {w.expectation} on {w.column} ({w.rule})"
            assert (g.order, g.expectation, g.column, g.rule) == (
                w.order, w.expectation, w.column, w.rule
            ), where  # fmt: skip
            assert (g.element_count, g.unexpected_count, g.success) == (
                w.element_count, w.unexpected_count, w.success
            ), where  # fmt: skip
            assert np.array_equal(g.lines, np.sort(w.lines)), (where, g.lines, w.lines)
            self.failing_types[w.expectation] += w.unexpected_count
        self.batches += 1
        return got


@pytest.fixture
def dual(monkeypatch) -> DualRunner:
    runner = DualRunner()
    monkeypatch.setattr(pipeline, "_runner", lambda engine: runner)
    return runner


def validated_bytes(data: Path, out: Path, engine: str) -> dict[str, bytes]:
    validate_folder(data, out, engine=engine)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def assert_same_outputs(data: Path, root: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    gx = validated_bytes(data, root / "by_gx", "gx")
    sql = validated_bytes(data, root / "by_sql", "sql")
    assert list(sql) == list(gx)
    for name in gx:
        assert sql[name] == gx[name], name


def corpus_folder(root: Path) -> Path:
    changes = {
        name: append(*(defect_line(name, d[1], d[2], line) for line, d in placed))
        for name, placed in defect_rows().items()
    }
    return hand_folder(root, **changes)


def test_hand_fixture_agrees(tmp_path, dual):
    report = validate_folder(HAND_FIXTURE, tmp_path / "out")
    assert dual.batches == 5
    assert report.files["tracking_data"].rows_rejected == 2
    assert dual.failing_types[IN_SET] == 1 and dual.failing_types[REGEX] == 1


def test_bad_input_corpus_agrees_and_covers_every_expectation_type(tmp_path, dual):
    report = validate_folder(corpus_folder(tmp_path), tmp_path / "out")
    assert report.rows_rejected > 80
    # the agreement is not vacuous: every type the compiler knows failed on some row
    for exp_type in (NULL, NOT_NULL, REGEX, BETWEEN, IN_SET, PAIR_GT):
        assert dual.failing_types[exp_type] > 0, exp_type


@pytest.mark.parametrize("case", sorted(VARIATIONS))
def test_valid_variations_agree(tmp_path, dual, case):
    changes = VARIATIONS[case][0]
    validate_folder(hand_folder(tmp_path, **changes), tmp_path / "out")
    assert dual.batches >= 4


def test_parquet_inputs_agree(tmp_path, dual):
    changes = {n: None for n in NAMES} | {f"{n}.parquet": _to_parquet(n) for n in NAMES}
    report = validate_folder(hand_folder(tmp_path, **changes), tmp_path / "out")
    assert report.files["tracking_data"].source_file == "tracking_data.parquet"
    assert dual.batches == 5 and dual.failing_types[IN_SET] == 1


@settings(SETTINGS, max_examples=15)
@given(files=gen_folder())
def test_random_rows_agree(tmp_path_factory, monkeypatch, files):
    runner = DualRunner()
    monkeypatch.setattr(pipeline, "_runner", lambda engine: runner)
    data = tmp_path_factory.mktemp("gen") / "raw"
    data.mkdir()
    for name, f in files.items():
        (data / f"{name}.csv").write_bytes(f.csv_bytes())
    try:
        validate_folder(data, None)
    except InputRefused as exc:  # no valid influencer: refused after its suite ran
        assert "influencers.csv: none of its" in str(exc)
    assert runner.batches >= 1


def test_both_engines_write_identical_files_on_the_corpus(tmp_path, monkeypatch):
    assert_same_outputs(corpus_folder(tmp_path), tmp_path, monkeypatch)


def test_both_engines_write_identical_files_on_the_hand_fixture(tmp_path, monkeypatch):
    assert_same_outputs(HAND_FIXTURE, tmp_path, monkeypatch)


# -- the compiler refuses what it does not know ------------------------------------------

META = {"column": "x", "reason": "x is checked", "order": 0}


def test_unknown_expectation_type_is_refused():
    with pytest.raises(UnknownExpectation, match="expect_column_values_to_be_unique"):
        compile_expectation("expect_column_values_to_be_unique", {"column": "x"}, META)


def test_unknown_keyword_is_refused():
    # mostly < 1 changes what success means: never compile it away
    with pytest.raises(UnknownExpectation, match="mostly"):
        compile_expectation(NOT_NULL, {"column": "x", "mostly": 0.9}, META)


def test_unknown_row_condition_is_refused():
    rc = {"column": {"name": "b"}, "operator": ">", "parameter": 1, "type": "comparison"}
    with pytest.raises(UnknownExpectation, match="row_condition"):
        compile_expectation(NOT_NULL, {"column": "x", "row_condition": rc}, META)
    with pytest.raises(UnknownExpectation, match="row_condition"):
        compile_expectation(NOT_NULL, {"column": "x", "row_condition": 'b == "a"'}, META)


def test_pair_expectation_with_other_missing_rule_is_refused():
    kwargs = {"column_A": "a", "column_B": "b", "ignore_row_if": "both_values_are_missing"}
    with pytest.raises(UnknownExpectation, match="ignore_row_if"):
        compile_expectation(PAIR_GT, kwargs, META)


def test_a_suite_with_an_unknown_expectation_refuses_to_run():
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from roas.validation.spec import INFLUENCERS

    suite = build_suite(INFLUENCERS, [c.name for c in INFLUENCERS.columns])
    rules = compile_suite(suite)
    assert len(rules) == len(suite.expectations)
    extra = gx.ExpectationSuite(name="extra")
    extra.add_expectation(
        gxe.ExpectColumnValueLengthsToBeBetween(column="name", max_value=3, meta=META)
    )
    with pytest.raises(UnknownExpectation, match="expect_column_value_lengths_to_be_between"):
        compile_suite(extra)


def test_compiled_predicates_read_like_the_suite():
    rule = compile_expectation(
        BETWEEN,
        {"column": "users__int", "min_value": 0, "strict_min": True},
        {"column": "users", "reason": "users must be > 0", "order": 3},
    )
    assert rule.unexpected == '"users__int" IS NOT NULL AND NOT ("users__int" > 0)'
    assert (rule.order, rule.column, rule.rule, rule.domain) == (3, "users", "users must be > 0",
                                                                 None)  # fmt: skip
    cond = {"column": {"name": "basis__norm"}, "operator": "==", "parameter": "order",
            "type": "comparison"}  # fmt: skip
    rule = compile_expectation(NOT_NULL, {"column": "orders", "row_condition": cond}, META)
    assert rule.domain == "(\"basis__norm\" = 'order')"
