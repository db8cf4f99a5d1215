"""results.json: Exercism's test-runner v3 shape with Gradescope's score and max_score.

Exercism's rules are kept as written: `status` is pass (all passed), fail (one or more
failed) or error (nothing could run, e.g. no check got past the build), per-test `output`
is at most 500 characters, and the file stays under 1 MB whatever a learner printed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..publish import write_atomic
from .checks import Outcome

VERSION = 3
MAX_OUTPUT = 500
MAX_MESSAGE = 65_535
MAX_FILE = 1_000_000
TRUNCATED = "\n[output truncated to 500 characters]"


def cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED)] + TRUNCATED


def test_name(outcome: Outcome) -> str:
    label = outcome.check.replace("_", " ")
    return f"{label} ({outcome.language})" if outcome.language else label


def build(
    slug: str,
    learner: str,
    outcomes: list[Outcome],
    points: dict[str, float],
    skipped: Iterable[tuple[str, str]] = (),
    error: str | None = None,
) -> dict[str, Any]:
    """Score the outcomes: a check's points are shared equally among the languages graded."""
    order = list(points)
    languages = {o.check: 0 for o in outcomes}
    for o in outcomes:
        languages[o.check] += 1
    tests = []
    for o in outcomes:
        max_score = points.get(o.check, 0.0) / languages[o.check]
        tests.append(
            {
                "name": test_name(o),
                "status": o.status,
                "message": cap(o.message, MAX_MESSAGE),
                "output": cap(o.output, MAX_OUTPUT),
                "task_id": order.index(o.check) + 1 if o.check in order else None,
                "score": round(max_score * o.credit, 3),
                "max_score": round(max_score, 3),
                **({"extra_data": o.extra} if o.extra else {}),
            }
        )
    built = [o for o in outcomes if o.check == "builds"]
    if error:
        status, message = "error", error
    elif built and all(o.status != "pass" for o in built):
        status, message = "error", "; ".join(f"{test_name(o)}: {o.message}" for o in built)
    elif all(t["status"] == "pass" for t in tests):
        status, message = "pass", "all checks passed"
    else:
        failing = [t["name"] for t in tests if t["status"] != "pass"]
        status, message = "fail", "failed: " + ", ".join(failing)
    return {
        "version": VERSION,
        "status": status,
        "message": cap(message, MAX_MESSAGE),
        "exercise": slug,
        "learner": learner,
        "score": round(sum(t["score"] for t in tests), 3),
        "max_score": round(sum(t["max_score"] for t in tests), 3),
        "tests": tests,
        "skipped": [{"name": name, "message": why} for name, why in skipped],
    }


def to_json(results: dict[str, Any]) -> str:
    """Serialise within MAX_FILE by shortening test messages, longest first, until it fits."""
    text = json.dumps(results, indent=2, default=str)
    limit = 4000
    while len(text.encode()) > MAX_FILE and limit >= 100:
        for test in results["tests"]:
            test["message"] = cap(test["message"], limit)
            test.pop("extra_data", None)
        results["message"] = cap(results["message"], limit)
        text = json.dumps(results, indent=2, default=str)
        limit //= 4
    return text + "\n"


def write(results: dict[str, Any], path: Path) -> Path:
    return write_atomic(path, to_json(results))


MARK = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}


def summary(results: dict[str, Any]) -> str:
    """The terminal view: one line per test, the failing ones with their message."""
    lines = [
        f"{results['learner']} / {results['exercise']}: {MARK[results['status']]} "
        f"{results['score']:g}/{results['max_score']:g}"
    ]
    for t in results["tests"]:
        lines.append(
            f"  {MARK[t['status']]:5} {t['name']:28} {t['score']:g}/{t['max_score']:g}  {t['message'][:160]}"
        )
    for s in results["skipped"]:
        lines.append(f"  SKIP  {s['name']:28} {s['message']}")
    if results["status"] == "error":
        lines.append(f"  {results['message'][:400]}")
    return "\n".join(lines)
