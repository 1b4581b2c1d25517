"""roas.validation: raw folder -> validated Parquet files, rejected rows, refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roas.validation import InputRefused, ValidationReport, validate_folder
from roas.validation import reader as reader_module

INFLUENCERS = """id,name,platform,category,gender,follower_count,influencer_type
1,Asha,Instagram,Fitness,Female,12000,micro
2,Ravi,YouTube,Yoga,Male,500000,
3,Kim,TikTok,Nutrition,Other,900,nano
"""
POSTS = """post_id,influencer_id,platform,date,url,caption,reach,likes,comments,campaign
P1,1,Instagram,2024-01-05,https://ig.example/p1,Hello,1000,50,5,Launch
P2,2,YouTube,2024-01-06,https://yt.example/p2,,2000,100,10,Launch
"""
TRACKING_HEADER = (
    "order_id,source,campaign,influencer_id,user_id,product,brand,date,orders,revenue,group\n"
)
TRACKING = (
    TRACKING_HEADER
    + """O1,instagram,Launch,1,101,Whey,FitCo,2024-01-05,1,1200.50,1
O2,youtube,Launch,2,102,Mat,YogaCo,2024-01-06,2,800,0
"""
)
PAYOUTS = """influencer_id,basis,rate,orders,total_payout,campaign,status
1,post,500,,500,Launch,paid
2,order,50,2,100,Launch,pending
"""
DEFAULTS = {
    "influencers.csv": INFLUENCERS,
    "posts.csv": POSTS,
    "tracking_data.csv": TRACKING,
    "payouts.csv": PAYOUTS,
}

# The validated files and their exact schemas (docs/architecture.md).
N, S, F, D, B = pa.int64(), pa.string(), pa.float64(), pa.date32(), pa.bool_()
SCHEMAS = {
    "influencers": [
        ("line_number", N), ("id", N), ("name", S), ("platform", S), ("category", S),
        ("gender", S), ("follower_count", N), ("influencer_type", S), ("extra_json", S),
    ],
    "posts": [
        ("line_number", N), ("post_id", S), ("influencer_id", N), ("platform", S), ("date", D),
        ("url", S), ("caption", S), ("reach", N), ("likes", N), ("comments", N),
        ("campaign", S), ("extra_json", S),
    ],
    "tracking_data": [
        ("line_number", N), ("order_id", S), ("source", S), ("campaign", S),
        ("influencer_id", N), ("user_id", S), ("product", S), ("brand", S), ("date", D),
        ("orders", N), ("revenue", F), ("group", N), ("extra_json", S),
    ],
    "payouts": [
        ("line_number", N), ("influencer_id", N), ("basis", S), ("rate", F), ("orders", N),
        ("total_payout", F), ("campaign", S), ("status", S), ("extra_json", S),
    ],
    "audiences": [
        ("line_number", N), ("campaign", S), ("influencer_id", N), ("group", N), ("users", N),
        ("extra_json", S),
    ],
    "rejected_rows": [
        ("source_file", S), ("line_number", N), ("column_name", S), ("reason", S),
        ("original_values", S),
    ],
    "load_audit": [
        ("source_file", S), ("file_present", B), ("rows_read", N), ("rows_loaded", N),
        ("rows_rejected", N), ("rows_flagged", N), ("columns_present", S), ("validated_at", S),
    ],
    "validation_results": [
        ("source_file", S), ("expectation", S), ("column_name", S), ("rule", S),
        ("success", B), ("element_count", N), ("unexpected_count", N),
    ],
}  # fmt: skip


def make_folder(root: Path, **files: str | bytes | None) -> Path:
    """Default valid files; keyword 'tracking_data_csv="..."' overrides, None removes."""
    data = root / "raw"
    data.mkdir(parents=True, exist_ok=True)
    contents: dict[str, str | bytes | None] = dict(DEFAULTS)
    contents.update(
        {k.replace("_csv", ".csv").replace("_parquet", ".parquet"): v for k, v in files.items()}
    )
    for name, content in contents.items():
        if content is None:
            continue
        path = data / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return data


def run(tmp_path: Path, **files: str | bytes | None) -> tuple[ValidationReport, Path]:
    out = tmp_path / "validated"
    return validate_folder(make_folder(tmp_path, **files), out), out


def rows(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def rejected(out: Path, source_file: str) -> dict[int, dict]:
    return {
        r["line_number"]: r for r in rows(out, "rejected_rows") if r["source_file"] == source_file
    }


def refusal(tmp_path: Path, **files: str | bytes | None) -> str:
    with pytest.raises(InputRefused) as info:
        validate_folder(make_folder(tmp_path, **files), tmp_path / "validated")
    return str(info.value)


def assert_invariant(report: ValidationReport) -> None:
    for s in report.files.values():
        assert s.rows_read == s.rows_loaded + s.rows_rejected, s


# -- refusals: file-level defects ------------------------------------------------


def test_missing_required_file_is_refused(tmp_path):
    msg = refusal(tmp_path, posts_csv=None)
    assert "posts.csv" in msg and "missing" in msg


def test_wrongly_cased_file_name_gets_a_hint(tmp_path):
    data = make_folder(tmp_path, payouts_csv=None)
    (data / "Payouts.CSV").write_text(PAYOUTS)
    with pytest.raises(InputRefused, match="Payouts.CSV"):
        validate_folder(data, None)


def test_missing_column_names_file_and_column(tmp_path):
    msg = refusal(tmp_path, tracking_data_csv=TRACKING.replace(",revenue", ",amount"))
    assert msg.startswith("tracking_data.csv: required column 'revenue' is missing")
    assert "found: order_id, source" in msg and "case-insensitively" in msg


def test_empty_file_is_refused(tmp_path):
    msg = refusal(tmp_path, payouts_csv="")
    assert "payouts.csv" in msg and "empty" in msg


def test_whitespace_only_file_is_refused(tmp_path):
    assert "empty" in refusal(tmp_path, posts_csv="\r\n\r\n  \n")


def test_binary_garbage_is_refused(tmp_path):
    garbage = bytes(range(256)) * 20
    msg = refusal(tmp_path, influencers_csv=garbage)
    assert "influencers.csv" in msg and "not a CSV" in msg


def test_excel_workbook_is_refused(tmp_path):
    msg = refusal(tmp_path, tracking_data_csv=b"PK\x03\x04" + b"\x14\x00" * 50)
    assert "tracking_data.csv" in msg and "Excel" in msg


def test_semicolon_delimiter_is_refused(tmp_path):
    msg = refusal(tmp_path, tracking_data_csv=TRACKING.replace(",", ";"))
    assert "tracking_data.csv" in msg and "semicolons" in msg and "delimiter" in msg


def test_tab_delimiter_is_refused(tmp_path):
    msg = refusal(tmp_path, posts_csv=POSTS.replace(",", "\t"))
    assert "posts.csv" in msg and "tabs" in msg


def test_duplicated_column_after_normalisation_is_refused(tmp_path):
    posts = POSTS.replace(",campaign\n", ", Likes \n", 1)
    msg = refusal(tmp_path, posts_csv=posts)
    assert "posts.csv" in msg and "'likes'" in msg and "twice" in msg


def test_header_only_influencers_is_refused(tmp_path):
    msg = refusal(tmp_path, influencers_csv=INFLUENCERS.splitlines()[0] + "\n")
    assert "influencers.csv" in msg and "no data rows" in msg


def test_influencers_without_a_single_valid_row_is_refused(tmp_path):
    bad = INFLUENCERS.replace("Female", "F").replace("Male", "M").replace("Other", "O")
    msg = refusal(tmp_path, influencers_csv=bad)
    assert "influencers.csv" in msg and "gender must be one of" in msg


def test_first_line_empty_is_refused(tmp_path):
    assert "line 1" in refusal(tmp_path, payouts_csv="\n" + PAYOUTS)


def test_missing_data_folder_is_refused(tmp_path):
    with pytest.raises(InputRefused, match="does not exist"):
        validate_folder(tmp_path / "nope", None)


def test_corrupt_parquet_is_refused(tmp_path):
    msg = refusal(tmp_path, tracking_data_csv=None, tracking_data_parquet=b"PAR1 not really")
    assert "tracking_data.parquet" in msg and "Parquet" in msg


def test_refusal_leaves_earlier_output_untouched(tmp_path):
    out = tmp_path / "validated"
    validate_folder(make_folder(tmp_path), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = TRACKING + "O3,ig,Launch,1,103,Whey,,2024-01-05,1,abc,1\n"
    with pytest.raises(InputRefused):
        validate_folder(make_folder(tmp_path, tracking_data_csv=bad), out, max_reject_share=0.05)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging left either


def test_max_reject_share_refuses_with_share_and_reasons(tmp_path):
    tracking = TRACKING + "O3,ig,Launch,1,103,Whey,,2024-01-05,1,abc,1\n"
    data = make_folder(tmp_path, tracking_data_csv=tracking)
    with pytest.raises(InputRefused) as info:
        validate_folder(data, None, max_reject_share=0.05)
    msg = str(info.value)
    assert "tracking_data.csv" in msg and "33.3%" in msg and "revenue must be a plain number" in msg
    # the same folder passes without a limit
    assert validate_folder(data, None).files["tracking_data"].rows_rejected == 1


# -- rejected rows: one folder with a defect per line ----------------------------

TRACKING_DEFECTS = [
    # (line, row, column_name, reason fragment)
    (3, "O3,ig,L,1,103,W,,2024-01-05,1,abc,1", "revenue", "revenue must be a plain number"),
    (4, 'O4,ig,L,1,104,W,,2024-01-05,1,"₹1,200",1', "revenue", "no currency symbols"),
    (5, "O5,ig,L,1,105,W,,05/01/2024,1,10,1", "date", "date must be an ISO date"),
    (6, "O6,ig,L,1,106,W,,2024-01-05,1,-5,1", "revenue", "revenue must be >= 0"),
    (7, "O7,ig,L,99,107,W,,2024-01-05,1,10,1", "influencer_id", "unknown influencer: influencer_id 99"),  # noqa: E501
    (8, "O8,ig,L,1,108,W,,2024-01-05,0,10,1", "orders", "orders must be >= 1"),
    (9, "O9,ig,L,1,109", None, "has 5 fields, expected 11"),
    (10, "O10,ig,L,1,110,W,,1999-12-31,1,10,1", "date", "out-of-range date"),
    (11, "O11,ig,L,1,111,W,,2023-02-30,1,10,1", "date", "not a real calendar date"),
    (12, "O1,ig,L,1,112,W,,2024-01-05,1,10,1", "order_id", "duplicate order_id O1 (first on line 2)"),  # noqa: E501
    (13, "O13,ig,L,1,113,W,,2024-01-05,1,,1", "revenue", "revenue is required"),
    (14, "O14,ig,L,1,114,W,,2024-01-05,1,10,2", "group", "group must be 1 (exposed) or 0"),
    (15, "O15,ig,L,1,115,W,,2024-01-05,1.5,10,1", "orders", "orders must be a whole number"),
    (16, "O16,ig,L,1,116,W,,2100-01-01,1,10,1", "date", "out-of-range date"),
    (17, "O17,ig,L,x,117,W,,2024-01-05,1,NaN,1", "influencer_id", "must be a whole number"),
    (18, "O18,ig,L,1,118,W,,2024-01-05,1,inf,1", "revenue", "revenue must be a plain number"),
]  # fmt: skip
TRACKING_GOOD_AFTER = [
    "O19,ig,Launch,3,119,Whey,,2024-01-07T23:59:59+05:30,+2,1e3,0",
    "O20,ig,Launch,2,120,Whey,,2024-01-08 10:00,3.0,99.5,1",
]


@pytest.fixture(scope="module")
def defects(tmp_path_factory) -> tuple[ValidationReport, Path]:
    tmp = tmp_path_factory.mktemp("defects")
    tracking = (
        TRACKING_HEADER
        + "O1,instagram,Launch,1,101,Whey,FitCo,2024-01-05,1,1200.50,1\n"
        + "".join(row + "\n" for _, row, _, _ in TRACKING_DEFECTS)
        + "".join(row + "\n" for row in TRACKING_GOOD_AFTER)
    )
    influencers = INFLUENCERS + "2,Dup,YouTube,Yoga,Male,5,\n4,Neg,X,Y,Robot,-1,\n"
    payouts = PAYOUTS + "3,flat,50,,100,,\n1,Order,10,,100,,\n2,post,50,n/a,100,,PAID\n"
    return run(tmp, tracking_data_csv=tracking, influencers_csv=influencers, payouts_csv=payouts)


@pytest.mark.parametrize(("line", "row", "column", "reason"), TRACKING_DEFECTS)
def test_defective_tracking_row_is_rejected_with_line_and_reason(
    defects, line, row, column, reason
):
    _, out = defects
    rej = rejected(out, "tracking_data.csv")
    assert line in rej, f"line {line} not rejected: {row}"
    assert reason in rej[line]["reason"]
    assert rej[line]["column_name"] == column
    original = json.loads(rej[line]["original_values"])
    assert original["order_id"] == row.split(",")[0]


def test_good_tracking_rows_load_around_the_bad_ones(defects):
    report, out = defects
    loaded = {r["line_number"]: r for r in rows(out, "tracking_data")}
    assert sorted(loaded) == [2, 19, 20]
    assert loaded[19]["orders"] == 2 and loaded[19]["revenue"] == 1000.0
    assert str(loaded[19]["date"]) == "2024-01-07"  # timestamp: its date part is used
    assert loaded[20]["orders"] == 3 and str(loaded[20]["date"]) == "2024-01-08"
    t = report.files["tracking_data"]
    assert (t.rows_read, t.rows_loaded, t.rows_rejected) == (19, 3, 16)
    assert_invariant(report)


def test_row_failing_several_rules_is_rejected_once_with_all_reasons(defects):
    _, out = defects
    r = rejected(out, "tracking_data.csv")[17]
    assert r["reason"] == (
        "influencer_id must be a whole number such as 12 (no separators or units); "
        "revenue must be a plain number such as 1234.50 "
        "(no currency symbols or thousands separators)"
    )
    lines = [
        x["line_number"]
        for x in rows(out, "rejected_rows")
        if x["source_file"] == "tracking_data.csv"
    ]
    assert len(lines) == len(set(lines))


def test_duplicate_influencer_id_keeps_the_first(defects):
    _, out = defects
    rej = rejected(out, "influencers.csv")
    assert rej[5]["reason"] == "duplicate id 2 (first on line 3)"
    assert rej[5]["column_name"] == "id"
    assert "gender must be one of Male, Female, Other" in rej[6]["reason"]
    assert "follower_count must be >= 0" in rej[6]["reason"]
    names = {r["id"]: r["name"] for r in rows(out, "influencers")}
    assert names == {1: "Asha", 2: "Ravi", 3: "Kim"}


def test_payout_basis_rules(defects):
    _, out = defects
    rej = rejected(out, "payouts.csv")
    assert "basis must be one of post, order" in rej[4]["reason"]
    assert rej[4]["column_name"] == "basis"
    assert rej[5]["reason"] == "orders is required (the value is empty) when basis is order"
    loaded = {r["line_number"]: r for r in rows(out, "payouts")}
    # orders is ignored for basis = post: an unparseable value is no reason to reject
    assert loaded[6]["basis"] == "post" and loaded[6]["orders"] is None
    assert loaded[6]["status"] == "paid"
    assert loaded[3]["orders"] == 2 and loaded[3]["status"] == "pending"


def test_load_audit_and_report_agree(defects):
    report, out = defects
    audit = {r["source_file"]: r for r in rows(out, "load_audit")}
    for s in report.files.values():
        a = audit[s.source_file]
        assert a["rows_read"] == a["rows_loaded"] + a["rows_rejected"]
        assert (a["rows_read"], a["rows_rejected"]) == (s.rows_read, s.rows_rejected)
    assert audit["audiences.csv"]["file_present"] is False
    assert report.rows_rejected == len(rows(out, "rejected_rows"))
    text = report.summary()
    assert "tracking_data.csv" in text and "line 3" in text


def test_validation_results_one_row_per_expectation(defects):
    _, out = defects
    res = [r for r in rows(out, "validation_results") if r["source_file"] == "tracking_data.csv"]
    by_rule = {r["rule"]: r for r in res}
    fk = by_rule["influencer_id must be the id of a valid row of influencers.csv"]
    assert fk["expectation"] == "expect_column_values_to_be_in_set"
    assert fk["unexpected_count"] == 1 and fk["success"] is False
    assert by_rule["source is required (the value is empty)"]["success"] is True
    fields = by_rule["every row has as many fields as the header"]
    assert fields["unexpected_count"] == 1
    assert all(r["rule"] and r["element_count"] >= 0 for r in res)
    assert len(by_rule) == len(res)


# -- reading: headers, encodings, quoting, line numbers --------------------------


def test_padded_uppercase_headers_bom_and_crlf(tmp_path):
    influencers = "\ufeff ID ,NAME, Platform ,Category,GENDER,Follower_Count\r\n"
    influencers += "1, Asha ,Instagram,Fitness, female ,12000\r\n2,Ravi,YouTube,Yoga,MALE,5\r\n"
    report, out = run(tmp_path, influencers_csv=influencers)
    got = rows(out, "influencers")
    assert [(r["line_number"], r["id"], r["name"], r["gender"]) for r in got] == [
        (2, 1, "Asha", "Female"),
        (3, 2, "Ravi", "Male"),
    ]
    assert got[0]["influencer_type"] is None  # optional column absent
    assert report.files["influencers"].columns_present[0] == "id"


def test_quoted_commas_and_newlines_keep_line_numbers_right(tmp_path):
    posts = (
        POSTS.splitlines()[0] + "\n"
        + 'P1,1,Instagram,2024-01-05,https://a/1,"Hi, ""all""\nsecond line\r\nthird",10,1,1,L\n'
        + "P2,1,Instagram,not-a-date,https://a/2,x,10,1,1,L\n"
        + 'P3,2,YouTube,2024-01-06,https://a/3,"<script>alert(1)</script>",10,1,1,"A, B"\n'
    )  # fmt: skip
    report, out = run(tmp_path, posts_csv=posts)
    loaded = {r["line_number"]: r for r in rows(out, "posts")}
    assert sorted(loaded) == [2, 6]
    assert loaded[2]["caption"] == 'Hi, "all"\nsecond line\r\nthird'
    assert loaded[6]["campaign"] == "A, B"
    assert list(rejected(out, "posts.csv")) == [5]


def test_line_numbers_match_python_csv_with_bad_and_multiline_rows(tmp_path, monkeypatch):
    lines = [TRACKING_HEADER.strip()]
    for i in range(60):
        product = f'"multi\nline {i}"' if i % 7 == 0 else f"prod{i}"
        if i % 11 == 5:
            lines.append(f"X{i},ig,L,1")  # wrong field count
        elif i % 13 == 3:
            lines.append(f'X{i},ig,L,1,9,"bad\n{i}",,2024-01-01,1,10,1,extra')
        else:
            lines.append(f"X{i},ig,L,1,9,{product},,2024-01-01,1,10,1")
    lines.append('TAIL,"a\nb",L')  # invalid and multi-line, after the last valid row
    text = "\n".join(lines) + "\n"
    expected, pos = [], 1
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    pos = reader.line_num + 1
    for rec in reader:
        expected.append((pos, len(rec) == 11))
        pos = reader.line_num + 1
    # tiny blocks: many batches, invalid rows falling on batch edges
    monkeypatch.setattr(reader_module, "BLOCK_SIZE", 300)
    report, out = run(tmp_path, tracking_data_csv=text)
    good = [r["line_number"] for r in rows(out, "tracking_data")]
    bad = sorted(rejected(out, "tracking_data.csv"))
    assert good == [line for line, ok in expected if ok]
    assert bad == [line for line, ok in expected if not ok]
    assert_invariant(report)


def test_results_do_not_depend_on_batch_size(tmp_path, monkeypatch):
    body = (
        "".join(
            f"O{i},ig,L,{i % 4 + 1},{i},p,,2024-01-{i % 28 + 1:02d},{i % 3},{i - 5},{i % 2}\n"
            for i in range(200)
        )
        + "O7,ig,L,1,1,p,,2024-01-01,1,1,1\n"
    )
    tracking = TRACKING_HEADER + body
    big_report, big_out = run(tmp_path / "big", tracking_data_csv=tracking)
    monkeypatch.setattr(reader_module, "BLOCK_SIZE", 500)
    small_report, small_out = run(tmp_path / "small", tracking_data_csv=tracking)
    for name in ("tracking_data", "rejected_rows"):
        assert rows(big_out, name) == rows(small_out, name)
    assert rejected(small_out, "tracking_data.csv")[202]["reason"].startswith(
        "duplicate order_id O7 (first on line 9)"
    )


def test_blank_lines_are_skipped_not_counted(tmp_path):
    tracking = TRACKING.replace("\n", "\n\n", 1) + ",,,,,,,,,,\n\n"
    report, out = run(tmp_path, tracking_data_csv=tracking)
    t = report.files["tracking_data"]
    assert (t.rows_read, t.rows_loaded, t.blank_rows_skipped) == (2, 2, 3)
    assert [r["line_number"] for r in rows(out, "tracking_data")] == [3, 4]


def test_extra_columns_go_to_extra_json(tmp_path):
    tracking = TRACKING.replace(",group\n", ",group,Coupon Code, Note \n")
    tracking = tracking.replace(",1\n", ',1,SAVE10,"say ""hi""\\n"\n').replace(",0\n", ",0,,\n")
    report, out = run(tmp_path, tracking_data_csv=tracking)
    got = rows(out, "tracking_data")
    assert json.loads(got[0]["extra_json"]) == {"coupon code": "SAVE10", "note": 'say "hi"\\n'}
    assert json.loads(got[1]["extra_json"]) == {"coupon code": "", "note": ""}
    assert rows(out, "posts")[0]["extra_json"] is None  # no extra columns: NULL
    assert report.files["tracking_data"].extra_columns == ["coupon code", "note"]


def test_extra_json_escapes_like_json_dumps(tmp_path):
    tricky = 'a\\b "q" \t tab \x01 ctrl é ✓'
    tracking = TRACKING.replace(",group\n", ",note\n").replace(
        ",1\n", ',"' + tricky.replace('"', '""') + '"\n'
    )
    tracking = tracking.replace(",0\n", ",x\n")
    _, out = run(tmp_path, tracking_data_csv=tracking)
    got = rows(out, "tracking_data")[0]["extra_json"]
    assert got == json.dumps({"note": tricky}, ensure_ascii=False, separators=(",", ":"))


def test_text_values_are_kept_as_text(tmp_path):
    tracking = TRACKING_HEADER + "O1,ig,Launch,1,00123,NA,null,2024-01-05,1,10,1\n"
    tracking += "O2,ig,Launch,1,  42  ,p, ,2024-01-05,1,10,1\n"
    _, out = run(tmp_path, tracking_data_csv=tracking)
    got = rows(out, "tracking_data")
    assert [r["user_id"] for r in got] == ["00123", "42"]  # integer user ids read as text
    assert got[0]["product"] == "NA" and got[0]["brand"] == "null"  # 'NA'/'null' are values
    assert got[1]["brand"] is None  # whitespace only: missing


def test_likes_above_reach_are_flagged_not_rejected(tmp_path):
    posts = POSTS + "P3,3,TikTok,2024-01-07,https://t/3,,100,150,120,Launch\n"
    report, out = run(tmp_path, posts_csv=posts)
    p = report.files["posts"]
    assert (p.rows_loaded, p.rows_rejected, p.rows_flagged) == (3, 0, 1)
    assert rows(out, "load_audit")[1]["rows_flagged"] == 1
    res = {r["rule"]: r for r in rows(out, "validation_results") if r["source_file"] == "posts.csv"}
    assert (
        res["likes above reach (kept and flagged: platforms estimate reach)"]["unexpected_count"]
        == 1
    )


def test_absent_optional_columns_and_files(tmp_path):
    tracking = "source,campaign,influencer_id,user_id,product,date,orders,revenue\n"
    tracking += "ig,Launch,1,101,Whey,2024-01-05,1,10\n"
    posts = (
        "influencer_id,platform,date,url,reach,likes,comments\n1,IG,2024-01-05,https://x,1,1,1\n"
    )
    payouts = "influencer_id,basis,rate,orders,total_payout\n1,POST,1,,1\n"
    report, out = run(tmp_path, tracking_data_csv=tracking, posts_csv=posts, payouts_csv=payouts)
    t = rows(out, "tracking_data")[0]
    assert t["order_id"] is None and t["brand"] is None and t["group"] is None
    p = rows(out, "posts")[0]
    assert p["post_id"] is None and p["caption"] is None and p["campaign"] is None
    assert rows(out, "payouts")[0]["status"] is None
    assert rows(out, "payouts")[0]["basis"] == "post"
    assert rows(out, "audiences") == []
    assert report.tracking_has_group is False and report.has_audiences is False
    inputs = json.loads((out / "inputs.json").read_text())
    assert inputs["has_audiences"] is False and inputs["tracking_has_group"] is False
    assert inputs["files"]["audiences"]["file_present"] is False


def test_audiences_file_is_validated(tmp_path):
    audiences = (
        "campaign,influencer_id,group,users\nLaunch,1,1,9000\nLaunch,1,0,1000\nLaunch,2,0,0\n"
    )
    report, out = run(tmp_path, audiences_csv=audiences)
    assert report.has_audiences is True and report.tracking_has_group is True
    assert [r["users"] for r in rows(out, "audiences")] == [9000, 1000]
    assert rejected(out, "audiences.csv")[4]["reason"] == "users must be > 0"


def test_header_only_optional_data_is_valid(tmp_path):
    report, out = run(tmp_path, posts_csv=POSTS.splitlines()[0] + "\n")
    assert report.files["posts"].rows_read == 0
    assert rows(out, "posts") == []
    res = [r for r in rows(out, "validation_results") if r["source_file"] == "posts.csv"]
    assert res and all(r["element_count"] == 0 and r["success"] for r in res)


def test_output_schemas_are_exact(tmp_path):
    _, out = run(tmp_path)
    for name, fields in SCHEMAS.items():
        schema = pq.read_schema(out / f"{name}.parquet")
        assert [(f.name, f.type) for f in schema] == fields, name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.parquet" for n in SCHEMAS] + ["inputs.json"]
    )


def test_latin1_file_is_decoded_and_noted(tmp_path):
    influencers = INFLUENCERS.replace("Asha", "Café Crème").encode("latin-1")
    report, out = run(tmp_path, influencers_csv=influencers)
    assert rows(out, "influencers")[0]["name"] == "Café Crème"
    assert report.files["influencers"].encoding == "cp1252"
    notes = [r for r in rows(out, "validation_results") if r["expectation"] == "file_encoding"]
    assert notes and notes[0]["source_file"] == "influencers.csv"


def test_bom_before_cp1252_text_is_dropped(tmp_path):
    payouts = b"\xef\xbb\xbf" + PAYOUTS.replace("Launch", "Caf\xe9").encode("cp1252")
    report, out = run(tmp_path, payouts_csv=payouts)
    assert [r["campaign"] for r in rows(out, "payouts")] == ["Caf\xe9", "Caf\xe9"]
    assert report.files["payouts"].encoding == "cp1252"


def test_directory_in_place_of_a_file_is_refused(tmp_path):
    data = make_folder(tmp_path, posts_csv=None)
    (data / "posts.csv").mkdir()
    with pytest.raises(InputRefused, match="posts.csv: is not a regular file"):
        validate_folder(data, None)


def test_parquet_input_instead_of_csv(tmp_path):
    table = pa.table(
        {
            "Order_ID": ["A", "B", "C"],
            "source": ["ig", "ig", "ig"],
            "campaign": ["L", "L", "L"],
            "influencer_id": pa.array([1, 2, 7], pa.int64()),
            "user_id": pa.array([5, 6, 7], pa.int64()),
            "product": ["p", "p", "p"],
            "date": pa.array([19727, 19728, 19729], pa.date32()),
            "orders": pa.array([1, 2, 1], pa.int64()),
            "revenue": pa.array([10.5, None, 3.0]),
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    report, out = run(tmp_path, tracking_data_csv=None, tracking_data_parquet=buf.getvalue())
    got = rows(out, "tracking_data")
    assert [(r["line_number"], r["order_id"], r["user_id"]) for r in got] == [(2, "A", "5")]
    assert str(got[0]["date"]) == "2024-01-05"
    rej = rejected(out, "tracking_data.parquet")
    assert "revenue is required" in rej[3]["reason"] and "unknown influencer" in rej[4]["reason"]
    assert report.files["tracking_data"].source_file == "tracking_data.parquet"


def test_output_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    tracking = TRACKING + "O3,ig,Launch,9,1,p,,2024-01-05,1,1,1\n"
    data = make_folder(tmp_path, tracking_data_csv=tracking)
    validate_folder(data, tmp_path / "a")
    report = validate_folder(data, tmp_path / "b")
    for name in sorted(p.name for p in (tmp_path / "a").iterdir()):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert report.validated_at == "2023-11-14T22:13:20Z"
    assert rows(tmp_path / "a", "load_audit")[0]["validated_at"] == "2023-11-14T22:13:20Z"


def test_validate_only_writes_nothing(tmp_path):
    data = make_folder(tmp_path)
    messages: list[str] = []
    report = validate_folder(data, None, progress=messages.append)
    assert report.files["tracking_data"].rows_loaded == 2 and report.out_dir is None
    assert sorted(p.name for p in data.iterdir()) == sorted(DEFAULTS)
    assert any("tracking_data.csv" in m for m in messages)


# -- property: any mutation of a tracking file is rows or a clean refusal --------

_GOOD_ROWS = TRACKING.splitlines()[1:]
_PIECES = st.sampled_from(
    ["", " ", ",", '"', '""', "\n", "\r\n", "abc", "-1", "0", "1e3", "₹1,200", "NaN",
     "2024-02-30", "9999999999999999999999", "é", "\x00", ";", "\t", "null", "NA", "+12",
     "12.0", "2024-01-05T01:02"]
)  # fmt: skip


@st.composite
def mutated_tracking(draw) -> str:
    text = TRACKING_HEADER + "\n".join(
        draw(st.lists(st.sampled_from(_GOOD_ROWS), min_size=0, max_size=6))
    )
    for _ in range(draw(st.integers(0, 6))):
        pos = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and pos < len(text):
            text = text[:pos] + text[pos + 1 :]  # delete a character
        else:
            text = text[:pos] + draw(_PIECES) + text[pos:]
    return text


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tracking=mutated_tracking())
def test_mutated_tracking_never_crashes(tmp_path, tracking):
    data = make_folder(tmp_path, tracking_data_csv=tracking)
    try:
        report = validate_folder(data, None)
    except InputRefused as exc:
        assert str(exc)  # a refusal always says something
        return
    assert_invariant(report)
