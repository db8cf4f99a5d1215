"""Grading's performance figures, for `invoke bench` (figures to report, never test thresholds).

- sandbox overhead: the intro's Go reference timed with and without bubblewrap (both under
  the same rlimits and uid), interleaved; the ratio of medians with its interval.
- warm Go build: `go vet` + `go build` of a submission in the sandbox, shared cache warm.
- class throughput: N correct intro submissions graded with 2 workers, per minute.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ..exercise import ROOT, load
from .batch import grade_class
from .checks import builds
from .plan import Plan, plan
from .speedup import ratio_of_medians
from .workspace import open_workspace

SLUG = "cpu_profiling_pprof_intro"


def sandbox_overhead(p: Plan, rounds: int = 7) -> dict[str, Any]:
    go = p.reference_files["go"]
    times: dict[bool, list[float]] = {True: [], False: []}
    with (
        open_workspace(None, p.reference_files, True) as boxed,
        open_workspace(None, p.reference_files, False) as plain,
    ):
        for i in range(rounds):
            for sandboxed in (True, False) if i % 2 == 0 else (False, True):
                ws = boxed if sandboxed else plain
                run = ws.ref_box.run(p.argv("go", ws.ref_box.inside(go)), p.run_limits)
                times[sandboxed].append(run.wall_s)
    s = ratio_of_medians(times[True], times[False])
    return {
        "sandbox_overhead_pct": round((s.ratio - 1) * 100, 1),
        "sandbox_overhead_ci95_pct": [round((s.low - 1) * 100, 1), round((s.high - 1) * 100, 1)],
        "run_median_plain_s": round(s.submission_median_s, 3),
        "run_median_sandboxed_s": round(s.reference_median_s, 3),
    }


def warm_build(p: Plan, repeats: int = 3) -> dict[str, Any]:
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "learner"
        sub.mkdir()
        source = (ROOT / "go" / SLUG / "main.go").read_text(encoding="utf-8")
        for i in range(repeats):
            # a fresh edit each time, so the learner's own package is never a cache hit
            (sub / "main.go").write_text(source + f"\nvar benchEdit = {i}\n", encoding="utf-8")
            with open_workspace(sub, p.reference_files, p.sandbox) as ws:
                started = time.monotonic()
                outcome = builds(p, ws, "go")
                seconds.append(time.monotonic() - started)
            if outcome.status != "pass":
                raise RuntimeError(outcome.message)
    return {
        "warm_go_build_s": round(statistics.median(seconds), 2),
        "warm_go_build_runs_s": [round(s, 2) for s in seconds],
    }


def class_throughput(p: Plan, learners: int = 20, workers: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        klass = Path(tmp) / "class"
        for i in range(learners):
            folder = klass / f"learner{i:02d}"
            folder.mkdir(parents=True)
            shutil.copy(ROOT / "go" / SLUG / "main.go", folder / "main.go")
            shutil.copy(ROOT / "python" / SLUG / "main.py", folder / "main.py")
        started = time.monotonic()
        graded = grade_class(
            p, klass, workers=workers, out_dir=Path(tmp) / "out", echo=lambda _: None
        )
        elapsed = time.monotonic() - started
    program_checks_ok = sum(
        all(t["status"] == "pass" for t in r["tests"] if t["name"] != "answers") for r in graded
    )
    return {
        "class_learners": learners,
        "class_workers": workers,
        "class_elapsed_s": round(elapsed, 1),
        "class_submissions_per_min": round(learners / elapsed * 60, 1),
        "class_all_program_checks_passed": program_checks_ok,
    }


def run_bench(quick: bool = False, learners: int = 20) -> dict[str, Any]:
    """All grading figures; `quick` uses the exercise's quick workload for the class run."""
    exercise = load(SLUG)
    p = plan(exercise, quick=quick)
    figures: dict[str, Any] = {"workload": "quick" if quick else "default", "scale": p.scale}
    figures |= sandbox_overhead(p)
    figures |= warm_build(p)
    figures |= class_throughput(p, learners=learners)
    return figures
