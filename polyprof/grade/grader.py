"""Grade one submission: every check for every language it brings, then the written answers."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from ..errors import PolyprofError
from . import results
from .checks import SOURCE_FILE, Outcome, answers, grade_language
from .plan import Plan
from .workspace import open_workspace


def languages_of(plan: Plan, submission: Path) -> list[str]:
    found = []
    for language in plan.exercise.languages:
        path = submission / SOURCE_FILE[language]
        if path.exists() and stat.S_ISREG(path.lstat().st_mode):
            found.append(language)
    return found


def grade_submission(plan: Plan, submission: Path, learner: str | None = None) -> dict[str, Any]:
    """Grade `submission`; a broken submission is a verdict, never an exception."""
    learner = learner or submission.resolve().name
    slug = plan.exercise.slug
    if not submission.is_dir():
        raise PolyprofError("submission is not a directory", submission)
    langs = languages_of(plan, submission)
    if not langs:
        wanted = " or ".join(SOURCE_FILE[lang] for lang in plan.exercise.languages)
        return results.build(
            slug, learner, [], plan.points, error=f"the submission has no {wanted}"
        )
    outcomes: list[Outcome] = []
    skipped: list[tuple[str, str]] = []
    try:
        with open_workspace(submission, plan.reference_files, plan.sandbox) as ws:
            for language in langs:
                outcomes += grade_language(plan, ws, language)
    except PolyprofError as exc:  # the submission itself is unusable (too big, ...)
        return results.build(slug, learner, outcomes, plan.points, error=exc.problem)
    written = answers(plan, submission)
    if isinstance(written, str):
        skipped.append(("answers", written))
    else:
        outcomes.append(written)
    return results.build(slug, learner, outcomes, plan.points, skipped)
