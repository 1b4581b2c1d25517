"""Influencers and which campaigns each one works on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faker import Faker

from .catalogue import BRANDS, Campaign, Tier, tier_index
from .params import SimulationParams

PLATFORMS: tuple[str, ...] = ("Instagram", "YouTube", "TikTok", "Twitter")
PLATFORM_WEIGHTS = (0.55, 0.25, 0.08, 0.12)

CATEGORIES: tuple[str, ...] = (
    "Fitness", "Nutrition", "Wellness", "Lifestyle", "Yoga", "Bodybuilding", "Parenting",
    "Beauty",
)
CATEGORY_WEIGHTS = (0.22, 0.12, 0.11, 0.13, 0.08, 0.10, 0.11, 0.13)
# The brand a category's audience buys from when the influencer is a good fit.
CATEGORY_BRAND = {
    "Fitness": "MuscleBlaze", "Nutrition": "MuscleBlaze", "Bodybuilding": "MuscleBlaze",
    "Wellness": "HKVitals", "Lifestyle": "HKVitals", "Yoga": "HKVitals",
    "Beauty": "HKVitals", "Parenting": "Gritzo",
}

GENDERS: tuple[str, ...] = ("Male", "Female", "Other")
# Gender mix differs by niche, which makes the persona mart worth looking at.
GENDER_WEIGHTS = {
    "Bodybuilding": (0.80, 0.18, 0.02),
    "Parenting": (0.22, 0.75, 0.03),
    "Beauty": (0.15, 0.80, 0.05),
    "Yoga": (0.35, 0.61, 0.04),
}
DEFAULT_GENDER_WEIGHTS = (0.52, 0.45, 0.03)

# Real display names carry emoji, nicknames in quotes and "Surname, Name" forms;
# a few of them exercise CSV quoting and Unicode downstream.
NAME_DECORATIONS = (
    lambda n: n + " 💪",
    lambda n: n.split(" ", 1)[0] + ' "Fit" ' + n.split(" ", 1)[-1],
    lambda n: ", ".join(reversed(n.split(" ", 1))),
    lambda n: n + " | फिटनेस",
)
DECORATED_NAME_SHARE = 0.02


@dataclass
class Influencers:
    """Struct of arrays, one entry per influencer (row i has id i + 1)."""

    ids: np.ndarray
    names: list[str]
    platform: np.ndarray  # index into PLATFORMS
    category: np.ndarray  # index into CATEGORIES
    gender: np.ndarray  # index into GENDERS
    followers: np.ndarray
    tier: np.ndarray  # index into the tiers list
    type_blank: np.ndarray  # True: influencer_type written empty
    true_lift: np.ndarray
    tracked: np.ndarray  # False: never got a tracking link (no orders, no audience)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Assignments:
    """(influencer, campaign) pairs: an influencer works on 1-2 campaigns."""

    influencer: np.ndarray  # row index into Influencers
    campaign: np.ndarray  # index into the campaign list


def _choice(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def make_influencers(n: int, tiers: list[Tier], params: SimulationParams,
                     rng: np.random.Generator, fake: Faker) -> Influencers:
    platform = _choice(rng, n, PLATFORM_WEIGHTS)
    category = _choice(rng, n, CATEGORY_WEIGHTS)
    u = rng.random(n)
    gender = np.empty(n, dtype=np.int64)
    for c, cat in enumerate(CATEGORIES):
        cum = np.cumsum(GENDER_WEIGHTS.get(cat, DEFAULT_GENDER_WEIGHTS))
        mask = category == c
        gender[mask] = np.searchsorted(cum / cum[-1], u[mask], side="right")
    followers = np.exp(
        np.log(params.followers_median) + params.followers_sigma * rng.standard_normal(n)
    )
    followers = np.clip(np.rint(followers), params.followers_min, params.followers_max)
    followers = followers.astype(np.int64)
    type_blank = rng.random(n) < params.influencer_type_blank_share

    lift = np.exp(np.log(params.lift_median) + params.lift_sigma * rng.standard_normal(n))
    lift = np.minimum(lift, params.lift_max)
    lift[rng.random(n) < params.lift_zero_share] = 0.0

    # One influencer in ~500 (at least one) never got a tracking link: it posts
    # and is paid but has no orders, so its payout lands in '(unallocated)'.
    tracked = np.ones(n, dtype=bool)
    n_untracked = max(1, round(0.002 * n))
    tracked[rng.choice(n, size=n_untracked, replace=False)] = False

    decorate = rng.random(n) < DECORATED_NAME_SHARE
    decoration = rng.integers(0, len(NAME_DECORATIONS), size=n)
    names = []
    for i in range(n):
        g = GENDERS[gender[i]]
        name = fake.name_male() if g == "Male" else (
            fake.name_female() if g == "Female" else fake.name())
        if decorate[i]:
            name = NAME_DECORATIONS[decoration[i]](name)
        names.append(name)

    return Influencers(
        ids=np.arange(1, n + 1, dtype=np.int64), names=names, platform=platform,
        category=category, gender=gender, followers=followers,
        tier=tier_index(followers, tiers), type_blank=type_blank, true_lift=lift,
        tracked=tracked,
    )


def assign_campaigns(inf: Influencers, campaigns: list[Campaign], params: SimulationParams,
                     rng: np.random.Generator) -> Assignments:
    n = len(inf)
    by_brand = {b: [i for i, c in enumerate(campaigns) if c.brand == b] for b in BRANDS}
    n_campaigns = 1 + (rng.random(n) < params.second_campaign_share)
    fit = rng.random((n, 2)) < params.brand_fit_share
    other_brand = rng.integers(0, len(BRANDS), size=(n, 2))
    pick = rng.random((n, 2))
    fallback = rng.integers(0, len(campaigns) - 1, size=n)

    infl_idx, camp_idx = [], []
    for i in range(n):
        chosen: list[int] = []
        for k in range(n_campaigns[i]):
            brand = CATEGORY_BRAND[CATEGORIES[inf.category[i]]] if fit[i, k] else (
                BRANDS[other_brand[i, k]])
            options = [c for c in by_brand[brand] if c not in chosen]
            if options:
                c = options[int(pick[i, k] * len(options))]
            else:  # brand exhausted: any other campaign
                rest = [c for c in range(len(campaigns)) if c not in chosen]
                c = rest[fallback[i] % len(rest)]
            chosen.append(c)
        for c in sorted(chosen):
            infl_idx.append(i)
            camp_idx.append(c)
    return Assignments(np.array(infl_idx, dtype=np.int64), np.array(camp_idx, dtype=np.int64))
