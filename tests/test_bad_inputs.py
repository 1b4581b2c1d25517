"""Issue 5, bad input: a corpus of defective and unusual inputs built from the hand fixture.

Every case is one of three kinds, each with its own promise:

* refused   a file-level defect: InputRefused (exit 1 from the CLI), one message that
            names the file (and the column when there is one) and says how to fix it;
* rows      a row-level defect: every good row loads, the bad one is in rejected_rows
            with its line number, column and reason;
* valid     an unusual but valid variation: loads with the same totals as the fixture.

For every case that loads, per file: rows read = rows loaded + rows rejected, and the
line numbers loaded and rejected are exactly the records Python's csv module finds.
Cases are checked with validate_folder (fast); one end-to-end `roas run` proves the
marts are built from the good rows only (docs/robustness.md lists every case).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import HAND_FIXTURE

from roas.validation import InputRefused, ValidationReport, validate_folder
from roas.validation.spec import FILES

NAMES = [f.name for f in FILES]  # influencers, posts, tracking_data, payouts, audiences
# The hand fixture as validated: loaded line numbers per file and the 2 planted bad rows.
BASE_LOADED = {
    "influencers": list(range(2, 9)),
    "posts": list(range(2, 13)),
    "tracking_data": list(range(2, 19)),
    "payouts": list(range(2, 9)),
    "audiences": list(range(2, 14)),
}
BASE_REJECTED = {"tracking_data.csv": {19: "revenue", 20: "influencer_id"}}
# Money and counts that must survive every valid variation.
BASE_TOTALS = {
    "influencers": {"rows": 7, "ids": 28, "followers": 2123000},
    "posts": {"rows": 11, "reach": 600800},
    "tracking_data": {"rows": 17, "revenue": 1900.0, "orders": 20},
    "payouts": {"rows": 7, "total_payout": 610.0},
    "audiences": {"rows": 12, "users": 50},
}
# Refusal messages say how to fix the problem: one of these verbs is always there.
FIX_WORDS = re.compile(
    r"\b(add|export|save|remove|rename|fix|choose|decompress|write|name it|pass|"
    r"check|raise the limit|replace)\b",
    re.IGNORECASE,
)

Change = bytes | None | Callable[[bytes], bytes]
csv.field_size_limit(1 << 30)  # the corpus has a 2 MB field


def hand_folder(root: Path, **changes: Change) -> Path:
    """A copy of the hand fixture; `posts=b"..."` replaces a file, None deletes it,
    a callable transforms its bytes."""
    data = root / "raw"
    shutil.copytree(HAND_FIXTURE, data)
    for name, change in changes.items():
        path = data / (name if "." in name else f"{name}.csv")
        if change is None:
            path.unlink()
        elif callable(change):
            path.write_bytes(change(path.read_bytes()))
        else:
            path.write_bytes(change)
    return data


def every_file(transform: Callable[[bytes], bytes]) -> dict[str, Callable[[bytes], bytes]]:
    return {name: transform for name in NAMES}


def text_lines(fn: Callable[[list[str]], list[str]]) -> Callable[[bytes], bytes]:
    """A transform on the file's lines (UTF-8, '\\n' line ends)."""
    return lambda b: "\n".join(fn(b.decode("utf-8").split("\n")[:-1])).encode("utf-8") + b"\n"


def replace(old: str, new: str, count: int = 1) -> Callable[[bytes], bytes]:
    def transform(b: bytes) -> bytes:
        assert old.encode() in b, old
        return b.replace(old.encode(), new.encode(), count)

    return transform


def append(*rows: str) -> Callable[[bytes], bytes]:
    return lambda b: b + "".join(r + "\n" for r in rows).encode("utf-8")


# -- reading what validation wrote ----------------------------------------------------


