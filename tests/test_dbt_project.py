"""Builds the dbt project on a small hand-made validated data set and checks
mart values computed by hand.

The validated Parquet files (the dbt sources, schema in docs/architecture.md)
are written with DuckDB from inline rows, `dbt build` runs (as `roas run` starts it)
into a temporary warehouse, and the test asserts success, zero warnings and a set of
hand-computed numbers.

Hand computation (holdout_share h = 0.10, assumed_lift L = 0.30, has_audiences):

cell (C1, 1)  audiences N1 = 4, N0 = 2 -> measured, k = 2
    exposed per-user revenue x: u1 = 60 + 40 = 100, u2 = 50, two non-buyers = 0
    control: u9 = 30, one non-buyer = 0
    R1 = 150, R0 = 30, incremental = 150 - 2 * 30 = 90
    Variance (empirical-Bayes, docs/incrementality.md; expected buyers
    lam = max(B, (B + a) P / (P + a)) with a = 1/2, moments shrunk with 5 pseudo-buyers):
    C1's only measured cell is this one, so its priors are its own rates 2/4 and 1/2 and
    per-buyer moments m2 = (100^2 + 50^2 + 30^2) / 3 = 13400 / 3, mu = 180 / 3 = 60
    (shrinking toward itself changes nothing).
    lam1 = 2 (prior P1 = 4 * 2/4 = 2 = B1), lam0 = 1 (P0 = 2 * 1/2 = 1 = B0)
    Var = (2 m2 - 2^2 * 60^2 / 4) + 2^2 (1 m2 - 1^2 * 60^2 / 2) = 16000 / 3 + 4 * 8000 / 3
        = 16000  (the plug-in N1^2 (s1^2/N1 + s0^2/N0) gave 12766.67)
cell (C2, 3)  audiences has only the control row (N0 = 10) -> measured,
    k = (1 - h) / h = 9, no N1 -> compound Poisson:
    R1 = 100 + 50, R0 = 5, incremental = 150 - 9 * 5 = 105,
    C2's buyer shares 2/3 exposed, 1/3 control of the cell's 3 buyers: priors 2 and 1,
    equal to the buyers seen, so lam1 = 2, lam0 = 1; m2 = (100^2 + 50^2 + 5^2) / 3 = 4175
    Var = 2 * 4175 + 9^2 * 1 * 4175 = 346525  (the plug-in 100^2 + 50^2 + 9^2 * 5^2 =
    14525 took the one control buyer's 5 as the spread of the whole control arm)
cell (C1, 2)  no audiences rows -> modelled: 130 - 130 / 1.3 = 30
cell (C2, 1)  modelled: 20 - 20 / 1.3;  cell (C2, 4) modelled: 80 - 80 / 1.3
cell (C3, 2)  audiences only, no orders -> measured, incremental 0; C3 has no buyer, so
    the priors are the programme's: exposed 2 / (4 + 50), control 1 / (2 + 5) over the
    cells with arm sizes, m2 = (13400 + 12525) / 6, mu = (180 + 155) / 6 over all measured
    buyers: lam1 = 0.5 (50/27) / (50/27 + 0.5), lam0 = 0.5 (5/7) / (5/7 + 0.5),
    Var = (lam1 m2 - lam1^2 mu^2 / 50) + 10^2 (lam0 m2 - lam0^2 mu^2 / 5) = 123381.4:
    55 users and no purchase is not a certain zero (the plug-in said Var 0)
cell (C3, 4)  only spend (payout with campaign C3), no orders -> modelled, 0, spend-only
cell ((unallocated), 5)  payout without campaign, no orders -> modelled, 0, spend-only

spend: influencer 1 pays 400 without campaign, spread by attributed orders
    C1 (3 orders) 300, C2 (1 order) 100; influencer 2 pays 120 on C1;
    influencer 4 pays 60 on C3 and 10 on C2; influencer 5 pays 25 with no
    orders -> (unallocated); influencer 3 has no payouts (spend 0, roas NULL).
    Total 615 = payouts file total.
"""

# ruff: noqa: E501  (the inline fixture rows below read best one row per line)
from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from roas.config import RunConfig
from roas.dbt_runner import build_warehouse
from roas.paths import build_paths

PROJECT_DIR = Path(__file__).resolve().parents[1]

