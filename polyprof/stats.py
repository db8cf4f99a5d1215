"""The statistics behind every figure polyprof prints.

Sampling shares are binomial estimates, so each carries a Wilson interval;
overhead ratios are ratios of medians from interleaved runs, so each carries a
bootstrap interval. Formulas for "how many samples would be enough" follow
the multinomial variance (see the pprof format reference, section 7).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Z95 = 1.959963984540054


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """95% interval for a share k/n, as fractions. Sound near 0 and 1, unlike the normal one."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # at k = 0 (k = n) the bound is exactly 0 (1); floating point would leave 1e-16
    lo = 0.0 if k <= 0 else max(0.0, centre - half)
    hi = 1.0 if k >= n else min(1.0, centre + half)
    return (lo, hi)


def samples_for_margin(p: float, margin: float, z: float = Z95) -> int:
    """Samples needed so share p is known to ±margin (fractions): z²·p(1−p)/e²."""
    return math.ceil(z * z * p * (1 - p) / (margin * margin))


def samples_to_order(p1: float, p2: float, z: float = Z95) -> int | None:
    """Samples needed to tell p1 from p2 at confidence z; None when they are equal."""
    gap = abs(p1 - p2)
    if gap == 0:
        return None
    return math.ceil(z * z * (p1 + p2 - gap * gap) / (gap * gap))


def _median(xs: Sequence[float]) -> float:
    return float(np.median(np.asarray(xs, dtype=float))) if len(xs) else 0.0


def median_ratio(
    num: Sequence[float],
    den: Sequence[float],
    num_base: Sequence[float] = (),
    den_base: Sequence[float] = (),
) -> float:
    """(median(num) − median(num_base)) / (median(den) − median(den_base)).

    NaN when either side's workload time is not positive: start-up noise then
    swamps the workload and no ratio would mean anything.
    """
    numerator = _median(num) - _median(num_base)
    denominator = _median(den) - _median(den_base)
    if denominator <= 0 or numerator <= 0:
        return math.nan
    return numerator / denominator


def bootstrap_ratio(
    num: Sequence[float],
    den: Sequence[float],
    num_base: Sequence[float] = (),
    den_base: Sequence[float] = (),
    reps: int = 4000,
    seed: int = 0,
) -> tuple[float, tuple[float, float]]:
    """Ratio of medians (median(num) − median(num_base)) / (median(den) − median(den_base)).

    The *_base samples are start-up runs subtracted from each side; empty means
    zero. The interval resamples every group independently (percentile, 95%).
    Seeded so the same measurements always give the same interval.
    """
    ratio = median_ratio(num, den, num_base, den_base)
    if math.isnan(ratio):
        return ratio, (math.nan, math.nan)
    rng = np.random.default_rng(seed)

    def draws_of(xs: Sequence[float]) -> np.ndarray:
        if len(xs) == 0:
            return np.zeros(reps)
        a = np.asarray(xs, dtype=float)
        return np.median(a[rng.integers(0, len(a), size=(reps, len(a)))], axis=1)

    n_draw, d_draw = draws_of(num), draws_of(den)
    nb_draw, db_draw = draws_of(num_base), draws_of(den_base)
    dd, nn = d_draw - db_draw, n_draw - nb_draw
    valid = (dd > 0) & (nn > 0)
    draws = nn[valid] / dd[valid]
    if len(draws) < reps // 2:
        return ratio, (math.nan, math.nan)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return ratio, (float(lo), float(hi))


def paired_ratio(
    num: Sequence[float],
    den: Sequence[float],
    num_base: Sequence[float] = (),
    den_base: Sequence[float] = (),
    reps: int = 4000,
    seed: int = 0,
) -> tuple[float, tuple[float, float]]:
    """Median over rounds of (num_r − median(num_base)) / (den_r − median(den_base)).

    `num` and `den` are aligned by round: pairing the runs of one round cancels
    the machine's drift between rounds, which independent medians do not. The
    95% interval resamples rounds (percentile bootstrap); start-up medians are
    held fixed, their noise being small next to a workload's.
    """
    n = np.asarray(num, dtype=float) - _median(num_base)
    d = np.asarray(den, dtype=float) - _median(den_base)
    ok = (n > 0) & (d > 0)
    ratios = n[ok] / d[ok]
    if len(ratios) == 0:
        return math.nan, (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    draws = np.median(ratios[rng.integers(0, len(ratios), size=(reps, len(ratios)))], axis=1)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(np.median(ratios)), (float(lo), float(hi))