def read(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def rejected_by_file(out: Path) -> dict[str, dict[int, dict]]:
    found: dict[str, dict[int, dict]] = {}
    for r in read(out, "rejected_rows"):
        lines = found.setdefault(r["source_file"], {})
        assert r["line_number"] not in lines, f"line rejected twice: {r}"
        lines[r["line_number"]] = r
    return found


def totals(out: Path) -> dict[str, dict[str, float]]:
    inf, posts = read(out, "influencers"), read(out, "posts")
    trk, pay, aud = read(out, "tracking_data"), read(out, "payouts"), read(out, "audiences")
    return {
        "influencers": {
            "rows": len(inf),
            "ids": sum(r["id"] for r in inf),
            "followers": sum(r["follower_count"] for r in inf),
        },
        "posts": {"rows": len(posts), "reach": sum(r["reach"] for r in posts)},
        "tracking_data": {
            "rows": len(trk),
            "revenue": round(sum(r["revenue"] for r in trk), 6),
            "orders": sum(r["orders"] for r in trk),
        },
        "payouts": {
            "rows": len(pay),
            "total_payout": round(sum(r["total_payout"] for r in pay), 6),
        },
        "audiences": {"rows": len(aud), "users": sum(r["users"] for r in aud)},
    }


def record_lines(path: Path) -> list[int]:
    """Physical line where each non-blank record of a CSV starts, by Python's csv module."""
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    starts, line = [], reader.line_num + 1
    for record in reader:
        if any(field.strip() for field in record):
            starts.append(line)
        line = reader.line_num + 1
    return starts


def check_accounting(report: ValidationReport, data: Path, out: Path) -> None:
    """Nothing lost: every record is loaded or rejected, once; read = loaded + rejected."""
    rejected = rejected_by_file(out)
    for name, stats in report.files.items():
        assert stats.rows_read == stats.rows_loaded + stats.rows_rejected, stats
        if not stats.file_present:
            continue
        loaded = [r["line_number"] for r in read(out, name)]
        bad = sorted(rejected.get(stats.source_file, {}))
        assert len(loaded) == stats.rows_loaded and len(bad) == stats.rows_rejected, name
        assert not set(loaded) & set(bad), f"{name}: a line is both loaded and rejected"
        if stats.fmt == "csv" and stats.encoding == "utf-8":
            assert sorted(loaded + bad) == record_lines(data / stats.source_file), name
    audit = {r["source_file"]: r for r in read(out, "load_audit")}
    for a in audit.values():
        assert a["rows_read"] == a["rows_loaded"] + a["rows_rejected"], a


@dataclass
class Validated:
    report: ValidationReport
    data: Path
    out: Path
    rejected: dict[str, dict[int, dict]] = field(default_factory=dict)


def validate(root: Path, **changes: Change) -> Validated:
    data = hand_folder(root, **changes)
    out = root / "validated"
    report = validate_folder(data, out)  # no share limit: every row is accounted for
    check_accounting(report, data, out)
    return Validated(report, data, out, rejected_by_file(out))


# -- 1. file-level defects: refused with a message naming file, column and fix -----------


def _garbage() -> bytes:
    return random.Random(5).randbytes(4096)


def _parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


REFUSALS: dict[str, tuple[dict[str, Change], list[str]]] = {
    "missing file": (
        {"tracking_data": None},
        ["tracking_data.csv", "required file is missing", "must hold"],
    ),
    "file name in the wrong case": (
        {"payouts": None, "Payouts.CSV": (HAND_FIXTURE / "payouts.csv").read_bytes()},
        ["payouts.csv", "Payouts.CSV", "rename it"],
    ),
    "empty file": ({"posts": b""}, ["posts.csv", "the file is empty", "Export it again"]),
    "only a BOM and blank lines": (
        {"payouts": b"\xef\xbb\xbf\r\n \r\n"}, ["payouts.csv", "the file is empty"]
    ),
    "header only (influencers)": (
        {"influencers": text_lines(lambda lines: lines[:1])},
        ["influencers.csv", "no data rows", "add the influencer rows"],
    ),
    "binary garbage": ({"tracking_data": _garbage()}, ["tracking_data.csv", "not a CSV text"]),
    "NUL bytes in a text file": (
        {"posts": replace("Leg day", "Leg\x00day")}, ["posts.csv", "binary content"]
    ),
    "Excel workbook saved as .csv": (
        {"influencers": b"PK\x03\x04" + b"\x14\x00" * 200},
        ["influencers.csv", "Excel workbook", "export the sheet as CSV"],
    ),
    "gzip file saved as .csv": (
        {"tracking_data": gzip.compress((HAND_FIXTURE / "tracking_data.csv").read_bytes())},
        ["tracking_data.csv", "gzip", "decompress"],
    ),
    "UTF-16 text": (
        {"payouts": (HAND_FIXTURE / "payouts.csv").read_text().encode("utf-16")},
        ["payouts.csv", "UTF-16", "save it as UTF-8"],
    ),
    "Parquet bytes in a .csv": (
        {"audiences": _parquet_bytes(pa.table({"campaign": ["x"]}))},
        ["audiences.csv", "Parquet", "audiences.parquet"],
    ),
    "corrupt Parquet input": (
        {"tracking_data": None, "tracking_data.parquet": b"PAR1 truncated"},
        ["tracking_data.parquet", "could not be read as Parquet", "provide the CSV"],
    ),
    "semicolon delimiter": (
        {"tracking_data": lambda b: b.replace(b",", b";")},
        ["tracking_data.csv", "semicolons", "delimiter", "commas"],
    ),
    "tab delimiter": ({"posts": lambda b: b.replace(b",", b"\t")}, ["posts.csv", "tabs"]),
    "pipe delimiter": ({"payouts": lambda b: b.replace(b",", b"|")}, ["payouts.csv", "pipes"]),
    "duplicated column (case and spaces ignored)": (
        {"tracking_data": replace("source,", " Revenue ,")},
        ["tracking_data.csv", "column 'revenue' appears twice", "Remove or rename"],
    ),
    "header not on line 1": (
        {"payouts": lambda b: b"\n" + b}, ["payouts.csv", "line 1 is empty", "header row"]
    ),
    "header line longer than 1 MB": (
        {"posts": replace("campaign", "campaign," + "x" * (1 << 20))},
        ["posts.csv", "no line break", "Export it again"],
    ),
    "no influencer row is valid": (
        {"influencers": text_lines(
            lambda ls: [ls[0]] + [re.sub(r",(Male|Female),", ",Robot,", x) for x in ls[1:]]
        )},
        ["influencers.csv", "none of its 7 rows is valid", "gender must be one of"],
    ),
}


# every required column of every file, missing from the header
for _spec in FILES:
    for _column in _spec.required_columns:
        REFUSALS[f"missing required column {_spec.name}.{_column}"] = (
            {_spec.name: (lambda col: lambda b: _drop_column(b, col))(_column)},
            [_spec.csv_name, f"required column '{_column}' is missing", "Add the column"],
        )


def _drop_column(content: bytes, column: str) -> bytes:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    header = [h.strip().lower() for h in rows[0]]
    pos = header.index(column)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:pos] + r[pos + 1 :] for r in rows])
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_file_level_defect_is_refused_with_file_column_and_fix(tmp_path, case):
    changes, needles = REFUSALS[case]
    data = hand_folder(tmp_path, **changes)
    out = tmp_path / "validated"
    with pytest.raises(InputRefused) as info:
        validate_folder(data, out)
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert FIX_WORDS.search(message), f"no fix in {message!r}"
    assert "Traceback" not in message and "\n" not in message
    assert not out.exists() or not any(out.iterdir()), "a refused run wrote output"


