"""Randomised holdout cells: audience sizes, arm split and conversion rates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import SimulationParams
from .population import Assignments, Influencers


@dataclass
class Cells:
    """One entry per measured (campaign, influencer) cell, in (campaign, influencer) order."""

    campaign: np.ndarray  # campaign index
    influencer: np.ndarray  # influencer row index
    n_control: np.ndarray  # N0
    n_exposed: np.ndarray  # N1
    p0: np.ndarray
    p1: np.ndarray
    scale: float  # audience scale factor chosen to hit the requested row count

    def __len__(self) -> int:
        return len(self.campaign)


def make_cells(inf: Influencers, asg: Assignments, target_rows: int,
               params: SimulationParams, rng: np.random.Generator) -> Cells:
    keep = inf.tracked[asg.influencer]
    order = np.lexsort((asg.influencer[keep], asg.campaign[keep]))
    camp = asg.campaign[keep][order]
    infl = asg.influencer[keep][order]
    n = len(camp)

    p0 = np.exp(np.log(params.p0_median) + params.p0_sigma * rng.standard_normal(n))
    p0 = np.clip(p0, params.p0_min, params.p0_max)
    p1 = np.minimum(p0 * (1.0 + inf.true_lift[infl]), 1.0)

    base = inf.followers[infl].astype(float) ** params.audience_follower_power
    base *= np.exp(params.audience_noise_sigma * rng.standard_normal(n))
    # Expected tracking rows per audience member, so that sum(rows) ~= target.
    h = params.holdout_share
    rows_per_user = (h * p0 + (1 - h) * p1) * (1.0 + params.extra_orders_mean)
    scale = target_rows / float((base * rows_per_user).sum())
    users = np.maximum(np.rint(base * scale), params.audience_min_users).astype(np.int64)

    n0 = rng.binomial(users, h)
    # Both arms must be non-empty (audiences.users > 0). Only the smallest cells
    # (50 users: 0.9**50 = 0.5%) ever need the nudge; the truth uses realised sizes.
    n0 = np.clip(n0, 1, users - 1)
    return Cells(camp, infl, n0, users - n0, p0, p1, scale)
