"""Simulated influencer-marketing programme with a planted incremental effect.

`generate(out_dir, ...)` writes the raw files of the data contract to `out_dir`
and the planted truth to a sibling folder the pipeline never reads.
"""

from .core import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]