def test_missing_data_folder_is_refused(tmp_path):
    with pytest.raises(InputRefused, match="does not exist or is not a folder. Pass the folder"):
        validate_folder(tmp_path / "nowhere", None)


def test_folder_in_place_of_a_file_is_refused(tmp_path):
    data = hand_folder(tmp_path, posts=None)
    (data / "posts.csv").mkdir()
    with pytest.raises(InputRefused, match=r"posts.csv: is not a regular file. Replace it"):
        validate_folder(data, None)


def test_reject_share_above_the_limit_refuses_naming_file_and_reasons(tmp_path):
    """The hand fixture rejects 2 of 19 tracking rows: above the default 5%, below 20%."""
    data = hand_folder(tmp_path)
    with pytest.raises(InputRefused) as info:
        validate_folder(data, tmp_path / "out", max_reject_share=0.05)
    message = str(info.value)
    for needle in ["tracking_data.csv", "10.5% of its rows were rejected (2 of 19)",
                   "above the limit of 5.0%", "revenue must be a plain number",
                   "must be the id of a valid row of influencers.csv", "line 19", "line 20",
                   "--max-reject-share"]:  # fmt: skip
        assert needle in message, f"{needle!r} not in {message!r}"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    report = validate_folder(data, None, max_reject_share=0.2)
    assert report.files["tracking_data"].rows_rejected == 2


