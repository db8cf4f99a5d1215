"""The production-safety claim as numbers: profiling on against off, per window.

Windows alternate (off, on, off, on, ...) on the same service, so drift on a
shared machine hits both sides alike. Each window gives one throughput and
its own p50 and p99 latency; a ratio compares the median window with the
profiler on to the median window with it off, and its 95% interval comes
from resampling windows (stats.bootstrap_ratio), so the interval reflects how
much windows differ, not how many requests a window held.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..stats import bootstrap_ratio, median_ratio
from .load import Window

COLUMNS = [
    "language",
    "profiler",
    "round",
    "requests",
    "errors",
    "wall_s",
    "throughput",
    "p50_ms",
    "p99_ms",
    "generator_cpu_share",
    "service_cpu_ms_per_request",
    "profiler_cpu_s",
]
MEASURES = ["throughput", "p50_ms", "p99_ms", "service_cpu_ms_per_request"]


def row(
    language: str,
    profiler: str,
    round_no: int,
    window: Window,
    service_cpu_s: float | None,
    profiler_cpu_s: float = 0.0,
) -> dict:
    """One window as a table row: its throughput, latency percentiles and what the load cost."""
    lat = np.asarray(window.latencies_ns, dtype=float) / 1e6
    p50, p99 = np.percentile(lat, [50, 99]) if len(lat) else (math.nan, math.nan)
    per_request = (
        service_cpu_s * 1e3 / window.requests
        if service_cpu_s is not None and window.requests
        else math.nan
    )
    return {
        "language": language,
        "profiler": profiler,
        "round": round_no,
        "requests": window.requests,
        "errors": window.errors,
        "wall_s": window.wall_s,
        "throughput": window.throughput,
        "p50_ms": float(p50),
        "p99_ms": float(p99),
        "generator_cpu_share": window.generator_core_share,
        "service_cpu_ms_per_request": per_request,
        "profiler_cpu_s": profiler_cpu_s,
    }


def _values(windows: pd.DataFrame, language: str, profiler: str, column: str) -> list[float]:
    sel = windows[(windows["language"] == language) & (windows["profiler"] == profiler)]
    return [float(v) for v in sel[column] if not math.isnan(v)]


def _ci(pair: tuple[float, float]) -> list[float | None]:
    return [None if math.isnan(x) else round(x, 4) for x in pair]


def _round(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def ratios(windows: pd.DataFrame) -> list[dict]:
    """One row per (language, profiler): on/off ratios of throughput, p50 and p99, with CIs.

    A throughput ratio below 1 and latency ratios above 1 are the profiler's
    cost. The baseline of every profiler is the same language's 'none' windows.
    """
    out = []
    pairs = windows[windows["profiler"] != "none"][["language", "profiler"]].drop_duplicates()
    for language, profiler in pairs.itertuples(index=False):
        on = {c: _values(windows, language, profiler, c) for c in MEASURES}
        off = {c: _values(windows, language, "none", c) for c in MEASURES}
        if not on["throughput"] or not off["throughput"]:
            continue
        tput, tput_ci = bootstrap_ratio(on["throughput"], off["throughput"])
        p50, p50_ci = bootstrap_ratio(on["p50_ms"], off["p50_ms"])
        p99, p99_ci = bootstrap_ratio(on["p99_ms"], off["p99_ms"])
        cpu = median_ratio(on["service_cpu_ms_per_request"], off["service_cpu_ms_per_request"])
        out.append(
            {
                "language": language,
                "profiler": profiler,
                "throughput_ratio": _round(tput),
                "ci95": _ci(tput_ci),
                "p50_ratio": _round(p50),
                "p50_ci95": _ci(p50_ci),
                "p99_ratio": _round(p99),
                "p99_ci95": _ci(p99_ci),
                "cpu_per_request_ratio": _round(cpu),
                "windows": min(len(on["throughput"]), len(off["throughput"])),
                "throughput_on": round(float(np.median(on["throughput"])), 2),
                "throughput_off": round(float(np.median(off["throughput"])), 2),
                "p50_ms_on": round(float(np.median(on["p50_ms"])), 3),
                "p50_ms_off": round(float(np.median(off["p50_ms"])), 3),
                "p99_ms_on": round(float(np.median(on["p99_ms"])), 3),
                "p99_ms_off": round(float(np.median(off["p99_ms"])), 3),
            }
        )
    return out


def as_overhead(service_rows: list[dict]) -> list[dict]:
    """The same claim in summary.json's overhead shape: time per request, profiled over plain.

    Time per request is 1/throughput, so the ratio and its interval are the
    throughput ratio's reciprocals (the interval's ends swap).
    """

    def inv(x: float | None) -> float | None:
        return None if not x else round(1 / x, 4)

    return [
        {
            "language": r["language"],
            "profiler": r["profiler"],
            "ratio": inv(r["throughput_ratio"]),
            "ci95": [inv(r["ci95"][1]), inv(r["ci95"][0])],
            "cpu_ratio": r["cpu_per_request_ratio"],
            "runs": r["windows"],
            "plain_median_s": inv(r["throughput_off"]),
            "profiled_median_s": inv(r["throughput_on"]),
            "method": "seconds per request (1/throughput) in interleaved load windows, "
            "profiling on over off; 95% CI by bootstrap over windows",
        }
        for r in service_rows
    ]


def load_cost(windows: pd.DataFrame) -> dict:
    """How much of one core the load generator used: it must stay well below saturation."""
    share = windows["generator_cpu_share"]
    return {
        "generator_cpu_share_median": round(float(share.median()), 4),
        "generator_cpu_share_max": round(float(share.max()), 4),
        "requests": int(windows["requests"].sum()),
        "errors": int(windows["errors"].sum()),
    }
