"""Issue 5, bad input, part 3: unusual but valid variations of the hand fixture load with
the same rows and totals (the corpus and its helpers: tests/test_bad_inputs.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pytest
from conftest import HAND_FIXTURE, HAND_MAX_REJECT_SHARE, run_roas
from test_bad_inputs import (
    BASE_TOTALS,
    NAMES,
    Change,
    Validated,
    _drop_column,
    _parquet_bytes,
    append,
    defect_line,
    every_file,
    hand_folder,
    read,
    replace,
    text_lines,
    totals,
    validate,
)

# -- 3. valid variations: same rows, same totals ------------------------------------------


def _crlf(b: bytes) -> bytes:
    return b.replace(b"\n", b"\r\n")


def _shout_headers(b: bytes) -> bytes:
    head, rest = b.split(b"\n", 1)
    names = next(csv.reader([head.decode()]))
    return (",".join(f"  {n.strip().upper()} " for n in names) + "\n").encode() + rest


def _extra_column(b: bytes) -> bytes:
    lines = b.decode().split("\n")
    out = [lines[0] + ",Notes, note 2"]
    out += [line + f',"x, ""{i}""",=1+1' for i, line in enumerate(lines[1:-1])]
    return ("\n".join(out) + "\n").encode()


def _rewrite(b: bytes, transform: Callable[[list[str]], list[str]], **options) -> bytes:
    rows = list(csv.reader(io.StringIO(b.decode(), newline="")))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", **options).writerows([transform(r) for r in rows])
    return buf.getvalue().encode()


def _reorder(b: bytes) -> bytes:
    return _rewrite(b, lambda r: list(reversed(r)))


def _quote_everything(b: bytes) -> bytes:
    return _rewrite(b, lambda r: r, quoting=csv.QUOTE_ALL)


def _drop_columns(b: bytes, *columns: str) -> bytes:
    for column in columns:
        b = _drop_column(b, column)
    return b


def _latin1(b: bytes) -> bytes:
    return b.decode().replace("Priya Nair", "Priyá Nair Crème").encode("latin-1")


def _timestamps_tracking(b: bytes) -> bytes:
    b = b.replace(b",2025-05-01,", b",2025-05-01T23:59:59+05:30,", 1)
    return b.replace(b",2025-05-03,", b",2025-05-03 08:15:00Z,", 1)


def _user_ids(b: bytes) -> bytes:
    b = b.replace(b",1001,", b",001001,", 2).replace(b",001001,", b",1001,", 1)
    return b.replace(b",1002,", b",1.002e3,", 1)


def _hostile_names(b: bytes) -> bytes:
    b = b.replace(b"Rohan Gupta", b'"=HYPERLINK(""http://evil"",""x"")"')
    return b.replace(b"Kabir Das", "<img src=x onerror=alert(1)> 🏋️ مرحبا".encode())


def _numbers(b: bytes) -> bytes:
    b = b.replace(b",2,200.00,", b", +2.0 , 2e2 ,", 1)
    return b.replace(b",3,300.00,", b",3,+300.000,", 1)


def _enum_case(b: bytes) -> bytes:
    return (
        b.replace(b",Male,", b",MALE,", 1)
        .replace(b",Female,", b", female ,", 1)
        .replace(b",order,", b",ORDER,", 1)
        .replace(b",post,", b",Post,", 1)
        .replace(b",paid\n", b",PAID\n", 1)
    )


def _check_latin1(v: Validated) -> None:
    names = {r["id"]: r["name"] for r in read(v.out, "influencers")}
    assert names[2] == "Priyá Nair Crème"
    assert v.report.files["influencers"].encoding == "cp1252"


def _check_multiline(v: Validated) -> None:
    posts = {r["post_id"]: r for r in read(v.out, "posts")}
    assert posts["P-1-2"]["caption"] == 'Leg day, "heavy"\nsecond line'
    assert posts["P-2-1"]["line_number"] == 5  # after a two-line record: one line later


def _check_long(v: Validated) -> None:
    posts = {r["post_id"]: r for r in read(v.out, "posts")}
    assert posts["P-1-2"]["caption"] == "L" * 2_000_000
    names = {r["id"]: r["name"] for r in read(v.out, "influencers")}
    assert names[2] == "N" * 100_000


def _check_timestamps(v: Validated) -> None:
    tracking = {r["order_id"]: r for r in read(v.out, "tracking_data")}
    assert str(tracking["O1"]["date"]) == "2025-05-01"  # the date part, not shifted to UTC
    assert str(tracking["O2"]["date"]) == "2025-05-03"
    posts = {r["post_id"]: r for r in read(v.out, "posts")}
    assert str(posts["P-1-2"]["date"]) == "2025-05-02"


