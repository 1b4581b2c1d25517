"""Per-user purchase simulation in every arm of every cell, fully vectorised.

Buyers ~ Binomial(N_arm, p_arm); each buyer makes 1 + Poisson(lambda) orders;
each order draws product, units, discount and date independently. Non-buyers
are never materialised, so tens of millions of rows cost only their own arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .catalogue import Campaign, Product, revenue_paise
from .cells import Cells
from .params import SimulationParams

EPOCH = date(1970, 1, 1)
USER_ID_BITS = 40
USER_ID_BASE = 10**12  # 13-digit, integer-looking user ids


@dataclass
class Orders:
    """One entry per tracking row, sorted by (date, cell) with a stable tie order."""

    cell: np.ndarray  # int32 cell index
    group: np.ndarray  # int8: 1 exposed, 0 control
    user_id: np.ndarray  # uint64, unique per (cell, arm, user)
    product: np.ndarray  # int16 index into the product list
    units: np.ndarray  # int8, the `orders` column
    day: np.ndarray  # int32 days since 1970-01-01
    revenue_paise: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.cell)


def _weighted(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _scramble(index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bijective affine map on [0, 2**40): unique ids that do not look sequential."""
    mask = np.uint64((1 << USER_ID_BITS) - 1)
    a = np.uint64(int(rng.integers(1 << 20, 1 << 38)) * 2 + 1)  # odd: invertible mod 2**k
    b = np.uint64(int(rng.integers(0, 1 << USER_ID_BITS)))
    # uint64 products wrap mod 2**64, which 2**40 divides, so the map stays exact.
    return ((index.astype(np.uint64) * a + b) & mask) + np.uint64(USER_ID_BASE)


def simulate_orders(cells: Cells, campaigns: list[Campaign], products: list[Product],
                    params: SimulationParams, rng: np.random.Generator) -> Orders:
    n_cells = len(cells)
    # Arm a = 2 * cell + group.
    n_arm = np.column_stack([cells.n_control, cells.n_exposed]).ravel()
    p_arm = np.column_stack([cells.p0, cells.p1]).ravel()
    buyers = rng.binomial(n_arm, p_arm)
    n_buyers = int(buyers.sum())

    arm_of_buyer = np.repeat(np.arange(2 * n_cells, dtype=np.int32), buyers)
    first_buyer = np.cumsum(buyers) - buyers
    rank = np.arange(n_buyers, dtype=np.int64) - np.repeat(first_buyer, buyers)
    # Buyer j of an arm is a distinct user in stratum [j*s, (j+1)*s), s = N // B.
    stride = np.repeat(n_arm // np.maximum(buyers, 1), buyers)
    user_in_arm = rank * stride + rng.integers(0, stride)
    first_user = np.cumsum(n_arm) - n_arm
    user_id = _scramble(np.repeat(first_user, buyers) + user_in_arm, rng)
    del rank, stride, user_in_arm

    per_buyer = 1 + rng.poisson(params.extra_orders_mean, size=n_buyers)
    arm = np.repeat(arm_of_buyer, per_buyer)
    user_id = np.repeat(user_id, per_buyer)
    del arm_of_buyer, per_buyer
    n = len(arm)
    cell = (arm // 2).astype(np.int32)
    group = (arm % 2).astype(np.int8)
    del arm
    camp = cells.campaign.astype(np.int16)[cell]

    # Product: integer weights laid end to end across campaigns, one searchsorted.
    totals = np.array([sum(c.weights) for c in campaigns], dtype=np.int64)
    offsets = np.cumsum(totals) - totals
    flat_cum = np.concatenate(
        [off + np.cumsum(c.weights) for off, c in zip(offsets, campaigns, strict=True)]
    )
    flat_product = np.concatenate([c.products for c in campaigns]).astype(np.int16)
    draw = rng.integers(0, totals[camp]) + offsets[camp]
    product = flat_product[np.searchsorted(flat_cum, draw, side="right")]
    del draw

    units = np.asarray(params.units, dtype=np.int8)[_weighted(rng, n, params.units_weights)]
    discount = np.asarray(params.discounts_pct, dtype=np.int64)[
        _weighted(rng, n, params.discounts_weights)
    ]
    price = np.array([p.price_paise for p in products], dtype=np.int64)
    revenue = revenue_paise(units, price[product], discount)
    del discount

    start = np.array([(c.start - EPOCH).days for c in campaigns], dtype=np.int32)
    length = np.array([c.days for c in campaigns], dtype=np.int32)
    day = (start[camp] + rng.integers(0, length[camp])).astype(np.int32)
    del camp

    # Sort by date then cell; the stable sort keeps the generation order within ties.
    key = (day - start.min()).astype(np.int64) * n_cells + cell
    if key.size and key.max() < np.iinfo(np.int32).max:
        key = key.astype(np.int32)  # a narrower key sorts faster
    perm = np.argsort(key, kind="stable")
    del key
    # Permute one column at a time so only one extra copy is alive at once.
    columns = {"cell": cell, "group": group, "user_id": user_id, "product": product,
               "units": units, "day": day, "revenue_paise": revenue}
    del cell, group, user_id, product, units, day, revenue
    for name in list(columns):
        columns[name] = columns[name][perm]
    return Orders(**columns)
