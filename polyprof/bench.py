"""Benchmarks: figures to report, never thresholds to test (the machine is shared).

Each `bench_*` function returns a flat dict of named figures; `run_benchmarks`
collects them, so another stage adds its own function to BENCHMARKS and the
`invoke bench` task prints it with the rest.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .errors import PolyprofError
from .machine import describe_machine
from .toolchain import go_binary, go_env

LARGE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "google-pprof" / "large.cpu"
REPO = Path(__file__).resolve().parents[1]


def machine() -> dict[str, object]:
    """What the figures were measured on: they mean little without it."""
    return {
        **describe_machine(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "polyprof_pyc_on_disk": _pyc_on_disk(),
    }


def _pyc_on_disk() -> bool:
    """Whether polyprof's compiled bytecode is on disk.

    invoke never writes any (it sets sys.dont_write_bytecode), so without it
    every `invoke top` child first compiles polyprof from source: 20-40 ms on
    the 2-core box the README's figures come from.
    """
    import importlib.util

    return Path(importlib.util.cache_from_source(str(REPO / "polyprof" / "top.py"))).is_file()


def _times(body: Callable[[], object], runs: int) -> list[float]:
    """Wall time of each run. The previous run's garbage is collected first, outside the
    clock: freeing one 23k-function profile is not part of loading the next."""
    out = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = body()
        out.append(time.perf_counter() - start)
        del result  # freed after the clock stops
    return out


def _ms(seconds: list[float]) -> tuple[float, float]:
    return round(statistics.median(seconds) * 1000, 1), round(min(seconds) * 1000, 1)


def _child(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=REPO, check=True, capture_output=True, timeout=300)
    return time.perf_counter() - start


def _peak_rss_mb(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Peak RSS of one child, read from a fresh process so earlier children do not count."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return round(int(out.stdout) / 1024, 1)  # Linux reports KiB


def bench_parsers(path: Path = LARGE, runs: int = 15, rounds: int = 9) -> dict[str, object]:
    """Loading large.cpu in process, and `invoke top` against `go tool pprof -top` end to end.

    The end-to-end pair runs `rounds` times interleaved, each going first in
    alternate rounds, so a load change on the shared machine hits both alike;
    compare the ratio, which comes from one run, rather than ms across runs.
    """
    from .load import load_profile

    if not path.is_file():
        raise PolyprofError("benchmark profile not found", path, hint="the shared corpus is needed")
    load_profile(path)  # warm imports and caches: we time parsing, not the first import
    load = _times(lambda: load_profile(path), runs)  # the functions table is built eagerly
    top = [sys.executable, "-m", "invoke", "top", "--profile", str(path), "--format", "csv"]
    pprof = [go_binary(), "tool", "pprof", "-top", "-nodefraction=0", str(path)]
    ours, theirs = [], []
    for i in range(rounds):
        if i % 2:
            theirs.append(_child(pprof, go_env()))
        ours.append(_child(top))
        if not i % 2:
            theirs.append(_child(pprof, go_env()))
    load_med, load_min = _ms(load)
    top_med, top_min = _ms(ours)
    pprof_med, pprof_min = _ms(theirs)
    return {
        "profile": str(path),
        "load_functions_ms_median": load_med,
        "load_functions_ms_min": load_min,
        "invoke_top_csv_ms_median": top_med,
        "invoke_top_csv_ms_min": top_min,
        "go_tool_pprof_top_ms_median": pprof_med,
        "go_tool_pprof_top_ms_min": pprof_min,
        "top_over_pprof_ratio_median": round(top_med / pprof_med, 2),
        "end_to_end_rounds": rounds,
        "invoke_top_peak_rss_mb": _peak_rss_mb(top),
        "go_tool_pprof_peak_rss_mb": _peak_rss_mb(pprof, go_env()),
    }


def bench_compare() -> dict[str, object]:
    """`invoke compare` on the intro, quick then default, in a scratch results folder."""
    import io
    import tempfile

    from .compare import run_compare

    figures: dict[str, object] = {}
    previous = os.environ.get("POLYPROF_RESULTS")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["POLYPROF_RESULTS"] = scratch
        try:
            for label, quick in (("quick", True), ("default", False)):
                start = time.perf_counter()
                summary = run_compare(quick=quick, out=io.StringIO())
                figures[f"{label}_total_s"] = round(time.perf_counter() - start, 1)
                figures[f"{label}_polyprof_own_s"] = summary["timing"]["polyprof_s"]
                for p in summary["profiles"]:
                    if p["kind"] == "sampling":
                        figures[f"{label}_{p['profiler']}_samples"] = p["samples"]
                for o in summary["overhead"]:
                    lo, hi = o["ci95"]
                    figures[f"{label}_{o['profiler']}_ratio"] = (
                        f"{o['ratio']:.3f} [{lo:.3f}, {hi:.3f}] half-width {(hi - lo) / 2:.3f}"
                    )
        finally:
            if previous is None:
                os.environ.pop("POLYPROF_RESULTS", None)
            else:
                os.environ["POLYPROF_RESULTS"] = previous
    return figures


def bench_grade() -> dict[str, object]:
    from .grade.bench import run_bench

    return run_bench()


BENCHMARKS: dict[str, Callable[[], dict[str, object]]] = {
    "parsers": bench_parsers,
    "compare": bench_compare,
    "grade": bench_grade,
}


def run_benchmarks(names: list[str] | None = None) -> dict[str, dict[str, object]]:
    unknown = sorted(set(names or []) - set(BENCHMARKS))
    if unknown:
        raise PolyprofError(
            f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    results: dict[str, dict[str, object]] = {"machine": machine()}
    for name in names or list(BENCHMARKS):
        results[name] = BENCHMARKS[name]()
    return results


def render(results: dict[str, dict[str, object]]) -> str:
    lines = []
    for section, figures in results.items():
        lines.append(f"[{section}]")
        lines.extend(f"  {key:<32} {value}" for key, value in figures.items())
    return "\n".join(lines) + "\n"
