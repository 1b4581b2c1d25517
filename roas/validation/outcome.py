"""One expectation's result on one batch, whichever engine evaluated it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Outcome:
    order: int  # position in the suite
    expectation: str  # GX expectation type
    column: str  # raw column name
    rule: str
    row_reason: str | None
    flag: bool
    success: bool
    element_count: int
    unexpected_count: int
    lines: np.ndarray  # line numbers of the failing rows, ascending
