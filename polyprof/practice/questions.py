"""Questions as the session and the grader see them, whatever their source.

A question from exercise.yaml is graded by its rubric or its choices; a live
question (see `live`) by a function over the learner's own numbers. Both become
a `Question` with one `grade(text)` entry point, so blank and "I don't know"
answers are refused in one place for every kind.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .. import exercise as exercises
from ..errors import PolyprofError
from ..exercise import Exercise
from . import rubric

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NON_ANSWERS = re.compile(
    r"\b(i do not know|do not know|i am not sure|not sure|no idea|no clue|idk|dunno|"
    r"pass|skip|none|n/a|sorry|um+|uh+|er+|hmm+|maybe|honestly|really|i)\b"
)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclasses.dataclass(frozen=True)
class Verdict:
    correct: bool
    feedback: str


@dataclasses.dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    model_answer: str
    grader: Callable[[str], Verdict]
    choices: tuple[str, ...] = ()
    answer: str = ""  # what a perfect answers file holds: the model answer, or a choice letter

    def grade(self, text: str) -> Verdict:
        if is_non_answer(text):
            return Verdict(False, "no answer given")
        return self.grader(text)


def is_non_answer(text: Any) -> bool:
    """True for blank, "I don't know" and filler: they score 0 whatever the rubric says."""
    if text is None:
        return True
    left = _NON_ANSWERS.sub(" ", rubric.normalize(str(text)))
    return not re.search(r"[a-z0-9]", left)


def choice_index(text: str, choices: tuple[str, ...]) -> int | None:
    """Read a choice as its letter ("b", "b)") or its exact text; None if neither."""
    t = rubric.normalize(text).strip(" .)")
    if len(t) == 1 and t in LETTERS[: len(choices)]:
        return LETTERS.index(t)
    texts = [rubric.normalize(c) for c in choices]
    return texts.index(t) if t in texts else None


def _choice_grader(choices: tuple[str, ...], answer: int) -> Callable[[str], Verdict]:
    def grade(text: str) -> Verdict:
        picked = choice_index(text, choices)
        if picked == answer:
            return Verdict(True, "correct")
        if picked is None:
            return Verdict(False, f"answer with a letter a-{LETTERS[len(choices) - 1]}")
        return Verdict(False, f"the answer is {LETTERS[answer]}) {choices[answer]}")

    return grade


def _rubric_grader(r: rubric.Rubric) -> Callable[[str], Verdict]:
    def grade(text: str) -> Verdict:
        result = r.grade(text)
        return Verdict(result.correct, result.feedback())

    return grade


def from_spec(spec: Any, where: str) -> Question:
    """Build one question from exercise.yaml; a malformed spec raises RubricError."""
    if not isinstance(spec, dict):
        raise rubric.RubricError(f"{where}: each question must be a mapping")
    qid = spec.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise rubric.RubricError(f"{where}: id {qid!r} must be lowercase words joined by '-'")
    where = f"{where} '{qid}'"
    for key in ("prompt", "model_answer"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise rubric.RubricError(f"{where}: needs a '{key}'")
    common = {"id": qid, "prompt": spec["prompt"].strip(), "model_answer": spec["model_answer"]}
    if "choices" in spec:
        choices = tuple(str(c) for c in spec.get("choices") or [])
        answer = spec.get("answer")
        if len(choices) < 2 or not isinstance(answer, int) or not 0 <= answer < len(choices):
            raise rubric.RubricError(f"{where}: needs 2+ choices and a 0-based 'answer' index")
        grader = _choice_grader(choices, answer)
        return Question(**common, grader=grader, choices=choices, answer=LETTERS[answer])
    r = rubric.parse(spec.get("rubric"), spec.get("subjects"), where)
    return Question(**common, grader=_rubric_grader(r), answer=spec["model_answer"])


def load(exercise: Exercise) -> list[Question]:
    """The exercise's questions, checked as a whole: ids unique, every rubric valid."""
    path = exercise.folder / "exercise.yaml"
    try:
        questions = [
            from_spec(spec, f"question {i + 1}") for i, spec in enumerate(exercise.questions)
        ]
    except rubric.RubricError as exc:
        raise PolyprofError(str(exc), path, hint="fix the questions: block") from None
    ids = [q.id for q in questions]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise PolyprofError(f"duplicate question ids {dupes}", path)
    return questions


def grade(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """Score a mapping of id -> answer; a missing id scores 0, an unknown id is an error."""
    known = {q.id for q in questions}
    unknown = sorted(str(k) for k in answers if k not in known)
    if unknown:
        raise PolyprofError(
            f"unknown question id {', '.join(unknown)}", hint=f"known: {', '.join(sorted(known))}"
        )
    rows = []
    for q in questions:
        value = answers.get(q.id)
        verdict = q.grade("" if value is None else str(value))
        rows.append({"id": q.id, "correct": verdict.correct, "feedback": verdict.feedback})
    return {
        "score": sum(r["correct"] for r in rows),
        "max_score": len(rows),
        "questions": rows,
    }


def grade_answers(exercise: Exercise | str, answers: dict[str, Any]) -> dict[str, Any]:
    """The grader's entry point: a submission's answers.yaml, already parsed, scored."""
    if isinstance(exercise, str):
        exercise = exercises.load(exercise)
    result = grade(load(exercise), answers)
    return {"exercise": exercise.slug, **result}


def read_answers(path: str | Path) -> dict[str, Any]:
    """Parse an answers file, turning every way it can be wrong into one PolyprofError."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolyprofError(f"cannot read answers file ({exc.strerror})", path) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolyprofError(f"answers file is not YAML ({exc.__class__.__name__})", path) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PolyprofError(
            "answers file must be a mapping of question id: answer",
            path,
            hint="write one line per question, e.g. `flat-vs-cum: flat is ...`",
        )
    return data


def template(questions: list[Question], slug: str, with_answers: bool = False) -> str:
    """An answers file to fill in: every id, the question above it as a comment."""
    lines = [
        f"# polyprof practice answers for {slug}",
        f"# grade with: invoke practice -e {slug} --answers THIS_FILE --json out.json",
    ]
    for q in questions:
        lines.append("")
        lines.extend(f"# {line}".rstrip() for line in q.prompt.splitlines())
        lines.extend(f"#   {LETTERS[i]}) {c}" for i, c in enumerate(q.choices))
        value = q.answer if with_answers else ""
        dumped = yaml.safe_dump({q.id: value}, allow_unicode=True, width=100, sort_keys=False)
        lines.append(dumped.rstrip("\n"))
    return "\n".join(lines) + "\n"
