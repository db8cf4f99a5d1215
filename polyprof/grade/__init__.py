"""`invoke grade`: build and run learners' submissions in a sandbox and score them.

    plan(exercise)            build the references once, warm the Go cache, fix limits
    grade_submission(plan, d) one submission -> results.json dict (Exercism v3 + scores)
    grade_class(plan, d, ...) one learner per subdirectory, workers and shards
    merge(slug, dirs)         combine shard outputs into one summary.csv

The sandbox (bubblewrap started as a per-run unprivileged uid, prlimit limits, a wall
clock, output caps) is in `sandbox`; how Go builds stay warm inside it, in `gotools`.
"""

from .batch import grade_class, merge, parse_shard
from .command import run_grade, run_merge
from .grader import grade_submission
from .plan import Plan, plan

__all__ = [
    "Plan",
    "grade_class",
    "grade_submission",
    "merge",
    "parse_shard",
    "plan",
    "run_grade",
    "run_merge",
]
