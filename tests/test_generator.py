"""Tests of the demo-data generator: determinism, contract shape, planted truth."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator import GenerationSummary, generate
from generator.catalogue import build_campaigns, load_products

ROOT = Path(__file__).resolve().parents[1]
RAW_COLUMNS = {
    "influencers.csv": ["id", "name", "platform", "category", "gender", "follower_count",
                        "influencer_type"],
    "posts.csv": ["post_id", "influencer_id", "platform", "date", "url", "caption", "reach",
                  "likes", "comments", "campaign"],
    "tracking_data.csv": ["order_id", "source", "campaign", "influencer_id", "user_id",
                          "product", "brand", "date", "orders", "revenue", "group"],
    "payouts.csv": ["influencer_id", "basis", "rate", "orders", "total_payout", "status"],
    "audiences.csv": ["campaign", "influencer_id", "group", "users"],
}
TRUTH_FILES = {"cells.csv", "influencers.csv", "campaigns.csv", "programme.json",
               "discrepancies.csv", "README.md"}


def digests(summary: GenerationSummary) -> dict[str, str]:
    out = {}
    for folder in (summary.out_dir, summary.truth_dir):
        for f in sorted(folder.iterdir()):
            out[f"{folder.name}/{f.name}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def read(folder: Path, name: str) -> pd.DataFrame:
    # Everything as text first: the contract's types are checked explicitly.
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("a") / "raw")


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("big") / "raw", seed=7, orders=200_000,
                    influencers=120)


# --- determinism -------------------------------------------------------------------------

def test_same_seed_gives_identical_files_at_demo_size(demo, tmp_path):
    again = generate(tmp_path / "raw")
    first, second = digests(demo), digests(again)
    assert len(first) == len(RAW_COLUMNS) + len(TRUTH_FILES)
    assert first == second


def test_same_seed_gives_identical_files_at_100k_rows(tmp_path):
    runs = [generate(tmp_path / f"run{i}" / "raw", seed=11, orders=100_000, influencers=80)
            for i in range(2)]
    assert digests(runs[0]) == digests(runs[1])
    assert 95_000 <= runs[0].tracking_data <= 105_000


def test_different_seed_gives_different_files(demo, tmp_path):
    other = digests(generate(tmp_path / "raw", seed=43))
    mine = digests(demo)
    for name in RAW_COLUMNS:
        assert mine[f"raw/{name}"] != other[f"raw/{name}"], name


# --- shape of the demo ---------------------------------------------------------------------

def test_files_have_exactly_the_contract_columns(demo):
    for name, columns in RAW_COLUMNS.items():
        with (demo.out_dir / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == columns, name
        assert all(len(r) == len(columns) for r in rows), name
        assert len(rows) - 1 == demo.rows[name], name


def test_demo_shape(demo):
    inf = read(demo.out_dir, "influencers.csv")
    posts = read(demo.out_dir, "posts.csv")
    trk = read(demo.out_dir, "tracking_data.csv")
    aud = read(demo.out_dir, "audiences.csv")
    products = pd.read_csv(ROOT / "seeds" / "products.csv")

    assert len(inf) == 500 and inf["id"].is_unique
    assert 9_000 <= len(posts) <= 11_000
    assert 13_500 <= len(trk) <= 16_500
    assert trk["campaign"].nunique() == 10 and aud["campaign"].nunique() == 10
    assert trk["product"].nunique() >= 12
    assert set(trk["product"]) <= set(products["product"])
    assert set(trk["brand"]) == {"MuscleBlaze", "HKVitals", "Gritzo"}
    brand_of = dict(zip(products["product"], products["brand"], strict=True))
    assert (trk["product"].map(brand_of) == trk["brand"]).all()
    assert set(trk["influencer_id"]) <= set(inf["id"])
    assert set(posts["influencer_id"]) <= set(inf["id"])
    assert set(inf["platform"]) == {"Instagram", "YouTube", "TikTok", "Twitter"}
    assert set(inf["gender"]) == {"Male", "Female", "Other"}
    assert demo.campaigns == 10 and 500 <= demo.cells <= 700


def test_tracking_values_follow_the_contract(demo):
    trk = read(demo.out_dir, "tracking_data.csv")
    assert trk["order_id"].is_unique and trk["order_id"].str.fullmatch(r"ORD\d{8}").all()
    assert trk["user_id"].str.fullmatch(r"\d+").all()
    dates = pd.to_datetime(trk["date"], format="%Y-%m-%d")
    assert dates.dt.year.eq(2025).all()
    assert (trk["order_id"].tolist() == sorted(trk["order_id"])) and dates.is_monotonic_increasing
    assert set(trk["orders"]) == {"1", "2", "3"}
    assert trk["revenue"].str.fullmatch(r"\d+\.\d\d").all()
    assert set(trk["group"]) == {"0", "1"}
    assert set(trk["source"]) <= {"instagram", "youtube", "tiktok", "twitter"}
    # A user belongs to exactly one (cell, arm).
    per_user = trk.groupby("user_id")[["campaign", "influencer_id", "group"]].nunique()
    assert (per_user == 1).all().all()


def test_every_cell_has_both_arms_and_exposed_orders_on_average(demo):
    aud = read(demo.out_dir, "audiences.csv")
    trk = read(demo.out_dir, "tracking_data.csv")
    arms = aud.groupby(["campaign", "influencer_id"])["group"].apply(sorted)
    assert arms.map(lambda g: g == ["0", "1"]).all()
    assert (aud["users"].astype(int) > 0).all()
    cells = set(zip(trk["campaign"], trk["influencer_id"], strict=True))
    assert cells <= set(arms.index)
    exposed = trk[trk["group"] == "1"].groupby(["campaign", "influencer_id"]).size()
    assert exposed.sum() / len(arms) >= 18
    control_cells = trk[trk["group"] == "0"].groupby(["campaign", "influencer_id"]).ngroups
    assert 0.2 * len(arms) < control_cells < len(arms)


def test_influencer_types_and_followers(demo):
    inf = read(demo.out_dir, "influencers.csv")
    followers = inf["follower_count"].astype(int)
    derived = pd.cut(followers, [-1, 9_999, 99_999, 499_999, 999_999, np.inf],
                     labels=["nano", "micro", "mid", "macro", "mega"]).astype(str)
    blank = inf["influencer_type"] == ""
    assert 0.02 <= blank.mean() <= 0.09
    assert (inf.loc[~blank, "influencer_type"] == derived[~blank]).all()
    assert {"nano", "micro", "mid", "macro", "mega"} <= set(derived)


def test_posts_are_plausible(demo):
    posts = read(demo.out_dir, "posts.csv")
    inf = read(demo.out_dir, "influencers.csv").set_index("id")
    reach, likes = posts["reach"].astype(int), posts["likes"].astype(int)
    comments = posts["comments"].astype(int)
    above = likes > reach
    assert 0 < above.sum() <= 0.01 * len(posts)  # kept, flagged downstream
    assert (comments <= likes).all()
    assert posts["post_id"].is_unique and posts["url"].is_unique
    assert posts["url"].str.startswith("https://").all()
    assert (posts["platform"].values == inf.loc[posts["influencer_id"], "platform"].values).all()
    # Posts and orders lie inside their campaign's window.
    windows = pd.DataFrame(
        [(c.name, c.start.isoformat(), c.end.isoformat())
         for c in build_campaigns(load_products(), 2025)],
        columns=["campaign", "start", "end"]).set_index("campaign")
    for frame in (posts, read(demo.out_dir, "tracking_data.csv")):
        joined = frame.join(windows, on="campaign")
        assert ((joined["date"] >= joined["start"]) & (joined["date"] <= joined["end"])).all()
    bigger = inf["follower_count"].astype(int).loc[posts["influencer_id"]].values
    assert np.corrcoef(np.log(bigger), np.log(reach + 1))[0, 1] > 0.9


def test_truth_lives_outside_the_raw_folder(demo, tmp_path):
    assert demo.truth_dir == demo.out_dir.parent / "raw_truth"
    assert demo.out_dir not in demo.truth_dir.parents
    assert {f.name for f in demo.truth_dir.iterdir()} == TRUTH_FILES
    assert {f.name for f in demo.out_dir.iterdir()} == set(RAW_COLUMNS)
    with pytest.raises(ValueError):
        generate(tmp_path / "raw", truth_dir=tmp_path / "raw" / "truth")


# --- payouts and their deliberate discrepancies -------------------------------------------

def test_payouts_and_documented_discrepancies(demo):
    pay = read(demo.out_dir, "payouts.csv").set_index("influencer_id")
    posts = read(demo.out_dir, "posts.csv")
    trk = read(demo.out_dir, "tracking_data.csv")
    disc = read(demo.truth_dir, "discrepancies.csv")
    assert len(pay) == 500 and pay.index.is_unique
    assert set(pay["basis"]) == {"post", "order"}
    assert set(pay["status"]) == {"pending", "approved", "paid"}
    assert (pay.loc[pay["basis"] == "post", "orders"] == "").all()

    n_posts = posts.groupby("influencer_id").size().reindex(pay.index, fill_value=0)
    exposed = trk[trk["group"] == "1"]
    attributed = exposed["orders"].astype(int).groupby(exposed["influencer_id"]).sum()
    attributed = attributed.reindex(pay.index, fill_value=0)
    rate, total = pay["rate"].astype(float), pay["total_payout"].astype(float)
    expected = np.where(pay["basis"] == "post", rate * n_posts, rate * attributed)
    recorded = pd.to_numeric(pay["orders"], errors="coerce")

    kinds = disc.groupby("kind")["influencer_id"].apply(set)
    over = kinds["overpaid"]
    ratio = (total / expected)[sorted(over)]
    assert len(over) >= 5 and ratio.between(1.099, 1.301).all()
    mismatch = kinds["recorded_orders_mismatch"]
    assert mismatch and (recorded[sorted(mismatch)] != attributed[sorted(mismatch)]).all()
    zero = kinds["zero_payout"]
    assert zero and (total[sorted(zero)] == 0).all()
    no_orders = kinds["no_attributed_orders"]
    assert no_orders == set(attributed.index[attributed == 0])
    assert not set(trk["influencer_id"]) >= no_orders  # some have no tracking row at all
    # Every other influencer is paid exactly what its deal implies.
    clean = ~pay.index.isin(over | mismatch | zero)
    assert np.allclose(total[clean], expected[clean], atol=0.005)
    assert (recorded[clean & (pay["basis"] == "order")]
            == attributed[clean & (pay["basis"] == "order")]).all()
    for kind in ("likes_above_reach", "influencer_type_blank", "caption_script"):
        assert kind in kinds.index


# --- planted truth ------------------------------------------------------------------------

def test_truth_files_are_consistent(demo):
    cells = pd.read_csv(demo.truth_dir / "cells.csv")
    infl = pd.read_csv(demo.truth_dir / "influencers.csv")
    camps = pd.read_csv(demo.truth_dir / "campaigns.csv")
    programme = json.loads((demo.truth_dir / "programme.json").read_text())
    aud = read(demo.out_dir, "audiences.csv")
    pay = read(demo.out_dir, "payouts.csv")

    assert len(cells) == demo.cells and programme["seed"] == 42
    arms = aud.pivot_table(index=["campaign", "influencer_id"], columns="group",
                           values="users", aggfunc="first").astype(int)
    key = list(zip(cells["campaign"], cells["influencer_id"].astype(str), strict=True))
    assert (arms.loc[key, "1"].values == cells["n_exposed"].values).all()
    assert (arms.loc[key, "0"].values == cells["n_control"].values).all()
    assert np.allclose(cells["p1"], cells["p0"] * (1 + cells["true_lift"]))
    assert np.isclose((infl["true_lift"] == 0).mean(), 0.3, atol=0.07)
    assert np.allclose(cells["true_incremental_revenue"],
                       cells["n_exposed"] * (cells["p1"] - cells["p0"])
                       * cells["expected_revenue_per_buyer"])
    total = cells["true_incremental_revenue"].sum()
    assert np.isclose(infl["true_incremental_revenue"].sum(), total)
    assert np.isclose(camps["true_incremental_revenue"].sum(), total)
    assert np.isclose(programme["true_incremental_revenue"], total)
    assert np.isclose(camps["allocated_payout"].sum(), pay["total_payout"].astype(float).sum())
    assert (infl["true_iroas"].isna() == (infl["total_payout"] == 0)).all()


def test_expected_revenue_per_order_matches_the_simulation(big):
    cells = pd.read_csv(big.truth_dir / "cells.csv")
    trk = pd.read_csv(big.out_dir / "tracking_data.csv", usecols=["campaign", "revenue"])
    per_order = cells.groupby("campaign")["expected_revenue_per_buyer"].first() / 1.3
    stats = trk.groupby("campaign")["revenue"].agg(["mean", "std", "size"])
    z = (stats["mean"] - per_order[stats.index]) / (stats["std"] / np.sqrt(stats["size"]))
    assert (z.abs() < 4.5).all(), z


def test_planted_effect_is_recovered_by_the_holdout_estimator(big):
    """Sum over cells of R1 - (N1/N0) R0 is unbiased for the truth's incremental revenue."""
    trk = pd.read_csv(big.out_dir / "tracking_data.csv",
                      usecols=["campaign", "influencer_id", "user_id", "revenue", "group"],
                      dtype={"user_id": str})
    aud = pd.read_csv(big.out_dir / "audiences.csv")
    truth = pd.read_csv(big.truth_dir / "cells.csv")
    assert 190_000 <= len(trk) <= 210_000

    cell = ["campaign", "influencer_id"]
    users = trk.groupby([*cell, "group", "user_id"])["revenue"].sum().rename("x").reset_index()
    users["x2"] = users["x"] ** 2
    arms = users.groupby([*cell, "group"])[["x", "x2"]].sum().unstack("group", fill_value=0)
    sizes = aud.pivot_table(index=cell, columns="group", values="users", aggfunc="first")
    arms = arms.reindex(sizes.index, fill_value=0)
    k = sizes[1] / sizes[0]
    estimate = (arms[("x", 1)] - k * arms[("x", 0)]).sum()
    # Compound-Poisson variance of the estimator (per-user revenue within each arm).
    se = np.sqrt((arms[("x2", 1)] + k**2 * arms[("x2", 0)]).sum())
    true_total = truth["true_incremental_revenue"].sum()
    assert true_total > 0
    assert abs(estimate - true_total) < 4 * se, (estimate, true_total, se)
    assert se < 0.05 * true_total  # the check has teeth

    # Sharper: each arm's revenue matches N * p * E[revenue per buyer] on its own.
    truth = truth.set_index(cell).loc[sizes.index]
    m = truth["expected_revenue_per_buyer"]
    for g, n_col, p_col in ((1, "n_exposed", "p1"), (0, "n_control", "p0")):
        expected = (truth[n_col] * truth[p_col] * m).sum()
        observed, se_arm = arms[("x", g)].sum(), np.sqrt(arms[("x2", g)].sum())
        assert abs(observed - expected) < 4 * se_arm, (g, observed, expected, se_arm)
    assert np.sqrt(arms[("x2", 1)].sum()) < 0.01 * arms[("x", 1)].sum()


def test_orders_argument_is_validated(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path / "raw", orders=0)


def test_an_end_date_moves_the_programme_and_nothing_else(demo, tmp_path):
    import datetime as dt

    moved = generate(tmp_path / "raw", end_date=dt.date(2026, 12, 5))
    before = read(demo.out_dir, "tracking_data.csv")
    after = read(moved.out_dir, "tracking_data.csv")
    assert after["date"].max() == "2026-12-05" and before["date"].max() == "2025-12-15"
    shift = dt.date(2026, 12, 5) - dt.date(2025, 12, 15)
    shifted = before["date"].map(lambda d: (dt.date.fromisoformat(d) + shift).isoformat())
    assert list(after["date"]) == list(shifted)  # every day moves by the same number of days
    assert after.drop(columns="date").equals(before.drop(columns="date"))
    posts_before, posts_after = read(demo.out_dir, "posts.csv"), read(moved.out_dir, "posts.csv")
    assert posts_after.drop(columns="date").equals(posts_before.drop(columns="date"))
    again = generate(tmp_path / "again", end_date=dt.date(2026, 12, 5))
    assert sorted(digests(again).values()) == sorted(digests(moved).values())  # per end date
