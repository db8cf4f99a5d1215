"""The `invoke grade` and `invoke grade-merge` bodies: options in, files and a summary out.

Grading that completes exits 0 whatever the verdicts (as Exercism's runners do); only a
failure of polyprof itself (a reference that will not run, a crash on one learner) is
non-zero, so CI can tell "the class did badly" from "the grader is broken".
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..errors import PolyprofError
from ..exercise import load
from . import results
from .batch import grade_class, grades_dir, learner_name, merge, parse_shard
from .grader import grade_submission
from .plan import plan

NO_SANDBOX_WARNING = (
    "polyprof: WARNING: --no-sandbox runs submissions as this user with full access to the "
    "machine and network (only rlimits, a timeout and output caps apply); use it only for "
    "code you trust"
)


def run_grade(
    exercise: str,
    submission: str | None = None,
    submissions: str | None = None,
    json_path: str | None = None,
    workers: int = 1,
    shard: str = "1/1",
    sandbox: bool = True,
    scale: int | None = None,
    quick: bool = False,
    timeout_s: float | None = None,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    if bool(submission) == bool(submissions):
        raise PolyprofError("give exactly one of --submission DIR or --submissions DIR")
    if json_path and submissions:
        raise PolyprofError("--json is for one --submission; a class writes one file per learner")
    parts = parse_shard(shard)
    if not sandbox:
        print(NO_SANDBOX_WARNING, file=sys.stderr)
    the_plan = plan(load(exercise), scale=scale, quick=quick, timeout_s=timeout_s, sandbox=sandbox)
    if submission:
        folder = Path(submission)
        result = grade_submission(the_plan, folder, learner_name(folder.resolve()))
        target = (
            Path(json_path) if json_path else grades_dir(exercise) / f"{result['learner']}.json"
        )
        results.write(result, target)
        print(results.summary(result), file=out)
        print(f"wrote {target}", file=out)
        return 0
    graded = grade_class(
        the_plan, Path(submissions), workers=workers, shard=parts, echo=lambda s: print(s, file=out)
    )
    counts = {s: sum(r["status"] == s for r in graded) for s in ("pass", "fail", "error")}
    broken = [r["learner"] for r in graded if r.get("internal_error")]
    print(
        f"graded {len(graded)} submissions (shard {parts[0]}/{parts[1]}): "
        f"{counts['pass']} pass, {counts['fail']} fail, {counts['error']} error; "
        f"results in {grades_dir(exercise)}",
        file=out,
    )
    if broken:
        print(f"polyprof failed on: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


def run_merge(exercise: str, inputs: str = "", out: TextIO | None = None) -> int:
    out = out or sys.stdout
    folders = [Path(p) for p in inputs.split(",") if p] or [grades_dir(exercise)]
    summary, warnings = merge(load(exercise).slug, folders)
    for warning in warnings:
        print(f"polyprof: {warning}", file=sys.stderr)
    print(f"wrote {summary}", file=out)
    return 0
