"""Products (from the dbt seed), influencer tiers and the ten demo campaigns."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

from .params import SimulationParams

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"


@dataclass(frozen=True)
class Product:
    name: str
    brand: str
    category: str
    price_paise: int  # integer money so revenue and its expectation are exact


@dataclass(frozen=True)
class Tier:
    name: str
    min_followers: int
    max_followers: int | None  # None: open-ended (mega)


@dataclass(frozen=True)
class Campaign:
    name: str
    brand: str
    start: date
    end: date  # inclusive
    products: tuple[int, ...]  # indices into the product list, all of `brand`
    weights: tuple[int, ...]  # integer weights: exact sampling and expectation

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# (name, brand, (start month, day), (end month, day), hero product keyword).
# The hero product of a push gets a larger share of its orders.
CAMPAIGN_SPECS: tuple[tuple[str, str, tuple[int, int], tuple[int, int], str], ...] = (
    ("MB New Year Resolution Drive", "MuscleBlaze", (1, 1), (2, 15), "Raw Whey"),
    ("MB Creatine Creator Series", "MuscleBlaze", (3, 1), (4, 15), "Creatine"),
    ("MB Biozyme Monsoon Push", "MuscleBlaze", (6, 15), (8, 15), "Biozyme"),
    ("MB Gainer Bulk Season", "MuscleBlaze", (10, 1), (11, 30), "Gainer"),
    ("HK Vitals Daily Multivitamin Habit", "HKVitals", (2, 1), (3, 31), "Multivitamin"),
    ("HK Vitals ProHair Summer", "HKVitals", (4, 15), (6, 15), "ProHair"),
    ("HK Vitals Glow Up Diwali", "HKVitals", (10, 1), (11, 10), "Collagen"),
    ("Gritzo Back to School", "Gritzo", (5, 20), (7, 10), "8-12y"),
    ("Gritzo SuperMilk Height Challenge", "Gritzo", (8, 1), (9, 30), "Height"),
    ("Gritzo Children's Day Bash", "Gritzo", (11, 1), (12, 15), "SuperBar"),
)
HERO_WEIGHT = 4

BRANDS: tuple[str, ...] = ("MuscleBlaze", "HKVitals", "Gritzo")


def load_products(path: Path | None = None) -> list[Product]:
    path = path or SEEDS_DIR / "products.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    products = [
        Product(
            name=r["product"].strip(),
            brand=r["brand"].strip(),
            category=r["product_category"].strip(),
            price_paise=int(Decimal(r["price"].strip()) * 100),
        )
        for r in rows
    ]
    if not products:
        raise ValueError(f"no products in {path}")
    return products


def load_tiers(path: Path | None = None) -> list[Tier]:
    path = path or SEEDS_DIR / "influencer_tiers.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["tier_rank"]))
    return [
        Tier(
            name=r["influencer_type"].strip(),
            min_followers=int(r["min_followers"]),
            max_followers=int(r["max_followers"]) if r["max_followers"].strip() else None,
        )
        for r in rows
    ]


def tier_index(followers: np.ndarray, tiers: list[Tier]) -> np.ndarray:
    """Index into `tiers` for each follower count (lower bound inclusive)."""
    bounds = np.array([t.min_followers for t in tiers[1:]], dtype=np.int64)
    return np.searchsorted(bounds, followers, side="right")


def build_campaigns(products: list[Product], year: int) -> list[Campaign]:
    campaigns = []
    for name, brand, (m0, d0), (m1, d1), hero in CAMPAIGN_SPECS:
        idx = tuple(i for i, p in enumerate(products) if p.brand == brand)
        if not idx:
            raise ValueError(f"seeds/products.csv has no product of brand {brand!r}")
        weights = tuple(
            HERO_WEIGHT if hero.lower() in products[i].name.lower() else 1 for i in idx
        )
        campaigns.append(
            Campaign(name, brand, date(year, m0, d0), date(year, m1, d1), idx, weights)
        )
    return campaigns


def revenue_paise(units: np.ndarray, price_paise: np.ndarray, discount_pct: np.ndarray):
    """Order revenue in paise: units * price * (1 - discount), rounded half up to a paisa.

    The one formula used both by the simulation and by the exact expectation.
    """
    gross = units.astype(np.int64) * price_paise.astype(np.int64) * (100 - discount_pct)
    return (gross + 50) // 100


def expected_revenue_per_order(campaign: Campaign, products: list[Product],
                               params: SimulationParams) -> float:
    """E[revenue of one order] in rupees, summed exactly over the discrete distributions."""
    w = np.array(campaign.weights, dtype=float) / sum(campaign.weights)
    uw = np.array(params.units_weights) / sum(params.units_weights)
    dw = np.array(params.discounts_weights) / sum(params.discounts_weights)
    price = np.array([products[i].price_paise for i in campaign.products], dtype=np.int64)
    units = np.array(params.units, dtype=np.int64)
    disc = np.array(params.discounts_pct, dtype=np.int64)
    rev = revenue_paise(units[None, :, None], price[:, None, None], disc[None, None, :])
    prob = w[:, None, None] * uw[None, :, None] * dw[None, None, :]
    return float((prob * rev).sum()) / 100.0


def expected_revenue_per_buyer(campaign: Campaign, products: list[Product],
                               params: SimulationParams) -> float:
    # Orders per buyer and revenue per order are independent.
    return (1.0 + params.extra_orders_mean) * expected_revenue_per_order(
        campaign, products, params
    )
