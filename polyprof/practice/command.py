"""What `invoke practice` does with its options: pick the questions, then one mode.

Modes: write a template (`--export`), grade a file (`--answers`), or drill in
the terminal. The question source is the exercise's `questions:` block, or,
with `--live`, questions about the latest `invoke compare` results.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import exercise as exercises
from ..errors import PolyprofError
from ..paths import results_dir
from ..publish import write_atomic
from . import history, live, questions, session


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def pick_questions(slug: str, use_live: bool) -> list[questions.Question]:
    ex = exercises.load(slug)
    if not use_live:
        found = questions.load(ex)
        if not found:
            raise PolyprofError(f"exercise '{slug}' has no questions yet", ex.folder)
        return found
    live.refresh(slug, _say)
    return live.questions(*live.load_results(results_dir(slug)))


def run_practice(
    slug: str = exercises.DEFAULT_SLUG,
    *,
    use_live: bool = False,
    review: bool = False,
    answers: str | None = None,
    json_out: str | None = None,
    export: str | None = None,
    with_answers: bool = False,
) -> int:
    """Run one `invoke practice`; returns the exit code."""
    if with_answers and not export:
        raise PolyprofError("--with-answers only applies to --export FILE")
    if json_out and not answers:
        raise PolyprofError("--json only applies to --answers FILE")
    if export and answers:
        raise PolyprofError("use either --export or --answers, not both")
    chosen = pick_questions(slug, use_live)
    if export:
        write_atomic(Path(export), questions.template(chosen, slug, with_answers))
        print(f"wrote {len(chosen)} questions to {export}")
        return 0
    if answers:
        try:
            graded = questions.grade(chosen, questions.read_answers(answers))
        except PolyprofError as exc:
            raise PolyprofError(exc.problem, exc.path or answers, exc.hint) from None
        result = {"exercise": slug, **graded}
        for row in result["questions"]:
            print(f"{'ok  ' if row['correct'] else 'miss'} {row['id']}: {row['feedback']}")
        print(f"score: {result['score']}/{result['max_score']}")
        if json_out:
            write_atomic(Path(json_out), json.dumps(result, indent=2) + "\n")
        return 0
    path = history.history_path()
    if review:
        order = history.review_order(
            [q.id for q in chosen], history.last_missed(history.read(path), slug)
        )
        chosen = sorted(chosen, key=lambda q: order.index(q.id))
    return session.run(chosen, slug, path)