def test_reject_share_is_per_file(tmp_path):
    """One bad payout in 8 rows (12.5%) is refused at 11%, though it is 1 row in 65."""
    data = hand_folder(tmp_path, payouts=append("1,order,20,4,lots,paid"))
    with pytest.raises(InputRefused, match=r"payouts.csv: 12.5% of its rows"):
        validate_folder(data, None, max_reject_share=0.11)  # tracking's 10.5% passes
    assert validate_folder(data, None, max_reject_share=0.2).files["payouts"].rows_rejected == 1


# -- 2. row-level defects: every column of the contract, one bad row each -----------------

# (file, column, bad value, reason fragment) — the value replaces that column in a copy of
# a good row of the fixture (given a fresh key), appended at the end of the file.
TEMPLATES = {
    "influencers": "{id},Extra Person,Instagram,Fitness,Male,45000,",
    "posts": "{id},1,Instagram,2025-05-02,https://www.instagram.com/p/x/,Leg day,12000,700,30,"
             "Whey Summer",
    "tracking_data": "{id},instagram,Whey Summer,7,7001,MuscleBlaze Raw Whey Protein 1kg,"
                     "MuscleBlaze,2025-05-06,1,100.00,1",
    "payouts": "1,order,20,4,80.00,paid",
    "audiences": "Whey Summer,1,1,10",
}  # fmt: skip
ROW_DEFECTS = [
    ("influencers", "id", "abc", "id must be a whole number"),
    ("influencers", "id", "", "id is required"),
    ("influencers", "id", "0", "id must be > 0"),
    ("influencers", "id", "-3", "id must be > 0"),
    ("influencers", "id", "2", "duplicate id 2 (first on line 3)"),
    ("influencers", "id", "1e3", "id must be a whole number"),
    ("influencers", "name", "", "name is required"),
    ("influencers", "platform", " ", "platform is required"),
    ("influencers", "category", "", "category is required"),
    ("influencers", "gender", "Robot", "gender must be one of Male, Female, Other"),
    ("influencers", "gender", "", "gender is required"),
    ("influencers", "follower_count", "12k", "follower_count must be a whole number"),
    ("influencers", "follower_count", "-1", "follower_count must be >= 0"),
    ("influencers", "follower_count", "", "follower_count is required"),
    ("influencers", "influencer_type", "giga", "influencer_type must be one of nano"),
    ("posts", "post_id", "P-1-1", "duplicate post_id P-1-1 (first on line 2)"),
    ("posts", "influencer_id", "x1", "influencer_id must be a whole number"),
    ("posts", "influencer_id", "99", "unknown influencer: influencer_id 99"),
    ("posts", "influencer_id", "", "influencer_id is required"),
    ("posts", "platform", "", "platform is required"),
    ("posts", "date", "05/02/2025", "date must be an ISO date"),
    ("posts", "date", "2025-02-30", "date is not a real calendar date"),
    ("posts", "date", "1999-12-31", "out-of-range date"),
    ("posts", "date", "2100-01-01", "out-of-range date"),
    ("posts", "date", "", "date is required"),
    ("posts", "url", "", "url is required"),
    ("posts", "reach", '"12,000"', "reach must be a whole number"),
    ("posts", "reach", "-1", "reach must be >= 0"),
    ("posts", "reach", "", "reach is required"),
    ("posts", "likes", "many", "likes must be a whole number"),
    ("posts", "likes", "-5", "likes must be >= 0"),
    ("posts", "comments", "3.5", "comments must be a whole number"),
    ("posts", "comments", "-1", "comments must be >= 0"),
    ("tracking_data", "order_id", "O1", "duplicate order_id O1 (first on line 2)"),
    ("tracking_data", "source", "", "source is required"),
    ("tracking_data", "campaign", "", "campaign is required"),
    ("tracking_data", "influencer_id", "abc", "influencer_id must be a whole number"),
    ("tracking_data", "influencer_id", "99", "unknown influencer: influencer_id 99"),
    ("tracking_data", "influencer_id", "", "influencer_id is required"),
    ("tracking_data", "user_id", "", "user_id is required"),
    ("tracking_data", "product", "", "product is required"),
    ("tracking_data", "date", "2025/05/06", "date must be an ISO date"),
    ("tracking_data", "date", "2025-13-01", "date is not a real calendar date"),
    ("tracking_data", "date", "1999-12-31", "out-of-range date"),
    ("tracking_data", "date", "2100-01-01", "out-of-range date"),
    ("tracking_data", "date", "", "date is required"),
    ("tracking_data", "orders", "0", "orders must be >= 1"),
    ("tracking_data", "orders", "-1", "orders must be >= 1"),
    ("tracking_data", "orders", "1.5", "orders must be a whole number"),
    ("tracking_data", "orders", "", "orders is required"),
    ("tracking_data", "revenue", "₹100", "revenue must be a plain number"),
    ("tracking_data", "revenue", '"1,000.00"', "revenue must be a plain number"),
    ("tracking_data", "revenue", "-5", "revenue must be >= 0"),
    ("tracking_data", "revenue", "NaN", "revenue must be a plain number"),
    ("tracking_data", "revenue", "1e999", "revenue must be a plain number"),
    ("tracking_data", "revenue", "", "revenue is required"),
    ("tracking_data", "group", "2", "group must be 1 (exposed) or 0"),
    ("tracking_data", "group", "-1", "group must be 1 (exposed) or 0"),
    ("tracking_data", "group", "x", "group must be a whole number"),
    ("tracking_data", "group", "", "group is required"),
    ("payouts", "influencer_id", "abc", "influencer_id must be a whole number"),
    ("payouts", "influencer_id", "99", "unknown influencer: influencer_id 99"),
    ("payouts", "influencer_id", "", "influencer_id is required"),
    ("payouts", "basis", "flat", "basis must be one of post, order"),
    ("payouts", "basis", "", "basis is required"),
    ("payouts", "rate", "twenty", "rate must be a plain number"),
    ("payouts", "rate", "-1", "rate must be >= 0"),
    ("payouts", "rate", "", "rate is required"),
    ("payouts", "orders", "", "orders is required (the value is empty) when basis is order"),
    ("payouts", "orders", "-2", "orders must be >= 0"),
    ("payouts", "orders", "four", "orders must be a whole number"),
    ("payouts", "total_payout", "$80", "total_payout must be a plain number"),
    ("payouts", "total_payout", "-80", "total_payout must be >= 0"),
    ("payouts", "total_payout", "", "total_payout is required"),
    ("payouts", "status", "refunded", "status must be one of pending, approved, paid"),
    ("audiences", "campaign", "", "campaign is required"),
    ("audiences", "influencer_id", "abc", "influencer_id must be a whole number"),
    ("audiences", "influencer_id", "", "influencer_id is required"),
    ("audiences", "group", "3", "group must be 1 (exposed) or 0"),
    ("audiences", "group", "", "group is required"),
    ("audiences", "users", "0", "users must be > 0"),
    ("audiences", "users", "-4", "users must be > 0"),
    ("audiences", "users", "ten", "users must be a whole number"),
    ("audiences", "users", "", "users is required"),
]
KEY_COLUMN = {"influencers": "id", "posts": "post_id", "tracking_data": "order_id"}
HEADERS = {n: (HAND_FIXTURE / f"{n}.csv").read_text().split("\n", 1)[0] for n in NAMES}


