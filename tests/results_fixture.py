"""A real, small results folder for the report and export tests.

It runs the intro exercise's reference programs for real (Go under pprof,
Python under cProfile and py-spy) at a small scale, then writes summary.json
in the shape DESIGN.md fixes. Overhead figures are not measured here (that
needs interleaved rounds); they are plausible constants, flagged as such.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from polyprof import load_profile
from polyprof.exercise import ROOT
from polyprof.toolchain import go_binary, go_env, go_version

SLUG = "cpu_profiling_pprof_intro"
SCALE = 7
GO_REPEAT = 60


def _ci95(share: float, n: int) -> list[float]:
    half = 1.96 * math.sqrt(max(share * (1 - share), 1e-12) / max(n, 1))
    return [round(max(0.0, share - half) * 100, 2), round(min(1.0, share + half) * 100, 2)]


def _matches(go, pyspy, pstats) -> list[dict]:
    rows = []
    go_user = go.functions[go.functions["category"] == "user"].drop_duplicates("key")
    py = pyspy.functions.drop_duplicates("key").set_index("key")
    cp = pstats.functions.drop_duplicates("key").set_index("key")
    for g in go_user.itertuples():
        if g.key not in py.index or g.key == "main":
            continue
        p, c = py.loc[g.key], cp.loc[g.key] if g.key in cp.index else None
        rows.append(
            {
                "key": g.key,
                "go_function": g.function,
                "python_function": p["function"],
                "go_flat_pct": round(g.flat_pct, 2),
                "go_flat_ci95": _ci95(g.flat_pct / 100, go.meta.samples),
                "python_flat_pct": round(p["flat_pct"], 2),
                "pyspy_flat_pct": round(p["flat_pct"], 2),
                "pyspy_flat_ci95": _ci95(p["flat_pct"] / 100, pyspy.meta.samples),
                "cprofile_flat_pct": None if c is None else round(c["flat_pct"], 2),
                "go_cum_pct": round(g.cum_pct, 2),
                "python_cum_pct": round(p["cum_pct"], 2),
            }
        )
    return sorted(rows, key=lambda r: -r["go_flat_pct"])


def _pyspy_version() -> str:
    out = subprocess.run(["py-spy", "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def build_results(folder: Path) -> Path:
    """Run the programs once and write a results folder there; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    binary = folder / "intro"
    subprocess.run(
        [go_binary(), "build", "-o", str(binary), f"./{SLUG}"],
        cwd=ROOT / "go",
        env=go_env(),
        check=True,
    )
    program = ROOT / "python" / SLUG / "main.py"
    scale = ["--scale", str(SCALE)]

    def run(*argv) -> None:
        subprocess.run([str(a) for a in argv], check=True, capture_output=True)

    run(binary, "--cpuprofile", folder / "go.pprof", *scale, "--repeat", GO_REPEAT)
    run(sys.executable, program, "--cpuprofile", folder / "python.pstats", *scale)
    pyspy_flags = ["--rate", 100, "--format", "raw", "--function", "--full-filenames"]
    run(
        "py-spy",
        "record",
        *pyspy_flags,
        "-o",
        folder / "python.pyspy.txt",
        "--",
        sys.executable,
        program,
        *scale,
    )
    binary.unlink()
    go, pstats, pyspy = (
        load_profile(folder / name) for name in ("go.pprof", "python.pstats", "python.pyspy.txt")
    )
    python_version = f"Python {sys.version.split()[0]}"
    profiles = [
        (go, "go.pprof", go_version(), "runtime/pprof"),
        (pstats, "python.pstats", python_version, "cProfile"),
        (pyspy, "python.pyspy.txt", python_version, _pyspy_version()),
    ]
    summary = {
        "exercise": SLUG,
        "profiles": [
            {
                "language": p.meta.language,
                "profiler": p.meta.profiler,
                "kind": p.meta.kind,
                "clock": p.meta.clock,
                "samples": p.meta.samples,
                "duration_s": (p.meta.duration_ns or 0) / 1e9 or None,
                "total_ns": p.meta.total_ns,
                "file": name,
                "runtime_version": runtime,
                "tool_version": tool,
            }
            for p, name, runtime, tool in profiles
        ],
        "matches": _matches(go, pyspy, pstats),
        "overhead": [  # fixture constants, not measurements
            {"language": "go", "profiler": "pprof", "ratio": 1.03, "ci95": [0.99, 1.07], "runs": 3},
            {
                "language": "python",
                "profiler": "cprofile",
                "ratio": 2.4,
                "ci95": [2.2, 2.6],
                "runs": 3,
            },
            {
                "language": "python",
                "profiler": "py-spy",
                "ratio": 1.05,
                "ci95": [0.97, 1.12],
                "runs": 3,
            },
        ],
        "warnings": [
            {
                "code": "clock_mismatch",
                "language": "python",
                "profiler": "cprofile",
                "message": "cProfile measured wall time; pprof and py-spy measured CPU time",
            },
            {
                "code": "profiler_distortion",
                "language": "python",
                "profiler": "cprofile",
                "message": "cProfile made the program 2.4x slower and inflates fib",
            },
        ],
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return folder


_BUILT: dict[str, Path] = {}


def session_results(tmp_path_factory) -> Path:
    """One results folder per test session, with report.html and exports written.

    Test modules share it through this cache; a test that changes files works on a copy.
    """
    if "folder" not in _BUILT:
        from polyprof.report.html import write_report

        folder = build_results(tmp_path_factory.mktemp("results") / SLUG)
        write_report(folder)
        _BUILT["folder"] = folder
    return _BUILT["folder"]
