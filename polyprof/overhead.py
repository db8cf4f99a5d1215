"""What each profiler costs: profiled time over plain time of the same workload.

Runs are interleaved (every round runs the plain program and each profiler
once), so drift on a shared machine hits all variants alike, and the ratio is
taken round by round before its median, so that drift cancels. Start-up is
excluded by subtracting, on each side, the median of minimal runs (scale 1,
repeat 1) of the same program under the same profiler, taken in the same
rounds: what is left is the cost of the workload itself.
"""

from __future__ import annotations

import statistics

import pandas as pd

from .stats import median_ratio, paired_ratio

COLUMNS = [
    "language",
    "profiler",
    "ratio",
    "ci95_lo",
    "ci95_hi",
    "cpu_ratio",
    "runs",
    "plain_median_s",
    "profiled_median_s",
    "startup_plain_s",
    "startup_profiled_s",
]


def _times(runs: pd.DataFrame, language: str, profiler: str, phase: str, col: str) -> list[float]:
    return _by_round(runs, language, profiler, phase, col).tolist()


def _by_round(runs: pd.DataFrame, language: str, profiler: str, phase: str, col: str) -> pd.Series:
    sel = runs[
        (runs["language"] == language)
        & (runs["profiler"] == profiler)
        & (runs["phase"] == phase)
        & (runs["returncode"] == 0)
    ]
    return (sel.set_index("round")[col] / 1e9).groupby(level=0).median()


def overhead(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (language, profiler) with the wall-time ratio, its 95% CI and the CPU ratio."""
    rows = []
    for (language, profiler), _ in runs.groupby(["language", "profiler"], sort=False):
        if profiler == "none":
            continue
        plain = _times(runs, language, "none", "work", "wall_ns")
        prof = _times(runs, language, profiler, "work", "wall_ns")
        if not plain or not prof:
            continue
        plain0 = _times(runs, language, "none", "startup", "wall_ns")
        prof0 = _times(runs, language, profiler, "startup", "wall_ns")
        paired = pd.concat(
            [
                _by_round(runs, language, profiler, "work", "wall_ns"),
                _by_round(runs, language, "none", "work", "wall_ns"),
            ],
            axis=1,
            join="inner",
        )
        ratio, (lo, hi) = paired_ratio(paired.iloc[:, 0], paired.iloc[:, 1], prof0, plain0)
        cpu_ratio = median_ratio(
            _times(runs, language, profiler, "work", "cpu_ns"),
            _times(runs, language, "none", "work", "cpu_ns"),
            _times(runs, language, profiler, "startup", "cpu_ns"),
            _times(runs, language, "none", "startup", "cpu_ns"),
        )
        rows.append(
            {
                "language": language,
                "profiler": profiler,
                "ratio": ratio,
                "ci95_lo": lo,
                "ci95_hi": hi,
                "cpu_ratio": cpu_ratio,
                "runs": len(paired),
                "plain_median_s": statistics.median(plain),
                "profiled_median_s": statistics.median(prof),
                "startup_plain_s": statistics.median(plain0) if plain0 else 0.0,
                "startup_profiled_s": statistics.median(prof0) if prof0 else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
