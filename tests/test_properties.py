"""Issue 5, property-based: random rows and random mutations of every raw file.

1. Generated data with an oracle: each file gets random rows, each row good or carrying
   one random defect (bad value, out-of-range value, empty required value, unknown or
   rejected influencer, repeated key). Validation must load exactly the good rows (same
   lines, same money), reject exactly the others with the right first column, and keep
   rows read = loaded + rejected.
2. Random byte-level mutations of the hand fixture's files: never anything but a clean
   refusal naming the mutated file, or rows accounted for where every loaded row obeys
   the contract's rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_inputs import HAND_FIXTURE, NAMES, record_lines

from roas.validation import InputRefused, validate_folder
from roas.validation.spec import FILES

SPEC = {f.name: f for f in FILES}
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- values ------------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ09 ,;\"'<>&=+-/\\\n") + ["é", "₹", "🏋", "م", "\t"]),
    min_size=1,
    max_size=10,
).filter(lambda s: s.strip() != "")


@st.composite
def good_int(draw, low: int) -> str:
    n = draw(st.integers(low, 10**9))
    return draw(st.sampled_from([str(n), f" {n} ", f"+{n}", f"{n}.0", f"00{n}"]))


@st.composite
def good_decimal(draw) -> tuple[str, float]:
    cents = draw(st.integers(0, 10**9))
    text = draw(st.sampled_from([f"{cents / 100:.2f}", f"{cents // 100}", f" {cents / 100} "]))
    return text, float(text)


@st.composite
def good_date(draw) -> str:
    day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))).isoformat()
    return day + draw(st.sampled_from(["", "T10:20:30", " 23:59", "T00:00:00+05:30"]))


def good_enum(values: tuple[str, ...]):
    return st.tuples(st.sampled_from(values), st.sampled_from([str.lower, str.upper, str.title,
                                                                lambda s: f" {s} "])).map(
        lambda t: t[1](t[0])
    )


NOT_INT = ["abc", "1,000", "12k", "1.5", "1e3", "--1"]
NOT_DEC = ["₹10", "10 INR", "NaN", "inf", "1e999", "1.2.3", "1,5"]
NOT_DATE = ["2025/01/01", "01-02-2025", "2025-02-30", "2025-13-01", "yesterday"]
OUT_OF_RANGE_DATE = ["1999-12-31", "2100-01-01", "1899-06-01T10:00"]

# column -> kind used by the generator: (kind, rule)
#   int:>=0, int:>0, int:>=1, int:01 (group), dec, date, text, enum, fk, key
COLUMNS = {
    "influencers": {"id": "key_int", "name": "text", "platform": "text", "category": "text",
                    "gender": "enum", "follower_count": "int>=0",
                    "influencer_type": "enum_opt"},
    "posts": {"post_id": "key", "influencer_id": "fk", "platform": "text", "date": "date",
              "url": "text", "caption": "text_opt", "reach": "int>=0", "likes": "int>=0",
              "comments": "int>=0", "campaign": "text_opt"},
    "tracking_data": {"order_id": "key", "source": "text", "campaign": "text",
                      "influencer_id": "fk", "user_id": "text", "product": "text",
                      "brand": "text_opt", "date": "date", "orders": "int>=1", "revenue": "dec",
                      "group": "int01"},
    "payouts": {"influencer_id": "fk", "basis": "enum", "rate": "dec",
                "orders": "int>=0_if_order", "total_payout": "dec", "campaign": "text_opt",
                "status": "enum_opt"},
    "audiences": {"campaign": "text", "influencer_id": "int", "group": "int01",
                  "users": "int>0"},
}  # fmt: skip


def bad_values(kind: str) -> list[str]:
    """Values that break the rule of a column of this kind (empty = required and missing)."""
    required = [] if kind.endswith("_opt") else ["", "  "]
    if kind.startswith("int") or kind in ("key_int", "fk"):
        rng = {"int>=0": ["-1"], "int>0": ["0", "-3"], "int>=1": ["0", "-2"],
               "int01": ["2", "-1"], "key_int": ["0", "-5"], "fk": [],
               "int>=0_if_order": ["-1"], "int": []}[kind]  # fmt: skip
        return NOT_INT + rng + required
    if kind == "dec":
        return NOT_DEC + ["-0.01", "-5"] + required
    if kind == "date":
        return NOT_DATE + OUT_OF_RANGE_DATE + required
    if kind.startswith("enum"):
        return ["xyz", "Robot"] + required
    if kind == "text":
        return required
    return []  # optional text, keys: anything goes


# -- generated files with an oracle --------------------------------------------------------


@dataclass
class GenFile:
    name: str
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    bad_column: list[str | None] = field(default_factory=list)  # first failing column
    money: list[float] = field(default_factory=list)  # revenue / total_payout of a row

    def csv_bytes(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows([[r[c] for c in self.columns] for r in self.rows])
        return buf.getvalue().encode("utf-8")

    @property
    def columns(self) -> list[str]:
        return [h.strip().lower() for h in self.header]


@st.composite
def gen_file(draw, name: str, valid_ids: list[int], other_ids: list[int]) -> GenFile:
    columns = list(COLUMNS[name])
    order = draw(st.permutations(columns))
    header = [draw(st.sampled_from([c, c.upper(), f" {c.title()} "])) for c in order]
    f = GenFile(name, header)
    rank = {c: i for i, c in enumerate(c.name for c in SPEC[name].columns)}
    seen_keys: list[str] = []
    for i in range(draw(st.integers(0 if name != "influencers" else 1, 10))):
        row, failing, money = {}, set(), 0.0
        defect = draw(st.one_of(st.none(), st.none(), st.sampled_from(columns)))
        for c in columns:
            kind = COLUMNS[name][c]
            bad = bad_values(kind)
            if c == defect and bad:
                row[c] = draw(st.sampled_from(bad))
                failing.add(c)
                continue
            if kind == "key_int":  # influencer ids: fresh, or a repeat of an earlier row's
                if seen_keys and draw(st.integers(0, 6)) == 0:
                    row[c] = draw(st.sampled_from(seen_keys))
                    failing.add(c)
                else:
                    row[c] = str(1000 + i)
            elif kind == "key":
                if seen_keys and draw(st.integers(0, 6)) == 0:
                    row[c] = draw(st.sampled_from(seen_keys))
                    failing.add(c)
                else:
                    row[c] = draw(st.sampled_from([f"K{i}", f"k-{i}", f"{i}"]))
            elif kind == "fk":
                pick = draw(st.integers(0, 9))
                if pick == 0 or not valid_ids:
                    row[c] = draw(st.sampled_from(["99999", *map(str, other_ids)]))
                    failing.add(c)
                else:
                    row[c] = str(draw(st.sampled_from(valid_ids)))
            elif kind in ("int>=0", "int>=0_if_order"):
                row[c] = draw(good_int(0))
            elif kind in ("int>0", "int>=1"):
                row[c] = draw(good_int(1))
            elif kind == "int01":
                row[c] = draw(st.sampled_from(["0", "1", " 1 ", "+0"]))
            elif kind == "int":
                row[c] = draw(good_int(0))
            elif kind == "dec":
                row[c], value = draw(good_decimal())
                if c in ("revenue", "total_payout"):
                    money = value
            elif kind == "date":
                row[c] = draw(good_date())
            elif kind.startswith("text"):
                row[c] = draw(TEXT) if kind == "text" or draw(st.booleans()) else ""
            elif kind.startswith("enum"):
                values = SPEC[name].col(c).values
                row[c] = draw(good_enum(values)) if kind == "enum" or draw(st.booleans()) else ""
        if c_key := next((c for c in columns if COLUMNS[name][c] in ("key", "key_int")), None):
            seen_keys.append(row[c_key])
        if name == "payouts" and row["basis"].strip().lower() != "order":
            failing.discard("orders")  # orders is ignored unless basis is order
        f.rows.append(row)
        f.bad_column.append(min(failing, key=rank.__getitem__) if failing else None)
        f.money.append(0.0 if failing else money)
    return f


@st.composite
def gen_folder(draw) -> dict[str, GenFile]:
    influencers = draw(gen_file("influencers", [], []))
    valid = [int(r["id"]) for r, bad in zip(influencers.rows, influencers.bad_column,
                                             strict=True) if bad is None]  # fmt: skip
    rejected = [int(r["id"]) for r, bad in zip(influencers.rows, influencers.bad_column,
                                                strict=True)
                if bad is not None and r["id"].strip().isdigit() and int(r["id"]) not in valid]
    files = {"influencers": influencers}
    for name in NAMES[1:]:
        files[name] = draw(gen_file(name, valid, rejected))
    return files


def read(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


@settings(SETTINGS, max_examples=10)
@given(files=gen_folder())
def test_generated_rows_load_exactly_the_good_ones(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("gen")
    data, out = root / "raw", root / "validated"
    data.mkdir()
    for name, f in files.items():
        (data / f"{name}.csv").write_bytes(f.csv_bytes())
    if all(bad is not None for bad in files["influencers"].bad_column):
        with pytest.raises(InputRefused, match="influencers.csv: none of its"):
            validate_folder(data, out)
        return
    report = validate_folder(data, out)
    rejected: dict[str, dict[int, dict]] = {}
    for r in read(out, "rejected_rows"):
        rejected.setdefault(r["source_file"], {})[r["line_number"]] = r
    for name, f in files.items():
        stats = report.files[name]
        starts = record_lines(data / f"{name}.csv")
        assert len(starts) == len(f.rows)
        good = [line for line, bad in zip(starts, f.bad_column, strict=True) if bad is None]
        bad = {line: col for line, col in zip(starts, f.bad_column, strict=True) if col}
        loaded = read(out, name)
        assert [r["line_number"] for r in loaded] == good, name
        got_bad = rejected.get(f"{name}.csv", {})
        assert sorted(got_bad) == sorted(bad), name
        for line, column in bad.items():
            assert got_bad[line]["column_name"] == column, (name, line, got_bad[line])
        assert stats.rows_read == stats.rows_loaded + stats.rows_rejected == len(f.rows)
        money_column = {"tracking_data": "revenue", "payouts": "total_payout"}.get(name)
        if money_column:  # nothing lost, nothing invented
            assert sum(r[money_column] for r in loaded) == pytest.approx(sum(f.money))


# -- random mutations of the hand fixture ---------------------------------------------------

PIECES = [b'"', b",", b"\n", b"\r\n", b"\r", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b";",
          b"\t", "₹".encode(), b"\xe9", b"-", b"0", b"NaN", b"2099-13-45", b" ", b"x" * 5000,
          b'""', b",,,", b"\n\n", "é".encode()]  # fmt: skip


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(NAMES))
    content = (HAND_FIXTURE / f"{name}.csv").read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "truncate"]))
        pos = draw(st.integers(0, len(content)))
        lines = content.split(b"\n")
        if op == "insert":
            content = content[:pos] + draw(st.sampled_from(PIECES)) + content[pos:]
        elif op == "delete":
            content = content[:pos] + content[pos + draw(st.integers(1, 40)) :]
        elif op == "duplicate" and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 1))
            content = b"\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
        elif op == "swap" and len(lines) > 2:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            content = b"\n".join(lines)
        elif op == "truncate":
            content = content[:pos]
    return name, content


def check_loaded_rows_obey_the_contract(out: Path) -> None:
    """Whatever got in is usable: the rules hold on every loaded row."""
    lo, hi = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
    influencers = read(out, "influencers")
    ids = [r["id"] for r in influencers]
    assert len(ids) == len(set(ids)) and all(i > 0 for i in ids)
    for r in influencers:
        assert r["name"] and r["platform"] and r["category"] and r["follower_count"] >= 0
        assert r["gender"] in ("Male", "Female", "Other")
    for r in read(out, "posts"):
        assert r["influencer_id"] in ids and lo <= r["date"] <= hi and r["url"]
        assert min(r["reach"], r["likes"], r["comments"]) >= 0
    for r in read(out, "tracking_data"):
        assert r["influencer_id"] in ids and lo <= r["date"] <= hi
        assert r["orders"] >= 1 and r["revenue"] >= 0 and r["group"] in (0, 1, None)
        assert r["source"] and r["campaign"] and r["user_id"] and r["product"]
    for r in read(out, "payouts"):
        assert r["influencer_id"] in ids and r["basis"] in ("post", "order")
        assert r["rate"] >= 0 and r["total_payout"] >= 0
        assert r["basis"] == "post" or r["orders"] >= 0
    for r in read(out, "audiences"):
        assert r["users"] > 0 and r["group"] in (0, 1) and r["campaign"]


@settings(SETTINGS, max_examples=15)
@given(case=mutated())
def test_mutated_file_is_refused_cleanly_or_accounted_for(tmp_path_factory, case):
    name, content = case
    root = tmp_path_factory.mktemp("mut")
    data, out = root / "raw", root / "validated"
    data.mkdir()
    for n in NAMES:
        (data / f"{n}.csv").write_bytes((HAND_FIXTURE / f"{n}.csv").read_bytes())
    (data / f"{name}.csv").write_bytes(content)
    try:
        report = validate_folder(data, out)
    except InputRefused as refusal:  # any other exception fails the test
        assert str(refusal).startswith(f"{name}.csv: "), str(refusal)
        return
    rejected = read(out, "rejected_rows")
    for n, stats in report.files.items():
        assert stats.rows_read == stats.rows_loaded + stats.rows_rejected, stats
        loaded = [r["line_number"] for r in read(out, n)]
        bad = [r["line_number"] for r in rejected if r["source_file"] == stats.source_file]
        assert len(loaded) == stats.rows_loaded and len(bad) == stats.rows_rejected
        assert len(set(loaded + bad)) == len(loaded + bad), "a line counted twice"
    check_loaded_rows_obey_the_contract(out)