SCHEMAS = {
    "influencers": (
        "line_number BIGINT, id BIGINT, name VARCHAR, platform VARCHAR, category VARCHAR, "
        "gender VARCHAR, follower_count BIGINT, influencer_type VARCHAR, extra_json VARCHAR"
    ),
    "posts": (
        "line_number BIGINT, post_id VARCHAR, influencer_id BIGINT, platform VARCHAR, "
        "date DATE, url VARCHAR, caption VARCHAR, reach BIGINT, likes BIGINT, "
        "comments BIGINT, campaign VARCHAR, extra_json VARCHAR"
    ),
    "tracking_data": (
        "line_number BIGINT, order_id VARCHAR, source VARCHAR, campaign VARCHAR, "
        "influencer_id BIGINT, user_id VARCHAR, product VARCHAR, brand VARCHAR, date DATE, "
        'orders BIGINT, revenue DOUBLE, "group" BIGINT, extra_json VARCHAR'
    ),
    "payouts": (
        "line_number BIGINT, influencer_id BIGINT, basis VARCHAR, rate DOUBLE, orders BIGINT, "
        "total_payout DOUBLE, campaign VARCHAR, status VARCHAR, extra_json VARCHAR"
    ),
    "audiences": (
        'line_number BIGINT, campaign VARCHAR, influencer_id BIGINT, "group" BIGINT, '
        "users BIGINT, extra_json VARCHAR"
    ),
    "rejected_rows": (
        "source_file VARCHAR, line_number BIGINT, column_name VARCHAR, reason VARCHAR, "
        "original_values VARCHAR"
    ),
    "load_audit": (
        "source_file VARCHAR, file_present BOOLEAN, rows_read BIGINT, rows_loaded BIGINT, "
        "rows_rejected BIGINT, rows_flagged BIGINT, columns_present VARCHAR, "
        "validated_at VARCHAR"
    ),
    "validation_results": (
        "source_file VARCHAR, expectation VARCHAR, column_name VARCHAR, rule VARCHAR, "
        "success BOOLEAN, element_count BIGINT, unexpected_count BIGINT"
    ),
}

WHEY = "MuscleBlaze Raw Whey Protein 1kg"
CREATINE = "MuscleBlaze Creatine Monohydrate 250g"

