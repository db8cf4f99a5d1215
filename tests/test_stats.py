import math

import numpy as np
import pytest

from polyprof import stats


def test_wilson_contains_the_share_and_narrows_with_samples():
    lo, hi = stats.wilson(200, 1000)
    assert lo < 0.2 < hi
    lo2, hi2 = stats.wilson(2000, 10000)
    assert hi2 - lo2 < hi - lo
    assert stats.wilson(0, 50)[0] == 0.0 < stats.wilson(0, 50)[1]
    assert stats.wilson(50, 50)[1] == 1.0 > stats.wilson(50, 50)[0]


def test_wilson_covers_the_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(1)
    p, n = 0.3, 400
    hits = sum(lo <= p <= hi for lo, hi in (stats.wilson(k, n) for k in rng.binomial(n, p, 2000)))
    assert 0.93 < hits / 2000 < 0.97


@pytest.mark.parametrize(
    ("p", "margin", "expected"),
    [(0.5, 0.02, 2401), (0.2, 0.02, 1537), (0.1, 0.05, 139), (0.05, 0.01, 1825)],
)
def test_samples_for_margin_matches_the_reference_table(p, margin, expected):
    # the reference table rounds 1.96²·p(1−p)/e²; we take the ceiling with the exact z
    assert abs(stats.samples_for_margin(p, margin) - expected) <= 1


def test_samples_to_order_close_shares_need_thousands():
    assert 2000 < stats.samples_to_order(0.12, 0.10) < 2200
    assert 150 < stats.samples_to_order(0.30, 0.20) < 200
    assert stats.samples_to_order(0.1, 0.1) is None


def test_bootstrap_ratio_subtracts_startup_and_brackets_the_ratio():
    rng = np.random.default_rng(0)
    plain = 1.0 + rng.normal(0, 0.01, 15)
    profiled = 1.5 + rng.normal(0, 0.01, 15)
    ratio, (lo, hi) = stats.bootstrap_ratio(profiled, plain, [0.5] * 5, [0.0] * 5)
    assert ratio == pytest.approx(1.0, abs=0.05)  # (1.5 − 0.5) / (1.0 − 0)
    assert lo <= ratio <= hi
    assert hi - lo < 0.1


def test_bootstrap_ratio_is_reproducible_and_nan_when_undefined():
    a, b = [1.1, 1.2, 1.15], [1.0, 1.01, 0.99]
    assert stats.bootstrap_ratio(a, b) == stats.bootstrap_ratio(a, b)
    ratio, ci = stats.bootstrap_ratio(a, b, den_base=[2.0])
    assert math.isnan(ratio) and math.isnan(ci[0])


def test_paired_ratio_cancels_drift_that_independent_medians_cannot():
    rng = np.random.default_rng(3)
    drift = np.linspace(1.0, 1.6, 10)  # the machine slows down over the run
    plain = drift * (1 + rng.normal(0, 0.005, 10))
    profiled = 1.05 * drift * (1 + rng.normal(0, 0.005, 10))
    ratio, (lo, hi) = stats.paired_ratio(profiled, plain)
    assert lo <= ratio <= hi
    assert lo <= 1.05 <= hi and hi - lo < 0.02
    _, (ilo, ihi) = stats.bootstrap_ratio(profiled, plain)
    assert ihi - ilo > 5 * (hi - lo)


def test_paired_ratio_skips_rounds_swamped_by_startup():
    ratio, _ = stats.paired_ratio([0.1, 2.0, 2.2], [0.1, 1.0, 1.1], [0.5], [0.5])
    assert ratio == pytest.approx(np.median([1.5 / 0.5, 1.7 / 0.6]))
    assert math.isnan(stats.paired_ratio([0.1], [0.1], [0.5], [0.5])[0])
