"""Uniqueness across batches is exact: FirstSeen against a plain dict, with and without
hash collisions (forced by folding the 64-bit hashes into a handful of values)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roas.validation.first_seen import FirstSeen


def oracle(batches: list[list]) -> list[list]:
    first: dict = {}
    out, line = [], 2
    for keys in batches:
        got = []
        for k in keys:
            if k is None:
                got.append(None)
            elif k in first:
                got.append(first[k])
            else:
                first[k] = line
                got.append(None)
            line += 1
        out.append(got)
    return out


def run(batches: list[list], arrow_type: pa.DataType, fold: int | None) -> list[list]:
    seen = FirstSeen()
    if fold is not None:  # every key shares its hash with many others
        real = seen._hashes
        seen._hashes = lambda keys: real(keys) % np.uint64(fold)
    out, line = [], 2
    for keys in batches:
        lines = np.arange(line, line + len(keys), dtype=np.int64)
        out.append(seen.first_lines(pa.array(keys, arrow_type), lines).to_pylist())
        line += len(keys)
    return out


KEYS = {
    pa.string(): st.one_of(st.none(), st.sampled_from(["a", "b", "O1", "é", "", "a "]),
                           st.text(max_size=3)),
    pa.int64(): st.one_of(st.none(), st.integers(-3, 40)),
}  # fmt: skip


@pytest.mark.parametrize("fold", [None, 1, 5])
@pytest.mark.parametrize("arrow_type", [pa.string(), pa.int64()], ids=["text", "int"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_first_lines_match_a_dict(arrow_type, fold, data):
    batches = data.draw(st.lists(st.lists(KEYS[arrow_type], max_size=30), max_size=8))
    assert run(batches, arrow_type, fold) == oracle(batches)


def test_many_batches_merge_runs_and_stay_exact():
    rng = np.random.default_rng(7)
    batches = [[f"K{v}" for v in rng.integers(0, 5000, 700)] for _ in range(40)]
    assert run(batches, pa.string(), None) == oracle(batches)
    assert run(batches, pa.string(), 97) == oracle(batches)