# fmt: off
# one source row per line, in the column order of SCHEMAS
ROWS = {
    "influencers": [
        (2, 1, 'Asha <b>"Fit"</b>, Coach', "Instagram", "Fitness", "Female", 5000, None, '{"agency":"A1"}'),
        (3, 2, "Ravi", "YouTube", "Nutrition", "Male", 250000, "micro", None),
        (4, 3, "Meera", "TikTok", "Fitness", "Female", 1500000, None, None),
        (5, 4, "Dev", "Instagram", "Yoga", "Male", 100000, None, None),
        (6, 5, "Zara", "Twitter", "Lifestyle", "Other", 0, None, None),
    ],
    "posts": [
        (2, "p1", 1, "Instagram", "2024-01-01", "https://x.example/p1", "Hi <script>alert(1)</script>", 1000, 100, 10, "C1", None),
        (3, None, 2, "YouTube", "2024-01-01", "https://y.example/v1", None, 5000, 200, 50, "C1", None),
        (4, None, 2, "YouTube", "2024-01-02", "https://y.example/v2", None, 3000, 100, 20, "C1", None),
        (5, "p4", 4, "Instagram", "2024-01-03", "https://x.example/p4", "yoga", 100, 150, 5, "C3", None),
        (6, "p5", 3, "TikTok", "2024-01-03", "https://t.example/p5", None, 0, 0, 0, None, None),
    ],
    "tracking_data": [
        (2, "o1", "instagram", "C1", 1, "u1", WHEY, None, "2024-01-01", 1, 60.0, 1, None),
        (3, "o1", "instagram", "C1", 1, "u1", CREATINE, None, "2024-01-01", 1, 40.0, 1, None),
        (4, None, "instagram", "C1", 1, "u2", "Unknown Bar", "Acme", "2024-01-02", 1, 50.0, 1, None),
        (5, "o3", "instagram", "C1", 1, "u9", WHEY, None, "2024-01-02", 1, 30.0, 0, None),
        (6, "o4", "instagram", "C2", 1, "u3", WHEY, None, "2024-01-03", 1, 20.0, 1, None),
        (7, "o5", "youtube", "C1", 2, "u4", WHEY, None, "2024-01-01", 2, 130.0, 1, None),
        (8, "o7", "tiktok", "C2", 3, "u6", WHEY, None, "2024-01-03", 1, 100.0, 1, None),
        (9, "o8", "tiktok", "C2", 3, "u7", WHEY, None, "2024-01-03", 1, 50.0, 1, None),
        (10, "o9", "tiktok", "C2", 3, "u8", WHEY, None, "2024-01-04", 1, 5.0, 0, None),
        (11, "o10", "instagram", "C2", 4, "u10", CREATINE, None, "2024-01-04", 1, 80.0, 1, None),
    ],
    "payouts": [
        (2, 1, "order", 100.0, 4, 400.0, None, "paid", None),
        (3, 2, "post", 50.0, None, 120.0, "C1", "approved", None),
        (4, 4, "post", 30.0, None, 60.0, "C3", "pending", None),
        (5, 4, "order", 10.0, 1, 10.0, "C2", None, None),
        (6, 5, "post", 25.0, None, 25.0, None, "paid", None),
    ],
    "audiences": [
        (2, "C1", 1, 1, 4, None),
        (3, "C1", 1, 0, 2, None),
        (4, "C2", 3, 0, 10, None),
        (5, "C3", 2, 1, 50, None),
        (6, "C3", 2, 0, 5, None),
    ],
    "rejected_rows": [
        ("tracking_data.csv", 12, "revenue", "revenue must be >= 0", '{"revenue": "-5"}'),
    ],
    "load_audit": [
        ("influencers.csv", True, 5, 5, 0, 0, "id,name", "2024-02-01T00:00:00"),
        ("posts.csv", True, 5, 5, 0, 1, "post_id,influencer_id", "2024-02-01T00:00:00"),
        ("tracking_data.csv", True, 11, 10, 1, 0, "order_id,group", "2024-02-01T00:00:00"),
        ("payouts.csv", True, 5, 5, 0, 0, "influencer_id,basis", "2024-02-01T00:00:00"),
        ("audiences.csv", True, 5, 5, 0, 0, "campaign,group", "2024-02-01T00:00:00"),
    ],
    "validation_results": [
        ("tracking_data.csv", "expect_column_values_to_be_between", "revenue", "revenue >= 0", False, 11, 1),
        ("posts.csv", "expect_column_values_to_not_be_null", "url", "url is required", True, 5, 0),
    ],
}
# fmt: on


