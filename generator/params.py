"""Fixed simulation parameters: every number the truth depends on lives here."""

from __future__ import annotations

from dataclasses import asdict, dataclass

DEMO_TRACKING_ROWS = 15_000
"""Tracking rows of the default demo run (orders=None)."""


@dataclass(frozen=True)
class SimulationParams:
    """Distributions of the simulated programme.

    Frozen and plain so that programme.json can record them and the truth can be
    recomputed from them alone.
    """

    holdout_share: float = 0.10
    # A buyer makes 1 + Poisson(extra_orders_mean) orders.
    extra_orders_mean: float = 0.30
    units: tuple[int, ...] = (1, 2, 3)
    units_weights: tuple[float, ...] = (0.7, 0.2, 0.1)
    discounts_pct: tuple[int, ...] = (0, 5, 10, 15)
    discounts_weights: tuple[float, ...] = (0.55, 0.2, 0.15, 0.1)
    # Base conversion rate p0 per cell: lognormal around a median, clipped.
    p0_median: float = 0.012
    p0_sigma: float = 0.5
    p0_min: float = 0.002
    p0_max: float = 0.05
    # True lift per influencer: a share exactly zero, the rest lognormal.
    lift_zero_share: float = 0.30
    lift_median: float = 0.6
    lift_sigma: float = 0.8
    lift_max: float = 6.0
    # Audience size grows sub-linearly with followers, else mega influencers
    # would hold nearly every order and nano cells none.
    audience_follower_power: float = 0.6
    audience_noise_sigma: float = 0.4
    audience_min_users: int = 50
    # Influencers: followers lognormal spanning nano..mega.
    followers_median: float = 30_000.0
    followers_sigma: float = 1.8
    followers_min: int = 500
    followers_max: int = 20_000_000
    second_campaign_share: float = 0.25
    brand_fit_share: float = 0.8
    influencer_type_blank_share: float = 0.05
    posts_per_influencer: float = 20.0
    likes_above_reach_share: float = 0.005
    # Payout anomalies (see generator/README.md).
    overpaid_share: float = 0.02
    recorded_orders_mismatch_share: float = 0.01
    base_year: int = 2025

    def to_json(self) -> dict:
        return asdict(self)


PARAMS = SimulationParams()