def defect_rows() -> dict[str, list[tuple[int, tuple[str, str, str, str]]]]:
    """file -> [(line, defect)], the defect rows appended after the fixture's rows."""
    placed: dict[str, list] = {n: [] for n in NAMES}
    for defect in ROW_DEFECTS:
        placed[defect[0]].append(defect)
    lines = {}
    for name, defects in placed.items():
        first = len((HAND_FIXTURE / f"{name}.csv").read_text().splitlines()) + 1
        lines[name] = [(first + i, d) for i, d in enumerate(defects)]
    return lines


def defect_line(name: str, column: str, value: str, serial: int) -> str:
    header = [h.strip().lower() for h in HEADERS[name].split(",")]
    fresh = {"influencers": str(100 + serial), "posts": f"PX{serial}",
             "tracking_data": f"OX{serial}"}.get(name)  # fmt: skip
    fields = next(csv.reader([TEMPLATES[name].format(id=fresh)]))
    fields[header.index(column)] = value
    return ",".join(fields)


@pytest.fixture(scope="module")
def row_defects(tmp_path_factory) -> Validated:
    root = tmp_path_factory.mktemp("row_defects")
    changes = {}
    for name, placed in defect_rows().items():
        rows = [defect_line(name, d[1], d[2], line) for line, d in placed]
        changes[name] = append(*rows)
    return validate(root, **changes)