def write_validated(folder: Path, rows: dict[str, list[tuple]] = ROWS) -> Path:
    """Write the validated Parquet files (architecture doc schema) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        for name, schema in SCHEMAS.items():
            con.execute(f"create or replace table t ({schema})")
            data = rows.get(name, [])
            if data:
                marks = ", ".join("?" for _ in data[0])
                con.executemany(f"insert into t values ({marks})", data)
            target = (folder / f"{name}.parquet").as_posix()
            con.execute(f"copy t to '{target}' (format parquet)")
    finally:
        con.close()
    return folder


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("dbt")
    validated = write_validated(base / "validated")
    paths = build_paths(base / "w.duckdb")
    paths.build_dir.mkdir(parents=True)
    # dbt in a child process as `roas run` starts it, with the vars a run of this fixture
    # passes; the build and all its unit tests run (roas skips these once they passed).
    # It raises on a failed node and returns dbt's warnings (results and log events).
    outcome = build_warehouse("build", paths, RunConfig().dbt_vars(has_audiences=True,
                                                                   tracking_has_group=True),
                              PROGRESS.append, validated_dir=validated)
    assert outcome.warnings == [], outcome.warnings
    results = outcome.results
    assert {result["status"] for result in results} <= {"success", "pass", "no-op"}, results
    UNIT_TESTS_PASSED.extend(result["unique_id"] for result in results
                             if result["unique_id"].startswith("unit_test."))
    RESULTS.extend(results)
    return paths.warehouse


UNIT_TESTS_PASSED: list[str] = []
RESULTS: list[dict] = []  # what run_dbt read of each node
PROGRESS: list[str] = []  # the live progress lines it passed on while dbt ran


def test_each_node_is_reported_once_with_its_result_and_progress(warehouse: Path) -> None:
    ids = [result["unique_id"] for result in RESULTS]
    assert len(ids) == len(set(ids))
    kinds = {kind: sum(i.startswith(kind + ".") for i in ids)
             for kind in ("model", "seed", "test", "unit_test")}
    assert kinds["model"] >= 30 and kinds["seed"] == 2 and kinds["test"] >= 50
    assert kinds["unit_test"] == len(UNIT_TESTS_PASSED)
    # one progress line per node (the exposure's too), as each finished
    assert len(PROGRESS) == len(ids) == sum(kinds.values()) + 1
    assert "exposure roas_report: no-op" in PROGRESS
    assert "model fct_orders: success" in PROGRESS
    assert any(line.startswith("test ") and line.endswith(": pass") for line in PROGRESS)


def test_every_dbt_unit_test_runs_and_passes(warehouse: Path) -> None:
    declared = (PROJECT_DIR / "models" / "_unit_tests.yml").read_text(encoding="utf-8")
    assert len(UNIT_TESTS_PASSED) == declared.count("\n  - name: ") >= 15


def query(wh: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(wh.as_posix(), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def one(wh: Path, sql: str, params: list | None = None) -> dict:
    con = duckdb.connect(wh.as_posix(), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


# --------------------------------------------------------------------------
# the build itself


def test_build_passes_with_zero_warnings(warehouse: Path) -> None:
    # the fixture asserts success, no failed node and no warn/error event
    tables = {
        r[0]
        for r in query(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'main'",
        )
    }
    expected = {
        "dim_influencers",
        "fct_orders",
        "fct_posts",
        "fct_payouts",
        "mart_influencer_performance",
        "mart_campaign_performance",
        "mart_persona_performance",
        "mart_payout_tracking",
        "mart_daily_performance",
        "mart_programme_summary",
        "mart_incrementality_cells",
        "rejected_rows",
        "mart_data_quality",
        "validation_results",
    }
    assert expected <= tables


# --------------------------------------------------------------------------
# incrementality


def cell(wh: Path, campaign: str, influencer_id: int) -> dict:
    return one(
        wh,
        "select * from mart_incrementality_cells where campaign = ? and influencer_id = ?",
        [campaign, influencer_id],
    )


def test_measured_cell_with_arm_sizes(warehouse: Path) -> None:
    c = cell(warehouse, "C1", 1)
    assert c["method"] == "measured"
    assert (c["n_exposed"], c["n_control"]) == (4, 2)
    assert c["k"] == pytest.approx(2.0)
    assert (c["exposed_revenue"], c["control_revenue"]) == (150.0, 30.0)
    assert (c["exposed_buyers"], c["control_buyers"]) == (2, 1)
    assert (c["exposed_orders"], c["control_orders"]) == (3, 1)
    assert c["incremental_revenue"] == pytest.approx(90.0)
    m2, mu = 13400 / 3, 60.0
    variance = (2 * m2 - 2**2 * mu**2 / 4) + 2**2 * (1 * m2 - 1**2 * mu**2 / 2)
    assert variance == pytest.approx(16000.0)
    assert c["incremental_revenue_se"] == pytest.approx(math.sqrt(variance))
    assert (c["exposed_buyers_smoothed"], c["control_buyers_smoothed"]) == (
        pytest.approx(2.0), pytest.approx(1.0))
    assert c["variance_method"] == "arm_sizes"
    assert c["spend"] == pytest.approx(300.0)
    assert c["iroas"] == pytest.approx(0.3)
    assert c["iroas_ci_low"] == pytest.approx((90 - 1.96 * math.sqrt(variance)) / 300)
    assert c["iroas_ci_high"] == pytest.approx((90 + 1.96 * math.sqrt(variance)) / 300)
    assert c["iroas_verdict"] == "inconclusive"


def test_measured_cell_without_exposed_size_uses_compound_poisson(warehouse: Path) -> None:
    c = cell(warehouse, "C2", 3)
    assert c["method"] == "measured"
    assert c["k"] == pytest.approx(9.0)  # (1 - 0.10) / 0.10
    assert c["incremental_revenue"] == pytest.approx(105.0)
    assert c["incremental_revenue_se"] == pytest.approx(math.sqrt(2 * 4175 + 81 * 4175))
    assert c["variance_method"] == "compound_poisson"
    # no spend: every ratio NULL, never an error
    assert c["spend"] == 0
    assert c["iroas"] is None and c["iroas_ci_low"] is None and c["roas"] is None
    assert c["iroas_verdict"] == "inconclusive"


def test_cells_from_spend_and_audiences_exist(warehouse: Path) -> None:
    zero_orders = cell(warehouse, "C3", 4)  # only a payout with campaign C3
    assert zero_orders["method"] == "modelled"
    assert zero_orders["exposed_revenue"] == 0 and zero_orders["spend"] == pytest.approx(60.0)
    assert zero_orders["iroas_verdict"] == "assumed"
    audience_only = cell(warehouse, "C3", 2)  # only audiences rows: a measured zero
    assert audience_only["method"] == "measured"
    assert audience_only["k"] == pytest.approx(10.0)
    assert audience_only["incremental_revenue"] == 0
    m2, mu = (13400 + 12525) / 6, (180 + 155) / 6
    lam1, lam0 = 0.5 * (50 / 27) / (50 / 27 + 0.5), 0.5 * (5 / 7) / (5 / 7 + 0.5)
    variance = (lam1 * m2 - lam1**2 * mu**2 / 50) + 10**2 * (lam0 * m2 - lam0**2 * mu**2 / 5)
    assert audience_only["incremental_revenue_se"] == pytest.approx(math.sqrt(variance))
    assert zero_orders["is_spend_only"] is True and audience_only["is_spend_only"] is False
    unallocated = cell(warehouse, "(unallocated)", 5)
    assert unallocated["spend"] == pytest.approx(25.0)


def test_modelled_influencer(warehouse: Path) -> None:
    dev = one(warehouse, "select * from mart_influencer_performance where influencer_id = 4")
    assert dev["iroas_method"] == "modelled"
    assert dev["incremental_revenue"] == pytest.approx(80 - 80 / 1.3)
    assert dev["spend"] == pytest.approx(70.0)
    assert dev["iroas"] == pytest.approx((80 - 80 / 1.3) / 70)
    assert dev["iroas_ci_low"] is None and dev["iroas_ci_high"] is None
    assert dev["iroas_verdict"] == "assumed"
    assert dev["influencer_type"] == "mid"  # 100,000 followers: the boundary belongs to mid


def test_mixed_influencer_interval(warehouse: Path) -> None:
    asha = one(warehouse, "select * from mart_influencer_performance where influencer_id = 1")
    assert asha["iroas_method"] == "mixed"
    assert (asha["measured_cells"], asha["modelled_cells"]) == (1, 1)
    incremental = 90 + (20 - 20 / 1.3)
    se = math.sqrt(16000)
    assert asha["incremental_revenue"] == pytest.approx(incremental)
    assert asha["incremental_revenue_se"] == pytest.approx(se)
    assert asha["iroas_ci_low"] == pytest.approx((incremental - 1.96 * se) / 400)
    assert asha["iroas_ci_high"] == pytest.approx((incremental + 1.96 * se) / 400)
    assert asha["iroas_verdict"] == "unprofitable"  # ci_high 0.86 < 1.0
    assert asha["roas"] == pytest.approx(170 / 400)
    assert asha["is_poor_roi"] is True


def test_zero_spend_gives_null_ratios(warehouse: Path) -> None:
    meera = one(warehouse, "select * from mart_influencer_performance where influencer_id = 3")
    assert meera["spend"] == 0
    assert meera["roas"] is None and meera["roi"] is None and meera["iroas"] is None
    assert meera["is_poor_roi"] is False
    assert meera["iroas_verdict"] == "inconclusive"
    assert meera["engagement_rate_reach"] is None  # reach 0
    assert meera["influencer_type"] == "mega"


# --------------------------------------------------------------------------
# spend and payouts


def test_spend_allocation_and_unallocated(warehouse: Path) -> None:
    spend = dict(query(warehouse, "select campaign, spend from mart_campaign_performance"))
    assert spend == pytest.approx({"C1": 420.0, "C2": 110.0, "C3": 60.0, "(unallocated)": 25.0})
    alloc = dict(
        query(warehouse, "select campaign, spend from int_spend_allocated where influencer_id = 1")
    )
    assert alloc == pytest.approx({"C1": 300.0, "C2": 100.0})  # 400 by 3 : 1 attributed orders
    totals = one(
        warehouse,
        """
        select
            (select sum(total_payout) from stg_payouts) as payouts,
            (select spend from mart_programme_summary) as programme,
            (select sum(spend) from mart_influencer_performance) as influencers,
            (select sum(spend) from mart_persona_performance) as personas
    """,
    )
    assert totals["payouts"] == pytest.approx(615.0)
    assert (
        totals["programme"] == totals["influencers"] == totals["personas"] == pytest.approx(615.0)
    )


def test_payout_tracking(warehouse: Path) -> None:
    rows = {
        r["influencer_id"]: r
        for r in map(
            lambda t: dict(
                zip(
                    [
                        "influencer_id",
                        "basis",
                        "rate",
                        "recorded_orders",
                        "attributed_orders",
                        "expected_payout",
                        "total_payout",
                        "payout_gap",
                    ],
                    t,
                    strict=True,
                )
            ),
            query(
                warehouse,
                "select influencer_id, basis, rate, recorded_orders, attributed_orders, "
                "expected_payout, total_payout, payout_gap from mart_payout_tracking",
            ),
        )
    }
    assert set(rows) == {1, 2, 3, 4, 5}
    assert rows[1]["basis"] == "order" and rows[1]["expected_payout"] == pytest.approx(400.0)
    assert rows[1]["recorded_orders"] == 4 and rows[1]["attributed_orders"] == 4
    # post basis with campaign: 50 x 2 posts of C1
    assert rows[2]["expected_payout"] == pytest.approx(100.0)
    assert rows[2]["payout_gap"] == pytest.approx(20.0)
    # two rows, two bases and rates: 30 x 1 post of C3 + 10 x 1 attributed order of C2
    assert rows[4]["basis"] == "mixed" and rows[4]["rate"] is None
    assert rows[4]["expected_payout"] == pytest.approx(40.0)
    # no payout rows
    assert rows[3]["basis"] is None and rows[3]["total_payout"] == 0
    assert rows[3]["expected_payout"] == 0


# --------------------------------------------------------------------------
# staging defaults and facts


def test_derived_keys_and_defaults(warehouse: Path) -> None:
    import hashlib

    post = one(warehouse, "select post_id, is_post_id_derived from fct_posts where line_number = 4")
    expected = hashlib.md5(b"2|https://y.example/v2|2024-01-02").hexdigest()
    assert post == {"post_id": expected, "is_post_id_derived": True}
    order = one(
        warehouse,
        "select order_id, is_order_id_derived, brand from fct_orders where line_number = 4",
    )
    assert order["is_order_id_derived"] is True and len(order["order_id"]) == 32
    assert order["brand"] == "Acme"  # given brand wins
    brand = one(warehouse, "select brand from fct_orders where line_number = 2")
    assert brand["brand"] == "MuscleBlaze"  # from the products seed
    types = dict(query(warehouse, "select influencer_id, influencer_type from dim_influencers"))
    assert types == {1: "nano", 2: "micro", 3: "mega", 4: "mid", 5: "nano"}


def test_engagement_rates(warehouse: Path) -> None:
    ravi = one(
        warehouse,
        "select posts, engagement_rate_reach, engagement_rate_followers "
        "from mart_influencer_performance where influencer_id = 2",
    )
    assert ravi["posts"] == 2
    assert ravi["engagement_rate_reach"] == pytest.approx((300 + 70) / 8000 * 100)
    assert ravi["engagement_rate_followers"] == pytest.approx((300 + 70) / (2 * 250000) * 100)


def test_daily_grain_and_quality(warehouse: Path) -> None:
    day = one(
        warehouse,
        """
        select attributed_revenue, attributed_orders, control_revenue
        from mart_daily_performance
        where date = date '2024-01-02' and campaign = 'C1' and influencer_id = 1
            and product = 'MuscleBlaze Raw Whey Protein 1kg'
    """,
    )
    assert day == {"attributed_revenue": 0.0, "attributed_orders": 0, "control_revenue": 30.0}
    dq = one(warehouse, "select * from mart_data_quality where source_file = 'tracking_data.csv'")
    assert (dq["rows_read"], dq["rows_loaded"], dq["rows_rejected"]) == (11, 10, 1)
    assert dq["expectations_failed"] == 1
    assert query(warehouse, "select count(*) from rejected_rows") == [(1,)]
