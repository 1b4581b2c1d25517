"""One payout row per influencer, with a few deliberate, documented discrepancies."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .params import SimulationParams
from .population import Influencers

# Share of 'post' (flat fee) deals by tier index nano, micro, mid, macro, mega:
# big creators sell posts, small ones are paid per order.
POST_BASIS_SHARE = (0.15, 0.30, 0.70, 0.85, 0.90)
POST_RATE_PER_FOLLOWER = 0.006  # INR per follower per post, before noise
POST_RATE_RANGE = (500.0, 50_000.0)
ORDER_RATE_RANGE = (40, 150)  # INR per attributed unit
STATUSES = ("pending", "approved", "paid")
STATUS_WEIGHTS = (0.15, 0.25, 0.60)


@dataclass
class Discrepancy:
    kind: str
    file: str
    influencer_id: int | None
    post_id: str | None
    detail: str


@dataclass
class Payouts:
    """Struct of arrays, one entry per influencer row."""

    basis: list[str]
    rate: np.ndarray  # INR, 2 decimals
    recorded_orders: np.ndarray  # -1: empty (post basis)
    total_payout: np.ndarray  # INR, 2 decimals
    expected_payout: np.ndarray
    status: list[str]
    discrepancies: list[Discrepancy] = field(default_factory=list)


def _pick(rng: np.random.Generator, candidates: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(candidates))
    return np.sort(rng.choice(candidates, size=k, replace=False)) if k else candidates[:0]


def make_payouts(inf: Influencers, posts_per_influencer: np.ndarray,
                 attributed_units: np.ndarray, params: SimulationParams,
                 rng: np.random.Generator) -> Payouts:
    n = len(inf)
    ids = inf.ids
    share = np.asarray(POST_BASIS_SHARE)[np.minimum(inf.tier, len(POST_BASIS_SHARE) - 1)]
    is_post = rng.random(n) < share
    post_rate = inf.followers * POST_RATE_PER_FOLLOWER * np.exp(0.3 * rng.standard_normal(n))
    post_rate = np.round(np.clip(post_rate, *POST_RATE_RANGE), -2)
    order_rate = rng.integers(ORDER_RATE_RANGE[0], ORDER_RATE_RANGE[1] + 1, size=n)
    rate = np.where(is_post, post_rate, order_rate).astype(float)
    expected = np.where(is_post, rate * posts_per_influencer, rate * attributed_units)
    recorded = np.where(is_post, -1, attributed_units).astype(np.int64)
    total = expected.copy()
    status_idx = rng.choice(len(STATUSES), size=n, p=np.asarray(STATUS_WEIGHTS))
    disc: list[Discrepancy] = []

    taken = np.zeros(n, dtype=bool)
    # A barter deal (paid in product only): rate 0, total 0, true iROAS undefined.
    zero = _pick(rng, np.flatnonzero(attributed_units > 0), 1)
    rate[zero] = 0.0
    expected[zero] = 0.0
    total[zero] = 0.0
    taken[zero] = True
    for i in zero:
        disc.append(Discrepancy("zero_payout", "payouts.csv", int(ids[i]), None,
                                f"basis {'post' if is_post[i] else 'order'}, rate 0: "
                                "paid in product only"))

    over = _pick(rng, np.flatnonzero(~taken & (expected > 0)),
                 max(1, round(params.overpaid_share * n)))
    total[over] = np.round(expected[over] * rng.uniform(1.10, 1.30, size=len(over)), 2)
    taken[over] = True
    for i in over:
        disc.append(Discrepancy("overpaid", "payouts.csv", int(ids[i]), None,
                                f"total_payout {total[i]:.2f} vs expected {expected[i]:.2f} "
                                f"(+{total[i] / expected[i] - 1:.1%})"))

    mism = _pick(rng, np.flatnonzero(~taken & ~is_post & (attributed_units > 0)),
                 max(1, round(params.recorded_orders_mismatch_share * n)))
    delta = rng.choice(np.array([-3, -2, -1, 1, 2, 3, 4, 5]), size=len(mism))
    recorded[mism] = np.maximum(attributed_units[mism] + delta, 0)
    total[mism] = rate[mism] * recorded[mism]  # paid on the (wrong) recorded count
    for i in mism:
        disc.append(Discrepancy("recorded_orders_mismatch", "payouts.csv", int(ids[i]), None,
                                f"recorded orders {recorded[i]} vs attributed "
                                f"{attributed_units[i]}; total_payout {total[i]:.2f} vs "
                                f"expected {expected[i]:.2f}"))

    return Payouts(
        basis=["post" if p else "order" for p in is_post], rate=rate,
        recorded_orders=recorded, total_payout=np.round(total, 2), expected_payout=expected,
        status=[STATUSES[s] for s in status_idx], discrepancies=disc,
    )