PLACED_DEFECTS = [(name, line, *d[1:]) for name, placed in defect_rows().items()
                  for line, d in placed]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "line", "column", "value", "reason"),
    PLACED_DEFECTS,
    ids=[f"{d[0]}.{d[2]}={d[3]!r}" for d in PLACED_DEFECTS],
)
def test_bad_row_is_rejected_with_line_column_and_reason(row_defects, name, line, column,
                                                         value, reason):
    rejected = row_defects.rejected[f"{name}.csv"]
    assert line in rejected, f"{name}.csv line {line} ({column}={value!r}) was loaded"
    row = rejected[line]
    assert reason in row["reason"], row["reason"]
    assert row["column_name"] == column
    original = json.loads(row["original_values"])  # the raw strings, under the raw header
    raw = (next(csv.reader([value])) or [""])[0]
    assert original[next(k for k in original if k.strip().lower() == column)] == raw


def test_good_rows_all_load_around_the_bad_ones(row_defects):
    """Every row of the fixture loads as before: a bad row never takes a good one with it."""
    for name in NAMES:
        loaded = [r["line_number"] for r in read(row_defects.out, name)]
        assert loaded == BASE_LOADED[name], name
    assert totals(row_defects.out) == BASE_TOTALS
    n_defects = sum(len(v) for v in defect_rows().values())
    assert row_defects.report.rows_rejected == n_defects + 2  # + the fixture's own two


def test_rejected_influencer_takes_its_rows_with_it_and_says_so(tmp_path):
    """A tracking row of an influencer whose own row was rejected is rejected, not lost."""
    v = validate(
        tmp_path,
        influencers=append("50,Bad Gender,Instagram,Fitness,Robot,100,"),
        tracking_data=append("OZ,ig,Whey Summer,50,1,Whey,,2025-05-06,1,999.00,1"),
    )
    reason = v.rejected["tracking_data.csv"][21]["reason"]
    assert "influencer_id 50 is not in influencers.csv (or its row there was rejected)" in reason
    assert totals(v.out)["tracking_data"] == BASE_TOTALS["tracking_data"]


def test_unbalanced_quote_names_the_lines_it_swallows(tmp_path):
    """An opening quote never closed turns the following lines into one field: the record is
    rejected with the lines it spans, so the rows it swallowed are visible, not lost."""
    v = validate(tmp_path, posts=replace(",Leg day,", ',"Leg day,'))
    row = v.rejected["posts.csv"][3]
    assert "has 6 fields, expected 10" in row["reason"]
    assert "the record runs from line 3 to line 6: check for an unbalanced double quote" in (
        row["reason"]
    )  # the quote on line 6 closes it
    assert [r["line_number"] for r in read(v.out, "posts")] == [2, 7, 8, 9, 10, 11, 12]


def test_row_with_too_few_or_too_many_fields_is_rejected(tmp_path):
    v = validate(tmp_path, tracking_data=append("OA,instagram,Whey Summer,1", "OB," + "x," * 14))
    rejected = v.rejected["tracking_data.csv"]
    assert rejected[21]["reason"] == "has 4 fields, expected 11"
    assert rejected[22]["reason"] == "has 16 fields, expected 11"
    assert json.loads(rejected[21]["original_values"])["influencer_id"] == "1"