def _check_user_ids(v: Validated) -> None:
    tracking = {r["order_id"]: r for r in read(v.out, "tracking_data")}
    assert tracking["O1"]["user_id"] == "1001"  # integers are read as text
    assert tracking["O2"]["user_id"] == "001001"  # leading zeros kept: another user
    assert tracking["O3"]["user_id"] == "1.002e3"  # never parsed as a number


def _check_text_kept(v: Validated) -> None:
    names = {r["id"]: r["name"] for r in read(v.out, "influencers")}
    assert names[3] == '=HYPERLINK("http://evil","x")'
    assert names[5] == "<img src=x onerror=alert(1)> 🏋️ مرحبا"


def _check_numbers(v: Validated) -> None:
    tracking = {r["order_id"]: r for r in read(v.out, "tracking_data")}
    assert (tracking["O3"]["orders"], tracking["O3"]["revenue"]) == (2, 200.0)
    assert tracking["O5"]["revenue"] == 300.0


def _check_enums(v: Validated) -> None:
    genders = {r["id"]: r["gender"] for r in read(v.out, "influencers")}
    assert genders[1] == "Male" and genders[2] == "Female"
    payouts = read(v.out, "payouts")
    assert [p["basis"] for p in payouts][:2] == ["order", "post"]
    assert payouts[0]["status"] == "paid"


def _check_no_optional(v: Validated) -> None:
    assert v.report.tracking_has_group is False and v.report.has_audiences is False
    tracking = read(v.out, "tracking_data")
    assert all(r["group"] is None and r["brand"] is None and r["order_id"] is None
               for r in tracking)  # fmt: skip


def _check_blank_lines(v: Validated) -> None:
    assert v.report.files["tracking_data"].blank_rows_skipped == 3
    lines = [r["line_number"] for r in read(v.out, "tracking_data")]
    assert lines[:2] == [3, 4]  # the blank line 2 moved every row one line down


