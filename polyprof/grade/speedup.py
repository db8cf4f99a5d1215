"""Speedup of a submission over the reference, with an interval noise cannot talk its way past.

Absolute times on a shared 2-core machine swing by 2-3x, but a reference and a submission
timed in alternating runs swing together, so their ratio of medians holds still. The verdict
uses the lower bound of a bootstrap interval of that ratio: a submission passes only when
even the pessimistic end clears `min_speedup * (1 - margin)`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..stats import bootstrap_ratio

RESAMPLES = 2000
MARGIN = 0.1


@dataclasses.dataclass(frozen=True)
class Speedup:
    ratio: float  # median(reference) / median(submission): > 1 means the submission is faster
    low: float
    high: float
    runs: int
    reference_median_s: float
    submission_median_s: float

    def as_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)


def ratio_of_medians(reference_s: list[float], submission_s: list[float], seed: int = 0) -> Speedup:
    """Bootstrap the ratio of medians; seeded, so the same timings always give the same verdict."""
    ratio, (low, high) = bootstrap_ratio(
        reference_s, np.maximum(submission_s, 1e-9), reps=RESAMPLES, seed=seed
    )
    return Speedup(
        ratio=ratio,
        low=low,
        high=high,
        runs=min(len(reference_s), len(submission_s)),
        reference_median_s=float(np.median(reference_s)),
        submission_median_s=float(np.median(submission_s)),
    )


def verdict(s: Speedup, min_speedup: float, margin: float = MARGIN) -> tuple[bool, str]:
    bar = min_speedup * (1 - margin)
    summary = (
        f"{s.ratio:.2f}x faster than the reference (95% interval {s.low:.2f}-{s.high:.2f}, "
        f"median {s.submission_median_s * 1000:.0f} ms vs {s.reference_median_s * 1000:.0f} ms "
        f"over {s.runs} interleaved runs)"
    )
    if s.low >= bar:
        return True, summary
    return False, (
        f"{summary}; needs at least {min_speedup:g}x (passes when the interval's low end "
        f"reaches {bar:.2f}, a {margin:.0%} margin for timing noise)"
    )
