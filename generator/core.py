"""`generate`: simulate a programme, write the raw files and, elsewhere, the truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from faker import Faker

from .catalogue import build_campaigns, load_products, load_tiers
from .cells import make_cells
from .orders import EPOCH, simulate_orders
from .params import DEMO_TRACKING_ROWS, PARAMS
from .payouts import Discrepancy, make_payouts
from .population import CATEGORIES, GENDERS, PLATFORMS, assign_campaigns, make_influencers
from .posts import make_posts
from .tracking import SCHEMA as TRACKING_SCHEMA
from .tracking import dictionaries, tracking_batches
from .truth import write_truth
from .writer import money, needs_quoting, write_batches, write_rows

MIN_INFLUENCERS = 5


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    truth_dir: Path
    seed: int
    influencers: int
    posts: int
    tracking_data: int
    payouts: int
    audiences: int
    campaigns: int
    cells: int

    @property
    def rows(self) -> dict[str, int]:
        """Data rows per raw file name."""
        return {
            "influencers.csv": self.influencers, "posts.csv": self.posts,
            "tracking_data.csv": self.tracking_data, "payouts.csv": self.payouts,
            "audiences.csv": self.audiences,
        }


def _iso(day: int) -> str:
    return (EPOCH + timedelta(days=int(day))).isoformat()


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def generate(out_dir: Path, seed: int = 42, orders: int | None = None, influencers: int = 500,
             truth_dir: Path | None = None,
             progress: Callable[[str], None] | None = None,
             end_date: date | None = None) -> GenerationSummary:
    """Write influencers, posts, tracking_data, payouts and audiences CSVs to `out_dir`.

    `orders` is the approximate number of tracking rows (default: the ~15,000-row
    demo); it scales audience sizes only, never influencers or posts. The same
    arguments always give byte-identical files. `end_date` moves the whole programme in
    time so that its last campaign ends that day (default: the calendar of
    params.base_year); the data are otherwise the same.
    """
    if orders is not None and orders < 1:
        raise ValueError("orders must be a positive number of tracking rows")
    if influencers < MIN_INFLUENCERS:
        raise ValueError(f"influencers must be at least {MIN_INFLUENCERS}")
    out_dir = Path(out_dir).resolve()
    truth_dir = Path(truth_dir).resolve() if truth_dir else (
        out_dir.parent / f"{out_dir.name}_truth")
    if _is_inside(truth_dir, out_dir) or _is_inside(out_dir, truth_dir):
        raise ValueError("truth_dir must lie outside out_dir: the pipeline reads all of out_dir")
    say = progress or (lambda _msg: None)
    params = PARAMS
    target = orders if orders is not None else DEMO_TRACKING_ROWS

    # Independent streams per stage: scaling orders leaves influencers and posts alone.
    streams = [np.random.Generator(np.random.PCG64(s))
               for s in np.random.SeedSequence(seed).spawn(5)]
    rng_pop, rng_cells, rng_orders, rng_posts, rng_pay = streams
    fake = Faker("en_IN")
    fake.seed_instance(seed)

    products = load_products()
    tiers = load_tiers()
    campaigns = build_campaigns(products, params.base_year)
    if end_date is not None:
        shift = end_date - max(c.end for c in campaigns)
        campaigns = [replace(c, start=c.start + shift, end=c.end + shift) for c in campaigns]

    inf = make_influencers(influencers, tiers, params, rng_pop, fake)
    asg = assign_campaigns(inf, campaigns, params, rng_pop)
    cells = make_cells(inf, asg, target, params, rng_cells)
    say(f"simulating purchases in {len(cells)} holdout cells")
    sim = simulate_orders(cells, campaigns, products, params, rng_orders)
    say(f"simulated {len(sim):,} orders; writing posts")
    posts = make_posts(inf, asg, campaigns, products, params, rng_posts, fake)

    exposed = sim.group == 1
    cell_units = np.bincount(sim.cell[exposed], weights=sim.units[exposed],
                             minlength=len(cells)).astype(np.int64)
    del exposed
    infl_units = np.bincount(cells.influencer, weights=cell_units,
                             minlength=len(inf)).astype(np.int64)
    posts_per_infl = np.bincount(posts.influencer, minlength=len(inf))
    pay = make_payouts(inf, posts_per_infl, infl_units, params, rng_pay)

    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    counts["influencers.csv"] = write_rows(
        out_dir / "influencers.csv",
        ["id", "name", "platform", "category", "gender", "follower_count", "influencer_type"],
        ([int(inf.ids[i]), inf.names[i], PLATFORMS[inf.platform[i]],
          CATEGORIES[inf.category[i]], GENDERS[inf.gender[i]], int(inf.followers[i]),
          "" if inf.type_blank[i] else tiers[inf.tier[i]].name] for i in range(len(inf))),
    )
    counts["posts.csv"] = write_rows(
        out_dir / "posts.csv",
        ["post_id", "influencer_id", "platform", "date", "url", "caption", "reach", "likes",
         "comments", "campaign"],
        ([posts.post_id[k], int(inf.ids[posts.influencer[k]]),
          PLATFORMS[inf.platform[posts.influencer[k]]], _iso(posts.day[k]), posts.url[k],
          posts.caption[k], int(posts.reach[k]), int(posts.likes[k]), int(posts.comments[k]),
          campaigns[posts.campaign[k]].name] for k in range(len(posts))),
    )
    say(f"writing {len(sim):,} tracking rows")
    quote = needs_quoting(v for vs in dictionaries(campaigns, products).values() for v in vs)
    counts["tracking_data.csv"] = write_batches(
        out_dir / "tracking_data.csv", TRACKING_SCHEMA,
        tracking_batches(sim, cells, inf, campaigns, products), quote=quote)
    counts["payouts.csv"] = write_rows(
        out_dir / "payouts.csv",
        ["influencer_id", "basis", "rate", "orders", "total_payout", "status"],
        ([int(inf.ids[i]), pay.basis[i], money(pay.rate[i]),
          None if pay.recorded_orders[i] < 0 else int(pay.recorded_orders[i]),
          money(pay.total_payout[i]), pay.status[i]] for i in range(len(inf))),
    )
    counts["audiences.csv"] = write_rows(
        out_dir / "audiences.csv", ["campaign", "influencer_id", "group", "users"],
        ([campaigns[cells.campaign[c]].name, int(inf.ids[cells.influencer[c]]), g,
          int(cells.n_control[c] if g == 0 else cells.n_exposed[c])]
         for c in range(len(cells)) for g in (0, 1)),
    )

    discrepancies = pay.discrepancies + _data_edge_cases(inf, posts, infl_units, tiers)
    write_truth(truth_dir, seed=seed, requested_rows=orders, target_rows=target, inf=inf,
                cells=cells, campaigns=campaigns, products=products, payouts=pay,
                cell_attributed_units=cell_units, discrepancies=discrepancies,
                row_counts=counts, params=params)
    say(f"wrote {out_dir} and truth in {truth_dir}")
    return GenerationSummary(
        out_dir=out_dir, truth_dir=truth_dir, seed=seed,
        influencers=counts["influencers.csv"], posts=counts["posts.csv"],
        tracking_data=counts["tracking_data.csv"], payouts=counts["payouts.csv"],
        audiences=counts["audiences.csv"], campaigns=len(campaigns), cells=len(cells),
    )


def _data_edge_cases(inf, posts, infl_units: np.ndarray, tiers) -> list[Discrepancy]:
    """Deliberate edge cases outside payouts, found from the data so the list is complete."""
    out: list[Discrepancy] = []
    for i in np.flatnonzero(infl_units == 0):
        why = "never got a tracking link (no cells)" if not inf.tracked[i] else (
            "its cells drew no exposed orders")
        out.append(Discrepancy("no_attributed_orders", "tracking_data.csv", int(inf.ids[i]),
                               None, f"{why}: its payout falls under '(unallocated)'"))
    for i in np.flatnonzero(inf.type_blank):
        out.append(Discrepancy("influencer_type_blank", "influencers.csv", int(inf.ids[i]),
                               None, f"derive from follower_count {inf.followers[i]}: "
                               f"{tiers[inf.tier[i]].name}"))
    for i, name in enumerate(inf.names):
        if any(ch in name for ch in ',"') or not name.isascii():
            out.append(Discrepancy("name_needs_care", "influencers.csv", int(inf.ids[i]), None,
                                   "name with a comma, quotes or non-ASCII characters"))
    for k in range(len(posts)):
        pid, iid = posts.post_id[k], int(inf.ids[posts.influencer[k]])
        if posts.likes_above_reach[k]:
            out.append(Discrepancy("likes_above_reach", "posts.csv", iid, pid,
                                   f"likes {posts.likes[k]} > reach {posts.reach[k]}: "
                                   "keep and flag"))
        caption = posts.caption[k]
        if "<" in caption:
            kind = "caption_script" if "<script" in caption else "caption_html"
            out.append(Discrepancy(kind, "posts.csv", iid, pid,
                                   "caption holds HTML that must be escaped, never executed"))
        if "\n" in caption:
            out.append(Discrepancy("caption_multiline", "posts.csv", iid, pid,
                                   "quoted caption spans several physical lines"))
    return out
