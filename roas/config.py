"""Run configuration: the knobs of the metric definitions and of the report.

The defaults of the metric definitions' parameters live in one place, the `vars` of
dbt_project.yml (what a plain `dbt build` uses too); the CLI and its help read them
from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from roas.errors import UsageError
from roas.paths import project_dir


@cache
def project_defaults() -> dict[str, Any]:
    """The dbt project's vars (its defaults for the metric definitions' parameters)."""
    text = (project_dir() / "dbt_project.yml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text).get("vars") or {})


_VARS = project_defaults()


@dataclass(frozen=True)
class RunConfig:
    holdout_share: float = _VARS["holdout_share"]
    assumed_lift: float = _VARS["assumed_lift"]
    breakeven: float = _VARS["breakeven"]
    poor_roi_below: float = _VARS["poor_roi_below"]
    currency: str = "₹"
    # the band of lifts over which modelled (no control arm) iROAS is shown
    lift_range: tuple[float, float] = (_VARS["lift_range_low"], _VARS["lift_range_high"])
    # a file with a larger share of rejected rows refuses the whole run (roas.validation)
    max_reject_share: float = 0.05
    # the next period's plan (docs/plan.md): budget B (None: the current total spend),
    # cap S x current spend, the iROAS difference a test should detect
    budget: float | None = _VARS["plan_budget"]
    max_scale: float = _VARS["plan_max_scale"]
    target_mde: float = _VARS["plan_target_mde"]

    def __post_init__(self) -> None:
        if not 0.0 < self.holdout_share < 1.0:
            raise UsageError(f"--holdout-share must be between 0 and 1, got {self.holdout_share}")
        if self.assumed_lift <= -1.0:
            raise UsageError(f"--assumed-lift must be above -1, got {self.assumed_lift}")
        if self.breakeven < 0 or self.poor_roi_below < 0:
            raise UsageError("--breakeven and --poor-roi-below must not be negative")
        if not self.currency.strip():
            raise UsageError("--currency must not be empty")
        low, high = self.lift_range
        if not -1.0 < low <= high:
            raise UsageError(
                f"--lift-range must be LOW,HIGH with -1 < LOW <= HIGH, got {low},{high}"
            )
        if not 0.0 <= self.max_reject_share <= 1.0:
            raise UsageError(
                f"--max-reject-share must be between 0 and 1, got {self.max_reject_share}"
            )

        check_plan_options(self.budget, self.max_scale, self.target_mde)

    def dbt_vars(self, *, has_audiences: bool, tracking_has_group: bool) -> dict[str, object]:
        """The dbt vars that carry the metric definitions' parameters into the models."""
        return {
            "holdout_share": self.holdout_share,
            "assumed_lift": self.assumed_lift,
            "breakeven": self.breakeven,
            "poor_roi_below": self.poor_roi_below,
            "lift_range_low": self.lift_range[0],
            "lift_range_high": self.lift_range[1],
            "has_audiences": has_audiences,
            "tracking_has_group": tracking_has_group,
            **plan_vars(self.budget, self.max_scale, self.target_mde),
        }


def check_plan_options(budget: float | None, max_scale: float | None,
                       target_mde: float | None) -> None:
    """Usage errors (exit 2) for the plan's options; None means not given."""
    for name, value in (("--budget", budget), ("--max-scale", max_scale),
                        ("--target-mde", target_mde)):
        if value is not None and not math.isfinite(value):
            raise UsageError(f"{name} must be a finite number, got {value:g}")
    if budget is not None and not budget > 0:
        raise UsageError(f"--budget must be a positive amount, got {budget:g}")
    if max_scale is not None and not max_scale > 0:
        raise UsageError(f"--max-scale must be above 0, got {max_scale:g}")
    if target_mde is not None and not target_mde > 0:
        raise UsageError(f"--target-mde must be above 0, got {target_mde:g}")


def plan_vars(budget: float | None, max_scale: float, target_mde: float) -> dict[str, object]:
    """The plan's dbt vars; no plan_budget var means the current total spend."""
    found: dict[str, object] = {"plan_max_scale": max_scale, "plan_target_mde": target_mde}
    if budget is not None:
        found["plan_budget"] = budget
    return found