# case -> (changes, extra check, tracking lines rejected, expected totals overrides)
Variation = tuple[dict[str, Change], Callable[[Validated], None] | None, list[int], dict]
VARIATIONS: dict[str, Variation] = {
    "UTF-8 BOM on every file": (every_file(lambda b: b"\xef\xbb\xbf" + b), None, [19, 20], {}),
    "CRLF line ends on every file": (every_file(_crlf), None, [19, 20], {}),
    "CR-only line ends (old Mac)": (
        every_file(lambda b: b.replace(b"\n", b"\r")), None, [19, 20], {}
    ),
    "upper-case, padded headers": (every_file(_shout_headers), None, [19, 20], {}),
    "extra unknown columns (quotes, commas, formulas)": (
        every_file(_extra_column), None, [19, 20], {}
    ),
    "columns in another order": (every_file(_reorder), None, [19, 20], {}),
    "every field quoted": (every_file(_quote_everything), None, [19, 20], {}),
    "Latin-1 bytes": ({"influencers": _latin1}, _check_latin1, [19, 20], {}),
    "quoted fields with commas, quotes and newlines": (
        {"posts": replace("Leg day", '"Leg day, ""heavy""\nsecond line"')},
        _check_multiline, [19, 20], {},
    ),
    "very long fields (2 MB caption, 100 kB name)": (
        {"posts": replace("Leg day", "L" * 2_000_000),
         "influencers": replace("Priya Nair", "N" * 100_000)},
        _check_long, [19, 20], {},
    ),
    "timestamps where dates are expected": (
        {"tracking_data": _timestamps_tracking, "posts": replace("2025-05-02", "2025-05-02 10:00")},
        _check_timestamps, [19, 20], {},
    ),
    "integer user ids, leading zeros, exponent-looking ids": (
        {"tracking_data": _user_ids}, _check_user_ids, [19, 20], {}
    ),
    "formulas, HTML, emoji and right-to-left text kept as text": (
        {"influencers": _hostile_names}, _check_text_kept, [19, 20], {}
    ),
    "numbers with signs, decimals, exponents and spaces": (
        {"tracking_data": _numbers}, _check_numbers, [19, 20], {}
    ),
    "enum values in any case": (
        {"influencers": _enum_case, "payouts": _enum_case}, _check_enums, [19, 20], {}
    ),
    "optional columns and the optional file absent": (
        {"tracking_data": lambda b: _drop_columns(b, "order_id", "brand", "group"),
         "posts": lambda b: _drop_columns(b, "post_id", "caption", "campaign"),
         "influencers": lambda b: _drop_columns(b, "influencer_type"),
         "payouts": lambda b: _drop_columns(b, "status"),
         "audiences": None},
        _check_no_optional, [19, 20], {"audiences": {"rows": 0, "users": 0}},
    ),
    "blank lines and empty spreadsheet rows": (
        {"tracking_data": lambda b: b.replace(b"\n", b"\n\n", 1) + b",,,,,,,,,,\n \n"},
        _check_blank_lines, [20, 21], {},
    ),
    "header-only tracking and audiences files": (
        {"tracking_data": text_lines(lambda lines: lines[:1]),
         "audiences": text_lines(lambda lines: lines[:1])},
        None, [], {"tracking_data": {"rows": 0, "revenue": 0, "orders": 0},
                   "audiences": {"rows": 0, "users": 0}},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(VARIATIONS))
def test_valid_variation_loads_with_the_right_totals(tmp_path, case):
    changes, check, tracking_rejected, overrides = VARIATIONS[case]
    v = validate(tmp_path, **changes)
    assert totals(v.out) == {**BASE_TOTALS, **overrides}
    rejected = {f: sorted(lines) for f, lines in v.rejected.items()}
    assert rejected == ({"tracking_data.csv": tracking_rejected} if tracking_rejected else {})
    if check:
        check(v)


def _to_parquet(name: str) -> bytes:
    table = pacsv.read_csv(
        HAND_FIXTURE / f"{name}.csv",
        convert_options=pacsv.ConvertOptions(strings_can_be_null=False),
    )
    return _parquet_bytes(table)


def test_parquet_inputs_load_like_the_csv(tmp_path):
    changes: dict[str, Change] = {n: None for n in NAMES}
    changes.update({f"{n}.parquet": _to_parquet(n) for n in NAMES})
    v = validate(tmp_path, **changes)
    assert totals(v.out) == BASE_TOTALS
    assert {f: sorted(lines) for f, lines in v.rejected.items()} == {
        "tracking_data.parquet": [19, 20]
    }


# -- 4. end to end: the marts are built from the good rows, bad rows are in the warehouse --

MARTS = [
    "mart_influencer_performance", "mart_campaign_performance", "mart_persona_performance",
    "mart_payout_tracking", "mart_daily_performance", "mart_programme_summary",
]  # fmt: skip


def mart_rows(warehouse: Path, mart: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(f"select * from {mart}").fetchall()
    return sorted(rows, key=repr)


@pytest.mark.slow
def test_messy_export_with_bad_rows_builds_the_same_marts(tmp_path, hand_build):
    """BOM, CRLF, shouted headers, extra columns, a bad row in every file: `roas run` builds
    exactly the hand fixture's marts, and rejected_rows holds every bad row with its line."""
    def messy(name: str) -> Callable[[bytes], bytes]:
        column, value, _ = _E2E_DEFECT[name]
        bad_row = append(defect_line(name, column, value, 1))
        return lambda b: b"\xef\xbb\xbf" + _crlf(_extra_column(_shout_headers(bad_row(b))))

    data = hand_folder(tmp_path, **{name: messy(name) for name in NAMES})
    site, warehouse = tmp_path / "site", tmp_path / "w.duckdb"
    result = run_roas("run", "--data", data, "--out", site, "--warehouse", warehouse,
                      "--max-reject-share", "0.5")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for mart in MARTS:
        assert mart_rows(warehouse, mart) == mart_rows(hand_build.warehouse, mart), mart
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejected = con.execute(
            "select source_file, line_number, column_name, reason from rejected_rows"
        ).fetchall()
        audit = con.execute(
            "select source_file, rows_read, rows_loaded, rows_rejected from mart_data_quality"
        ).fetchall()
    got = {(f, line): (col, reason) for f, line, col, reason in rejected}
    for name in NAMES:
        line = len((HAND_FIXTURE / f"{name}.csv").read_text().splitlines()) + 1
        column, _, reason = _E2E_DEFECT[name]
        assert got[(f"{name}.csv", line)][0] == column
        assert reason in got[(f"{name}.csv", line)][1]
    assert ("tracking_data.csv", 19) in got and ("tracking_data.csv", 20) in got
    assert len(got) == len(NAMES) + 2
    for source_file, read_, loaded, rejected_ in audit:
        assert read_ == loaded + rejected_, source_file
    assert (site / "index.html").is_file()


_E2E_DEFECT = {
    "influencers": ("gender", "Robot", "gender must be one of"),
    "posts": ("date", "2100-01-01", "out-of-range date"),
    "tracking_data": ("revenue", "-5", "revenue must be >= 0"),
    "payouts": ("basis", "flat", "basis must be one of"),
    "audiences": ("users", "0", "users must be > 0"),
}


def test_cli_refusal_has_no_traceback_and_exit_1(tmp_path):
    data = hand_folder(tmp_path, posts=replace("caption", "Reach"))
    result = run_roas("validate", "--data", data, *HAND_MAX_REJECT_SHARE)
    assert result.returncode == 1
    assert result.stderr.startswith("roas: error: posts.csv: column 'reach' appears twice")
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_max_reject_share_must_be_a_share(tmp_path):
    result = run_roas("validate", "--data", tmp_path, "--max-reject-share", "5")
    assert result.returncode == 2 and "--max-reject-share" in result.stderr
