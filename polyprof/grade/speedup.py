"""Speedup of a submission over the reference, with an interval noise cannot talk its way past.

Absolute times on a shared 2-core machine swing by 2-3x, but a reference and a submission
timed in alternating runs swing together, so their ratio of medians holds still. The verdict
uses the lower bound of a bootstrap interval of that ratio: a submission passes only when
even the pessimistic end clears `min_speedup * (1 - margin)`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

LEVEL = 0.95
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
    ref = np.asarray(reference_s, dtype=float)
    sub = np.asarray(submission_s, dtype=float)
    rng = np.random.default_rng(seed)
    ref_med = np.median(rng.choice(ref, size=(RESAMPLES, len(ref))), axis=1)
    sub_med = np.median(rng.choice(sub, size=(RESAMPLES, len(sub))), axis=1)
    ratios = ref_med / np.maximum(sub_med, 1e-9)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return Speedup(
        ratio=float(np.median(ref) / max(np.median(sub), 1e-9)),
        low=float(low),
        high=float(high),
        runs=min(len(ref), len(sub)),
        reference_median_s=float(np.median(ref)),
        submission_median_s=float(np.median(sub)),
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
